//! The provider: its configuration schema, configure (the shared API client), and what it serves.

pub mod settings;

use std::sync::Arc;

use async_trait::async_trait;
use secrecy::ExposeSecret;

pub use settings::Setting;

use crate::data_sources::secret_ref::SecretRefDataSource;
use crate::resources::secrets_store::SecretsStoreResource;
use crate::resources::store_secret::StoreSecretResource;
use crate::service::{CredentialKind, DefaultAccount, ErrorReporter, Service, Unavailable};
use cloudflare_api::{Client, ClientConfig, Credentials, DEFAULT_BASE_URL};
use settings::{
    ACCOUNT_ID, ACTIVATION_TIMEOUT, API_KEY, API_TOKEN, BASE_URL, EMAIL, MAX_BACKOFF, MAX_RETRIES,
    MIN_BACKOFF, RATE_LIMIT_RESERVE, REQUESTS_PER_SECOND, ResolvedSettings, USER_AGENT_SUFFIX,
};
use tfplugin::{
    Attribute, ConfigureRequest, ConfigureResponse, DataSource, Diagnostics, Provider, Resource,
    Schema, ValidateConfigRequest, ValidateConfigResponse,
};

/// The `cloudflare` provider (Secrets Store resources and data sources).
#[derive(Clone, Copy, Debug, Default)]
pub struct CloudflareProvider;

impl CloudflareProvider {
    /// Configures from `config` with an explicit environment (tests pass their own).
    pub fn configure_with_env(
        &self,
        config: &tfplugin::Value,
        env_lookup: &dyn Fn(&str) -> Option<String>,
    ) -> ConfigureResponse<Service> {
        let mut diagnostics = Diagnostics::default();
        settings::validate_config(config, &mut diagnostics);
        if diagnostics.has_errors() {
            return ConfigureResponse {
                data: None,
                diagnostics,
            };
        }
        let resolved = settings::resolve(config, env_lookup, &mut diagnostics);
        if diagnostics.has_errors() {
            return ConfigureResponse {
                data: None,
                diagnostics,
            };
        }
        let client = build_client(&resolved, env!("CARGO_PKG_VERSION"));
        let credential = client.as_ref().ok().map(|_| credential_kind(&resolved));
        let account = match resolved.account() {
            Setting::Known(id) => DefaultAccount::Known(id),
            Setting::Unknown => DefaultAccount::Unknown,
            Setting::Unset => DefaultAccount::Unset,
        };
        let data = Service::new(
            client,
            account,
            resolved.activation_timeout_or_default(),
            ErrorReporter::new(credential),
        );
        ConfigureResponse {
            data: Some(data),
            diagnostics,
        }
    }
}

fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

#[async_trait]
impl Provider for CloudflareProvider {
    type Data = Service;

    fn type_name(&self) -> &'static str {
        "cloudflare"
    }

    fn version(&self) -> &'static str {
        env!("CARGO_PKG_VERSION")
    }

    fn schema(&self) -> Schema {
        provider_schema()
    }

    fn validate_config(&self, req: ValidateConfigRequest) -> ValidateConfigResponse {
        let mut diagnostics = Diagnostics::default();
        settings::validate_config(&req.config, &mut diagnostics);
        ValidateConfigResponse { diagnostics }
    }

    async fn configure(&self, req: ConfigureRequest) -> ConfigureResponse<Service> {
        self.configure_with_env(&req.config, &env_var)
    }

    fn resources(&self) -> Vec<Arc<dyn Resource<Service>>> {
        vec![
            Arc::new(SecretsStoreResource),
            Arc::new(StoreSecretResource),
        ]
    }

    fn data_sources(&self) -> Vec<Arc<dyn DataSource<Service>>> {
        vec![Arc::new(SecretRefDataSource)]
    }

    fn notices(&self, service: &Service) -> Diagnostics {
        service.long_wait_notice().into_iter().collect()
    }
}

/// The provider configuration schema: every attribute optional, each with an env fallback.
pub fn provider_schema() -> Schema {
    let env = |(_, var): (&str, &str)| format!(" Defaults to the `{var}` environment variable.");
    Schema::new(
        "Manages Cloudflare Secrets Store stores and secrets. Values never enter logs; with \
         `value_wo` they never enter state or plans either.",
        vec![
            Attribute::string(API_TOKEN.0)
                .optional()
                .sensitive()
                .description(&format!(
                    "Cloudflare API token with the Secrets Store Write permission (preferred). \
                     Conflicts with `api_key`.{}",
                    env(API_TOKEN)
                )),
            Attribute::string(API_KEY.0)
                .optional()
                .sensitive()
                .description(&format!(
                    "Legacy global API key; needs `email`. Conflicts with `api_token`.{}",
                    env(API_KEY)
                )),
            Attribute::string(EMAIL.0).optional().description(&format!(
                "Account email for `api_key` authentication.{}",
                env(EMAIL)
            )),
            Attribute::string(ACCOUNT_ID.0)
                .optional()
                .description(&format!(
                    "Default account for every resource and data source.{}",
                    env(ACCOUNT_ID)
                )),
            Attribute::string(BASE_URL.0)
                .optional()
                .description(&format!(
                    "API base URL, default `{DEFAULT_BASE_URL}`. Plain `http` is accepted only for \
                 loopback hosts (e.g. the bundled emulator).{}",
                    env(BASE_URL)
                )),
            Attribute::number(MAX_RETRIES.0)
                .optional()
                .description(&format!(
                    "Retries for 429, 5xx and connection errors (default 4).{}",
                    env(MAX_RETRIES)
                )),
            Attribute::number(MIN_BACKOFF.0)
                .optional()
                .description(&format!(
                    "Minimum delay between retries, in seconds (default 1). `Retry-After` is \
                     honoured.{}",
                    env(MIN_BACKOFF)
                )),
            Attribute::number(MAX_BACKOFF.0)
                .optional()
                .description(&format!(
                    "Maximum delay between retries, in seconds (default 30).{}",
                    env(MAX_BACKOFF)
                )),
            Attribute::number(REQUESTS_PER_SECOND.0)
                .optional()
                .description(&format!(
                    "Client-side rate limit shared by all concurrent operations (default 3.5, \
                     under Cloudflare's 1,200 requests per 5 minutes).{}",
                    env(REQUESTS_PER_SECOND)
                )),
            Attribute::number(RATE_LIMIT_RESERVE.0)
                .optional()
                .description(&format!(
                    "Requests of Cloudflare's rate-limit budget (reported on every response, \
                     shared by every client of the same user) left to people and other tools: \
                     the provider slows down as the budget runs low and, with this many left, \
                     waits for the window to reset (default: a tenth of the quota, 120 of \
                     1,200).{}",
                    env(RATE_LIMIT_RESERVE)
                )),
            Attribute::string(USER_AGENT_SUFFIX.0)
                .optional()
                .description(&format!(
                    "Text appended to the User-Agent header.{}",
                    env(USER_AGENT_SUFFIX)
                )),
            Attribute::string(ACTIVATION_TIMEOUT.0)
                .optional()
                .description(&format!(
                    "How long apply waits for a new or changed secret to become `active`, e.g. \
                     `\"90s\"` or `\"2m\"` (default `\"60s\"`).{}",
                    env(ACTIVATION_TIMEOUT)
                )),
        ],
    )
}

/// Which credential the client sends (the token when both could be read).
fn credential_kind(s: &ResolvedSettings) -> CredentialKind {
    match s.api_token {
        Setting::Known(_) => CredentialKind::Token,
        _ => CredentialKind::GlobalKey,
    }
}

/// The API client, or why no API call can be made.
fn build_client(s: &ResolvedSettings, version: &str) -> Result<Client, Unavailable> {
    let credentials = credentials(s)?;
    let base_url = match &s.base_url {
        Setting::Known(url) => url.clone(),
        Setting::Unset => DEFAULT_BASE_URL.to_string(),
        Setting::Unknown => return Err(unknown_setting(BASE_URL.0)),
    };
    let mut config = ClientConfig::new(base_url, credentials);
    config.version = version.to_string();
    if let Some(suffix) = s.user_agent_suffix.known() {
        config.user_agent_suffix = Some(suffix.clone());
    }
    let unknown = [
        (MAX_RETRIES.0, s.max_retries.is_unknown()),
        (MIN_BACKOFF.0, s.min_backoff.is_unknown()),
        (MAX_BACKOFF.0, s.max_backoff.is_unknown()),
        (REQUESTS_PER_SECOND.0, s.requests_per_second.is_unknown()),
        (RATE_LIMIT_RESERVE.0, s.rate_limit_reserve.is_unknown()),
        (USER_AGENT_SUFFIX.0, s.user_agent_suffix.is_unknown()),
    ];
    if let Some((name, _)) = unknown.iter().find(|(_, u)| *u) {
        return Err(unknown_setting(name));
    }
    if let Some(n) = s.max_retries.known() {
        config.max_retries = *n;
    }
    if let Some(d) = s.min_backoff.known() {
        config.min_backoff = *d;
    }
    if let Some(d) = s.max_backoff.known() {
        config.max_backoff = *d;
    }
    if config.min_backoff > config.max_backoff {
        // Only one side was set; keep the pair consistent.
        config.max_backoff = config.min_backoff;
    }
    if let Some(rps) = s.requests_per_second.known() {
        config.requests_per_second = *rps;
    }
    config.rate_limit_reserve = s.rate_limit_reserve.known().copied();
    Client::new(config).map_err(|e| {
        Unavailable::Misconfigured(format!("The Cloudflare API client could not be built: {e}"))
    })
}

fn credentials(s: &ResolvedSettings) -> Result<Credentials, Unavailable> {
    let missing = |why: String| Err(Unavailable::Misconfigured(why));
    match (&s.api_token, &s.api_key, &s.email) {
        // Only the block can hold an empty credential: the environment's empty text is unset.
        (Setting::Known(token), _, _) if token.expose_secret().trim().is_empty() => {
            missing(empty_in_block(API_TOKEN))
        }
        (Setting::Known(token), _, _) => Ok(Credentials::ApiToken(token.clone())),
        (Setting::Unset, Setting::Known(key), _) if key.expose_secret().trim().is_empty() => {
            missing(empty_in_block(API_KEY))
        }
        (Setting::Unknown, _, _) => Err(unknown_setting(API_TOKEN.0)),
        (Setting::Unset, Setting::Known(key), Setting::Known(email)) => Ok(Credentials::ApiKey {
            email: email.clone(),
            key: key.clone(),
        }),
        (Setting::Unset, Setting::Known(_), Setting::Unknown) => Err(unknown_setting(EMAIL.0)),
        (Setting::Unset, Setting::Known(_), Setting::Unset) => missing(format!(
            "api_key is set but email is not. Set `email` in the provider block or the \
             environment variable {}, or use an API token instead ({}).",
            EMAIL.1, API_TOKEN.1
        )),
        (Setting::Unset, Setting::Unknown, _) => Err(unknown_setting(API_KEY.0)),
        (Setting::Unset, Setting::Unset, _) => missing(format!(
            "No Cloudflare credentials are configured, and this operation needs the API. Set \
             the environment variable {} (an API token with Secrets Store permissions), or {} \
             together with {}; or set api_token (or api_key and email) in the provider block.",
            API_TOKEN.1, API_KEY.1, EMAIL.1
        )),
    }
}

fn unknown_setting(attribute: &str) -> Unavailable {
    Unavailable::Unknown(format!(
        "The provider attribute `{attribute}` depends on a value that is not known until apply, \
         and this operation needs the API now. Give the provider a value known at plan time, \
         or apply the resources it depends on first (terraform apply -target=...)."
    ))
}

/// Why an empty credential in the provider block cannot be used: the block wins over the
/// environment, so its variable is not read.
fn empty_in_block((attribute, var): (&str, &str)) -> String {
    format!(
        "The provider block sets {attribute} to an empty string. A credential in the provider \
         block takes precedence over the environment, so {var} is not used even when it is set. \
         Remove {attribute} from the provider block to use {var} (for an input variable, make \
         its default null rather than \"\"), or give it a valid value."
    )
}

#[cfg(test)]
mod tests;
