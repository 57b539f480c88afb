//! Secret values and credentials never show up in Debug/Display output, errors or logs.

mod client_support;

use std::io::Write;
use std::sync::{Arc, Mutex};

use client_support::{ACCOUNT, Harness, TOKEN, new_secret};
use cloudflare_api::{Client, ClientConfig, Credentials, NewSecret, SecretPatch};
use secrecy::SecretString;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const VALUE: &str = "value-DO-NOT-LEAK-77a1";
const NEW_VALUE: &str = "patched-DO-NOT-LEAK-93c2";
const KEY: &str = "legacy-key-DO-NOT-LEAK-11";

fn assert_clean(what: &str, text: &str) {
    for secret in [TOKEN, VALUE, NEW_VALUE, KEY] {
        assert!(!text.contains(secret), "{what} leaks a secret: {text}");
    }
}

/// Collects everything the tracing subscriber writes.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn debug_of_requests_and_settings_hides_values_and_credentials() {
    let secret = NewSecret {
        name: "N".into(),
        value: SecretString::from(VALUE),
        scopes: vec!["workers".into()],
        comment: Some("c".into()),
    };
    assert_clean("NewSecret", &format!("{secret:?}"));
    assert!(format!("{secret:?}").contains("\"N\""));
    let patch = SecretPatch {
        value: Some(SecretString::from(NEW_VALUE)),
        ..SecretPatch::default()
    };
    assert_clean("SecretPatch", &format!("{patch:?}"));
    let config = ClientConfig::new(
        "https://api.cloudflare.com/client/v4",
        Credentials::ApiToken(SecretString::from(TOKEN)),
    );
    assert_clean("ClientConfig", &format!("{config:?}"));
    let client = Client::new(config).unwrap();
    assert_clean("Client", &format!("{client:?}"));
    let legacy = Credentials::ApiKey {
        email: "ops@example.com".into(),
        key: SecretString::from(KEY),
    };
    assert_clean("Credentials", &format!("{legacy:?}"));
}

#[test]
fn invalid_credentials_are_reported_without_echoing_them() {
    let config = ClientConfig::new(
        "https://api.cloudflare.com/client/v4",
        Credentials::ApiToken(SecretString::from(format!("{TOKEN}\nX-Injected: 1"))),
    );
    let err = Client::new(config).unwrap_err();
    assert_clean("config error", &format!("{err} {err:?}"));
    assert!(err.to_string().contains("token"), "{err}");

    let config = ClientConfig::new(
        "https://api.cloudflare.com/client/v4",
        Credentials::ApiToken(SecretString::from("  ")),
    );
    let err = Client::new(config).unwrap_err();
    assert!(err.to_string().contains("CLOUDFLARE_API_TOKEN"), "{err}");
}

#[tokio::test]
async fn errors_and_logs_never_contain_values_or_tokens() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let h = Harness::start().await;
    let store = h.store().await;
    h.state.faults().drop_next_write_responses(1);
    let secret = h
        .client
        .create_secret(ACCOUNT, &store, new_secret("API_KEY", VALUE))
        .await
        .unwrap();
    h.state.faults().fail_next(1, 502);
    h.client
        .patch_secret(
            ACCOUNT,
            &store,
            &secret.id,
            SecretPatch {
                value: Some(SecretString::from(NEW_VALUE)),
                ..SecretPatch::default()
            },
        )
        .await
        .unwrap();

    let mut errors = Vec::new();
    errors.push(
        h.client
            .create_secret(ACCOUNT, &store, new_secret("API_KEY", VALUE))
            .await
            .unwrap_err(),
    );
    let mut too_big = new_secret("BIG", VALUE);
    too_big.value = SecretString::from(VALUE.repeat(5000));
    errors.push(
        h.client
            .create_secret(ACCOUNT, &store, too_big)
            .await
            .unwrap_err(),
    );
    let wrong = h.client_with(|c| {
        c.credentials = Credentials::ApiToken(SecretString::from(format!("{TOKEN}-wrong")));
    });
    errors.push(wrong.quota(ACCOUNT).await.unwrap_err());
    let unreachable =
        client_support::fast_config("http://127.0.0.1:1/client/v4", client_support::token());
    errors.push(
        Client::new(unreachable)
            .unwrap()
            .quota(ACCOUNT)
            .await
            .unwrap_err(),
    );
    for err in &errors {
        assert_clean("error", &format!("{err} / {err:?}"));
    }

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("Cloudflare API request"), "{logs}");
    assert!(logs.contains("PATCH"), "{logs}");
    assert!(logs.contains("retrying"), "{logs}");
    assert_clean("logs", &logs);
}

#[tokio::test]
async fn sends_auth_headers_and_user_agent() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let heads = Arc::new(Mutex::new(Vec::<String>::new()));
    let seen = heads.clone();
    tokio::spawn(async move {
        loop {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut head = Vec::new();
            let mut buf = [0u8; 1024];
            while !head.ends_with(b"\r\n\r\n") {
                let n = socket.read(&mut buf).await.unwrap();
                if n == 0 {
                    break;
                }
                head.extend_from_slice(&buf[..n]);
            }
            seen.lock()
                .unwrap()
                .push(String::from_utf8_lossy(&head).to_lowercase());
            let body = r#"{"success":true,"errors":[],"messages":[],"result":{"secrets":{"quota":100,"usage":3}}}"#;
            let response = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            socket.write_all(response.as_bytes()).await.unwrap();
        }
    });
    let base = format!("http://{address}/client/v4");

    let mut config = client_support::fast_config(&base, client_support::token());
    config.version = "9.8.7".into();
    config.user_agent_suffix = Some("ci-runner/42".into());
    let quota = Client::new(config).unwrap().quota(ACCOUNT).await.unwrap();
    assert_eq!(quota.usage, 3);

    let legacy = client_support::fast_config(
        &base,
        Credentials::ApiKey {
            email: "ops@example.com".into(),
            key: SecretString::from(KEY),
        },
    );
    Client::new(legacy).unwrap().quota(ACCOUNT).await.unwrap();

    let heads = heads.lock().unwrap().clone();
    assert_eq!(heads.len(), 2);
    assert!(heads[0].starts_with(&format!(
        "get /client/v4/accounts/{ACCOUNT}/secrets_store/quota "
    )));
    assert!(heads[0].contains(&format!("authorization: bearer {}", TOKEN.to_lowercase())));
    assert!(heads[0].contains("user-agent: terraform-provider-cloudflare/9.8.7 ci-runner/42\r\n"));
    assert!(!heads[0].contains("x-auth-key"));
    assert!(heads[1].contains("x-auth-email: ops@example.com"));
    assert!(heads[1].contains(&format!("x-auth-key: {}", KEY.to_lowercase())));
    assert!(!heads[1].contains("authorization:"));
    assert!(heads[1].contains(&format!(
        "user-agent: terraform-provider-cloudflare/{}\r\n",
        env!("CARGO_PKG_VERSION")
    )));
}
