//! go-plugin start-up pieces: the magic cookie, protocol negotiation, the handshake line, the
//! reattach JSON, the private socket directory, and the TLS configuration (mutual with the host).

use std::io;
#[cfg(unix)]
use std::path::PathBuf;
use std::sync::Arc;

use base64::Engine;
use rustls::pki_types::CertificateDer;

use super::client_auth::{CLIENT_CERT_ENV, PinnedClientCertificate, parse_client_certificate};

/// The environment variable go-plugin hosts set to show the binary is run as a plugin.
pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
/// Terraform's magic cookie value.
pub const MAGIC_COOKIE_VALUE: &str =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
/// The only plugin protocol major version this server speaks.
pub const PROTOCOL_VERSION: u32 = 6;
/// gRPC message size limit, both ways (Terraform's own client allows this much).
pub const MAX_MESSAGE_SIZE: usize = 256 * 1024 * 1024;

/// Checks the magic cookie; the error is a message for a human who ran the binary by hand.
pub fn check_magic_cookie(value: Option<&str>) -> Result<(), String> {
    if value == Some(MAGIC_COOKIE_VALUE) {
        return Ok(());
    }
    Err(format!(
        "This binary is a plugin. These are not meant to be executed directly.\n\
         Please execute the program that consumes these plugins (terraform or tofu), which will\n\
         load any plugins automatically. To debug the provider, run it with --debug and use the\n\
         TF_REATTACH_PROVIDERS line it prints. ({MAGIC_COOKIE_KEY} is missing or wrong.)"
    ))
}

/// Picks the protocol version from `PLUGIN_PROTOCOL_VERSIONS` (a comma-separated list, any order).
/// When the variable is absent the host predates negotiation; assume it speaks 6.
pub fn negotiate_protocol(offered: Option<&str>) -> Result<u32, String> {
    let Some(list) = offered else {
        return Ok(PROTOCOL_VERSION);
    };
    let versions: Vec<&str> = list
        .split(',')
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .collect();
    if versions
        .iter()
        .any(|v| v.parse::<u32>() == Ok(PROTOCOL_VERSION))
    {
        return Ok(PROTOCOL_VERSION);
    }
    Err(format!(
        "This provider speaks only plugin protocol {PROTOCOL_VERSION}, but the host offered [{}]. \
         Use Terraform 1.0 or later, or OpenTofu 1.6 or later.",
        versions.join(", ")
    ))
}

/// The go-plugin handshake line (without newline):
/// `1|6|<network>|<address>|grpc|<cert DER, base64 no padding>`, where network is `unix` (address:
/// the socket path) or `tcp` (address: `127.0.0.1:PORT`).
pub fn handshake_line(network: &str, address: &str, cert_der: &[u8]) -> String {
    format!(
        "1|{PROTOCOL_VERSION}|{network}|{address}|grpc|{}",
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(cert_der)
    )
}

/// The `TF_REATTACH_PROVIDERS` JSON for a debug server of provider `source` listening on
/// `network` (`unix` or `tcp`) at `address`.
pub fn reattach_json(source: &str, pid: u32, network: &str, address: &str) -> String {
    serde_json::json!({
        source: {
            "Protocol": "grpc",
            "ProtocolVersion": PROTOCOL_VERSION,
            "Pid": pid,
            "Test": true,
            "Addr": {"Network": network, "String": address},
        }
    })
    .to_string()
}

/// A fresh directory with mode 0700 holding the plugin's unix socket; removed on drop.
#[cfg(unix)]
pub struct SocketDir {
    dir: PathBuf,
}

#[cfg(unix)]
impl SocketDir {
    /// Creates the directory under the OS temp dir (or `PLUGIN_UNIX_SOCKET_DIR` when set).
    pub fn create() -> io::Result<SocketDir> {
        use std::os::unix::fs::DirBuilderExt;
        let base = std::env::var_os("PLUGIN_UNIX_SOCKET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(std::env::temp_dir);
        for _ in 0..16 {
            let dir = base.join(format!(
                "tfprov-{}-{:08x}",
                std::process::id(),
                rand::random::<u32>()
            ));
            match std::fs::DirBuilder::new().mode(0o700).create(&dir) {
                Ok(()) => return Ok(SocketDir { dir }),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
        Err(io::Error::other(
            "could not create a unique socket directory",
        ))
    }

    /// The socket path inside the directory.
    pub fn socket_path(&self) -> PathBuf {
        self.dir.join("plugin.sock")
    }
}

#[cfg(unix)]
impl Drop for SocketDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The TLS configuration for plugin mode, from the environment: the host's certificate in
/// `PLUGIN_CLIENT_CERT` is pinned (see [`server_tls_config`]).
pub fn server_tls_config_from_env() -> Result<(Arc<rustls::ServerConfig>, Vec<u8>), String> {
    let client = match std::env::var(CLIENT_CERT_ENV) {
        Ok(pem) => Some(parse_client_certificate(&pem)?),
        Err(_) => {
            tracing::warn!(
                "{CLIENT_CERT_ENV} is not set: any local process could connect to this plugin; \
                 run it from Terraform or OpenTofu, which set it"
            );
            None
        }
    };
    server_tls_config(client).map_err(|e| format!("setting up TLS: {e}"))
}

/// A TLS configuration with a fresh self-signed certificate for `localhost` (ALPN `h2`), and
/// that certificate's DER. With `client`, the server demands that exact client certificate
/// (go-plugin's AutoMTLS); without, it requests none.
pub fn server_tls_config(
    client: Option<CertificateDer<'static>>,
) -> io::Result<(Arc<rustls::ServerConfig>, Vec<u8>)> {
    let mut params =
        rcgen::CertificateParams::new(vec!["localhost".to_string()]).map_err(io::Error::other)?;
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "localhost");
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    let key = rcgen::KeyPair::generate().map_err(io::Error::other)?;
    let cert = params.self_signed(&key).map_err(io::Error::other)?;
    let cert_der = cert.der().to_vec();
    let key_der = rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into());
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let ring_algorithms = provider.signature_verification_algorithms;
    let builder = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(io::Error::other)?;
    let builder = match client {
        Some(pinned) => {
            builder.with_client_cert_verifier(PinnedClientCertificate::new(pinned, ring_algorithms))
        }
        None => builder.with_no_client_auth(),
    };
    let mut config = builder
        .with_single_cert(vec![cert.der().clone()], key_der)
        .map_err(io::Error::other)?;
    config.alpn_protocols = vec![b"h2".to_vec()];
    Ok((Arc::new(config), cert_der))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_must_match_exactly() {
        assert!(check_magic_cookie(Some(MAGIC_COOKIE_VALUE)).is_ok());
        let err = check_magic_cookie(None).unwrap_err();
        assert!(err.contains("not meant to be executed directly"), "{err}");
        assert!(check_magic_cookie(Some("nope")).is_err());
    }

    #[test]
    fn negotiation_picks_six_in_any_order() {
        assert_eq!(negotiate_protocol(Some("5,6")), Ok(6));
        assert_eq!(negotiate_protocol(Some("6,5")), Ok(6));
        assert_eq!(negotiate_protocol(Some(" 6 ")), Ok(6));
        assert_eq!(negotiate_protocol(None), Ok(6));
    }

    #[test]
    fn negotiation_explains_when_only_five_is_offered() {
        let err = negotiate_protocol(Some("5")).unwrap_err();
        assert!(err.contains("only plugin protocol 6"), "{err}");
        assert!(err.contains("[5]"), "{err}");
    }

    #[test]
    fn handshake_line_has_six_fields_and_unpadded_cert() {
        let line = handshake_line("unix", "/tmp/x/plugin.sock", &[1, 2, 3, 4]);
        assert_eq!(line, "1|6|unix|/tmp/x/plugin.sock|grpc|AQIDBA");
        assert!(!line.contains('='));
        let tcp = handshake_line("tcp", "127.0.0.1:10000", &[1, 2, 3, 4]);
        assert_eq!(tcp, "1|6|tcp|127.0.0.1:10000|grpc|AQIDBA");
    }

    #[test]
    fn reattach_json_has_what_terraform_reads() {
        let json = reattach_json(
            "registry.terraform.io/acme/example",
            42,
            "unix",
            "/tmp/s.sock",
        );
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        let entry = &v["registry.terraform.io/acme/example"];
        assert_eq!(entry["Protocol"], "grpc");
        assert_eq!(entry["ProtocolVersion"], 6);
        assert_eq!(entry["Pid"], 42);
        assert_eq!(entry["Test"], true);
        assert_eq!(entry["Addr"]["Network"], "unix");
        assert_eq!(entry["Addr"]["String"], "/tmp/s.sock");
    }

    #[cfg(unix)]
    #[test]
    fn socket_dir_is_private_and_removed_on_drop() {
        use std::os::unix::fs::PermissionsExt;
        let dir = SocketDir::create().unwrap();
        let path = dir.socket_path().parent().unwrap().to_path_buf();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
        drop(dir);
        assert!(!path.exists());
    }

    #[test]
    fn tls_config_offers_h2_and_a_localhost_certificate() {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let (config, der) = server_tls_config(None).unwrap();
        assert_eq!(config.alpn_protocols, vec![b"h2".to_vec()]);
        assert!(der.len() > 50);
    }
}
