//! Client settings and credentials, and their validation (base URL, User-Agent, limits).

use std::time::Duration;

use reqwest::Url;
use secrecy::SecretString;

use super::error::Error;

/// Default API base URL.
pub const DEFAULT_BASE_URL: &str = "https://api.cloudflare.com/client/v4";

/// How requests authenticate. Debug shows secrets as `[REDACTED]` (`SecretString`).
#[derive(Clone, Debug)]
pub enum Credentials {
    /// `Authorization: Bearer <token>`.
    ApiToken(SecretString),
    /// Legacy global key: `X-Auth-Email` + `X-Auth-Key`.
    ApiKey { email: String, key: SecretString },
}

/// Client settings.
#[derive(Clone, Debug)]
pub struct ClientConfig {
    pub base_url: String,
    pub credentials: Credentials,
    /// Appended to `terraform-provider-cloudflare/<version>` in the User-Agent.
    pub user_agent_suffix: Option<String>,
    /// The provider version in the User-Agent.
    pub version: String,
    pub max_retries: u32,
    pub min_backoff: Duration,
    pub max_backoff: Duration,
    /// Client-side rate limit shared by all concurrent requests of this client.
    pub requests_per_second: f64,
    /// Requests of the API's rate-limit budget (its `Ratelimit` headers) left to people and
    /// other tools: at that many, every request waits for the window to reset. `None`: a tenth
    /// of the quota the API reports, at least 1.
    pub rate_limit_reserve: Option<u32>,
    pub request_timeout: Duration,
}

impl ClientConfig {
    /// Settings with the defaults: 4 retries, 1 s..30 s backoff, 3.5 requests/s, 60 s timeout.
    pub fn new(base_url: impl Into<String>, credentials: Credentials) -> ClientConfig {
        ClientConfig {
            base_url: base_url.into(),
            credentials,
            user_agent_suffix: None,
            version: env!("CARGO_PKG_VERSION").to_string(),
            max_retries: 4,
            min_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(30),
            requests_per_second: 3.5,
            rate_limit_reserve: None,
            request_timeout: Duration::from_secs(60),
        }
    }

    /// The User-Agent header: `terraform-provider-cloudflare/<version>[ <suffix>]`.
    pub(super) fn user_agent(&self) -> String {
        let base = format!("terraform-provider-cloudflare/{}", self.version);
        match self.user_agent_suffix.as_deref().map(str::trim) {
            Some(suffix) if !suffix.is_empty() => format!("{base} {suffix}"),
            _ => base,
        }
    }

    /// Checks every setting; the message says which one is wrong and how to fix it.
    pub(super) fn validate(&self) -> Result<(), Error> {
        normalized_base_url(&self.base_url)?;
        if self.min_backoff > self.max_backoff {
            return Err(Error::Config(format!(
                "min_backoff ({:?}) must not be greater than max_backoff ({:?})",
                self.min_backoff, self.max_backoff
            )));
        }
        if !self.requests_per_second.is_finite() || self.requests_per_second <= 0.0 {
            return Err(Error::Config(format!(
                "requests_per_second must be a positive number, got {}",
                self.requests_per_second
            )));
        }
        if self.request_timeout.is_zero() {
            return Err(Error::Config(
                "request_timeout must be greater than zero".into(),
            ));
        }
        if self.user_agent().chars().any(|c| c.is_control()) {
            return Err(Error::Config(
                "user_agent_operator_suffix must not contain control characters".into(),
            ));
        }
        Ok(())
    }
}

/// The base URL (trailing slashes dropped), after checking its scheme and host: `https`
/// anywhere, plain `http` only for loopback hosts (a local emulator).
pub(super) fn normalized_base_url(raw: &str) -> Result<Url, Error> {
    let trimmed = raw.trim().trim_end_matches('/');
    let url = Url::parse(trimmed).map_err(|e| {
        Error::Config(format!(
            "base_url {trimmed:?} is not a valid URL ({e}); use e.g. {DEFAULT_BASE_URL}"
        ))
    })?;
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::Config(format!(
            "base_url {trimmed:?} must not contain a query or fragment"
        )));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::Config(
            "base_url must not contain user info; pass credentials as api_token or api_key".into(),
        ));
    }
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => {
            return Err(Error::Config(format!(
                "base_url {trimmed:?} uses plain http, which is only allowed for loopback hosts \
                 (localhost, 127.0.0.1, [::1]); use https"
            )));
        }
        other => {
            return Err(Error::Config(format!(
                "base_url {trimmed:?} has unsupported scheme {other:?}; use https"
            )));
        }
    }
    Ok(url)
}

/// Whether `url`'s host is a loopback address (`127.0.0.0/8`, `[::1]`, `localhost`,
/// `*.localhost`): the only hosts plain `http` may be used with.
fn is_loopback(url: &Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = host.parse::<std::net::IpAddr>() {
        return ip.is_loopback();
    }
    let host = host.to_ascii_lowercase();
    host == "localhost" || host.ends_with(".localhost")
}

/// Checks that a base URL is absolute, https (or http to a loopback host), with no credentials.
pub fn check_base_url(url: &str) -> Result<(), String> {
    let parsed = Url::parse(url).map_err(|e| format!("not a valid URL ({e})"))?;
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err("it must not contain credentials".to_string());
    }
    match parsed.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(&parsed) => Ok(()),
        "http" => Err("plain http is only allowed for loopback hosts".to_string()),
        other => Err(format!("the scheme {other:?} is not supported")),
    }
}

/// `url` fit for a message: user name and password (which must never be echoed) replaced.
pub fn without_credentials(url: &str) -> String {
    match Url::parse(url) {
        Ok(mut parsed) if !parsed.username().is_empty() || parsed.password().is_some() => {
            let _ = parsed.set_username("REDACTED");
            let _ = parsed.set_password(None);
            parsed.to_string()
        }
        Ok(_) => url.to_string(),
        // Unparseable: there is no telling which part is a credential.
        Err(_) if url.contains('@') => "(not shown: it may contain credentials)".to_string(),
        Err(_) => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token() -> Credentials {
        Credentials::ApiToken(SecretString::from("tok-123-secret"))
    }

    #[test]
    fn https_anywhere_and_http_only_on_loopback() {
        for ok in [
            "https://api.cloudflare.com/client/v4",
            "https://api.cloudflare.com/client/v4/",
            "http://127.0.0.1:8787/client/v4",
            "http://localhost:1/client/v4",
            "http://[::1]:8787/client/v4",
        ] {
            normalized_base_url(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
        }
        assert_eq!(
            normalized_base_url("https://x.example/client/v4/")
                .unwrap()
                .as_str(),
            "https://x.example/client/v4"
        );
        for bad in [
            "http://api.cloudflare.com/client/v4",
            "http://10.0.0.1/client/v4",
            "ftp://127.0.0.1/",
            "not a url",
            "https://user:pw@x.example/",
            "https://x.example/?a=b",
        ] {
            let err = normalized_base_url(bad).unwrap_err();
            assert!(matches!(err, Error::Config(_)), "{bad}: {err:?}");
        }
        let err = normalized_base_url("http://example.com/client/v4").unwrap_err();
        assert!(err.to_string().contains("loopback"), "{err}");
    }

    #[test]
    fn user_agent_has_version_and_optional_suffix() {
        let mut config = ClientConfig::new(DEFAULT_BASE_URL, token());
        config.version = "1.2.3".into();
        assert_eq!(config.user_agent(), "terraform-provider-cloudflare/1.2.3");
        config.user_agent_suffix = Some("ci-pipeline/7".into());
        assert_eq!(
            config.user_agent(),
            "terraform-provider-cloudflare/1.2.3 ci-pipeline/7"
        );
        config.user_agent_suffix = Some("  ".into());
        assert_eq!(config.user_agent(), "terraform-provider-cloudflare/1.2.3");
    }

    #[test]
    fn validation_rejects_impossible_settings() {
        let good = ClientConfig::new(DEFAULT_BASE_URL, token());
        good.validate().unwrap();
        let mut c = good.clone();
        c.min_backoff = Duration::from_secs(5);
        c.max_backoff = Duration::from_secs(1);
        assert!(
            c.validate()
                .unwrap_err()
                .to_string()
                .contains("min_backoff")
        );
        for rps in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            let mut c = good.clone();
            c.requests_per_second = rps;
            assert!(c.validate().is_err(), "{rps}");
        }
        let mut c = good.clone();
        c.request_timeout = Duration::ZERO;
        assert!(c.validate().is_err());
        let mut c = good;
        c.user_agent_suffix = Some("a\nb".into());
        assert!(c.validate().is_err());
    }

    #[test]
    fn debug_never_shows_credentials() {
        let mut config = ClientConfig::new(DEFAULT_BASE_URL, token());
        let shown = format!("{config:?}");
        assert!(!shown.contains("tok-123-secret"), "{shown}");
        assert!(shown.contains("REDACTED"), "{shown}");
        config.credentials = Credentials::ApiKey {
            email: "ops@example.com".into(),
            key: SecretString::from("global-key-999"),
        };
        let shown = format!("{config:?}");
        assert!(!shown.contains("global-key-999"), "{shown}");
        assert!(shown.contains("ops@example.com"), "{shown}");
    }
}
