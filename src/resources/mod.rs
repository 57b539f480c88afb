//! Managed resources: one file per resource, plus what both resources share.

pub mod activation;
pub mod advice;
pub mod attributes;
pub mod import_id;
pub mod secrets_store;
pub mod store_secret;
