//! Helpers the resources and the data source share: attribute values, API-error diagnostics
//! and the plan-time rules for names and ids.

pub mod api_errors;
pub mod rules;
pub mod values;
