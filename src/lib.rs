//! Terraform / OpenTofu provider for Cloudflare Secrets Store, on the `tfplugin` protocol layer and
//! the `cloudflare-api` client.

pub mod common;
pub mod data_sources;
pub mod provider;
pub mod resources;
pub mod service;
