//! The `tfplugin6.Provider` gRPC service: converts wire messages, applies the framework's
//! generic semantics (write-only checks, generic planning, create/update/delete dispatch) and
//! delegates to the [`Provider`], [`Resource`] and [`DataSource`] implementations.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status};

use super::diagnostics::{Diagnostics, PathStep};
use super::framework::*;
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
use super::{json, plan};

/// A resource with its schema and wire type, computed once.
struct ResourceEntry<D> {
    resource: Arc<dyn Resource<D>>,
    schema: Schema,
    ty: Type,
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

fn error_diagnostics(summary: &str, detail: impl Into<String>) -> Diagnostics {
    let mut d = Diagnostics::default();
    d.error(summary, detail);
    d
}

fn wire_error(what: &str, error: impl std::fmt::Display) -> Diagnostics {
    error_diagnostics(
        "Invalid value on the plugin wire",
        format!(
            "The provider could not process the {what}: {error}. This is a bug in the provider or \
             an incompatible Terraform version; please report it."
        ),
    )
}

fn not_configured() -> Diagnostics {
    error_diagnostics(
        "Provider not configured",
        "The provider was asked to work with a resource before ConfigureProvider succeeded. \
         Check the provider block and any earlier errors.",
    )
}

/// An error for every write-only attribute set in `config` (for clients without write-only
/// support), pointing at the attribute and naming the non-write-only alternative when one exists.
fn reject_write_only(schema: &Schema, config: &Value) -> Diagnostics {
    let mut diags = Diagnostics::default();
    for path in plan::write_only_paths(schema, config) {
        let name = match path.0.last() {
            Some(PathStep::Attribute(name)) => name.clone(),
            _ => path.to_string(),
        };
        let alternative = name
            .strip_suffix("_wo")
            .filter(|base| path.0.len() == 1 && schema.attribute(base).is_some())
            .map(|base| format!(" Set `{base}` instead, which works with every version."))
            .unwrap_or_default();
        diags.error_at(
            path,
            "Write-only attribute not supported",
            format!(
                "`{name}` is a write-only attribute, which needs Terraform 1.11 or later (or \
                 OpenTofu 1.11 or later). Upgrade Terraform, or remove the attribute.{alternative}"
            ),
        );
    }
    diags
}

/// The result of running a framework call: diagnostics plus the reply fields.
type Reply<T> = Result<Response<T>, Status>;

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

    fn validate_resource(&self, req: pb::validate_resource_config::Request) -> Diagnostics {
        let entry = match self.resource(&req.type_name) {
            Ok(entry) => entry,
            Err(diags) => return diags,
        };
        let config = match decode_value(req.config.as_ref(), &entry.ty) {
            Ok(v) => v,
            Err(e) => return wire_error("resource configuration", e),
        };
        let client_capabilities = capabilities(req.client_capabilities.as_ref());
        let mut diags = Diagnostics::default();
        if !client_capabilities.write_only_attributes_allowed {
            diags = reject_write_only(&entry.schema, &config);
            if diags.has_errors() {
                return diags;
            }
        }
        if let Some(validator) = entry.resource.config_validator() {
            diags.extend(
                validator
                    .validate_config(ValidateConfigRequest {
                        config,
                        client_capabilities,
                    })
                    .diagnostics,
            );
        }
        diags
    }

    async fn plan(
        &self,
        req: pb::plan_resource_change::Request,
    ) -> Result<pb::plan_resource_change::Response, Diagnostics> {
        let entry = self.resource(&req.type_name)?;
        let decode = |v: Option<&pb::DynamicValue>, what: &str| {
            decode_value(v, &entry.ty).map_err(|e| wire_error(what, e))
        };
        let prior = decode(req.prior_state.as_ref(), "prior state")?;
        let proposed = decode(req.proposed_new_state.as_ref(), "proposed new state")?;
        let config = decode(req.config.as_ref(), "configuration")?;
        let mut response = pb::plan_resource_change::Response::default();
        if proposed.is_null() {
            response.planned_state =
                Some(encode_value(&Value::Null, &entry.ty).map_err(|e| wire_error("plan", e))?);
            response.planned_private = req.prior_private;
            return Ok(response);
        }
        let generic = plan::plan_resource_change(&entry.schema, &prior, &proposed, &config);
        let mut planned = generic.planned_state;
        let mut requires_replace = generic.requires_replace;
        let mut planned_private = req.prior_private.clone();
        let mut diags = Diagnostics::default();
        if let Some(modifier) = entry.resource.plan_modifier() {
            let provider = self.provider_data().ok_or_else(not_configured)?;
            let modified = modifier
                .modify_plan(ModifyPlanRequest {
                    prior_state: prior,
                    proposed_new_state: proposed,
                    config,
                    planned_state: planned,
                    prior_private: req.prior_private,
                    provider,
                    cancel: self.cancel_token(),
                })
                .await;
            planned = modified.planned_state;
            for path in modified.requires_replace {
                if !requires_replace.contains(&path) {
                    requires_replace.push(path);
                }
            }
            planned_private = modified.planned_private;
            diags = modified.diagnostics;
        }
        plan::null_write_only(&entry.schema, &mut planned);
        if !diags.has_errors() {
            response.planned_state =
                Some(encode_value(&planned, &entry.ty).map_err(|e| wire_error("plan", e))?);
            response.requires_replace = requires_replace.iter().map(path_to_proto).collect();
            response.planned_private = planned_private;
        }
        response.diagnostics = diagnostics_to_proto(&diags);
        Ok(response)
    }

    async fn apply(
        &self,
        req: pb::apply_resource_change::Request,
    ) -> Result<pb::apply_resource_change::Response, Diagnostics> {
        let entry = self.resource(&req.type_name)?;
        let decode = |v: Option<&pb::DynamicValue>, what: &str| {
            decode_value(v, &entry.ty).map_err(|e| wire_error(what, e))
        };
        let prior = decode(req.prior_state.as_ref(), "prior state")?;
        let planned = decode(req.planned_state.as_ref(), "planned state")?;
        let config = decode(req.config.as_ref(), "configuration")?;
        let provider = self.provider_data().ok_or_else(not_configured)?;
        let cancel = self.cancel_token();
        let resource = &entry.resource;
        let (mut new_state, private, diags) = if planned.is_null() {
            let r = resource
                .delete(DeleteRequest {
                    prior_state: prior.clone(),
                    private: req.planned_private,
                    provider,
                    cancel,
                })
                .await;
            // A failed delete keeps the object in state.
            let state = if r.diagnostics.has_errors() {
                prior
            } else {
                Value::Null
            };
            (state, Vec::new(), r.diagnostics)
        } else if prior.is_null() {
            let r = resource
                .create(CreateRequest {
                    config,
                    planned_state: planned,
                    provider,
                    cancel,
                })
                .await;
            (r.new_state, r.private, r.diagnostics)
        } else {
            let r = resource
                .update(UpdateRequest {
                    prior_state: prior,
                    planned_state: planned,
                    config,
                    private: req.planned_private,
                    provider,
                    cancel,
                })
                .await;
            (r.new_state, r.private, r.diagnostics)
        };
        plan::null_write_only(&entry.schema, &mut new_state);
        Ok(pb::apply_resource_change::Response {
            new_state: Some(
                encode_value(&new_state, &entry.ty).map_err(|e| wire_error("new state", e))?,
            ),
            private,
            diagnostics: diagnostics_to_proto(&diags),
            ..Default::default()
        })
    }

    async fn read(
        &self,
        req: pb::read_resource::Request,
    ) -> Result<pb::read_resource::Response, Diagnostics> {
        let entry = self.resource(&req.type_name)?;
        let current = decode_value(req.current_state.as_ref(), &entry.ty)
            .map_err(|e| wire_error("current state", e))?;
        let provider = self.provider_data().ok_or_else(not_configured)?;
        let r = entry
            .resource
            .read(ReadRequest {
                current_state: current,
                private: req.private,
                provider,
                cancel: self.cancel_token(),
            })
            .await;
        let mut state = r.new_state;
        plan::null_write_only(&entry.schema, &mut state);
        Ok(pb::read_resource::Response {
            new_state: Some(encode_value(&state, &entry.ty).map_err(|e| wire_error("state", e))?),
            diagnostics: diagnostics_to_proto(&r.diagnostics),
            private: r.private,
            ..Default::default()
        })
    }

    async fn import(
        &self,
        req: pb::import_resource_state::Request,
    ) -> Result<pb::import_resource_state::Response, Diagnostics> {
        let entry = self.resource(&req.type_name)?;
        let Some(importer) = entry.resource.importer() else {
            return Err(error_diagnostics(
                "Import not supported",
                format!(
                    "The resource type {} does not support import. Create it with Terraform \
                     instead.",
                    req.type_name
                ),
            ));
        };
        let provider = self.provider_data().ok_or_else(not_configured)?;
        let r = importer
            .import_state(ImportStateRequest {
                id: req.id,
                provider,
                cancel: self.cancel_token(),
            })
            .await;
        let mut response = pb::import_resource_state::Response {
            diagnostics: diagnostics_to_proto(&r.diagnostics),
            ..Default::default()
        };
        if !r.diagnostics.has_errors() {
            let mut state = r.state;
            plan::null_write_only(&entry.schema, &mut state);
            response
                .imported_resources
                .push(pb::import_resource_state::ImportedResource {
                    type_name: req.type_name,
                    state: Some(
                        encode_value(&state, &entry.ty).map_err(|e| wire_error("state", e))?,
                    ),
                    private: r.private,
                    identity: None,
                });
        }
        Ok(response)
    }

    fn upgrade(
        &self,
        req: pb::upgrade_resource_state::Request,
    ) -> Result<pb::upgrade_resource_state::Response, Diagnostics> {
        let entry = self.resource(&req.type_name)?;
        let raw = req.raw_state.map(|r| r.json).unwrap_or_default();
        if raw.is_empty() {
            return Err(error_diagnostics(
                "Unsupported state format",
                "The stored state has no JSON form (it predates Terraform 0.12). Re-import the \
                 resource.",
            ));
        }
        let (mut state, diags) = match entry.resource.state_upgrader() {
            Some(upgrader) => {
                let raw_state: serde_json::Value =
                    serde_json::from_slice(&raw).map_err(|e| wire_error("stored state", e))?;
                let r = upgrader.upgrade_state(UpgradeStateRequest {
                    version: req.version,
                    raw_state,
                });
                (r.state, r.diagnostics)
            }
            None => (
                json::decode(&raw, &entry.ty).map_err(|e| wire_error("stored state", e))?,
                Diagnostics::default(),
            ),
        };
        plan::null_write_only(&entry.schema, &mut state);
        let mut response = pb::upgrade_resource_state::Response {
            diagnostics: diagnostics_to_proto(&diags),
            ..Default::default()
        };
        if !diags.has_errors() {
            response.upgraded_state =
                Some(encode_value(&state, &entry.ty).map_err(|e| wire_error("state", e))?);
        }
        Ok(response)
    }

    async fn read_data(
        &self,
        req: pb::read_data_source::Request,
    ) -> Result<pb::read_data_source::Response, Diagnostics> {
        let entry = self.data_source(&req.type_name)?;
        let config = decode_value(req.config.as_ref(), &entry.ty)
            .map_err(|e| wire_error("configuration", e))?;
        let provider = self.provider_data().ok_or_else(not_configured)?;
        let r = entry
            .data_source
            .read(ReadDataSourceRequest {
                config,
                provider,
                cancel: self.cancel_token(),
            })
            .await;
        let mut response = pb::read_data_source::Response {
            diagnostics: diagnostics_to_proto(&r.diagnostics),
            ..Default::default()
        };
        if !r.diagnostics.has_errors() {
            response.state =
                Some(encode_value(&r.state, &entry.ty).map_err(|e| wire_error("state", e))?);
        }
        Ok(response)
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
);

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
        let diags = self.validate_resource(req);
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
        let diags = match self.data_source(&req.type_name) {
            Err(diags) => diags,
            Ok(entry) => match decode_value(req.config.as_ref(), &entry.ty) {
                Err(e) => wire_error("data source configuration", e),
                Ok(config) => match entry.data_source.config_validator() {
                    Some(validator) => {
                        validator
                            .validate_config(ValidateConfigRequest {
                                config,
                                client_capabilities: ClientCapabilities::default(),
                            })
                            .diagnostics
                    }
                    None => Diagnostics::default(),
                },
            },
        };
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
        reply!(self.upgrade(req), pb::upgrade_resource_state::Response)
    }

    async fn get_resource_identity_schemas(
        &self,
        _request: Request<pb::get_resource_identity_schemas::Request>,
    ) -> Reply<pb::get_resource_identity_schemas::Response> {
        // No resource of this provider has an identity.
        Ok(Response::new(
            pb::get_resource_identity_schemas::Response::default(),
        ))
    }

    async fn upgrade_resource_identity(
        &self,
        request: Request<pb::upgrade_resource_identity::Request>,
    ) -> Reply<pb::upgrade_resource_identity::Response> {
        let req = request.into_inner();
        let diags = error_diagnostics(
            "Resource identity not supported",
            format!(
                "The resource type {} has no resource identity. Remove identity data from the \
                 state or configuration.",
                req.type_name
            ),
        );
        Ok(Response::new(pb::upgrade_resource_identity::Response {
            upgraded_identity: None,
            diagnostics: diagnostics_to_proto(&diags),
        }))
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
        reply!(self.read(req).await, pb::read_resource::Response)
    }

    async fn plan_resource_change(
        &self,
        request: Request<pb::plan_resource_change::Request>,
    ) -> Reply<pb::plan_resource_change::Response> {
        let req = request.into_inner();
        tracing::debug!(rpc = "PlanResourceChange", type_name = %req.type_name);
        reply!(self.plan(req).await, pb::plan_resource_change::Response)
    }

    async fn apply_resource_change(
        &self,
        request: Request<pb::apply_resource_change::Request>,
    ) -> Reply<pb::apply_resource_change::Response> {
        let req = request.into_inner();
        tracing::debug!(rpc = "ApplyResourceChange", type_name = %req.type_name);
        reply!(self.apply(req).await, pb::apply_resource_change::Response)
    }

    async fn import_resource_state(
        &self,
        request: Request<pb::import_resource_state::Request>,
    ) -> Reply<pb::import_resource_state::Response> {
        let req = request.into_inner();
        tracing::debug!(rpc = "ImportResourceState", type_name = %req.type_name);
        reply!(self.import(req).await, pb::import_resource_state::Response)
    }

    async fn move_resource_state(
        &self,
        request: Request<pb::move_resource_state::Request>,
    ) -> Reply<pb::move_resource_state::Response> {
        let req = request.into_inner();
        let diags = error_diagnostics(
            "Moving resources across types is not supported",
            format!(
                "{} cannot take over state from {}. Remove the `moved` block and import the \
                 object instead.",
                req.target_type_name, req.source_type_name
            ),
        );
        Ok(Response::new(pb::move_resource_state::Response {
            diagnostics: diagnostics_to_proto(&diags),
            ..Default::default()
        }))
    }

    async fn read_data_source(
        &self,
        request: Request<pb::read_data_source::Request>,
    ) -> Reply<pb::read_data_source::Response> {
        let req = request.into_inner();
        tracing::debug!(rpc = "ReadDataSource", type_name = %req.type_name);
        reply!(self.read_data(req).await, pb::read_data_source::Response)
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
        plan_destroy: false,
        get_provider_schema_optional: true,
        move_resource_state: false,
    }
}

fn no_ephemeral(type_name: &str) -> Diagnostics {
    error_diagnostics(
        "Unknown ephemeral resource type",
        format!("This provider has no ephemeral resource type {type_name:?}."),
    )
}

#[cfg(test)]
#[path = "server_tests.rs"]
mod tests;
