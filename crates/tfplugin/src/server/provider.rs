//! ValidateProviderConfig and ConfigureProvider (StopProvider needs no conversion).

use super::pb;
use super::wire::{capabilities, decode, diagnostics_to_proto};
use crate::diagnostics::Diagnostics;
use crate::framework::server::FrameworkServer;
use crate::framework::{ConfigureRequest, Provider};

pub fn validate<P: Provider>(
    framework: &FrameworkServer<P>,
    req: pb::validate_provider_config::Request,
) -> Result<pb::validate_provider_config::Response, Diagnostics> {
    let ty = &framework.provider_type;
    let config = decode(req.config.as_ref(), ty, "provider configuration")?;
    let diagnostics = framework.validate_provider(config);
    Ok(pb::validate_provider_config::Response {
        diagnostics: diagnostics_to_proto(&diagnostics),
    })
}

pub async fn configure<P: Provider>(
    framework: &FrameworkServer<P>,
    req: pb::configure_provider::Request,
) -> Result<pb::configure_provider::Response, Diagnostics> {
    let ty = &framework.provider_type;
    let request = ConfigureRequest {
        config: decode(req.config.as_ref(), ty, "provider configuration")?,
        terraform_version: req.terraform_version,
        client_capabilities: capabilities(req.client_capabilities.as_ref()),
    };
    let diagnostics = framework.configure(request).await;
    Ok(pb::configure_provider::Response {
        diagnostics: diagnostics_to_proto(&diagnostics),
    })
}
