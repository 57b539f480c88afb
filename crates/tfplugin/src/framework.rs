//! The framework layer: provider, resource and data-source traits with one request and one
//! response struct per operation, and optional capability traits a resource may expose
//! (`adoption` holds those for adopting existing objects). `server` implements the framework's
//! semantics for every RPC, protocol-agnostic; `rpc` is what it speaks.

use std::sync::Arc;

use async_trait::async_trait;
use tokio_util::sync::CancellationToken;

use crate::diagnostics::{AttributePath, Diagnostics};
use crate::schema::Schema;
use crate::value::Value;

pub mod adoption;
pub(crate) mod rpc;
pub(crate) mod server;

use adoption::{GenerateConfig, IdentitySchema, ListResource, MoveState};

/// What the Terraform core said it supports.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClientCapabilities {
    pub deferral_allowed: bool,
    pub write_only_attributes_allowed: bool,
}

/// A provider: its configuration schema, how it configures, and what it serves.
///
/// `Data` is the typed context `configure` builds (e.g. an API client) and hands to every
/// resource and data source operation of the same process.
#[async_trait]
pub trait Provider: Send + Sync + 'static {
    type Data: Send + Sync + 'static;

    /// The provider type name as used in resource type prefixes, e.g. `example`.
    fn type_name(&self) -> &'static str;

    /// The provider's own version, e.g. `0.1.0`.
    fn version(&self) -> &'static str;

    fn schema(&self) -> Schema;

    /// Checks provider configuration (which may contain unknowns). No API calls.
    fn validate_config(&self, _req: ValidateConfigRequest) -> ValidateConfigResponse {
        ValidateConfigResponse::default()
    }

    async fn configure(&self, req: ConfigureRequest) -> ConfigureResponse<Self::Data>;

    fn resources(&self) -> Vec<Arc<dyn Resource<Self::Data>>>;
    /// Warnings about the process rather than one resource (e.g. that it has waited long for
    /// something), added to the next plan, apply or read it answers. Each is given once: the
    /// provider forgets what it returned here.
    fn notices(&self, _data: &Self::Data) -> Diagnostics {
        Diagnostics::default()
    }

    fn data_sources(&self) -> Vec<Arc<dyn DataSource<Self::Data>>>;
}

pub struct ConfigureRequest {
    /// Provider configuration; may contain unknown values during plan.
    pub config: Value,
    pub terraform_version: String,
    pub client_capabilities: ClientCapabilities,
}

pub struct ConfigureResponse<D> {
    /// The context for resources and data sources; `None` only together with an error.
    pub data: Option<D>,
    pub diagnostics: Diagnostics,
}

/// Config validation for providers, resources and data sources: no provider data, no API calls.
pub struct ValidateConfigRequest {
    /// The configuration; any part may be unknown.
    pub config: Value,
    pub client_capabilities: ClientCapabilities,
}

#[derive(Default)]
pub struct ValidateConfigResponse {
    pub diagnostics: Diagnostics,
}

/// A managed resource type.
#[async_trait]
pub trait Resource<D>: Send + Sync {
    /// The full type name, e.g. `example_thing`.
    fn type_name(&self) -> &'static str;

    fn schema(&self) -> Schema;

    /// `Err`: nothing was created. A create that fails after the object exists answers `Ok` with
    /// the object's state and an error diagnostic (Terraform saves it as tainted).
    async fn create(&self, req: CreateRequest<D>) -> Result<CreateResponse, Diagnostics>;

    /// Refresh: return `Value::Null` as the new state when the remote object is gone. `Err`:
    /// the state stays as it was.
    async fn read(&self, req: ReadRequest<D>) -> Result<ReadResponse, Diagnostics>;

    /// `Err`: the state stays as it was.
    async fn update(&self, req: UpdateRequest<D>) -> Result<UpdateResponse, Diagnostics>;

    /// `Err`: the object stays in state.
    async fn delete(&self, req: DeleteRequest<D>) -> Result<DeleteResponse, Diagnostics>;

    /// Capability: `terraform import` and `import {}` blocks.
    fn importer(&self) -> Option<&dyn ImportState<D>> {
        None
    }

    /// Capability: checks beyond the schema at validate time.
    fn config_validator(&self) -> Option<&dyn ValidateConfig> {
        None
    }

    /// Capability: adjusts the plan the generic plan helper produced.
    fn plan_modifier(&self) -> Option<&dyn ModifyPlan<D>> {
        None
    }

    /// Capability: converts state written by older schema versions.
    fn state_upgrader(&self) -> Option<&dyn UpgradeState> {
        None
    }

    /// Capability: resource identity (Terraform 1.12+), projected from the state.
    fn identity_schema(&self) -> Option<IdentitySchema> {
        None
    }

    /// Capability: a list resource of this type for `terraform query` (Terraform 1.14+).
    fn lister(&self) -> Option<&dyn ListResource<D>> {
        None
    }

    /// Capability: adjusts generated configuration (`-generate-config-out`).
    fn config_generator(&self) -> Option<&dyn GenerateConfig> {
        None
    }

    /// Capability: takes over state from other resource types (`moved {}`).
    fn state_mover(&self) -> Option<&dyn MoveState> {
        None
    }
}

/// A data source type.
#[async_trait]
pub trait DataSource<D>: Send + Sync {
    /// The full type name, e.g. `example_lookup`.
    fn type_name(&self) -> &'static str;

    fn schema(&self) -> Schema;

    async fn read(
        &self,
        req: ReadDataSourceRequest<D>,
    ) -> Result<ReadDataSourceResponse, Diagnostics>;

    /// Capability: checks beyond the schema at validate time.
    fn config_validator(&self) -> Option<&dyn ValidateConfig> {
        None
    }
}

/// Capability: config validation beyond what the schema says.
pub trait ValidateConfig: Send + Sync {
    fn validate_config(&self, req: ValidateConfigRequest) -> ValidateConfigResponse;
}

/// Capability: import by a user-given id.
#[async_trait]
pub trait ImportState<D>: Send + Sync {
    async fn import_state(
        &self,
        req: ImportStateRequest<D>,
    ) -> Result<ImportStateResponse, Diagnostics>;
}

/// Capability: plan adjustments after the generic plan helper ran. Also called for destroy
/// plans (the provider advertises `plan_destroy`), e.g. to warn about what a destroy takes along.
#[async_trait]
pub trait ModifyPlan<D>: Send + Sync {
    async fn modify_plan(
        &self,
        req: ModifyPlanRequest<D>,
    ) -> Result<ModifyPlanResponse, Diagnostics>;
}

/// Capability: state upgrades from older schema versions (and same-version fix-ups).
pub trait UpgradeState: Send + Sync {
    fn upgrade_state(&self, req: UpgradeStateRequest) -> UpgradeStateResponse;
}

pub struct CreateRequest<D> {
    pub config: Value,
    pub planned_state: Value,
    /// What the plan modifier planned as private data.
    pub planned_private: Vec<u8>,
    pub provider: Arc<D>,
    /// Cancelled when Terraform calls StopProvider.
    pub cancel: CancellationToken,
}

#[derive(Default)]
pub struct CreateResponse {
    /// The created object; on failure the best partial state (non-null is saved as tainted).
    pub new_state: Value,
    pub private: Vec<u8>,
    pub diagnostics: Diagnostics,
}

pub struct ReadRequest<D> {
    pub current_state: Value,
    pub private: Vec<u8>,
    pub provider: Arc<D>,
    pub cancel: CancellationToken,
}

#[derive(Default)]
pub struct ReadResponse {
    /// The object as it exists now; `Value::Null` when it is gone.
    pub new_state: Value,
    pub private: Vec<u8>,
    pub diagnostics: Diagnostics,
}

pub struct UpdateRequest<D> {
    pub prior_state: Value,
    pub planned_state: Value,
    pub config: Value,
    pub private: Vec<u8>,
    pub provider: Arc<D>,
    pub cancel: CancellationToken,
}

#[derive(Default)]
pub struct UpdateResponse {
    pub new_state: Value,
    pub private: Vec<u8>,
    pub diagnostics: Diagnostics,
}

pub struct DeleteRequest<D> {
    pub prior_state: Value,
    pub private: Vec<u8>,
    pub provider: Arc<D>,
    pub cancel: CancellationToken,
}

#[derive(Default)]
pub struct DeleteResponse {
    pub diagnostics: Diagnostics,
}

pub struct ImportStateRequest<D> {
    /// The id the user gave to `terraform import` or an `import {}` block; empty when the
    /// object is imported by identity.
    pub id: String,
    /// `import { identity = {…} }` (Terraform 1.12+), in the resource's identity type; null
    /// when imported by id.
    pub identity: Value,
    pub provider: Arc<D>,
    pub cancel: CancellationToken,
}

#[derive(Default)]
pub struct ImportStateResponse {
    /// The imported object (often only identifying attributes; the rest null). Read follows.
    pub state: Value,
    pub private: Vec<u8>,
    pub diagnostics: Diagnostics,
}

pub struct ModifyPlanRequest<D> {
    /// Null on create.
    pub prior_state: Value,
    /// Null on destroy (config and planned state are null too).
    pub proposed_new_state: Value,
    pub config: Value,
    /// What the generic plan helper planned; start from it. Null on destroy, and a destroy
    /// plan must stay null.
    pub planned_state: Value,
    /// The attributes whose change the generic plan found to replace the object (non-empty on
    /// a replacement).
    pub requires_replace: Vec<AttributePath>,
    pub prior_private: Vec<u8>,
    pub provider: Arc<D>,
    pub cancel: CancellationToken,
}

#[derive(Default)]
pub struct ModifyPlanResponse {
    pub planned_state: Value,
    /// Paths (in addition to the schema's requires-replace attributes) whose change replaces.
    pub requires_replace: Vec<AttributePath>,
    pub planned_private: Vec<u8>,
    pub diagnostics: Diagnostics,
}

pub struct UpgradeStateRequest {
    /// The schema version that wrote the state.
    pub version: i64,
    /// The raw state JSON as stored.
    pub raw_state: serde_json::Value,
}

#[derive(Default)]
pub struct UpgradeStateResponse {
    /// The state in the current schema; wholly known, write-only attributes null.
    pub state: Value,
    pub diagnostics: Diagnostics,
}

pub struct ReadDataSourceRequest<D> {
    pub config: Value,
    pub provider: Arc<D>,
    pub cancel: CancellationToken,
}

#[derive(Default)]
pub struct ReadDataSourceResponse {
    /// Must be non-null and wholly known.
    pub state: Value,
    pub diagnostics: Diagnostics,
}
