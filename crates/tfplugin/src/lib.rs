//! The Terraform plugin protocol (6.11) for providers written in Rust; the README is the guide.
#![doc = include_str!("../README.md")]

mod client_auth;
mod diagnostics;
pub mod docs;
mod framework;
mod handshake;
mod hclog;
pub mod json;
mod listener;
pub mod model;
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
pub use model::Attr;
pub use schema::{Attribute, AttributeType, Block, DescriptionKind, NestedBlock, Nesting, Schema};
pub use types::Type;
pub use value::{CodecError, Number, Refinements, Value};
