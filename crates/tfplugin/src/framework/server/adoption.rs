//! Adopting existing objects: identity upgrades, list resources (`terraform query`),
//! configuration generation and moving state from other resource types (`moved {}`).

use tokio_stream::{Stream, StreamExt};

use super::{FrameworkServer, ResourceEntry, invalid_value};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::framework::adoption::{
    ListEvent, ListRequest, ListSink, ListedObject, MoveStateRequest, generated_config,
};
use crate::framework::{Provider, rpc};
use crate::schema::Schema;
use crate::value::Value;
use crate::{json, plan};

impl<P: Provider> FrameworkServer<P> {
    /// The resource type of list resource `type_name` with its list configuration schema, or an
    /// error naming it.
    pub fn list_resource(
        &self,
        type_name: &str,
    ) -> Result<(&ResourceEntry<P::Data>, &Schema), Diagnostics> {
        match self.resources.get(type_name) {
            Some(
                entry @ ResourceEntry {
                    list_schema: Some(list_schema),
                    ..
                },
            ) => Ok((entry, list_schema)),
            _ => Err(Diagnostic::error(
                "Unknown list resource type",
                format!(
                    "This provider ({}) has no list resource type {type_name:?} for `terraform \
                     query`. Check the spelling of the list block.",
                    self.provider.type_name()
                ),
            )
            .into()),
        }
    }

    /// Stored identity data of `version`, as the current identity.
    pub fn upgrade_identity(
        &self,
        entry: &ResourceEntry<P::Data>,
        version: i64,
        raw_json: &[u8],
    ) -> Result<Value, Diagnostics> {
        let type_name = entry.resource.type_name();
        let Some(schema) = &entry.identity else {
            let detail = format!(
                "The resource type {type_name} has no resource identity. Remove identity data \
                 from the state or configuration."
            );
            return Err(Diagnostic::error("Resource identity not supported", detail).into());
        };
        if version != schema.version {
            let detail = format!(
                "The stored identity of this {type_name} has version {version}, but this \
                 provider knows only version {}. Use the provider version that wrote the state, \
                 or remove the resource from state and import it again.",
                schema.version
            );
            return Err(Diagnostic::error("Unknown identity version", detail).into());
        }
        json::decode(raw_json, &schema.value_type())
            .map_err(|e| invalid_value("stored identity", e))
    }

    pub fn validate_list(&self, entry: &ResourceEntry<P::Data>, config: &Value) -> Diagnostics {
        entry
            .resource
            .lister()
            .map(|lister| lister.validate_list_config(config))
            .unwrap_or_default()
    }

    /// Starts listing in the background; the stream yields each object the list resource finds
    /// (write-only attributes null, identity projected), at most `limit` of them.
    pub fn list(
        &self,
        entry: &ResourceEntry<P::Data>,
        req: rpc::ListResourceRequest,
    ) -> Result<impl Stream<Item = rpc::ListResourceEvent> + Send + 'static, Diagnostics> {
        let provider = self.provider_data()?;
        let limit = if req.limit > 0 { req.limit } else { i64::MAX };
        let (sink, receiver) = ListSink::new(limit);
        let resource = entry.resource.clone();
        let request = ListRequest {
            config: req.config,
            provider,
            cancel: self.cancel_token(),
        };
        tokio::spawn(async move {
            if let Some(lister) = resource.lister() {
                lister.list(request, sink).await;
            }
        });
        let listed = ListedEntry {
            schema: entry.schema.clone(),
            identity: entry.identity.clone(),
            include_resource_object: req.include_resource_object,
        };
        let events = tokio_stream::wrappers::ReceiverStream::new(receiver);
        Ok(events.map(move |event| listed.event(event)))
    }

    /// The configuration `-generate-config-out` writes for `state`.
    pub fn generate_config(&self, entry: &ResourceEntry<P::Data>, state: &Value) -> Value {
        let config = generated_config(&entry.schema, state);
        match entry.resource.config_generator() {
            Some(generator) => generator.generate_config(config),
            None => config,
        }
    }

    /// Takes over the state of another resource type (`moved {}`), given as stored JSON.
    pub fn move_state(
        &self,
        entry: &ResourceEntry<P::Data>,
        req: rpc::MoveResourceStateRequest,
    ) -> rpc::Answer<rpc::MovedResource> {
        let Some(mover) = entry.resource.state_mover() else {
            let detail = format!(
                "{} cannot take over state from {}. Remove the `moved` block and import the \
                 object instead.",
                entry.resource.type_name(),
                req.source_type_name
            );
            let summary = "Moving resources across types is not supported";
            return Err(Diagnostic::error(summary, detail).into());
        };
        let Ok(source_state) = serde_json::from_slice(&req.source_state_json) else {
            return Err(Diagnostic::error(
                "Unsupported state format",
                "The state being moved has no JSON form (it predates Terraform 0.12). Import the \
                 object instead.",
            )
            .into());
        };
        let r = mover.move_state(MoveStateRequest {
            source_provider_address: req.source_provider_address,
            source_type_name: req.source_type_name,
            source_schema_version: req.source_schema_version,
            source_state,
        });
        if r.diagnostics.has_errors() {
            return Err(r.diagnostics);
        }
        let mut state = r.target_state;
        plan::null_write_only(&entry.schema, &mut state);
        let moved = rpc::MovedResource {
            identity: entry.identity_of(&state),
            state,
        };
        Ok((moved, r.diagnostics))
    }
}

/// What turning a listed object into an event needs of its resource type, owned by the stream.
struct ListedEntry {
    schema: Schema,
    identity: Option<crate::framework::adoption::IdentitySchema>,
    include_resource_object: bool,
}

impl ListedEntry {
    fn event(&self, event: ListEvent) -> rpc::ListResourceEvent {
        let ListedObject {
            mut state,
            display_name,
        } = match event {
            ListEvent::Object(object) => object,
            ListEvent::Diagnostics(diagnostics) => {
                return rpc::ListResourceEvent {
                    diagnostics,
                    ..Default::default()
                };
            }
        };
        plan::null_write_only(&self.schema, &mut state);
        let identity = self.identity.as_ref().and_then(|i| i.identity_of(&state));
        let mut diagnostics = Diagnostics::default();
        if identity.is_none() {
            diagnostics.add(Diagnostic::error(
                "Listed object without identity",
                format!(
                    "The provider listed {display_name:?} without a complete identity. This is a \
                     bug in the provider; please report it."
                ),
            ));
        }
        rpc::ListResourceEvent {
            identity,
            display_name,
            resource_object: self.include_resource_object.then_some(state),
            diagnostics,
        }
    }
}
