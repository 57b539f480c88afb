//! Helpers the resources and the data source share: the plan-time rules
//! for names and ids.

pub mod rules;
