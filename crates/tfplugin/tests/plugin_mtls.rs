//! Client-certificate pinning, end to end: a plugin binary (the example provider) started the way
//! Terraform starts it (`PLUGIN_CLIENT_CERT` set) answers gRPC only over TLS from a client
//! presenting that exact certificate, signing with ECDSA P-521 in TLS 1.3 and 1.2, over the unix
//! socket and over loopback TCP; any other client is refused.

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::sign::{CertifiedKey, Signer, SigningKey};
use rustls::{SignatureAlgorithm, SignatureScheme};
use support::example_binary;
use tfplugin::serve;
use tonic_health::pb::{HealthCheckRequest, health_client::HealthClient};

const PINNED_CERT: &str = include_str!("fixtures/p521_client_cert.pem");
const PINNED_KEY: &str = include_str!("fixtures/p521_client_key.pem");
const OTHER_CERT: &str = include_str!("fixtures/p521_other_cert.pem");
const OTHER_KEY: &str = include_str!("fixtures/p521_other_key.pem");

/// The plugin process, killed on drop.
struct Plugin {
    child: Child,
    /// `unix` or `tcp`, and the socket path or `127.0.0.1:PORT`, from the handshake line.
    network: String,
    address: String,
    server_cert: CertificateDer<'static>,
}

/// A byte stream over either transport.
trait Io: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send {}
impl<T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send> Io for T {}

/// Opens a plain connection to a plugin's socket (`unix`) or port (`tcp`).
async fn dial(network: &str, address: &str) -> std::io::Result<Box<dyn Io>> {
    Ok(if network == "tcp" {
        Box::new(tokio::net::TcpStream::connect(address).await?)
    } else {
        Box::new(tokio::net::UnixStream::connect(address).await?)
    })
}

impl Drop for Plugin {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the example provider as a plugin on `transport` (`unix` or `tcp`) with `client_cert`
/// as `PLUGIN_CLIENT_CERT`, and reads the address and server certificate from its handshake.
fn start_plugin(client_cert: &str, transport: &str) -> Plugin {
    let mut child = Command::new(example_binary("file_provider"))
        .env(serve::MAGIC_COOKIE_KEY, serve::MAGIC_COOKIE_VALUE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "6")
        .env("PLUGIN_TRANSPORT", transport)
        .env("PLUGIN_CLIENT_CERT", client_cert)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let fields: Vec<&str> = line.trim_end().split('|').collect();
    assert_eq!(fields.len(), 6, "handshake line: {line}");
    let server_cert = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(fields[5])
        .unwrap();
    assert_eq!(fields[2], transport, "handshake line: {line}");
    Plugin {
        child,
        network: fields[2].to_string(),
        address: fields[3].to_string(),
        server_cert: CertificateDer::from(server_cert),
    }
}

/// A P-521 key signing with `ecdsa_secp521r1_sha512` (ring cannot sign with P-521).
#[derive(Clone)]
struct P521Key(p521::ecdsa::SigningKey);

impl std::fmt::Debug for P521Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("P521Key")
    }
}

impl SigningKey for P521Key {
    fn choose_scheme(&self, offered: &[SignatureScheme]) -> Option<Box<dyn Signer>> {
        offered
            .contains(&SignatureScheme::ECDSA_NISTP521_SHA512)
            .then(|| Box::new(self.clone()) as Box<dyn Signer>)
    }

    fn algorithm(&self) -> SignatureAlgorithm {
        SignatureAlgorithm::ECDSA
    }
}

impl Signer for P521Key {
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, rustls::Error> {
        use p521::ecdsa::signature::Signer as _;
        let signature: p521::ecdsa::Signature = self.0.sign(message);
        Ok(signature.to_der().as_bytes().to_vec())
    }

    fn scheme(&self) -> SignatureScheme {
        SignatureScheme::ECDSA_NISTP521_SHA512
    }
}

/// Always presents one certificate.
#[derive(Debug)]
struct Presents(Arc<CertifiedKey>);

impl rustls::client::ResolvesClientCert for Presents {
    fn resolve(&self, _hints: &[&[u8]], _schemes: &[SignatureScheme]) -> Option<Arc<CertifiedKey>> {
        Some(self.0.clone())
    }

    fn has_certs(&self) -> bool {
        true
    }
}

/// A client identity: certificate PEM and PKCS#8 key PEM.
fn identity(cert_pem: &str, key_pem: &str) -> Arc<Presents> {
    use p521::pkcs8::DecodePrivateKey;
    let cert = CertificateDer::from_pem_slice(cert_pem.as_bytes()).unwrap();
    let key = P521Key(
        p521::ecdsa::SigningKey::from_bytes(
            &p521::SecretKey::from_pkcs8_pem(key_pem).unwrap().to_bytes(),
        )
        .unwrap(),
    );
    Arc::new(Presents(Arc::new(CertifiedKey::new(
        vec![cert],
        Arc::new(key),
    ))))
}

/// A TLS client trusting the plugin's certificate, speaking only `version`, presenting
/// `identity` (or nothing).
fn client_config(
    plugin: &Plugin,
    version: &'static rustls::SupportedProtocolVersion,
    identity: Option<Arc<Presents>>,
) -> Arc<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(plugin.server_cert.clone()).unwrap();
    let builder = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_protocol_versions(&[version])
    .unwrap()
    .with_root_certificates(roots);
    let mut config = match identity {
        Some(identity) => builder.with_client_cert_resolver(identity),
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = vec![b"h2".to_vec()];
    Arc::new(config)
}

/// Connects over TLS and asks the health service whether the plugin serves; the error text
/// when the connection or the call fails.
/// A health check over a client with `config`: `Err` when the plugin refused it, including when
/// it never answers (a refused TLS 1.3 client may only learn of the refusal by waiting; 10 s
/// bound that wait so a refusal can never hang the test).
async fn health_check(plugin: &Plugin, config: Arc<rustls::ClientConfig>) -> Result<(), String> {
    tokio::time::timeout(
        Duration::from_secs(10),
        health_check_unbounded(plugin, config),
    )
    .await
    .unwrap_or_else(|_| Err("no answer within 10 s".to_string()))
}

async fn health_check_unbounded(
    plugin: &Plugin,
    config: Arc<rustls::ClientConfig>,
) -> Result<(), String> {
    let (network, address) = (plugin.network.clone(), plugin.address.clone());
    let connector = tokio_rustls::TlsConnector::from(config);
    let channel = tonic::transport::Endpoint::from_static("http://localhost")
        .connect_with_connector(tower::service_fn(move |_| {
            let (network, address) = (network.clone(), address.clone());
            let connector = connector.clone();
            async move {
                let stream = dial(&network, &address).await?;
                let name = ServerName::try_from("localhost").unwrap();
                let tls = connector.connect(name, stream).await?;
                Ok::<_, std::io::Error>(hyper_util::rt::TokioIo::new(tls))
            }
        }))
        .await
        .map_err(|e| format!("connect: {e:?}"))?;
    HealthClient::new(channel)
        .check(HealthCheckRequest {
            service: "plugin".into(),
        })
        .await
        .map(|_| ())
        .map_err(|status| format!("{status:?}"))
}

/// Completes a raw TLS handshake, sends the HTTP/2 preface and returns what the server sends
/// back: the server's verdict on the client certificate comes after the handshake (in TLS 1.3
/// the client finishes first), as HTTP/2 frames or as an alert and a closed connection.
async fn first_reply(
    plugin: &Plugin,
    config: Arc<rustls::ClientConfig>,
) -> std::io::Result<Vec<u8>> {
    // No reply within 10 s is no reply: the refusal case then reads as an empty answer.
    tokio::time::timeout(
        Duration::from_secs(10),
        first_reply_unbounded(plugin, config),
    )
    .await
    .unwrap_or(Ok(Vec::new()))
}

async fn first_reply_unbounded(
    plugin: &Plugin,
    config: Arc<rustls::ClientConfig>,
) -> std::io::Result<Vec<u8>> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let stream = dial(&plugin.network, &plugin.address).await?;
    let name = ServerName::try_from("localhost").unwrap();
    let mut tls = tokio_rustls::TlsConnector::from(config)
        .connect(name, stream)
        .await?;
    tls.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\0\0\0\x04\0\0\0\0\0")
        .await?;
    let mut buffer = [0u8; 64];
    let read = tls.read(&mut buffer).await?;
    Ok(buffer[..read].to_vec())
}

/// Asserts the server refused the connection: an error (alert, reset) or end of stream, and no
/// HTTP/2 frame.
fn assert_refused(reply: std::io::Result<Vec<u8>>, case: &str) {
    match reply {
        Ok(bytes) => assert!(bytes.is_empty(), "{case}: the server answered {bytes:02x?}"),
        Err(error) => eprintln!("{case}: refused with {error}"),
    }
}

/// Every transport with both TLS versions.
fn transports_and_versions() -> Vec<(&'static str, &'static rustls::SupportedProtocolVersion)> {
    let mut pairs = Vec::new();
    for transport in ["unix", "tcp"] {
        for version in [&rustls::version::TLS13, &rustls::version::TLS12] {
            pairs.push((transport, version));
        }
    }
    pairs
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pinned_certificate_is_served_in_tls13_and_tls12() {
    for (transport, version) in transports_and_versions() {
        let plugin = start_plugin(PINNED_CERT, transport);
        let config = client_config(&plugin, version, Some(identity(PINNED_CERT, PINNED_KEY)));
        let reply = first_reply(&plugin, config.clone()).await.unwrap();
        assert_eq!(
            reply.get(3),
            Some(&4),
            "{transport} {version:?}: an HTTP/2 SETTINGS frame first"
        );
        health_check(&plugin, config)
            .await
            .unwrap_or_else(|e| panic!("{transport} {version:?}: {e}"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_certificate_is_refused_at_the_tls_layer() {
    for (transport, version) in transports_and_versions() {
        let plugin = start_plugin(PINNED_CERT, transport);
        let config = client_config(&plugin, version, Some(identity(OTHER_CERT, OTHER_KEY)));
        let case = format!("{transport} {version:?}");
        assert_refused(first_reply(&plugin, config.clone()).await, &case);
        assert!(health_check(&plugin, config).await.is_err());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_without_a_certificate_is_refused() {
    for (transport, version) in transports_and_versions() {
        let plugin = start_plugin(PINNED_CERT, transport);
        let config = client_config(&plugin, version, None);
        let case = format!("{transport} {version:?}");
        assert_refused(first_reply(&plugin, config.clone()).await, &case);
        assert!(health_check(&plugin, config).await.is_err());
    }
}

#[test]
fn a_malformed_client_certificate_stops_start_up_with_a_message() {
    let output = Command::new(example_binary("file_provider"))
        .env(serve::MAGIC_COOKIE_KEY, serve::MAGIC_COOKIE_VALUE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "6")
        .env("PLUGIN_CLIENT_CERT", "not a certificate")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("PLUGIN_CLIENT_CERT"), "{stderr}");
    assert!(output.stdout.is_empty(), "no handshake line");
}
