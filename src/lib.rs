//! Terraform / OpenTofu provider for Cloudflare Secrets Store, and a local emulator of its API.

pub mod cloudflare;
pub mod common;
pub mod data_sources;
pub mod emulator;
pub mod provider;
pub mod resources;
pub mod tfplugin;
