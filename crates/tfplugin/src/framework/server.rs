//! The framework's semantics behind every RPC, with no protobuf in sight (in the spirit of
//! terraform-plugin-framework's internal server): the registry of resource and data-source
//! types, provider configuration, StopProvider's cancellation, and in submodules the resource
//! operations (`resource`) and adoption (`adoption`). Write-only nulling and identity projection
//! happen here, once, for every reply. Framework types in, framework types out: the wire layer
//! (`crate::server`) decodes and encodes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

use tokio_util::sync::CancellationToken;

use super::adoption::IdentitySchema;
use super::{
    ClientCapabilities, ConfigureRequest, DataSource, Provider, Resource, ValidateConfigRequest,
};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::schema::Schema;
use crate::types::Type;
use crate::value::Value;

mod adoption;
mod resource;
#[cfg(test)]
pub(crate) mod tests;

/// A resource type with its schema and value type, computed once.
pub(crate) struct ResourceEntry<D> {
    pub resource: Arc<dyn Resource<D>>,
    pub schema: Schema,
    /// The type of its state, configuration and plan values.
    pub ty: Type,
    pub identity: Option<IdentitySchema>,
    /// The `config` block schema of its list resource, if it has one.
    pub list_schema: Option<Schema>,
}

impl<D> ResourceEntry<D> {
    /// The identity of the object `state` describes (see `rpc` for when there is none).
    pub fn identity_of(&self, state: &Value) -> Option<Value> {
        self.identity.as_ref()?.identity_of(state)
    }

    /// The type identity data of this resource has, if it has identity.
    pub fn identity_type(&self) -> Option<Type> {
        self.identity.as_ref().map(IdentitySchema::value_type)
    }
}

/// A data source type with its schema and value type, computed once.
pub(crate) struct DataSourceEntry<D> {
    pub data_source: Arc<dyn DataSource<D>>,
    pub schema: Schema,
    pub ty: Type,
}

/// A framework [`Provider`] with what the RPCs of one process share: the types it serves, the
/// data `configure` built, and the token StopProvider cancels.
pub(crate) struct FrameworkServer<P: Provider> {
    pub provider: P,
    pub provider_schema: Schema,
    pub provider_type: Type,
    pub resources: HashMap<String, ResourceEntry<P::Data>>,
    pub data_sources: HashMap<String, DataSourceEntry<P::Data>>,
    configured: RwLock<Option<Arc<P::Data>>>,
    stop: Mutex<CancellationToken>,
}

impl<P: Provider> FrameworkServer<P> {
    pub fn new(provider: P) -> FrameworkServer<P> {
        let resources = provider
            .resources()
            .into_iter()
            .map(|resource| {
                let schema = resource.schema();
                let entry = ResourceEntry {
                    ty: schema.implied_type(),
                    schema,
                    identity: resource.identity_schema(),
                    list_schema: resource.lister().map(|lister| lister.list_schema()),
                    resource: resource.clone(),
                };
                (resource.type_name().to_string(), entry)
            })
            .collect();
        let data_sources = provider
            .data_sources()
            .into_iter()
            .map(|data_source| {
                let schema = data_source.schema();
                let entry = DataSourceEntry {
                    ty: schema.implied_type(),
                    schema,
                    data_source: data_source.clone(),
                };
                (data_source.type_name().to_string(), entry)
            })
            .collect();
        let provider_schema = provider.schema();
        FrameworkServer {
            provider_type: provider_schema.implied_type(),
            provider_schema,
            provider,
            resources,
            data_sources,
            configured: RwLock::new(None),
            stop: Mutex::new(CancellationToken::new()),
        }
    }

    /// The resource type `type_name`, or an error naming it.
    pub fn resource(&self, type_name: &str) -> Result<&ResourceEntry<P::Data>, Diagnostics> {
        self.resources
            .get(type_name)
            .ok_or_else(|| self.unknown_type("resource type", type_name))
    }

    /// The data source type `type_name`, or an error naming it.
    pub fn data_source(&self, type_name: &str) -> Result<&DataSourceEntry<P::Data>, Diagnostics> {
        self.data_sources
            .get(type_name)
            .ok_or_else(|| self.unknown_type("data source type", type_name))
    }

    fn unknown_type(&self, kind: &str, type_name: &str) -> Diagnostics {
        let summary = format!("Unknown {kind}");
        let detail = format!(
            "This provider ({}) has no {kind} {type_name:?}. Check the spelling in the \
             configuration.",
            self.provider.type_name()
        );
        Diagnostic::error(summary, detail).into()
    }

    pub fn validate_provider(&self, config: Value) -> Diagnostics {
        let request = ValidateConfigRequest {
            config,
            client_capabilities: ClientCapabilities::default(),
        };
        self.provider.validate_config(request).diagnostics
    }

    /// Configures the provider; the data it builds serves every later call of this process.
    pub async fn configure(&self, req: ConfigureRequest) -> Diagnostics {
        let r = self.provider.configure(req).await;
        if let (Some(data), Ok(mut slot)) = (r.data, self.configured.write()) {
            *slot = Some(Arc::new(data));
        }
        r.diagnostics
    }

    /// StopProvider: cancels the work in flight; later calls get a fresh token.
    pub fn stop(&self) {
        if let Ok(mut token) = self.stop.lock() {
            token.cancel();
            *token = CancellationToken::new();
        }
    }

    /// The token for a new request; StopProvider cancels it.
    fn cancel_token(&self) -> CancellationToken {
        self.stop.lock().map(|t| t.clone()).unwrap_or_default()
    }

    /// The data `configure` built, or the error for a call that came before it.
    /// The provider's process-wide warnings for the response being built (see
    /// [`Provider::notices`]); none before configuration.
    fn notices(&self) -> Diagnostics {
        match self.provider_data() {
            Ok(data) => self.provider.notices(&data),
            Err(_) => Diagnostics::default(),
        }
    }

    fn provider_data(&self) -> Result<Arc<P::Data>, Diagnostics> {
        self.configured
            .read()
            .ok()
            .and_then(|d| d.clone())
            .ok_or_else(not_configured)
    }
}

fn not_configured() -> Diagnostics {
    Diagnostic::error(
        "Provider not configured",
        "The provider was asked to work with a resource before ConfigureProvider succeeded. \
         Check the provider block and any earlier errors.",
    )
    .into()
}

/// A value Terraform stored or sent that does not fit the schema; `what` names it.
pub(crate) fn invalid_value(what: &str, error: impl std::fmt::Display) -> Diagnostics {
    Diagnostic::error(
        "Invalid value on the plugin wire",
        format!(
            "The provider could not process the {what}: {error}. This is a bug in the provider or \
             an incompatible Terraform version; please report it."
        ),
    )
    .into()
}
