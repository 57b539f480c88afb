//! Builds the underlying reqwest client: ring-backed rustls, auth headers, User-Agent, timeouts.

use std::sync::Arc;

use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue};
use secrecy::{ExposeSecret, SecretString};

use super::config::{ClientConfig, Credentials};
use super::error::Error;

/// A reqwest client that works whether or not a process-wide rustls provider is installed:
/// its TLS config is built explicitly on ring with the platform's certificate verifier.
/// A plain-http base URL (a loopback emulator) needs no certificate roots, so it works on
/// machines without a system CA bundle.
pub(crate) fn build(config: &ClientConfig, https: bool) -> Result<reqwest::Client, Error> {
    let tls = tls_config(https)?;
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .default_headers(auth_headers(&config.credentials)?)
        .user_agent(config.user_agent())
        .connect_timeout(
            config
                .request_timeout
                .min(std::time::Duration::from_secs(30)),
        )
        .build()
        .map_err(|e| Error::Config(format!("could not build the HTTP client: {e}")))
}

fn tls_config(https: bool) -> Result<rustls::ClientConfig, Error> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Config(format!("could not set up TLS: {e}")))?;
    let mut tls = match rustls_platform_verifier::Verifier::new(provider) {
        Ok(verifier) => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier))
            .with_no_client_auth(),
        Err(e) if https => {
            return Err(Error::Config(format!(
                "could not load the system's TLS root certificates ({e}); \
                 install the CA certificates package (e.g. ca-certificates)"
            )));
        }
        // No https request will ever be made: an empty root store is enough.
        Err(_) => builder
            .with_root_certificates(rustls::RootCertStore::empty())
            .with_no_client_auth(),
    };
    tls.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(tls)
}

/// The auth headers, marked sensitive so reqwest never prints them. Error messages never
/// echo the credential itself.
pub(crate) fn auth_headers(credentials: &Credentials) -> Result<HeaderMap, Error> {
    let mut headers = HeaderMap::new();
    match credentials {
        Credentials::ApiToken(token) => {
            let token = token.expose_secret().trim();
            if token.is_empty() {
                return Err(Error::Config(
                    "the API token is empty; set api_token or CLOUDFLARE_API_TOKEN".into(),
                ));
            }
            // The header text is a secret too until it is a sensitive header value.
            let bearer = SecretString::from(format!("Bearer {token}"));
            headers.insert(
                AUTHORIZATION,
                sensitive(bearer.expose_secret(), "the API token")?,
            );
        }
        Credentials::ApiKey { email, key } => {
            let key = key.expose_secret().trim();
            if key.is_empty() {
                return Err(Error::Config(
                    "the API key is empty; set api_key or CLOUDFLARE_API_KEY".into(),
                ));
            }
            if email.trim().is_empty() {
                return Err(Error::Config(
                    "an API key needs the account email; set email or CLOUDFLARE_EMAIL".into(),
                ));
            }
            headers.insert(
                HeaderName::from_static("x-auth-email"),
                sensitive(email.trim(), "the email")?,
            );
            headers.insert(
                HeaderName::from_static("x-auth-key"),
                sensitive(key, "the API key")?,
            );
        }
    }
    Ok(headers)
}

fn sensitive(value: &str, what: &str) -> Result<HeaderValue, Error> {
    let mut header = HeaderValue::from_str(value).map_err(|_| {
        Error::Config(format!(
            "{what} contains characters that cannot be sent in an HTTP header \
             (check for line breaks or non-ASCII characters)"
        ))
    })?;
    header.set_sensitive(true);
    Ok(header)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_headers_are_sensitive_and_never_printed() {
        let token = Credentials::ApiToken(SecretString::from("tok-never-printed-7c1"));
        let headers = auth_headers(&token).unwrap();
        let authorization = &headers[AUTHORIZATION];
        assert!(authorization.is_sensitive());
        assert_eq!(authorization.as_bytes(), b"Bearer tok-never-printed-7c1");
        assert!(!format!("{headers:?}").contains("tok-never-printed"));

        let key = Credentials::ApiKey {
            email: "ops@example.com".into(),
            key: SecretString::from("key-never-printed-9d2"),
        };
        let headers = auth_headers(&key).unwrap();
        assert!(headers.values().all(HeaderValue::is_sensitive));
        assert!(!format!("{headers:?}").contains("key-never-printed"));
    }
}
