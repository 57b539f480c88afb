//! `terraform-provider-cloudflare`: the plugin binary Terraform and OpenTofu launch.

use std::process::ExitCode;

use terraform_provider_cloudflare::provider::CloudflareProvider;
use tfplugin::serve;

/// The address Terraform knows this provider by (the reattach key in debug mode).
const PROVIDER_SOURCE: &str = "registry.terraform.io/cfsecrets/cloudflare";

/// `serve::run` installs the ring crypto provider before anything else.
fn main() -> ExitCode {
    serve::run(
        CloudflareProvider,
        PROVIDER_SOURCE,
        std::env::args().collect(),
    )
}
