//! The client builds and speaks TLS without a process-wide rustls crypto provider installed.

use cloudflare_api::{Client, ClientConfig, Credentials, DEFAULT_BASE_URL};
use secrecy::SecretString;

#[test]
fn builds_without_a_process_wide_crypto_provider() {
    assert!(rustls::crypto::CryptoProvider::get_default().is_none());
    let config = ClientConfig::new(
        DEFAULT_BASE_URL,
        Credentials::ApiToken(SecretString::from("token")),
    );
    let client = Client::new(config).expect("client builds with its own ring-backed TLS config");
    assert!(
        format!("{client:?}").contains(DEFAULT_BASE_URL),
        "{client:?}"
    );
    assert!(rustls::crypto::CryptoProvider::get_default().is_none());
}

#[tokio::test]
async fn https_verifies_server_certificates() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    use cloudflare_api::Error;
    use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

    // A TLS server with a self-signed certificate that no system trusts.
    let generated = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
        generated.signing_key.serialize_der(),
    ));
    let server = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![generated.cert.der().clone()], key)
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(server));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let handshake_seen = Arc::new(AtomicBool::new(false));
    let seen = handshake_seen.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            seen.store(true, Ordering::SeqCst);
            let _ = acceptor.accept(socket).await;
        }
    });

    let mut config = ClientConfig::new(
        format!("https://localhost:{port}/client/v4"),
        Credentials::ApiToken(SecretString::from("token")),
    );
    config.max_retries = 0;
    let client = Client::new(config).unwrap();
    let err = client.quota("account").await.unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert!(handshake_seen.load(Ordering::SeqCst));
    assert!(
        err.to_string().to_lowercase().contains("certificate"),
        "the error names the certificate problem: {err}"
    );
}
