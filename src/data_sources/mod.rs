//! Data sources: one file per data source.
