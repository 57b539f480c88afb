//! The replies for what the framework does not offer: ephemeral resources and provider
//! functions (a provider declares none, so Terraform asks only when a configuration names one).

use super::pb;
use super::wire::diagnostics_to_proto;
use crate::diagnostics::Diagnostic;

/// The error for any ephemeral resource RPC.
pub fn ephemeral(type_name: &str) -> Vec<pb::Diagnostic> {
    let detail = format!("This provider has no ephemeral resource type {type_name:?}.");
    diagnostics_to_proto(&Diagnostic::error("Unknown ephemeral resource type", detail).into())
}

pub fn call_function(name: &str) -> pb::call_function::Response {
    pb::call_function::Response {
        result: None,
        error: Some(pb::FunctionError {
            text: format!("This provider defines no function {name:?}."),
            function_argument: None,
        }),
    }
}
