//! ValidateResourceConfig, UpgradeResourceState, ReadResource, PlanResourceChange,
//! ApplyResourceChange and ImportResourceState.

use super::pb;
use super::wire::{
    capabilities, decode, diagnostics_to_proto, encode, encode_identity, path_to_proto,
};
use crate::diagnostics::Diagnostics;
use crate::framework::server::FrameworkServer;
use crate::framework::{Provider, ValidateConfigRequest, rpc};
use crate::value::Value;

pub fn validate<P: Provider>(
    framework: &FrameworkServer<P>,
    req: pb::validate_resource_config::Request,
) -> Result<pb::validate_resource_config::Response, Diagnostics> {
    let entry = framework.resource(&req.type_name)?;
    let request = ValidateConfigRequest {
        config: decode(req.config.as_ref(), &entry.ty, "resource configuration")?,
        client_capabilities: capabilities(req.client_capabilities.as_ref()),
    };
    let diagnostics = framework.validate_resource(entry, request);
    Ok(pb::validate_resource_config::Response {
        diagnostics: diagnostics_to_proto(&diagnostics),
    })
}

pub fn upgrade<P: Provider>(
    framework: &FrameworkServer<P>,
    req: pb::upgrade_resource_state::Request,
) -> Result<pb::upgrade_resource_state::Response, Diagnostics> {
    let entry = framework.resource(&req.type_name)?;
    let request = rpc::UpgradeResourceStateRequest {
        version: req.version,
        raw_state_json: req.raw_state.map(|r| r.json).unwrap_or_default(),
    };
    let (state, warnings) = framework.upgrade(entry, request)?;
    Ok(pb::upgrade_resource_state::Response {
        upgraded_state: Some(encode(&state, &entry.ty, "state")?),
        diagnostics: diagnostics_to_proto(&warnings),
    })
}

pub async fn read<P: Provider>(
    framework: &FrameworkServer<P>,
    req: pb::read_resource::Request,
) -> Result<pb::read_resource::Response, Diagnostics> {
    let entry = framework.resource(&req.type_name)?;
    let request = rpc::ReadResourceRequest {
        current_state: decode(req.current_state.as_ref(), &entry.ty, "current state")?,
        private: req.private,
    };
    let r = framework.read(entry, request).await;
    Ok(pb::read_resource::Response {
        new_state: Some(encode(&r.new_state, &entry.ty, "state")?),
        new_identity: encode_identity(r.new_identity, entry.identity_type())?,
        private: r.private,
        diagnostics: diagnostics_to_proto(&r.diagnostics),
        ..Default::default()
    })
}

pub async fn plan<P: Provider>(
    framework: &FrameworkServer<P>,
    req: pb::plan_resource_change::Request,
) -> Result<pb::plan_resource_change::Response, Diagnostics> {
    let entry = framework.resource(&req.type_name)?;
    let ty = &entry.ty;
    let request = rpc::PlanResourceChangeRequest {
        prior_state: decode(req.prior_state.as_ref(), ty, "prior state")?,
        proposed_new_state: decode(req.proposed_new_state.as_ref(), ty, "proposed new state")?,
        config: decode(req.config.as_ref(), ty, "configuration")?,
        prior_private: req.prior_private,
    };
    let (change, warnings) = framework.plan(entry, request).await?;
    Ok(pb::plan_resource_change::Response {
        planned_state: Some(encode(&change.planned_state, ty, "plan")?),
        planned_identity: encode_identity(change.planned_identity, entry.identity_type())?,
        requires_replace: change.requires_replace.iter().map(path_to_proto).collect(),
        planned_private: change.planned_private,
        diagnostics: diagnostics_to_proto(&warnings),
        ..Default::default()
    })
}

pub async fn apply<P: Provider>(
    framework: &FrameworkServer<P>,
    req: pb::apply_resource_change::Request,
) -> Result<pb::apply_resource_change::Response, Diagnostics> {
    let entry = framework.resource(&req.type_name)?;
    let ty = &entry.ty;
    let request = rpc::ApplyResourceChangeRequest {
        prior_state: decode(req.prior_state.as_ref(), ty, "prior state")?,
        planned_state: decode(req.planned_state.as_ref(), ty, "planned state")?,
        config: decode(req.config.as_ref(), ty, "configuration")?,
        planned_private: req.planned_private,
    };
    let r = framework.apply(entry, request).await;
    Ok(pb::apply_resource_change::Response {
        new_state: Some(encode(&r.new_state, ty, "new state")?),
        new_identity: encode_identity(r.new_identity, entry.identity_type())?,
        private: r.private,
        diagnostics: diagnostics_to_proto(&r.diagnostics),
        ..Default::default()
    })
}

pub async fn import<P: Provider>(
    framework: &FrameworkServer<P>,
    req: pb::import_resource_state::Request,
) -> Result<pb::import_resource_state::Response, Diagnostics> {
    let entry = framework.resource(&req.type_name)?;
    let identity = match (entry.identity_type(), &req.identity) {
        (Some(ty), Some(data)) => decode(data.identity_data.as_ref(), &ty, "import identity")?,
        _ => Value::Null,
    };
    let request = rpc::ImportResourceStateRequest {
        id: req.id,
        identity,
    };
    let (imported, warnings) = framework.import(entry, request).await?;
    let imported = pb::import_resource_state::ImportedResource {
        type_name: req.type_name,
        state: Some(encode(&imported.state, &entry.ty, "state")?),
        identity: encode_identity(imported.identity, entry.identity_type())?,
        private: imported.private,
    };
    Ok(pb::import_resource_state::Response {
        imported_resources: vec![imported],
        diagnostics: diagnostics_to_proto(&warnings),
        ..Default::default()
    })
}
