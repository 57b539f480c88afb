//! `terraform-provider-cloudflare`: the plugin binary Terraform and OpenTofu launch.

use std::process::ExitCode;

use terraform_provider_cloudflare::tfplugin::serve;

/// The address Terraform knows this provider by (the reattach key in debug mode).
const PROVIDER_SOURCE: &str = "registry.terraform.io/cfsecrets/cloudflare";

fn main() -> ExitCode {
    let _ = rustls::crypto::ring::default_provider().install_default();
    serve::run(
        placeholder::EmptyProvider,
        PROVIDER_SOURCE,
        std::env::args().collect(),
    )
}

/// Stand-in until `crate::provider::CloudflareProvider` exists: a provider with no resources.
mod placeholder {
    use std::sync::Arc;

    use terraform_provider_cloudflare::tfplugin::{
        ConfigureRequest, ConfigureResponse, DataSource, Diagnostics, Provider, Resource, Schema,
    };

    pub struct EmptyProvider;

    #[async_trait::async_trait]
    impl Provider for EmptyProvider {
        type Data = ();

        fn type_name(&self) -> &'static str {
            "cloudflare"
        }

        fn version(&self) -> &'static str {
            env!("CARGO_PKG_VERSION")
        }

        fn schema(&self) -> Schema {
            Schema::new("Cloudflare Secrets Store.", Vec::new())
        }

        async fn configure(&self, _req: ConfigureRequest) -> ConfigureResponse<()> {
            ConfigureResponse {
                data: Some(()),
                diagnostics: Diagnostics::default(),
            }
        }

        fn resources(&self) -> Vec<Arc<dyn Resource<()>>> {
            Vec::new()
        }

        fn data_sources(&self) -> Vec<Arc<dyn DataSource<()>>> {
            Vec::new()
        }
    }
}
