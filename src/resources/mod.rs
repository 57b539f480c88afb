//! Managed resources: one file per resource, plus small shared helpers.

pub mod activation;
pub mod identity;
pub mod import_id;
pub mod moved;
pub mod secrets_store;
pub mod store_secret;
pub mod values;
