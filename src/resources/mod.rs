//! Managed resources: one file per resource.
