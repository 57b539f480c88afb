//! Bench-only plugin: the shipped provider's schemas with nothing behind them (no API, no plan
//! logic), so `bench_apply` can measure what Terraform charges any plugin serving this schema.
//! Never shipped.
//!
//! It serves `cloudflare_secrets_store` and `cloudflare_store_secret` with the shipped schemas,
//! config validators, identity schemas and state upgraders. Create fills the planned unknowns
//! with fixed or derived values, read returns the prior state, update the planned state, and
//! delete does nothing: the difference between this provider and the shipped one in a benchmark
//! is the shipped provider's own work (API calls, plan-time checks), the difference between this
//! one and `terraform_data` is what Terraform spends on any provider that is not built in.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::process::ExitCode;
use std::sync::Arc;

use async_trait::async_trait;
use terraform_provider_cloudflare::provider::CloudflareProvider;
use terraform_provider_cloudflare::resources::secrets_store::SecretsStoreResource;
use terraform_provider_cloudflare::resources::store_secret::StoreSecretResource;
use terraform_provider_cloudflare::service::Service;
use tfplugin::serve;
use tfplugin::{
    ConfigureRequest, ConfigureResponse, CreateRequest, CreateResponse, DataSource, DeleteRequest,
    DeleteResponse, Diagnostic, Diagnostics, IdentitySchema, Provider, ReadRequest, ReadResponse,
    Resource, Schema, UpdateRequest, UpdateResponse, UpgradeState, ValidateConfig, Value,
};

/// The account every filled-in `account_id` names (the one the emulator serves by default).
const ACCOUNT_ID: &str = "023e105f4ecef8ad9ca31a8372d0c353";
/// `created` and `modified` of every object this provider creates or updates.
const TIMESTAMP: &str = "2026-01-01T00:00:00Z";

/// The floor provider: the shipped provider's configuration schema, no client behind it.
struct FloorProvider;

#[async_trait]
impl Provider for FloorProvider {
    type Data = ();

    fn type_name(&self) -> &'static str {
        "cloudflare"
    }

    fn version(&self) -> &'static str {
        "0.0.0-floor"
    }

    fn schema(&self) -> Schema {
        CloudflareProvider.schema()
    }

    async fn configure(&self, _req: ConfigureRequest) -> ConfigureResponse<()> {
        ConfigureResponse {
            data: Some(()),
            diagnostics: Diagnostics::default(),
        }
    }

    fn resources(&self) -> Vec<Arc<dyn Resource<()>>> {
        vec![
            Arc::new(Floor(SecretsStoreResource)),
            Arc::new(Floor(StoreSecretResource)),
        ]
    }

    fn data_sources(&self) -> Vec<Arc<dyn DataSource<()>>> {
        Vec::new()
    }
}

/// A shipped resource's schema and checks, with state kept only in Terraform's state.
struct Floor<R>(R);

#[async_trait]
impl<R: Resource<Service> + 'static> Resource<()> for Floor<R> {
    fn type_name(&self) -> &'static str {
        self.0.type_name()
    }

    fn schema(&self) -> Schema {
        self.0.schema()
    }

    fn config_validator(&self) -> Option<&dyn ValidateConfig> {
        self.0.config_validator()
    }

    fn identity_schema(&self) -> Option<IdentitySchema> {
        self.0.identity_schema()
    }

    fn state_upgrader(&self) -> Option<&dyn UpgradeState> {
        self.0.state_upgrader()
    }

    async fn create(&self, req: CreateRequest<()>) -> Result<CreateResponse, Diagnostics> {
        Ok(CreateResponse {
            new_state: filled(self.type_name(), req.planned_state)?,
            ..CreateResponse::default()
        })
    }

    async fn read(&self, req: ReadRequest<()>) -> Result<ReadResponse, Diagnostics> {
        Ok(ReadResponse {
            new_state: req.current_state,
            private: req.private,
            diagnostics: Diagnostics::default(),
        })
    }

    async fn update(&self, req: UpdateRequest<()>) -> Result<UpdateResponse, Diagnostics> {
        Ok(UpdateResponse {
            new_state: filled(self.type_name(), req.planned_state)?,
            private: req.private,
            diagnostics: Diagnostics::default(),
        })
    }

    async fn delete(&self, _req: DeleteRequest<()>) -> Result<DeleteResponse, Diagnostics> {
        Ok(DeleteResponse::default())
    }
}

/// `planned` with every unknown top-level attribute given a value: ids derived from the
/// object's type, name and store, the fixed account and timestamp, status `active`.
fn filled(type_name: &str, planned: Value) -> Result<Value, Diagnostic> {
    let Value::Object(mut attributes) = planned else {
        return Err(Diagnostic::error(
            "Unexpected planned state",
            "The floor provider expected an object.",
        ));
    };
    let id = derived_id(&[
        type_name,
        attributes.get("name").and_then(Value::as_str).unwrap_or(""),
        attributes
            .get("store_id")
            .and_then(Value::as_str)
            .unwrap_or(""),
    ]);
    for (name, value) in &mut attributes {
        if !value.is_unknown() {
            continue;
        }
        *value = match name.as_str() {
            "id" => Value::string(id.clone()),
            "store_id" => Value::string(derived_id(&["default store"])),
            "account_id" => Value::string(ACCOUNT_ID),
            "created" | "modified" => Value::string(TIMESTAMP),
            "status" => Value::string("active"),
            other => {
                return Err(Diagnostic::error(
                    "Unknown attribute the floor provider cannot fill",
                    format!("`{other}` is unknown after the plan; give it a value here."),
                ));
            }
        };
    }
    Ok(Value::Object(attributes))
}

/// 32 lowercase hexadecimal characters derived from `parts` (stable within one build).
fn derived_id(parts: &[&str]) -> String {
    let half = |salt: u8| {
        let mut hasher = DefaultHasher::new();
        salt.hash(&mut hasher);
        parts.hash(&mut hasher);
        hasher.finish()
    };
    format!("{:016x}{:016x}", half(0), half(1))
}

fn main() -> ExitCode {
    serve::run(
        FloorProvider,
        "registry.terraform.io/cfsecrets/cloudflare",
        std::env::args().collect(),
    )
}
