//! Each resource and data-source RPC as the framework sees it: decoded values, attribute paths
//! and diagnostics, never protobuf. The server edge (`tfplugin::server`) converts both ways.
//!
//! Validation RPCs use [`super::ValidateConfigRequest`]; the reply is the diagnostics alone.

use crate::diagnostics::{AttributePath, Diagnostics};
use crate::value::Value;

/// PlanResourceChange.
pub struct PlanResourceChangeRequest {
    /// Null on create.
    pub prior_state: Value,
    /// Null on destroy.
    pub proposed_new_state: Value,
    pub config: Value,
    pub prior_private: Vec<u8>,
}

#[derive(Default)]
pub struct PlanResourceChangeResponse {
    /// `None` when planning failed (the diagnostics say why).
    pub planned_state: Option<Value>,
    pub requires_replace: Vec<AttributePath>,
    pub planned_private: Vec<u8>,
    pub diagnostics: Diagnostics,
}

/// ApplyResourceChange.
pub struct ApplyResourceChangeRequest {
    /// Null on create.
    pub prior_state: Value,
    /// Null on destroy.
    pub planned_state: Value,
    pub config: Value,
    pub planned_private: Vec<u8>,
}

#[derive(Default)]
pub struct ApplyResourceChangeResponse {
    /// The object after the change; null once destroyed.
    pub new_state: Value,
    pub private: Vec<u8>,
    pub diagnostics: Diagnostics,
}

/// ReadResource (refresh).
pub struct ReadResourceRequest {
    pub current_state: Value,
    pub private: Vec<u8>,
}

#[derive(Default)]
pub struct ReadResourceResponse {
    /// Null when the object is gone.
    pub new_state: Value,
    pub private: Vec<u8>,
    pub diagnostics: Diagnostics,
}

/// ImportResourceState.
pub struct ImportResourceStateRequest {
    /// Empty when importing by identity.
    pub id: String,
    /// `import { identity = {…} }` (Terraform 1.12+); null when importing by id.
    pub identity: Value,
}

#[derive(Default)]
pub struct ImportResourceStateResponse {
    /// `None` when the import failed.
    pub imported: Option<ImportedResource>,
    pub diagnostics: Diagnostics,
}

/// One object an import found; its type is the requested one.
pub struct ImportedResource {
    pub state: Value,
    pub private: Vec<u8>,
}

/// UpgradeResourceState.
pub struct UpgradeResourceStateRequest {
    /// The schema version that wrote the state.
    pub version: i64,
    /// The stored state's JSON text; empty when the state has only the pre-0.12 flatmap form.
    pub raw_state_json: Vec<u8>,
}

#[derive(Default)]
pub struct UpgradeResourceStateResponse {
    /// `None` when the upgrade failed.
    pub upgraded_state: Option<Value>,
    pub diagnostics: Diagnostics,
}

/// ReadDataSource.
pub struct ReadDataSourceRequest {
    pub config: Value,
}

#[derive(Default)]
pub struct ReadDataSourceResponse {
    /// `None` when the read failed.
    pub state: Option<Value>,
    pub diagnostics: Diagnostics,
}
