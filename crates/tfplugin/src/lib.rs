//! The Terraform plugin protocol layer (protocol 6). Knows nothing about Cloudflare.

pub mod client_auth;
pub mod diagnostics;
pub mod framework;
pub mod handshake;
pub mod hclog;
pub mod json;
pub mod listener;
pub mod msgpack;
pub mod plan;
pub mod plugin_services;
pub mod proto;
mod routes;
pub mod schema;
pub mod serve;
pub mod server;
pub mod types;
pub mod value;

#[cfg(test)]
mod codec_properties;

pub use diagnostics::{AttributePath, Diagnostic, Diagnostics, PathStep, Severity};
pub use framework::adoption::*;
pub use framework::*;
pub use schema::{Attribute, AttributeType, Block, DescriptionKind, NestedBlock, Nesting, Schema};
pub use types::Type;
pub use value::{CodecError, Number, Refinements, Value};
