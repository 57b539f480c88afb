//! Data sources: one file per data source.

pub mod secret_ref;
