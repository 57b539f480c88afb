//! A configured provider `Service` against an in-process emulator over a real socket, with a
//! plain API client beside it: what the `Service`-level tests (`provider_data`,
//! `provider_quota`) start from.

use std::collections::HashMap;
use std::sync::Arc;

use api_emulator::{self, EmulatorConfig, EmulatorState, RateBudget};
use cloudflare_api::{Client, ClientConfig, Credentials};
use secrecy::SecretString;
use terraform_provider_cloudflare::provider::CloudflareProvider;
use terraform_provider_cloudflare::service::Service;
use tfplugin::Value;

/// The account every `Service` test works in.
pub const ACCOUNT: &str = "0123456789abcdef0123456789abcdef";

/// The emulator, the provider's `Service` configured against it (through the environment, as
/// Terraform would), and a plain client for changes "outside Terraform".
pub struct ServiceHarness {
    pub state: EmulatorState,
    pub data: Arc<Service>,
    pub client: Client,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl ServiceHarness {
    /// Serves `emulator_config` (with [`RateBudget::LIFTED`] unless it sets a budget, as the
    /// client's rate limit is lifted too) and configures the provider with `token`, a fast
    /// pace and tiny backoffs, plus `extra_env` (e.g. `CLOUDFLARE_MAX_RETRIES`).
    pub async fn start(
        mut emulator_config: EmulatorConfig,
        token: &str,
        extra_env: &[(&'static str, &str)],
    ) -> ServiceHarness {
        emulator_config.rate_limit.get_or_insert(RateBudget::LIFTED);
        let _ = rustls::crypto::ring::default_provider().install_default();
        let state = EmulatorState::new(emulator_config);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = format!("http://{}/client/v4", listener.local_addr().unwrap());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let served = state.clone();
        tokio::spawn(async move {
            let _ = api_emulator::serve(listener, served, async move {
                let _ = stopped.await;
            })
            .await;
        });
        let mut env: HashMap<&str, String> = [
            ("CLOUDFLARE_BASE_URL", base_url.clone()),
            ("CLOUDFLARE_API_TOKEN", token.to_string()),
            ("CLOUDFLARE_ACCOUNT_ID", ACCOUNT.to_string()),
            ("CLOUDFLARE_RPS", "200".to_string()),
            ("CLOUDFLARE_MIN_BACKOFF", "0.01".to_string()),
            ("CLOUDFLARE_MAX_BACKOFF", "0.05".to_string()),
        ]
        .into_iter()
        .collect();
        env.extend(extra_env.iter().map(|(k, v)| (*k, v.to_string())));
        let config = Value::object(
            terraform_provider_cloudflare::provider::provider_schema()
                .block
                .attributes
                .iter()
                .map(|a| (a.name.clone(), Value::Null)),
        );
        let configured = CloudflareProvider.configure_with_env(&config, &|k| env.get(k).cloned());
        assert!(
            configured.diagnostics.is_empty(),
            "{:?}",
            configured.diagnostics
        );
        let mut client_config = ClientConfig::new(
            base_url,
            Credentials::ApiToken(SecretString::from(token.to_string())),
        );
        client_config.requests_per_second = 200.0;
        ServiceHarness {
            state,
            data: Arc::new(configured.data.unwrap()),
            client: Client::new(client_config).unwrap(),
            _stop: stop,
        }
    }
}
