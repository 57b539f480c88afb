//! The client builds and speaks TLS without a process-wide rustls crypto provider installed.

use secrecy::SecretString;
use terraform_provider_cloudflare::cloudflare::{
    Client, ClientConfig, Credentials, DEFAULT_BASE_URL,
};

#[test]
fn builds_without_a_process_wide_crypto_provider() {
    assert!(rustls::crypto::CryptoProvider::get_default().is_none());
    let config = ClientConfig::new(
        DEFAULT_BASE_URL,
        Credentials::ApiToken(SecretString::from("token")),
    );
    let client = Client::new(config).expect("client builds with its own ring-backed TLS config");
    assert_eq!(client.base_url(), DEFAULT_BASE_URL);
    assert!(rustls::crypto::CryptoProvider::get_default().is_none());
}
