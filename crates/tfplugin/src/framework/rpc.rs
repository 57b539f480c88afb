//! Each resource and data-source RPC as the framework sees it: decoded values, attribute paths
//! and diagnostics, never protobuf. The wire layer (`crate::server`) converts both ways and the
//! framework server (`super::server`) answers.
//!
//! Validation RPCs use [`super::ValidateConfigRequest`]; the reply is the diagnostics alone.
//! An identity is `None` for a resource type without identity and for an object whose identity
//! is not known yet (a planned create).

use crate::diagnostics::{AttributePath, Diagnostics};
use crate::value::Value;

/// The reply of an operation that can fail: its result and any warnings, or the diagnostics
/// that stopped it (errors among them).
pub(crate) type Answer<T> = Result<(T, Diagnostics), Diagnostics>;

/// PlanResourceChange.
pub(crate) struct PlanResourceChangeRequest {
    /// Null on create.
    pub prior_state: Value,
    /// Null on destroy.
    pub proposed_new_state: Value,
    pub config: Value,
    pub prior_private: Vec<u8>,
}

/// PlanResourceChange's answer.
pub(crate) struct PlannedChange {
    /// Null for a destroy.
    pub planned_state: Value,
    pub planned_identity: Option<Value>,
    pub requires_replace: Vec<AttributePath>,
    pub planned_private: Vec<u8>,
}

/// ApplyResourceChange.
pub(crate) struct ApplyResourceChangeRequest {
    /// Null on create.
    pub prior_state: Value,
    /// Null on destroy.
    pub planned_state: Value,
    pub config: Value,
    pub planned_private: Vec<u8>,
}

pub(crate) struct ApplyResourceChangeResponse {
    /// The object after the change; null once destroyed.
    pub new_state: Value,
    pub new_identity: Option<Value>,
    pub private: Vec<u8>,
    pub diagnostics: Diagnostics,
}

/// ReadResource (refresh).
pub(crate) struct ReadResourceRequest {
    pub current_state: Value,
    pub private: Vec<u8>,
}

pub(crate) struct ReadResourceResponse {
    /// Null when the object is gone.
    pub new_state: Value,
    pub new_identity: Option<Value>,
    pub private: Vec<u8>,
    pub diagnostics: Diagnostics,
}

/// ImportResourceState.
pub(crate) struct ImportResourceStateRequest {
    /// Empty when importing by identity.
    pub id: String,
    /// `import { identity = {…} }` (Terraform 1.12+); null when importing by id.
    pub identity: Value,
}

/// ImportResourceState's answer: the object found; its type is the requested one.
pub(crate) struct ImportedResource {
    pub state: Value,
    pub identity: Option<Value>,
    pub private: Vec<u8>,
}

/// UpgradeResourceState.
pub(crate) struct UpgradeResourceStateRequest {
    /// The schema version that wrote the state.
    pub version: i64,
    /// The stored state's JSON text; empty when the state has only the pre-0.12 flatmap form.
    pub raw_state_json: Vec<u8>,
}

/// MoveResourceState: `moved {}` from another resource type or provider.
pub(crate) struct MoveResourceStateRequest {
    pub source_provider_address: String,
    pub source_type_name: String,
    pub source_schema_version: i64,
    /// The source object's state JSON as stored; empty when it has only the flatmap form.
    pub source_state_json: Vec<u8>,
}

/// MoveResourceState's answer: the object in this resource type's schema.
pub(crate) struct MovedResource {
    pub state: Value,
    pub identity: Option<Value>,
}

/// ListResource (`terraform query`).
pub(crate) struct ListResourceRequest {
    /// The `config` block of the `list` block.
    pub config: Value,
    /// Whether each event carries the object's full state.
    pub include_resource_object: bool,
    /// At most this many objects; no limit when 0 or less.
    pub limit: i64,
}

/// One event of a listing: an object found, or diagnostics about the listing.
#[derive(Default)]
pub(crate) struct ListResourceEvent {
    pub identity: Option<Value>,
    pub display_name: String,
    /// The object's state (write-only attributes null), when the request asked for it.
    pub resource_object: Option<Value>,
    pub diagnostics: Diagnostics,
}

/// ReadDataSource.
pub(crate) struct ReadDataSourceRequest {
    pub config: Value,
}
