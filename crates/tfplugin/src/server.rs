//! The `tfplugin6.Provider` gRPC service, the edge of the framework: every protobuf message is
//! decoded and encoded here, and `operations` (write-only checks, generic planning,
//! create/update/delete dispatch) and `adoption` (identity, list resources, config generation,
//! moved state) see framework types only ([`rpc`] requests and replies).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

use tokio_stream::StreamExt;
use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status};

use super::adoption::{IdentitySchema, ListEvent, MoveStateRequest};
use super::diagnostics::Diagnostics;
use super::framework::*;
use super::plan;
use super::proto::tfplugin6 as pb;
use super::proto::tfplugin6::provider_server::{Provider as ProviderRpc, ProviderServer};
use super::schema::Schema;
use super::serve::MAX_MESSAGE_SIZE;
use super::types::Type;
use super::value::Value;
use super::wire::{
    capabilities, decode_value, diagnostics_to_proto, encode_value, path_to_proto, schema_to_proto,
    schema_type,
};

mod adoption;
mod operations;

use operations::{error_diagnostics, wire_error};

/// A resource with its schema and wire type, computed once.
struct ResourceEntry<D> {
    resource: Arc<dyn Resource<D>>,
    schema: Schema,
    ty: Type,
    identity: Option<IdentitySchema>,
    /// The `config` block schema of its list resource, if it has one.
    list_schema: Option<Schema>,
}

/// A data source with its schema and wire type, computed once.
struct DataSourceEntry<D> {
    data_source: Arc<dyn DataSource<D>>,
    schema: Schema,
    ty: Type,
}

/// The gRPC provider service around a framework [`Provider`].
pub struct ProviderService<P: Provider> {
    provider: P,
    provider_schema: Schema,
    provider_type: Type,
    resources: HashMap<String, ResourceEntry<P::Data>>,
    data_sources: HashMap<String, DataSourceEntry<P::Data>>,
    configured: RwLock<Option<Arc<P::Data>>>,
    stop: Mutex<CancellationToken>,
}

/// The tonic server for `provider`, with 256 MiB message limits both ways.
pub fn provider_server<P: Provider>(provider: P) -> ProviderServer<ProviderService<P>> {
    ProviderServer::new(ProviderService::new(provider))
        .max_decoding_message_size(MAX_MESSAGE_SIZE)
        .max_encoding_message_size(MAX_MESSAGE_SIZE)
}

/// The result of running a framework call: diagnostics plus the reply fields.
type Reply<T> = Result<Response<T>, Status>;

/// A server-streaming reply: messages sent one by one as they are produced.
pub type EventStream<T> =
    std::pin::Pin<Box<dyn tokio_stream::Stream<Item = Result<T, Status>> + Send + 'static>>;

impl<P: Provider> ProviderService<P> {
    pub fn new(provider: P) -> ProviderService<P> {
        let provider_schema = provider.schema();
        let provider_type = schema_type(&provider_schema);
        let resources = provider
            .resources()
            .into_iter()
            .map(|resource| {
                let schema = resource.schema();
                let ty = schema_type(&schema);
                let entry = ResourceEntry {
                    resource: resource.clone(),
                    schema,
                    ty,
                    identity: resource.identity_schema(),
                    list_schema: resource.lister().map(|lister| lister.list_schema()),
                };
                (resource.type_name().to_string(), entry)
            })
            .collect();
        let data_sources = provider
            .data_sources()
            .into_iter()
            .map(|data_source| {
                let schema = data_source.schema();
                let ty = schema_type(&schema);
                let entry = DataSourceEntry {
                    data_source: data_source.clone(),
                    schema,
                    ty,
                };
                (data_source.type_name().to_string(), entry)
            })
            .collect();
        ProviderService {
            provider,
            provider_schema,
            provider_type,
            resources,
            data_sources,
            configured: RwLock::new(None),
            stop: Mutex::new(CancellationToken::new()),
        }
    }

    /// The token for a new request; StopProvider cancels it.
    fn cancel_token(&self) -> CancellationToken {
        self.stop.lock().map(|t| t.clone()).unwrap_or_default()
    }

    fn provider_data(&self) -> Option<Arc<P::Data>> {
        self.configured.read().ok().and_then(|d| d.clone())
    }

    fn resource(&self, type_name: &str) -> Result<&ResourceEntry<P::Data>, Diagnostics> {
        self.resources.get(type_name).ok_or_else(|| {
            error_diagnostics(
                "Unknown resource type",
                format!(
                    "This provider ({}) has no resource type {type_name:?}. Check the spelling in \
                     the configuration.",
                    self.provider.type_name()
                ),
            )
        })
    }

    fn data_source(&self, type_name: &str) -> Result<&DataSourceEntry<P::Data>, Diagnostics> {
        self.data_sources.get(type_name).ok_or_else(|| {
            error_diagnostics(
                "Unknown data source type",
                format!(
                    "This provider ({}) has no data source type {type_name:?}. Check the spelling \
                     in the configuration.",
                    self.provider.type_name()
                ),
            )
        })
    }
}

/// Wraps a result whose error is diagnostics into a reply with those diagnostics.
macro_rules! reply {
    ($result:expr, $response:ty) => {
        Ok(Response::new(match $result {
            Ok(response) => response,
            Err(diags) => <$response>::default_with(diagnostics_to_proto(&diags)),
        }))
    };
}

/// Building a response that carries only diagnostics.
trait WithDiagnostics: Default {
    fn set_diagnostics(&mut self, diagnostics: Vec<pb::Diagnostic>);
    fn default_with(diagnostics: Vec<pb::Diagnostic>) -> Self {
        let mut response = Self::default();
        response.set_diagnostics(diagnostics);
        response
    }
}

macro_rules! with_diagnostics {
    ($($t:ty),* $(,)?) => {
        $(impl WithDiagnostics for $t {
            fn set_diagnostics(&mut self, diagnostics: Vec<pb::Diagnostic>) {
                self.diagnostics = diagnostics;
            }
        })*
    };
}

with_diagnostics!(
    pb::plan_resource_change::Response,
    pb::apply_resource_change::Response,
    pb::read_resource::Response,
    pb::import_resource_state::Response,
    pb::upgrade_resource_state::Response,
    pb::read_data_source::Response,
    pb::upgrade_resource_identity::Response,
    pb::move_resource_state::Response,
    pb::generate_resource_config::Response,
);

/// Decodes one value of a request; `what` names it in the error.
fn decode(value: Option<&pb::DynamicValue>, ty: &Type, what: &str) -> Result<Value, Diagnostics> {
    decode_value(value, ty).map_err(|e| wire_error(what, e))
}

/// Encodes one value of a reply; `what` names it in the error.
fn encode(value: &Value, ty: &Type, what: &str) -> Result<pb::DynamicValue, Diagnostics> {
    encode_value(value, ty).map_err(|e| wire_error(what, e))
}

/// The identity of the object `state` describes, as identity data; `None` for a resource
/// without identity, a null state, or one whose identity is not known yet (a planned create).
fn identity_data<D>(
    entry: &ResourceEntry<D>,
    state: &Value,
) -> Result<Option<pb::ResourceIdentityData>, Diagnostics> {
    let Some(schema) = &entry.identity else {
        return Ok(None);
    };
    schema
        .identity_of(state)
        .map(|identity| identity_to_proto(&identity, schema))
        .transpose()
}

fn identity_to_proto(
    identity: &Value,
    schema: &IdentitySchema,
) -> Result<pb::ResourceIdentityData, Diagnostics> {
    Ok(pb::ResourceIdentityData {
        identity_data: Some(encode(identity, &schema.value_type(), "identity")?),
    })
}

/// One found object as a list event: identity, display name and, when asked, the object.
fn listed_event<D>(
    entry: &ResourceEntry<D>,
    event: ListEvent,
    include_resource: bool,
) -> pb::list_resource::Event {
    let mut diagnostics = Diagnostics::default();
    let mut wire = pb::list_resource::Event::default();
    match event {
        ListEvent::Diagnostics(diags) => diagnostics = diags,
        ListEvent::Object(object) => {
            let mut state = object.state;
            plan::null_write_only(&entry.schema, &mut state);
            wire.display_name = object.display_name;
            match identity_data(entry, &state) {
                Ok(Some(identity)) => wire.identity = Some(identity),
                Ok(None) => diagnostics.extend(error_diagnostics(
                    "Listed object without identity",
                    format!(
                        "The provider listed {:?} without a complete identity. This is a bug in \
                         the provider; please report it.",
                        wire.display_name
                    ),
                )),
                Err(diags) => diagnostics.extend(diags),
            }
            if include_resource {
                match encode(&state, &entry.ty, "listed object") {
                    Ok(object) => wire.resource_object = Some(object),
                    Err(diags) => diagnostics.extend(diags),
                }
            }
        }
    }
    wire.diagnostic = diagnostics_to_proto(&diagnostics);
    wire
}

/// The edge of each resource and data-source RPC: wire request → [`rpc`] request, operation,
/// [`rpc`] reply → wire reply. An error here (unknown type, malformed value) is the whole reply.
impl<P: Provider> ProviderService<P> {
    fn upgrade_wire(
        &self,
        req: pb::upgrade_resource_state::Request,
    ) -> Result<pb::upgrade_resource_state::Response, Diagnostics> {
        let entry = self.resource(&req.type_name)?;
        let call = rpc::UpgradeResourceStateRequest {
            version: req.version,
            raw_state_json: req.raw_state.map(|r| r.json).unwrap_or_default(),
        };
        let r = self.upgrade(entry, call);
        Ok(pb::upgrade_resource_state::Response {
            upgraded_state: r
                .upgraded_state
                .map(|state| encode(&state, &entry.ty, "state"))
                .transpose()?,
            diagnostics: diagnostics_to_proto(&r.diagnostics),
        })
    }

    async fn read_wire(
        &self,
        req: pb::read_resource::Request,
    ) -> Result<pb::read_resource::Response, Diagnostics> {
        let entry = self.resource(&req.type_name)?;
        let call = rpc::ReadResourceRequest {
            current_state: decode(req.current_state.as_ref(), &entry.ty, "current state")?,
            private: req.private,
        };
        let r = self.read(entry, call).await;
        Ok(pb::read_resource::Response {
            new_identity: identity_data(entry, &r.new_state)?,
            new_state: Some(encode(&r.new_state, &entry.ty, "state")?),
            private: r.private,
            diagnostics: diagnostics_to_proto(&r.diagnostics),
            ..Default::default()
        })
    }

    async fn plan_wire(
        &self,
        req: pb::plan_resource_change::Request,
    ) -> Result<pb::plan_resource_change::Response, Diagnostics> {
        let entry = self.resource(&req.type_name)?;
        let call = rpc::PlanResourceChangeRequest {
            prior_state: decode(req.prior_state.as_ref(), &entry.ty, "prior state")?,
            proposed_new_state: decode(
                req.proposed_new_state.as_ref(),
                &entry.ty,
                "proposed new state",
            )?,
            config: decode(req.config.as_ref(), &entry.ty, "configuration")?,
            prior_private: req.prior_private,
        };
        let r = self.plan(entry, call).await;
        let planned_identity = match &r.planned_state {
            Some(planned) => identity_data(entry, planned)?,
            None => None,
        };
        Ok(pb::plan_resource_change::Response {
            planned_identity,
            planned_state: r
                .planned_state
                .map(|planned| encode(&planned, &entry.ty, "plan"))
                .transpose()?,
            requires_replace: r.requires_replace.iter().map(path_to_proto).collect(),
            planned_private: r.planned_private,
            diagnostics: diagnostics_to_proto(&r.diagnostics),
            ..Default::default()
        })
    }

    async fn apply_wire(
        &self,
        req: pb::apply_resource_change::Request,
    ) -> Result<pb::apply_resource_change::Response, Diagnostics> {
        let entry = self.resource(&req.type_name)?;
        let call = rpc::ApplyResourceChangeRequest {
            prior_state: decode(req.prior_state.as_ref(), &entry.ty, "prior state")?,
            planned_state: decode(req.planned_state.as_ref(), &entry.ty, "planned state")?,
            config: decode(req.config.as_ref(), &entry.ty, "configuration")?,
            planned_private: req.planned_private,
        };
        let r = self.apply(entry, call).await;
        Ok(pb::apply_resource_change::Response {
            new_identity: identity_data(entry, &r.new_state)?,
            new_state: Some(encode(&r.new_state, &entry.ty, "new state")?),
            private: r.private,
            diagnostics: diagnostics_to_proto(&r.diagnostics),
            ..Default::default()
        })
    }

    async fn import_wire(
        &self,
        req: pb::import_resource_state::Request,
    ) -> Result<pb::import_resource_state::Response, Diagnostics> {
        let entry = self.resource(&req.type_name)?;
        let identity = match (&entry.identity, &req.identity) {
            (Some(schema), Some(data)) => decode(
                data.identity_data.as_ref(),
                &schema.value_type(),
                "import identity",
            )?,
            _ => Value::Null,
        };
        let call = rpc::ImportResourceStateRequest {
            id: req.id,
            identity,
        };
        let r = self.import(&req.type_name, entry, call).await;
        let mut imported_resources = Vec::new();
        if let Some(imported) = r.imported {
            imported_resources.push(pb::import_resource_state::ImportedResource {
                type_name: req.type_name,
                state: Some(encode(&imported.state, &entry.ty, "state")?),
                private: imported.private,
                identity: identity_data(entry, &imported.state)?,
            });
        }
        Ok(pb::import_resource_state::Response {
            imported_resources,
            diagnostics: diagnostics_to_proto(&r.diagnostics),
            ..Default::default()
        })
    }

    fn upgrade_identity_wire(
        &self,
        req: pb::upgrade_resource_identity::Request,
    ) -> Result<pb::upgrade_resource_identity::Response, Diagnostics> {
        let entry = self.resource(&req.type_name)?;
        let raw = req.raw_identity.map(|r| r.json).unwrap_or_default();
        let identity = self.upgrade_identity(&req.type_name, entry, req.version, &raw)?;
        let schema = entry.identity.as_ref().ok_or_else(Diagnostics::default)?;
        Ok(pb::upgrade_resource_identity::Response {
            upgraded_identity: Some(identity_to_proto(&identity, schema)?),
            diagnostics: Vec::new(),
        })
    }

    fn move_state_wire(
        &self,
        req: pb::move_resource_state::Request,
    ) -> Result<pb::move_resource_state::Response, Diagnostics> {
        let entry = self.resource(&req.target_type_name)?;
        let raw = req.source_state.map(|r| r.json).unwrap_or_default();
        let source_state: serde_json::Value = serde_json::from_slice(&raw).map_err(|_| {
            error_diagnostics(
                "Unsupported state format",
                "The state being moved has no JSON form (it predates Terraform 0.12). Import \
                 the object instead.",
            )
        })?;
        let call = MoveStateRequest {
            source_provider_address: req.source_provider_address,
            source_type_name: req.source_type_name,
            source_schema_version: req.source_schema_version,
            source_state,
        };
        let r = self.move_state(entry, &req.target_type_name, call);
        let mut response = pb::move_resource_state::Response {
            diagnostics: diagnostics_to_proto(&r.diagnostics),
            ..Default::default()
        };
        if !r.diagnostics.has_errors() {
            response.target_identity = identity_data(entry, &r.target_state)?;
            response.target_state = Some(encode(&r.target_state, &entry.ty, "state")?);
        }
        Ok(response)
    }

    fn validate_list_wire(&self, req: pb::validate_list_resource_config::Request) -> Diagnostics {
        self.lister_entry(&req.type_name)
            .and_then(|(entry, list_schema)| {
                let config = decode(
                    req.config.as_ref(),
                    &schema_type(list_schema),
                    "list configuration",
                )?;
                Ok(self.validate_list(entry, &config))
            })
            .unwrap_or_else(|diags| diags)
    }

    fn list_wire(
        &self,
        req: pb::list_resource::Request,
    ) -> Result<EventStream<pb::list_resource::Event>, Diagnostics> {
        let (entry, list_schema) = self.lister_entry(&req.type_name)?;
        let config = decode(
            req.config.as_ref(),
            &schema_type(list_schema),
            "list configuration",
        )?;
        let receiver = self.start_list(entry, config, req.limit)?;
        let entry = ResourceEntry {
            resource: entry.resource.clone(),
            schema: entry.schema.clone(),
            ty: entry.ty.clone(),
            identity: entry.identity.clone(),
            list_schema: None,
        };
        let include_resource = req.include_resource_object;
        let events = tokio_stream::wrappers::ReceiverStream::new(receiver)
            .map(move |event| Ok(listed_event(&entry, event, include_resource)));
        Ok(Box::pin(events))
    }

    fn generate_config_wire(
        &self,
        req: pb::generate_resource_config::Request,
    ) -> Result<pb::generate_resource_config::Response, Diagnostics> {
        let entry = self.resource(&req.type_name)?;
        let state = decode(req.state.as_ref(), &entry.ty, "state")?;
        let config = self.generate_config(entry, &state);
        Ok(pb::generate_resource_config::Response {
            config: Some(encode(&config, &entry.ty, "configuration")?),
            diagnostics: Vec::new(),
        })
    }

    async fn read_data_wire(
        &self,
        req: pb::read_data_source::Request,
    ) -> Result<pb::read_data_source::Response, Diagnostics> {
        let entry = self.data_source(&req.type_name)?;
        let call = rpc::ReadDataSourceRequest {
            config: decode(req.config.as_ref(), &entry.ty, "configuration")?,
        };
        let r = self.read_data(entry, call).await;
        Ok(pb::read_data_source::Response {
            state: r
                .state
                .map(|state| encode(&state, &entry.ty, "state"))
                .transpose()?,
            diagnostics: diagnostics_to_proto(&r.diagnostics),
            ..Default::default()
        })
    }
}

#[tonic::async_trait]
impl<P: Provider> ProviderRpc for ProviderService<P> {
    async fn get_metadata(
        &self,
        _request: Request<pb::get_metadata::Request>,
    ) -> Reply<pb::get_metadata::Response> {
        tracing::debug!(rpc = "GetMetadata");
        Ok(Response::new(pb::get_metadata::Response {
            server_capabilities: Some(server_capabilities()),
            resources: self
                .resources
                .keys()
                .map(|name| pb::get_metadata::ResourceMetadata {
                    type_name: name.clone(),
                })
                .collect(),
            data_sources: self
                .data_sources
                .keys()
                .map(|name| pb::get_metadata::DataSourceMetadata {
                    type_name: name.clone(),
                })
                .collect(),
            list_resources: self
                .resources
                .iter()
                .filter(|(_, entry)| entry.list_schema.is_some())
                .map(|(name, _)| pb::get_metadata::ListResourceMetadata {
                    type_name: name.clone(),
                })
                .collect(),
            ..Default::default()
        }))
    }

    async fn get_provider_schema(
        &self,
        _request: Request<pb::get_provider_schema::Request>,
    ) -> Reply<pb::get_provider_schema::Response> {
        tracing::debug!(rpc = "GetProviderSchema");
        Ok(Response::new(pb::get_provider_schema::Response {
            provider: Some(schema_to_proto(&self.provider_schema)),
            resource_schemas: self
                .resources
                .iter()
                .map(|(name, entry)| (name.clone(), schema_to_proto(&entry.schema)))
                .collect(),
            data_source_schemas: self
                .data_sources
                .iter()
                .map(|(name, entry)| (name.clone(), schema_to_proto(&entry.schema)))
                .collect(),
            list_resource_schemas: self
                .resources
                .iter()
                .filter_map(|(name, entry)| {
                    Some((name.clone(), schema_to_proto(entry.list_schema.as_ref()?)))
                })
                .collect(),
            server_capabilities: Some(server_capabilities()),
            ..Default::default()
        }))
    }

    async fn validate_provider_config(
        &self,
        request: Request<pb::validate_provider_config::Request>,
    ) -> Reply<pb::validate_provider_config::Response> {
        tracing::debug!(rpc = "ValidateProviderConfig");
        let req = request.into_inner();
        let diags = match decode_value(req.config.as_ref(), &self.provider_type) {
            Ok(config) => {
                self.provider
                    .validate_config(ValidateConfigRequest {
                        config,
                        client_capabilities: ClientCapabilities::default(),
                    })
                    .diagnostics
            }
            Err(e) => wire_error("provider configuration", e),
        };
        Ok(Response::new(pb::validate_provider_config::Response {
            diagnostics: diagnostics_to_proto(&diags),
        }))
    }

    async fn validate_resource_config(
        &self,
        request: Request<pb::validate_resource_config::Request>,
    ) -> Reply<pb::validate_resource_config::Response> {
        let req = request.into_inner();
        tracing::debug!(rpc = "ValidateResourceConfig", type_name = %req.type_name);
        let diags = self
            .resource(&req.type_name)
            .and_then(|entry| {
                let config = decode(req.config.as_ref(), &entry.ty, "resource configuration")?;
                let call = ValidateConfigRequest {
                    config,
                    client_capabilities: capabilities(req.client_capabilities.as_ref()),
                };
                Ok(self.validate_resource(entry, call))
            })
            .unwrap_or_else(|diags| diags);
        Ok(Response::new(pb::validate_resource_config::Response {
            diagnostics: diagnostics_to_proto(&diags),
        }))
    }

    async fn validate_data_resource_config(
        &self,
        request: Request<pb::validate_data_resource_config::Request>,
    ) -> Reply<pb::validate_data_resource_config::Response> {
        let req = request.into_inner();
        tracing::debug!(rpc = "ValidateDataResourceConfig", type_name = %req.type_name);
        let diags = self
            .data_source(&req.type_name)
            .and_then(|entry| {
                let config = decode(req.config.as_ref(), &entry.ty, "data source configuration")?;
                let call = ValidateConfigRequest {
                    config,
                    client_capabilities: ClientCapabilities::default(),
                };
                Ok(self.validate_data_source(entry, call))
            })
            .unwrap_or_else(|diags| diags);
        Ok(Response::new(pb::validate_data_resource_config::Response {
            diagnostics: diagnostics_to_proto(&diags),
        }))
    }

    async fn upgrade_resource_state(
        &self,
        request: Request<pb::upgrade_resource_state::Request>,
    ) -> Reply<pb::upgrade_resource_state::Response> {
        let req = request.into_inner();
        tracing::debug!(rpc = "UpgradeResourceState", type_name = %req.type_name, version = req.version);
        reply!(self.upgrade_wire(req), pb::upgrade_resource_state::Response)
    }

    async fn get_resource_identity_schemas(
        &self,
        _request: Request<pb::get_resource_identity_schemas::Request>,
    ) -> Reply<pb::get_resource_identity_schemas::Response> {
        tracing::debug!(rpc = "GetResourceIdentitySchemas");
        let identity_schemas = self
            .resources
            .iter()
            .filter_map(|(name, entry)| {
                let schema = entry.identity.as_ref()?;
                let identity_attributes = schema
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
                let wire = pb::ResourceIdentitySchema {
                    version: schema.version,
                    identity_attributes,
                };
                Some((name.clone(), wire))
            })
            .collect();
        Ok(Response::new(pb::get_resource_identity_schemas::Response {
            identity_schemas,
            diagnostics: Vec::new(),
        }))
    }

    async fn upgrade_resource_identity(
        &self,
        request: Request<pb::upgrade_resource_identity::Request>,
    ) -> Reply<pb::upgrade_resource_identity::Response> {
        let req = request.into_inner();
        tracing::debug!(rpc = "UpgradeResourceIdentity", type_name = %req.type_name, version = req.version);
        reply!(
            self.upgrade_identity_wire(req),
            pb::upgrade_resource_identity::Response
        )
    }

    async fn configure_provider(
        &self,
        request: Request<pb::configure_provider::Request>,
    ) -> Reply<pb::configure_provider::Response> {
        tracing::debug!(rpc = "ConfigureProvider");
        let req = request.into_inner();
        let diags = match decode_value(req.config.as_ref(), &self.provider_type) {
            Err(e) => wire_error("provider configuration", e),
            Ok(config) => {
                let r = self
                    .provider
                    .configure(ConfigureRequest {
                        config,
                        terraform_version: req.terraform_version,
                        client_capabilities: capabilities(req.client_capabilities.as_ref()),
                    })
                    .await;
                if let (Some(data), Ok(mut slot)) = (r.data, self.configured.write()) {
                    *slot = Some(Arc::new(data));
                }
                r.diagnostics
            }
        };
        Ok(Response::new(pb::configure_provider::Response {
            diagnostics: diagnostics_to_proto(&diags),
        }))
    }

    async fn read_resource(
        &self,
        request: Request<pb::read_resource::Request>,
    ) -> Reply<pb::read_resource::Response> {
        let req = request.into_inner();
        tracing::debug!(rpc = "ReadResource", type_name = %req.type_name);
        reply!(self.read_wire(req).await, pb::read_resource::Response)
    }

    async fn plan_resource_change(
        &self,
        request: Request<pb::plan_resource_change::Request>,
    ) -> Reply<pb::plan_resource_change::Response> {
        let req = request.into_inner();
        tracing::debug!(rpc = "PlanResourceChange", type_name = %req.type_name);
        reply!(
            self.plan_wire(req).await,
            pb::plan_resource_change::Response
        )
    }

    async fn apply_resource_change(
        &self,
        request: Request<pb::apply_resource_change::Request>,
    ) -> Reply<pb::apply_resource_change::Response> {
        let req = request.into_inner();
        tracing::debug!(rpc = "ApplyResourceChange", type_name = %req.type_name);
        reply!(
            self.apply_wire(req).await,
            pb::apply_resource_change::Response
        )
    }

    async fn import_resource_state(
        &self,
        request: Request<pb::import_resource_state::Request>,
    ) -> Reply<pb::import_resource_state::Response> {
        let req = request.into_inner();
        tracing::debug!(rpc = "ImportResourceState", type_name = %req.type_name);
        reply!(
            self.import_wire(req).await,
            pb::import_resource_state::Response
        )
    }

    async fn move_resource_state(
        &self,
        request: Request<pb::move_resource_state::Request>,
    ) -> Reply<pb::move_resource_state::Response> {
        let req = request.into_inner();
        tracing::debug!(
            rpc = "MoveResourceState",
            source_type_name = %req.source_type_name,
            target_type_name = %req.target_type_name
        );
        reply!(self.move_state_wire(req), pb::move_resource_state::Response)
    }

    async fn read_data_source(
        &self,
        request: Request<pb::read_data_source::Request>,
    ) -> Reply<pb::read_data_source::Response> {
        let req = request.into_inner();
        tracing::debug!(rpc = "ReadDataSource", type_name = %req.type_name);
        reply!(
            self.read_data_wire(req).await,
            pb::read_data_source::Response
        )
    }

    async fn validate_ephemeral_resource_config(
        &self,
        request: Request<pb::validate_ephemeral_resource_config::Request>,
    ) -> Reply<pb::validate_ephemeral_resource_config::Response> {
        let diags = no_ephemeral(&request.into_inner().type_name);
        Ok(Response::new(
            pb::validate_ephemeral_resource_config::Response {
                diagnostics: diagnostics_to_proto(&diags),
            },
        ))
    }

    async fn open_ephemeral_resource(
        &self,
        request: Request<pb::open_ephemeral_resource::Request>,
    ) -> Reply<pb::open_ephemeral_resource::Response> {
        let diags = no_ephemeral(&request.into_inner().type_name);
        Ok(Response::new(pb::open_ephemeral_resource::Response {
            diagnostics: diagnostics_to_proto(&diags),
            ..Default::default()
        }))
    }

    async fn renew_ephemeral_resource(
        &self,
        request: Request<pb::renew_ephemeral_resource::Request>,
    ) -> Reply<pb::renew_ephemeral_resource::Response> {
        let diags = no_ephemeral(&request.into_inner().type_name);
        Ok(Response::new(pb::renew_ephemeral_resource::Response {
            diagnostics: diagnostics_to_proto(&diags),
            ..Default::default()
        }))
    }

    async fn close_ephemeral_resource(
        &self,
        request: Request<pb::close_ephemeral_resource::Request>,
    ) -> Reply<pb::close_ephemeral_resource::Response> {
        let diags = no_ephemeral(&request.into_inner().type_name);
        Ok(Response::new(pb::close_ephemeral_resource::Response {
            diagnostics: diagnostics_to_proto(&diags),
        }))
    }

    async fn validate_list_resource_config(
        &self,
        request: Request<pb::validate_list_resource_config::Request>,
    ) -> Reply<pb::validate_list_resource_config::Response> {
        let req = request.into_inner();
        tracing::debug!(rpc = "ValidateListResourceConfig", type_name = %req.type_name);
        let diags = self.validate_list_wire(req);
        Ok(Response::new(pb::validate_list_resource_config::Response {
            diagnostics: diagnostics_to_proto(&diags),
        }))
    }

    type ListResourceStream = EventStream<pb::list_resource::Event>;

    async fn list_resource(
        &self,
        request: Request<pb::list_resource::Request>,
    ) -> Reply<Self::ListResourceStream> {
        let req = request.into_inner();
        tracing::debug!(rpc = "ListResource", type_name = %req.type_name, limit = req.limit);
        match self.list_wire(req) {
            Ok(events) => Ok(Response::new(events)),
            Err(diags) => {
                let event = pb::list_resource::Event {
                    diagnostic: diagnostics_to_proto(&diags),
                    ..Default::default()
                };
                Ok(Response::new(Box::pin(tokio_stream::iter([Ok(event)]))))
            }
        }
    }

    async fn generate_resource_config(
        &self,
        request: Request<pb::generate_resource_config::Request>,
    ) -> Reply<pb::generate_resource_config::Response> {
        let req = request.into_inner();
        tracing::debug!(rpc = "GenerateResourceConfig", type_name = %req.type_name);
        reply!(
            self.generate_config_wire(req),
            pb::generate_resource_config::Response
        )
    }

    async fn get_functions(
        &self,
        _request: Request<pb::get_functions::Request>,
    ) -> Reply<pb::get_functions::Response> {
        // This provider defines no functions.
        Ok(Response::new(pb::get_functions::Response::default()))
    }

    async fn call_function(
        &self,
        request: Request<pb::call_function::Request>,
    ) -> Reply<pb::call_function::Response> {
        Ok(Response::new(pb::call_function::Response {
            result: None,
            error: Some(pb::FunctionError {
                text: format!(
                    "This provider defines no function {:?}.",
                    request.into_inner().name
                ),
                function_argument: None,
            }),
        }))
    }

    async fn stop_provider(
        &self,
        _request: Request<pb::stop_provider::Request>,
    ) -> Reply<pb::stop_provider::Response> {
        tracing::debug!(rpc = "StopProvider");
        if let Ok(mut token) = self.stop.lock() {
            token.cancel();
            // Later calls get a fresh token, so the provider keeps working after a stop.
            *token = CancellationToken::new();
        }
        Ok(Response::new(pb::stop_provider::Response::default()))
    }
}

fn server_capabilities() -> pb::ServerCapabilities {
    pb::ServerCapabilities {
        plan_destroy: true,
        get_provider_schema_optional: true,
        move_resource_state: true,
        generate_resource_config: true,
    }
}

fn no_ephemeral(type_name: &str) -> Diagnostics {
    error_diagnostics(
        "Unknown ephemeral resource type",
        format!("This provider has no ephemeral resource type {type_name:?}."),
    )
}

#[cfg(test)]
mod tests;
