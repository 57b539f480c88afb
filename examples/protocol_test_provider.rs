//! The test-only provider of `tests/test_provider` as a plugin binary, so the protocol
//! acceptance tests can drive it through `dev_overrides`. Never shipped.

use std::process::ExitCode;

use tfplugin::serve;

#[path = "../tests/test_provider/mod.rs"]
mod test_provider;

fn main() -> ExitCode {
    serve::run(
        test_provider::TestProvider,
        "registry.terraform.io/cfsecrets/cloudflare",
        std::env::args().collect(),
    )
}
