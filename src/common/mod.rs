//! Helpers the resources and the data source share: attribute values and the plan-time rules
//! for names and ids.

pub mod rules;
pub mod values;
