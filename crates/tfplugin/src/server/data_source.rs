//! ValidateDataResourceConfig and ReadDataSource.

use super::pb;
use super::wire::{decode, diagnostics_to_proto, encode};
use crate::diagnostics::Diagnostics;
use crate::framework::server::FrameworkServer;
use crate::framework::{ClientCapabilities, Provider, ValidateConfigRequest, rpc};

pub fn validate<P: Provider>(
    framework: &FrameworkServer<P>,
    req: pb::validate_data_resource_config::Request,
) -> Result<pb::validate_data_resource_config::Response, Diagnostics> {
    let entry = framework.data_source(&req.type_name)?;
    let request = ValidateConfigRequest {
        config: decode(req.config.as_ref(), &entry.ty, "data source configuration")?,
        client_capabilities: ClientCapabilities::default(),
    };
    let diagnostics = framework.validate_data_source(entry, request);
    Ok(pb::validate_data_resource_config::Response {
        diagnostics: diagnostics_to_proto(&diagnostics),
    })
}

pub async fn read<P: Provider>(
    framework: &FrameworkServer<P>,
    req: pb::read_data_source::Request,
) -> Result<pb::read_data_source::Response, Diagnostics> {
    let entry = framework.data_source(&req.type_name)?;
    let request = rpc::ReadDataSourceRequest {
        config: decode(req.config.as_ref(), &entry.ty, "configuration")?,
    };
    let (state, warnings) = framework.read_data(entry, request).await?;
    Ok(pb::read_data_source::Response {
        state: Some(encode(&state, &entry.ty, "state")?),
        diagnostics: diagnostics_to_proto(&warnings),
        ..Default::default()
    })
}
