//! The RPCs for adopting existing objects: resource identity schemas, data and upgrades, list
//! resources (`terraform query`), configuration generation and moving state between types.

use tokio_stream::StreamExt;

use super::*;
use crate::tfplugin::adoption::{
    ListEvent, ListRequest, ListSink, MoveStateRequest, generated_config, needs_terraform,
};

/// Identity data on the wire.
fn identity_to_proto(identity: &Value, ty: &Type) -> Result<pb::ResourceIdentityData, Diagnostics> {
    Ok(pb::ResourceIdentityData {
        identity_data: Some(encode_value(identity, ty).map_err(|e| wire_error("identity", e))?),
    })
}

impl<P: Provider> ProviderService<P> {
    /// Every resource's identity schema.
    pub(super) fn identity_schemas(&self) -> pb::get_resource_identity_schemas::Response {
        let identity_schemas = self
            .resources
            .iter()
            .filter_map(|(name, entry)| {
                let schema = entry.identity.as_ref()?;
                let attributes = schema
                    .attributes
                    .iter()
                    .map(|a| pb::resource_identity_schema::IdentityAttribute {
                        name: a.name.to_string(),
                        r#type: a.ty.to_json(),
                        required_for_import: a.required_for_import,
                        optional_for_import: !a.required_for_import,
                        description: a.description.to_string(),
                    })
                    .collect();
                let proto = pb::ResourceIdentitySchema {
                    version: schema.version,
                    identity_attributes: attributes,
                };
                Some((name.clone(), proto))
            })
            .collect();
        pb::get_resource_identity_schemas::Response {
            identity_schemas,
            diagnostics: Vec::new(),
        }
    }

    /// The identity of the object `state` describes, for a reply; `None` for a resource without
    /// identity, a null state, or one whose identity is not known yet.
    pub(super) fn identity_data(
        &self,
        entry: &ResourceEntry<P::Data>,
        state: &Value,
    ) -> Result<Option<pb::ResourceIdentityData>, Diagnostics> {
        let Some(schema) = &entry.identity else {
            return Ok(None);
        };
        schema
            .identity_of(state)
            .map(|identity| identity_to_proto(&identity, &schema.value_type()))
            .transpose()
    }

    /// The identity an import block gave, in the resource's identity type (null when none).
    pub(super) fn import_identity(
        &self,
        entry: &ResourceEntry<P::Data>,
        data: Option<&pb::ResourceIdentityData>,
    ) -> Result<Value, Diagnostics> {
        let (Some(schema), Some(data)) = (&entry.identity, data) else {
            return Ok(Value::Null);
        };
        decode_value(data.identity_data.as_ref(), &schema.value_type())
            .map_err(|e| wire_error("import identity", e))
    }

    /// An import with neither id nor identity comes from a Terraform that sent an identity
    /// import it cannot express; say which version can.
    pub(super) fn check_import_request(
        &self,
        id: &str,
        identity: &Value,
    ) -> Result<(), Diagnostics> {
        if id.is_empty() && identity.is_null() {
            return Err(needs_terraform(
                "Import by identity",
                "1.12",
                "import with `id = \"…\"` (see the resource's documentation for the id forms).",
            ));
        }
        Ok(())
    }

    pub(super) fn upgrade_identity(
        &self,
        req: pb::upgrade_resource_identity::Request,
    ) -> Result<pb::upgrade_resource_identity::Response, Diagnostics> {
        let entry = self.resource(&req.type_name)?;
        let Some(schema) = &entry.identity else {
            return Err(error_diagnostics(
                "Resource identity not supported",
                format!(
                    "The resource type {} has no resource identity. Remove identity data from \
                     the state or configuration.",
                    req.type_name
                ),
            ));
        };
        if req.version != schema.version {
            return Err(error_diagnostics(
                "Unknown identity version",
                format!(
                    "The stored identity of this {} has version {}, but this provider knows only \
                     version {}. Use the provider version that wrote the state, or remove the \
                     resource from state and import it again.",
                    req.type_name, req.version, schema.version
                ),
            ));
        }
        let raw = req.raw_identity.map(|r| r.json).unwrap_or_default();
        let identity = json::decode(&raw, &schema.value_type())
            .map_err(|e| wire_error("stored identity", e))?;
        Ok(pb::upgrade_resource_identity::Response {
            upgraded_identity: Some(identity_to_proto(&identity, &schema.value_type())?),
            diagnostics: Vec::new(),
        })
    }

    fn lister_entry(&self, type_name: &str) -> Result<&ResourceEntry<P::Data>, Diagnostics> {
        match self.resources.get(type_name) {
            Some(entry) if entry.list_schema.is_some() => Ok(entry),
            _ => Err(error_diagnostics(
                "Unknown list resource type",
                format!(
                    "This provider ({}) has no list resource type {type_name:?} for `terraform \
                     query`. Check the spelling of the list block.",
                    self.provider.type_name()
                ),
            )),
        }
    }

    pub(super) fn validate_list(
        &self,
        req: pb::validate_list_resource_config::Request,
    ) -> Diagnostics {
        let entry = match self.lister_entry(&req.type_name) {
            Ok(entry) => entry,
            Err(diags) => return diags,
        };
        let (Some(lister), Some(schema)) = (entry.resource.lister(), &entry.list_schema) else {
            return Diagnostics::default();
        };
        match decode_value(req.config.as_ref(), &schema_type(schema)) {
            Ok(config) => lister.validate_list_config(&config),
            Err(e) => wire_error("list configuration", e),
        }
    }

    /// Starts listing in the background and returns the stream of events Terraform reads.
    pub(super) fn start_list(
        &self,
        req: pb::list_resource::Request,
    ) -> Result<EventStream<pb::list_resource::Event>, Diagnostics> {
        let entry = self.lister_entry(&req.type_name)?;
        let list_schema = entry
            .list_schema
            .as_ref()
            .ok_or_else(Diagnostics::default)?;
        let config = decode_value(req.config.as_ref(), &schema_type(list_schema))
            .map_err(|e| wire_error("list configuration", e))?;
        let provider = self.provider_data().ok_or_else(not_configured)?;
        let limit = if req.limit > 0 { req.limit } else { i64::MAX };
        let (sink, receiver) = ListSink::new(limit);
        let resource = entry.resource.clone();
        let cancel = self.cancel_token();
        tokio::spawn(async move {
            if let Some(lister) = resource.lister() {
                let request = ListRequest {
                    config,
                    provider,
                    cancel,
                };
                lister.list(request, sink).await;
            }
        });
        let identity = entry.identity.clone();
        let schema = entry.schema.clone();
        let ty = entry.ty.clone();
        let include_resource = req.include_resource_object;
        let events = tokio_stream::wrappers::ReceiverStream::new(receiver).map(move |event| {
            Ok(match event {
                ListEvent::Diagnostics(diags) => pb::list_resource::Event {
                    diagnostic: diagnostics_to_proto(&diags),
                    ..Default::default()
                },
                ListEvent::Object(object) => {
                    let mut state = object.state;
                    plan::null_write_only(&schema, &mut state);
                    listed_event(
                        &state,
                        object.display_name,
                        identity.as_ref(),
                        include_resource.then_some(&ty),
                    )
                }
            })
        });
        Ok(Box::pin(events))
    }

    pub(super) fn generate_config(
        &self,
        req: pb::generate_resource_config::Request,
    ) -> Result<pb::generate_resource_config::Response, Diagnostics> {
        let entry = self.resource(&req.type_name)?;
        let state =
            decode_value(req.state.as_ref(), &entry.ty).map_err(|e| wire_error("state", e))?;
        let mut config = generated_config(&entry.schema, &state);
        if let Some(generator) = entry.resource.config_generator() {
            config = generator.generate_config(config);
        }
        Ok(pb::generate_resource_config::Response {
            config: Some(encode_value(&config, &entry.ty).map_err(|e| wire_error("config", e))?),
            diagnostics: Vec::new(),
        })
    }

    pub(super) fn move_state(
        &self,
        req: pb::move_resource_state::Request,
    ) -> Result<pb::move_resource_state::Response, Diagnostics> {
        let entry = self.resource(&req.target_type_name)?;
        let Some(mover) = entry.resource.state_mover() else {
            return Err(error_diagnostics(
                "Moving resources across types is not supported",
                format!(
                    "{} cannot take over state from {}. Remove the `moved` block and import the \
                     object instead.",
                    req.target_type_name, req.source_type_name
                ),
            ));
        };
        let raw = req.source_state.map(|r| r.json).unwrap_or_default();
        let source_state: serde_json::Value = serde_json::from_slice(&raw).map_err(|_| {
            error_diagnostics(
                "Unsupported state format",
                "The state being moved has no JSON form (it predates Terraform 0.12). Import \
                 the object instead.",
            )
        })?;
        let r = mover.move_state(MoveStateRequest {
            source_provider_address: req.source_provider_address,
            source_type_name: req.source_type_name,
            source_schema_version: req.source_schema_version,
            source_state,
        });
        let mut response = pb::move_resource_state::Response {
            diagnostics: diagnostics_to_proto(&r.diagnostics),
            ..Default::default()
        };
        if !r.diagnostics.has_errors() {
            let mut state = r.target_state;
            plan::null_write_only(&entry.schema, &mut state);
            response.target_identity = self.identity_data(entry, &state)?;
            response.target_state =
                Some(encode_value(&state, &entry.ty).map_err(|e| wire_error("state", e))?);
        }
        Ok(response)
    }
}

/// One found object as a list event: its identity, display name and (when asked) the whole
/// resource object.
fn listed_event(
    state: &Value,
    display_name: String,
    identity: Option<&IdentitySchema>,
    resource_type: Option<&Type>,
) -> pb::list_resource::Event {
    let mut diags = Diagnostics::default();
    let mut event = pb::list_resource::Event {
        display_name,
        ..Default::default()
    };
    match identity.and_then(|schema| Some((schema.identity_of(state)?, schema.value_type()))) {
        Some((identity, ty)) => match identity_to_proto(&identity, &ty) {
            Ok(data) => event.identity = Some(data),
            Err(d) => diags.extend(d),
        },
        None => diags.error(
            "Listed object without identity",
            format!(
                "The provider listed {:?} without a complete identity. This is a bug in the \
                 provider; please report it.",
                event.display_name
            ),
        ),
    }
    if let Some(ty) = resource_type {
        match encode_value(state, ty) {
            Ok(object) => event.resource_object = Some(object),
            Err(e) => diags.extend(wire_error("listed object", e)),
        }
    }
    event.diagnostic = diagnostics_to_proto(&diags);
    event
}
