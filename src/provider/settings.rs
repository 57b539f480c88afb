//! Provider settings: each attribute resolved from config, then its environment variable, with
//! validation that names the attribute and says what to do. The block always wins; the two
//! credentials are taken together from one source.

use std::time::Duration;

use secrecy::SecretString;

use crate::common::rules::id_problem;
use cloudflare_api::{check_base_url, without_credentials};
use tfplugin::{AttributePath, Diagnostic, Diagnostics, Number, Value};

/// Default for `secret_activation_timeout`.
pub const DEFAULT_ACTIVATION_TIMEOUT: Duration = Duration::from_secs(60);
/// The longest `secret_activation_timeout` accepted.
pub const MAX_ACTIVATION_TIMEOUT: Duration = Duration::from_secs(24 * 3600);

/// One provider setting after config and environment were consulted.
#[derive(Clone, Debug, PartialEq)]
pub enum Setting<T> {
    /// Neither config nor environment sets it.
    Unset,
    /// The config value depends on something not yet known (plan time only).
    Unknown,
    Known(T),
}

impl<T> Setting<T> {
    pub fn known(&self) -> Option<&T> {
        match self {
            Setting::Known(v) => Some(v),
            _ => None,
        }
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Setting::Unknown)
    }
}

/// Provider attribute names with the environment variable that fills each when unset.
pub const API_TOKEN: (&str, &str) = ("api_token", "CLOUDFLARE_API_TOKEN");
pub const API_KEY: (&str, &str) = ("api_key", "CLOUDFLARE_API_KEY");
pub const EMAIL: (&str, &str) = ("email", "CLOUDFLARE_EMAIL");
pub const ACCOUNT_ID: (&str, &str) = ("account_id", "CLOUDFLARE_ACCOUNT_ID");
pub const BASE_URL: (&str, &str) = ("base_url", "CLOUDFLARE_BASE_URL");
pub const MAX_RETRIES: (&str, &str) = ("max_retries", "CLOUDFLARE_MAX_RETRIES");
pub const MIN_BACKOFF: (&str, &str) = ("min_backoff", "CLOUDFLARE_MIN_BACKOFF");
pub const MAX_BACKOFF: (&str, &str) = ("max_backoff", "CLOUDFLARE_MAX_BACKOFF");
pub const REQUESTS_PER_SECOND: (&str, &str) = ("requests_per_second", "CLOUDFLARE_RPS");
pub const RATE_LIMIT_RESERVE: (&str, &str) =
    ("rate_limit_reserve", "CLOUDFLARE_RATE_LIMIT_RESERVE");
pub const USER_AGENT_SUFFIX: (&str, &str) = (
    "user_agent_operator_suffix",
    "CLOUDFLARE_USER_AGENT_OPERATOR_SUFFIX",
);
pub const ACTIVATION_TIMEOUT: (&str, &str) = (
    "secret_activation_timeout",
    "CLOUDFLARE_SECRET_ACTIVATION_TIMEOUT",
);

/// Every provider setting, resolved. Token and key are `SecretString`s from the moment they are
/// read.
pub struct ResolvedSettings {
    pub api_token: Setting<SecretString>,
    pub api_key: Setting<SecretString>,
    pub email: Setting<String>,
    pub account_id: Setting<String>,
    pub base_url: Setting<String>,
    pub max_retries: Setting<u32>,
    pub min_backoff: Setting<Duration>,
    pub max_backoff: Setting<Duration>,
    pub requests_per_second: Setting<f64>,
    pub rate_limit_reserve: Setting<u32>,
    pub user_agent_suffix: Setting<String>,
    pub activation_timeout: Setting<Duration>,
}

/// Where a raw setting came from, for messages.
#[derive(Clone, Copy)]
enum Source {
    Config,
    Env(&'static str),
}

impl Source {
    fn describe(self, attribute: &str) -> String {
        match self {
            Source::Config => format!("provider attribute `{attribute}`"),
            Source::Env(var) => format!("environment variable {var}"),
        }
    }
}

/// A raw setting: a config value, or the environment's text.
enum Raw {
    Unset,
    Unknown,
    Config(Value),
    Env(&'static str, String),
}

fn raw(
    config: &Value,
    (attribute, env): (&str, &'static str),
    env_lookup: &dyn Fn(&str) -> Option<String>,
) -> Raw {
    match config.get(attribute) {
        Value::Unknown(_) => Raw::Unknown,
        Value::Null => match env_lookup(env) {
            Some(text) if !text.trim().is_empty() => Raw::Env(env, text),
            _ => Raw::Unset,
        },
        value if !value.is_wholly_known() => Raw::Unknown,
        value => Raw::Config(value.clone()),
    }
}

/// Reads and checks every setting. `env_lookup` is `std::env::var` in production.
pub fn resolve(
    config: &Value,
    env_lookup: &dyn Fn(&str) -> Option<String>,
    diags: &mut Diagnostics,
) -> ResolvedSettings {
    let string = |key: (&'static str, &'static str)| -> Setting<String> {
        match raw(config, key, env_lookup) {
            Raw::Unset => Setting::Unset,
            Raw::Unknown => Setting::Unknown,
            Raw::Config(Value::String(s)) => Setting::Known(s),
            Raw::Config(_) => Setting::Unset,
            Raw::Env(_, s) => Setting::Known(s.trim().to_string()),
        }
    };
    let (api_token, api_key) = credentials(config, env_lookup, diags);
    let email = string(EMAIL);
    let account_id = string(ACCOUNT_ID);
    let base_url = string(BASE_URL);
    let user_agent_suffix = string(USER_AGENT_SUFFIX);

    if let Setting::Known(id) = &account_id {
        let source = match config.get(ACCOUNT_ID.0) {
            Value::Null => Source::Env(ACCOUNT_ID.1),
            _ => Source::Config,
        };
        if let Some(problem) = id_problem(&source.describe(ACCOUNT_ID.0), id) {
            diags.add(
                Diagnostic::error("Invalid Cloudflare account ID", problem)
                    .at(AttributePath::root(ACCOUNT_ID.0)),
            );
        }
    }

    if let Setting::Known(url) = &base_url {
        let source = match config.get(BASE_URL.0) {
            Value::Null => Source::Env(BASE_URL.1),
            _ => Source::Config,
        };
        if let Err(problem) = check_base_url(url) {
            diags.add(
                Diagnostic::error(
                    "Invalid Cloudflare API base URL",
                    format!(
                        "The {} is {:?}: {problem}. Use an https URL such as \
                     https://api.cloudflare.com/client/v4 (plain http is allowed only for \
                     loopback hosts such as http://127.0.0.1:8787/client/v4).",
                        source.describe(BASE_URL.0),
                        without_credentials(url)
                    ),
                )
                .at(AttributePath::root(BASE_URL.0)),
            );
        }
    }

    let max_retries = number(config, MAX_RETRIES, env_lookup, diags, |n| {
        if n >= 0.0 && n.fract() == 0.0 && n <= 100.0 {
            Ok(n as u32)
        } else {
            Err("must be a whole number from 0 to 100".to_string())
        }
    });
    let seconds = |n: f64| {
        if (0.0..=3600.0).contains(&n) {
            Ok(Duration::from_secs_f64(n))
        } else {
            Err("must be a number of seconds from 0 to 3600".to_string())
        }
    };
    let min_backoff = number(config, MIN_BACKOFF, env_lookup, diags, seconds);
    let max_backoff = number(config, MAX_BACKOFF, env_lookup, diags, seconds);
    if let (Setting::Known(min), Setting::Known(max)) = (&min_backoff, &max_backoff)
        && min > max
    {
        diags.add(
            Diagnostic::error(
                "min_backoff is larger than max_backoff",
                format!(
                    "min_backoff ({}s) must not exceed max_backoff ({}s). Lower min_backoff or \
                 raise max_backoff.",
                    min.as_secs_f64(),
                    max.as_secs_f64()
                ),
            )
            .at(AttributePath::root(MIN_BACKOFF.0)),
        );
    }
    let requests_per_second = number(config, REQUESTS_PER_SECOND, env_lookup, diags, |n| {
        if n > 0.0 && n <= 1000.0 {
            Ok(n)
        } else {
            Err("must be a number greater than 0 and at most 1000".to_string())
        }
    });
    let rate_limit_reserve = number(config, RATE_LIMIT_RESERVE, env_lookup, diags, |n| {
        if n >= 0.0 && n.fract() == 0.0 && n <= 1_000_000.0 {
            Ok(n as u32)
        } else {
            Err("must be a whole number of requests, 0 or more".to_string())
        }
    });

    let activation_timeout = match raw(config, ACTIVATION_TIMEOUT, env_lookup) {
        Raw::Unset => Setting::Unset,
        Raw::Unknown => Setting::Unknown,
        Raw::Config(Value::String(text)) => {
            duration_setting(&text, Source::Config, ACTIVATION_TIMEOUT.0, diags)
        }
        Raw::Config(_) => Setting::Unset,
        Raw::Env(var, text) => {
            duration_setting(&text, Source::Env(var), ACTIVATION_TIMEOUT.0, diags)
        }
    };

    ResolvedSettings {
        api_token,
        api_key,
        email,
        account_id,
        base_url,
        max_retries,
        min_backoff,
        max_backoff,
        requests_per_second,
        rate_limit_reserve,
        user_agent_suffix,
        activation_timeout,
    }
}

/// `api_token` and `api_key`, both from one source: the provider block when it sets either of
/// them, otherwise the environment. So a credential in the block always beats the environment
/// (a block `api_key` is used even when `CLOUDFLARE_API_TOKEN` is set, and the other way round),
/// and both credentials set in the same source is a conflict, reported here for the environment
/// (the block's conflict is a validate-time error).
fn credentials(
    config: &Value,
    env_lookup: &dyn Fn(&str) -> Option<String>,
    diags: &mut Diagnostics,
) -> (Setting<SecretString>, Setting<SecretString>) {
    let in_block = |(attribute, _): (&str, &str)| !config.get(attribute).is_null();
    let from_block = in_block(API_TOKEN) || in_block(API_KEY);
    let read = |(attribute, var): (&str, &str)| -> Setting<SecretString> {
        if from_block {
            match config.get(attribute) {
                Value::Null => Setting::Unset,
                Value::String(text) => Setting::Known(SecretString::from(text.clone())),
                _ => Setting::Unknown,
            }
        } else {
            match env_lookup(var) {
                Some(text) if !text.trim().is_empty() => {
                    Setting::Known(SecretString::from(text.trim().to_string()))
                }
                _ => Setting::Unset,
            }
        }
    };
    let (api_token, api_key) = (read(API_TOKEN), read(API_KEY));
    let is_set = |s: &Setting<SecretString>| !matches!(s, Setting::Unset);
    if !from_block && is_set(&api_token) && is_set(&api_key) {
        diags.add(
            Diagnostic::error(
                "Conflicting Cloudflare credentials in the environment",
                format!(
                    "Both {} and {} are set. Unset one of them, or set api_token (or api_key \
                     and email) in the provider block, which takes precedence over the \
                     environment.",
                    API_TOKEN.1, API_KEY.1
                ),
            )
            .at(AttributePath::root(API_TOKEN.0)),
        );
    }
    (api_token, api_key)
}

/// Config-only checks that need no environment (validate time): conflicting credentials.
pub fn validate_config(config: &Value, diags: &mut Diagnostics) {
    let set = |name: &str| !config.get(name).is_null();
    if set(API_KEY.0) && set(API_TOKEN.0) {
        diags.add(
            Diagnostic::error(
                "Conflicting Cloudflare credentials",
                "Both api_token and api_key are set. Use only one: api_token (recommended) or the \
             legacy api_key together with email.",
            )
            .at(AttributePath::root(API_KEY.0)),
        );
    }
    let mut scratch = Diagnostics::default();
    let no_env = |_: &str| None;
    resolve(config, &no_env, &mut scratch);
    diags.extend(scratch);
}

fn number<T>(
    config: &Value,
    key: (&'static str, &'static str),
    env_lookup: &dyn Fn(&str) -> Option<String>,
    diags: &mut Diagnostics,
    convert: impl Fn(f64) -> Result<T, String>,
) -> Setting<T> {
    let (attribute, _) = key;
    let (parsed, source) = match raw(config, key, env_lookup) {
        Raw::Unset => return Setting::Unset,
        Raw::Unknown => return Setting::Unknown,
        Raw::Config(Value::Number(n)) => (Some(number_to_f64(&n)), Source::Config),
        Raw::Config(_) => return Setting::Unset,
        Raw::Env(var, text) => (text.trim().parse::<f64>().ok(), Source::Env(var)),
    };
    let result = match parsed {
        Some(n) if n.is_finite() => convert(n),
        _ => Err("is not a number".to_string()),
    };
    match result {
        Ok(v) => Setting::Known(v),
        Err(problem) => {
            diags.add(
                Diagnostic::error(
                    format!("Invalid {attribute}"),
                    format!("The {} {problem}.", source.describe(attribute)),
                )
                .at(AttributePath::root(attribute)),
            );
            Setting::Unset
        }
    }
}

fn duration_setting(
    text: &str,
    source: Source,
    attribute: &str,
    diags: &mut Diagnostics,
) -> Setting<Duration> {
    match parse_duration(text) {
        Some(d) if d <= MAX_ACTIVATION_TIMEOUT => Setting::Known(d),
        Some(_) => {
            diags.add(Diagnostic::error(format!("Invalid {attribute}"), format!(
                    "The {} is {text:?}, longer than the 24h this provider waits at most. Use a \
                     shorter duration, e.g. \"10m\".",
                    source.describe(attribute)
                )).at(AttributePath::root(attribute)));
            Setting::Unset
        }
        None => {
            diags.add(
                Diagnostic::error(
                    format!("Invalid {attribute}"),
                    format!(
                        "The {} is {text:?}, which is not a duration. Use a number with a unit, \
                     e.g. \"90s\", \"2m\" or \"1m30s\" (units: ms, s, m, h).",
                        source.describe(attribute)
                    ),
                )
                .at(AttributePath::root(attribute)),
            );
            Setting::Unset
        }
    }
}

/// A number as f64 (decimal text parsed; huge values become infinite and fail range checks).
pub fn number_to_f64(n: &Number) -> f64 {
    match n {
        Number::Int(i) => *i as f64,
        Number::Float(f) => *f,
        Number::Decimal(d) => d.parse().unwrap_or(f64::INFINITY),
    }
}

/// Parses durations like `500ms`, `60s`, `2m`, `1h`, `1m30s`. No bare numbers, no negatives.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let mut total = Duration::ZERO;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if digits == 0 {
            return None;
        }
        let amount: f64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let seconds = match &rest[..unit_len] {
            "ms" => amount / 1000.0,
            "s" => amount,
            "m" => amount * 60.0,
            "h" => amount * 3600.0,
            _ => return None,
        };
        rest = &rest[unit_len..];
        total = total.checked_add(Duration::try_from_secs_f64(seconds).ok()?)?;
    }
    Some(total)
}

impl ResolvedSettings {
    /// The account id setting, shared with resources.
    pub fn account(&self) -> Setting<String> {
        self.account_id.clone()
    }

    /// The activation timeout, defaulted.
    pub fn activation_timeout_or_default(&self) -> Duration {
        self.activation_timeout
            .known()
            .copied()
            .unwrap_or(DEFAULT_ACTIVATION_TIMEOUT)
    }
}
