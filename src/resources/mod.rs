//! Managed resources: one file per resource, plus what both resources share.

pub mod activation;
pub mod advice;
pub mod attributes;
pub mod identity;
pub mod import_id;
pub mod moved;
pub mod secrets_store;
pub mod store_secret;
