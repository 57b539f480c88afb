//! The Terraform plugin protocol (version 6.11) for providers written in Rust: implement
//! [`Provider`], [`Resource`] and [`DataSource`] (plus the capability traits a resource needs)
//! with framework values, and [`serve::run`] does the rest: go-plugin's handshake, mutual TLS with
//! the host, the gRPC services, hclog logs, debug mode. The README shows a whole provider.
//!
//! Modules: [`serve`] (running the binary), [`plan`] (the generic plan, for testing plan
//! modifiers), [`json`] and [`msgpack`] (the value codecs), [`proto`] (the generated protocol,
//! for clients in tests). Everything else is at the crate root.

mod client_auth;
mod diagnostics;
mod framework;
mod handshake;
mod hclog;
pub mod json;
mod listener;
pub mod msgpack;
pub mod plan;
mod plugin_services;
pub mod proto;
mod routes;
mod schema;
pub mod serve;
mod server;
mod types;
mod value;

#[cfg(test)]
mod codec_properties;

pub use diagnostics::{AttributePath, Diagnostic, Diagnostics, PathStep, Severity};
pub use framework::adoption::{
    GenerateConfig, IdentityAttribute, IdentitySchema, ListEvent, ListRequest, ListResource,
    ListSink, ListedObject, MoveState, MoveStateRequest, MoveStateResponse,
};
pub use framework::{
    ClientCapabilities, ConfigureRequest, ConfigureResponse, CreateRequest, CreateResponse,
    DataSource, DeleteRequest, DeleteResponse, ImportState, ImportStateRequest,
    ImportStateResponse, ModifyPlan, ModifyPlanRequest, ModifyPlanResponse, Provider,
    ReadDataSourceRequest, ReadDataSourceResponse, ReadRequest, ReadResponse, Resource,
    UpdateRequest, UpdateResponse, UpgradeState, UpgradeStateRequest, UpgradeStateResponse,
    ValidateConfig, ValidateConfigRequest, ValidateConfigResponse,
};
pub use schema::{Attribute, AttributeType, Block, DescriptionKind, NestedBlock, Nesting, Schema};
pub use types::Type;
pub use value::{CodecError, Number, Refinements, Value};
