//! Generated protobuf and gRPC code for `tfplugin6` and go-plugin's `plugin` services.

#![allow(clippy::all, clippy::pedantic, missing_docs)]

/// The Terraform plugin protocol, version 6.
pub mod tfplugin6 {
    tonic::include_proto!("tfplugin6");
}

/// go-plugin's side services: controller, stdio and broker.
pub mod plugin {
    tonic::include_proto!("plugin");
}
