//! `terraform-provider-cloudflare`: the plugin binary Terraform and OpenTofu launch.

use std::process::ExitCode;

use terraform_provider_cloudflare::provider::CloudflareProvider;
use terraform_provider_cloudflare::tfplugin::serve;

/// The address Terraform knows this provider by (the reattach key in debug mode).
const PROVIDER_SOURCE: &str = "registry.terraform.io/cfsecrets/cloudflare";

fn main() -> ExitCode {
    let _ = rustls::crypto::ring::default_provider().install_default();
    serve::run(
        CloudflareProvider,
        PROVIDER_SOURCE,
        std::env::args().collect(),
    )
}
