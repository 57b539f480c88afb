//! UpgradeResourceIdentity, MoveResourceState, ValidateListResourceConfig, ListResource and
//! GenerateResourceConfig.

use tokio_stream::StreamExt;

use super::wire::{decode, diagnostics_to_proto, encode, encode_identity};
use super::{EventStream, pb};
use crate::diagnostics::Diagnostics;
use crate::framework::server::FrameworkServer;
use crate::framework::{Provider, rpc};
use crate::types::Type;

pub fn upgrade_identity<P: Provider>(
    framework: &FrameworkServer<P>,
    req: pb::upgrade_resource_identity::Request,
) -> Result<pb::upgrade_resource_identity::Response, Diagnostics> {
    let entry = framework.resource(&req.type_name)?;
    let raw = req.raw_identity.map(|r| r.json).unwrap_or_default();
    let identity = framework.upgrade_identity(entry, req.version, &raw)?;
    Ok(pb::upgrade_resource_identity::Response {
        upgraded_identity: encode_identity(Some(identity), entry.identity_type())?,
        diagnostics: Vec::new(),
    })
}

pub fn move_state<P: Provider>(
    framework: &FrameworkServer<P>,
    req: pb::move_resource_state::Request,
) -> Result<pb::move_resource_state::Response, Diagnostics> {
    let entry = framework.resource(&req.target_type_name)?;
    let request = rpc::MoveResourceStateRequest {
        source_provider_address: req.source_provider_address,
        source_type_name: req.source_type_name,
        source_schema_version: req.source_schema_version,
        source_state_json: req.source_state.map(|r| r.json).unwrap_or_default(),
    };
    let (moved, warnings) = framework.move_state(entry, request)?;
    Ok(pb::move_resource_state::Response {
        target_state: Some(encode(&moved.state, &entry.ty, "state")?),
        target_identity: encode_identity(moved.identity, entry.identity_type())?,
        diagnostics: diagnostics_to_proto(&warnings),
        ..Default::default()
    })
}

pub fn validate_list<P: Provider>(
    framework: &FrameworkServer<P>,
    req: pb::validate_list_resource_config::Request,
) -> Result<pb::validate_list_resource_config::Response, Diagnostics> {
    let (entry, list_schema) = framework.list_resource(&req.type_name)?;
    let ty = list_schema.implied_type();
    let config = decode(req.config.as_ref(), &ty, "list configuration")?;
    let diagnostics = framework.validate_list(entry, &config);
    Ok(pb::validate_list_resource_config::Response {
        diagnostics: diagnostics_to_proto(&diagnostics),
    })
}

/// The events of a listing; a request that cannot start is one event with its diagnostics.
pub fn list<P: Provider>(
    framework: &FrameworkServer<P>,
    req: pb::list_resource::Request,
) -> EventStream<pb::list_resource::Event> {
    let started = framework
        .list_resource(&req.type_name)
        .and_then(|(entry, list_schema)| {
            let ty = list_schema.implied_type();
            let request = rpc::ListResourceRequest {
                config: decode(req.config.as_ref(), &ty, "list configuration")?,
                include_resource_object: req.include_resource_object,
                limit: req.limit,
            };
            let events = framework.list(entry, request)?;
            Ok((events, entry.ty.clone(), entry.identity_type()))
        });
    match started {
        Ok((events, ty, identity_ty)) => {
            Box::pin(events.map(move |event| Ok(list_event(event, &ty, identity_ty.clone()))))
        }
        Err(diagnostics) => {
            let event = pb::list_resource::Event {
                diagnostic: diagnostics_to_proto(&diagnostics),
                ..Default::default()
            };
            Box::pin(tokio_stream::iter([Ok(event)]))
        }
    }
}

/// One listing event; a value that cannot be encoded becomes an error on the event.
fn list_event(
    event: rpc::ListResourceEvent,
    ty: &Type,
    identity_ty: Option<Type>,
) -> pb::list_resource::Event {
    let mut diagnostics = event.diagnostics;
    let mut wire = pb::list_resource::Event {
        display_name: event.display_name,
        ..Default::default()
    };
    match encode_identity(event.identity, identity_ty) {
        Ok(identity) => wire.identity = identity,
        Err(diags) => diagnostics.extend(diags),
    }
    if let Some(object) = &event.resource_object {
        match encode(object, ty, "listed object") {
            Ok(object) => wire.resource_object = Some(object),
            Err(diags) => diagnostics.extend(diags),
        }
    }
    wire.diagnostic = diagnostics_to_proto(&diagnostics);
    wire
}

pub fn generate_config<P: Provider>(
    framework: &FrameworkServer<P>,
    req: pb::generate_resource_config::Request,
) -> Result<pb::generate_resource_config::Response, Diagnostics> {
    let entry = framework.resource(&req.type_name)?;
    let state = decode(req.state.as_ref(), &entry.ty, "state")?;
    let config = framework.generate_config(entry, &state);
    Ok(pb::generate_resource_config::Response {
        config: Some(encode(&config, &entry.ty, "configuration")?),
        diagnostics: Vec::new(),
    })
}
