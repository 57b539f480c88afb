//! Serving the provider: go-plugin start-up (magic cookie, version negotiation, unix socket in a
//! private directory, server-auth TLS, the handshake line), debug/reattach mode, and shutdown.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use tokio::net::{UnixListener, UnixStream};
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;
use tokio_stream::wrappers::{ReceiverStream, UnixListenerStream};
use tokio_util::sync::CancellationToken;
use tonic::transport::Server;
use tonic::transport::server::Router;

use super::framework::Provider;
use super::plugin_services::{Controller, Stdio, health_server};
use super::server::provider_server;

/// The environment variable go-plugin hosts set to show the binary is run as a plugin.
pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
/// Terraform's magic cookie value.
pub const MAGIC_COOKIE_VALUE: &str =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
/// The only plugin protocol major version this server speaks.
pub const PROTOCOL_VERSION: u32 = 6;
/// gRPC message size limit, both ways (Terraform's own client allows this much).
pub const MAX_MESSAGE_SIZE: usize = 256 * 1024 * 1024;
/// How long a graceful stop may take before the process exits anyway.
const GRACEFUL_STOP: Duration = Duration::from_millis(1500);

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

/// The go-plugin handshake line (without newline): `1|6|unix|<path>|grpc|<cert DER, base64 no padding>`.
pub fn handshake_line(socket: &Path, cert_der: &[u8]) -> String {
    format!(
        "1|{PROTOCOL_VERSION}|unix|{}|grpc|{}",
        socket.display(),
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(cert_der)
    )
}

/// The `TF_REATTACH_PROVIDERS` JSON for a debug server of provider `source` on a unix socket.
pub fn reattach_json(source: &str, pid: u32, socket: &Path) -> String {
    serde_json::json!({
        source: {
            "Protocol": "grpc",
            "ProtocolVersion": PROTOCOL_VERSION,
            "Pid": pid,
            "Test": true,
            "Addr": {"Network": "unix", "String": socket.to_string_lossy()},
        }
    })
    .to_string()
}

/// A fresh directory with mode 0700 holding the plugin's unix socket; removed on drop.
pub struct SocketDir {
    dir: PathBuf,
}

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

    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// The socket path inside the directory.
    pub fn socket_path(&self) -> PathBuf {
        self.dir.join("plugin.sock")
    }
}

impl Drop for SocketDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A server-auth TLS configuration with a fresh self-signed certificate for `localhost`
/// (ALPN `h2`, no client certificate requested), and that certificate's DER.
pub fn server_tls_config() -> io::Result<(Arc<rustls::ServerConfig>, Vec<u8>)> {
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
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(io::Error::other)?
        .with_no_client_auth()
        .with_single_cert(vec![cert.der().clone()], key_der)
        .map_err(io::Error::other)?;
    config.alpn_protocols = vec![b"h2".to_vec()];
    Ok((Arc::new(config), cert_der))
}

/// Every service of the plugin on one router: the provider, controller, stdio and health.
async fn plugin_router<P: Provider>(provider: P, shutdown: &CancellationToken) -> Router {
    Server::builder()
        .add_service(provider_server(provider))
        .add_service(Controller::server(shutdown.clone()))
        .add_service(Stdio::server(shutdown.clone()))
        .add_service(health_server().await)
}

/// Accepts unix connections and completes TLS handshakes off the accept loop.
fn tls_incoming(
    listener: UnixListener,
    acceptor: TlsAcceptor,
    shutdown: CancellationToken,
) -> ReceiverStream<io::Result<tokio_rustls::server::TlsStream<UnixStream>>> {
    let (sender, receiver) = tokio::sync::mpsc::channel(16);
    tokio::spawn(async move {
        loop {
            let accepted = tokio::select! {
                () = shutdown.cancelled() => break,
                accepted = listener.accept() => accepted,
            };
            let (stream, _) = match accepted {
                Ok(pair) => pair,
                Err(error) => {
                    tracing::warn!(%error, "accepting a connection failed");
                    continue;
                }
            };
            let acceptor = acceptor.clone();
            let sender = sender.clone();
            tokio::spawn(async move {
                match acceptor.accept(stream).await {
                    Ok(tls) => {
                        let _ = sender.send(Ok(tls)).await;
                    }
                    Err(error) => tracing::warn!(%error, "TLS handshake failed"),
                }
            });
        }
    });
    ReceiverStream::new(receiver)
}

/// Waits for `server` to end after `shutdown` fires, at most [`GRACEFUL_STOP`].
async fn run_until_shutdown(
    mut server: JoinHandle<Result<(), tonic::transport::Error>>,
    shutdown: CancellationToken,
) -> Result<(), String> {
    tokio::select! {
        () = shutdown.cancelled() => {}
        finished = &mut server => {
            return match finished {
                Ok(Ok(())) => Ok(()),
                Ok(Err(e)) => Err(format!("gRPC server failed: {e}")),
                Err(e) => Err(format!("gRPC server task failed: {e}")),
            };
        }
    }
    if tokio::time::timeout(GRACEFUL_STOP, server).await.is_err() {
        tracing::debug!("connections still open after shutdown; exiting anyway");
    }
    Ok(())
}

/// Ignores SIGINT (Terraform forwards Ctrl-C, then calls StopProvider) and turns SIGTERM into
/// a shutdown.
fn handle_signals(shutdown: CancellationToken) -> io::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = interrupt.recv() => tracing::debug!("SIGINT ignored; waiting for StopProvider"),
                _ = terminate.recv() => {
                    shutdown.cancel();
                    break;
                }
            }
        }
    });
    Ok(())
}

/// Serves as a Terraform plugin: TLS on a private unix socket, handshake on stdout, until
/// `GRPCController.Shutdown` (or SIGTERM).
pub async fn serve_plugin<P: Provider>(provider: P) -> Result<(), String> {
    negotiate_protocol(std::env::var("PLUGIN_PROTOCOL_VERSIONS").ok().as_deref())?;
    let dir = SocketDir::create().map_err(|e| format!("creating the socket directory: {e}"))?;
    let socket = dir.socket_path();
    let listener =
        UnixListener::bind(&socket).map_err(|e| format!("binding {}: {e}", socket.display()))?;
    let (tls, cert_der) = server_tls_config().map_err(|e| format!("setting up TLS: {e}"))?;
    let shutdown = CancellationToken::new();
    handle_signals(shutdown.clone()).map_err(|e| format!("installing signal handlers: {e}"))?;
    let router = plugin_router(provider, &shutdown).await;
    let incoming = tls_incoming(listener, TlsAcceptor::from(tls), shutdown.clone());
    let server = tokio::spawn(
        router.serve_with_incoming_shutdown(incoming, shutdown.clone().cancelled_owned()),
    );
    let mut stdout = io::stdout().lock();
    writeln!(stdout, "{}", handshake_line(&socket, &cert_der))
        .and_then(|()| stdout.flush())
        .map_err(|e| format!("writing the handshake: {e}"))?;
    drop(stdout);
    tracing::info!(socket = %socket.display(), "plugin server started");
    let result = run_until_shutdown(server, shutdown).await;
    drop(dir);
    result
}

/// A provider served in debug mode (plaintext on a private unix socket) for reattach.
/// Dropping it stops the server.
pub struct DebugServer {
    reattach: String,
    socket: PathBuf,
    shutdown: CancellationToken,
    task: Option<JoinHandle<Result<(), tonic::transport::Error>>>,
    _dir: SocketDir,
}

impl DebugServer {
    /// The `TF_REATTACH_PROVIDERS` value that points Terraform at this server.
    pub fn reattach_json(&self) -> &str {
        &self.reattach
    }

    pub fn socket_path(&self) -> &Path {
        &self.socket
    }

    /// A token that stops the server when cancelled.
    pub fn shutdown_token(&self) -> CancellationToken {
        self.shutdown.clone()
    }

    /// Stops the server and waits (briefly) for it to finish.
    pub async fn shutdown(mut self) {
        self.shutdown.cancel();
        if let Some(task) = self.task.take() {
            let _ = tokio::time::timeout(GRACEFUL_STOP, task).await;
        }
    }
}

impl Drop for DebugServer {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

/// Starts `provider` in debug mode on the current tokio runtime; `source` is the provider
/// address used as the reattach key, e.g. `registry.terraform.io/cfsecrets/cloudflare`.
pub async fn serve_debug<P: Provider>(provider: P, source: &str) -> io::Result<DebugServer> {
    let dir = SocketDir::create()?;
    let socket = dir.socket_path();
    let listener = UnixListener::bind(&socket)?;
    let shutdown = CancellationToken::new();
    let router = plugin_router(provider, &shutdown).await;
    let task = tokio::spawn(router.serve_with_incoming_shutdown(
        UnixListenerStream::new(listener),
        shutdown.clone().cancelled_owned(),
    ));
    Ok(DebugServer {
        reattach: reattach_json(source, std::process::id(), &socket),
        socket,
        shutdown,
        task: Some(task),
        _dir: dir,
    })
}

/// What the command line asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Run as a plugin launched by Terraform / OpenTofu.
    Plugin,
    /// `--debug`: serve for reattach until SIGINT/SIGTERM.
    Debug,
    /// `--version`.
    Version,
    /// `--help`.
    Help,
}

/// Parses the binary's arguments (without the program name).
pub fn parse_args<I: IntoIterator<Item = String>>(args: I) -> Result<Command, String> {
    let mut command = Command::Plugin;
    for arg in args {
        command = match arg.as_str() {
            "--debug" | "-debug" => Command::Debug,
            "--version" | "-version" | "-v" => Command::Version,
            "--help" | "-help" | "-h" => Command::Help,
            other => {
                return Err(format!(
                    "unknown argument {other:?}; try --help, --version or --debug"
                ));
            }
        };
    }
    Ok(command)
}

fn usage(binary: &str) -> String {
    format!(
        "{binary}: a Terraform / OpenTofu provider plugin. Terraform starts it by itself.\n\n\
         Options:\n  --debug     serve for a debugger: prints a TF_REATTACH_PROVIDERS value to use\n  \
         --version   print the version\n  --help      print this text\n"
    )
}

async fn serve_debug_until_signal<P: Provider>(provider: P, source: &str) -> Result<(), String> {
    use tokio::signal::unix::{SignalKind, signal};
    let server = serve_debug(provider, source)
        .await
        .map_err(|e| format!("starting the debug server: {e}"))?;
    let mut interrupt = signal(SignalKind::interrupt()).map_err(|e| e.to_string())?;
    let mut terminate = signal(SignalKind::terminate()).map_err(|e| e.to_string())?;
    println!(
        "Provider started in debug mode. To attach Terraform, set this in the shell that runs it:\n\n\
         \tTF_REATTACH_PROVIDERS='{}'\n\nStop with Ctrl-C.",
        server.reattach_json()
    );
    let _ = io::stdout().flush();
    tokio::select! {
        _ = interrupt.recv() => {}
        _ = terminate.recv() => {}
    }
    server.shutdown().await;
    Ok(())
}

/// The whole binary: parses `args`, then serves `provider` as a plugin or in debug mode.
/// `source` is the provider address (for debug mode), e.g. `registry.terraform.io/cfsecrets/cloudflare`.
pub fn run<P: Provider>(provider: P, source: &str, args: Vec<String>) -> ExitCode {
    let _ = rustls::crypto::ring::default_provider().install_default();
    super::hclog::install_panic_hook();
    let binary = args
        .first()
        .map(|a| {
            Path::new(a)
                .file_name()
                .map_or(a.clone(), |f| f.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| "terraform-provider".to_string());
    let command = match parse_args(args.into_iter().skip(1)) {
        Ok(command) => command,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    match command {
        Command::Version => {
            println!("{binary} {}", provider.version());
            return ExitCode::SUCCESS;
        }
        Command::Help => {
            print!("{}", usage(&binary));
            return ExitCode::SUCCESS;
        }
        Command::Plugin => {
            if let Err(message) =
                check_magic_cookie(std::env::var(MAGIC_COOKIE_KEY).ok().as_deref())
            {
                eprintln!("{message}");
                return ExitCode::FAILURE;
            }
            if let Err(message) =
                negotiate_protocol(std::env::var("PLUGIN_PROTOCOL_VERSIONS").ok().as_deref())
            {
                eprintln!("{message}");
                return ExitCode::FAILURE;
            }
        }
        Command::Debug => {}
    }
    super::hclog::init_from_env(&format!("provider.{binary}"));
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("starting the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match command {
            Command::Debug => serve_debug_until_signal(provider, source).await,
            _ => serve_plugin(provider).await,
        }
    });
    runtime.shutdown_timeout(Duration::from_millis(200));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            tracing::error!("{message}");
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
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
        let line = handshake_line(Path::new("/tmp/x/plugin.sock"), &[1, 2, 3, 4]);
        assert_eq!(line, "1|6|unix|/tmp/x/plugin.sock|grpc|AQIDBA");
        assert!(!line.contains('='));
    }

    #[test]
    fn reattach_json_has_what_terraform_reads() {
        let json = reattach_json(
            "registry.terraform.io/cfsecrets/cloudflare",
            42,
            Path::new("/tmp/s.sock"),
        );
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        let entry = &v["registry.terraform.io/cfsecrets/cloudflare"];
        assert_eq!(entry["Protocol"], "grpc");
        assert_eq!(entry["ProtocolVersion"], 6);
        assert_eq!(entry["Pid"], 42);
        assert_eq!(entry["Test"], true);
        assert_eq!(entry["Addr"]["Network"], "unix");
        assert_eq!(entry["Addr"]["String"], "/tmp/s.sock");
    }

    #[test]
    fn socket_dir_is_private_and_removed_on_drop() {
        use std::os::unix::fs::PermissionsExt;
        let dir = SocketDir::create().unwrap();
        let path = dir.path().to_path_buf();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
        drop(dir);
        assert!(!path.exists());
    }

    #[test]
    fn tls_config_offers_h2_and_a_localhost_certificate() {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let (config, der) = server_tls_config().unwrap();
        assert_eq!(config.alpn_protocols, vec![b"h2".to_vec()]);
        assert!(der.len() > 50);
    }

    #[test]
    fn arguments_parse() {
        assert_eq!(parse_args(Vec::<String>::new()), Ok(Command::Plugin));
        assert_eq!(parse_args(vec!["--debug".into()]), Ok(Command::Debug));
        assert_eq!(parse_args(vec!["--version".into()]), Ok(Command::Version));
        assert!(parse_args(vec!["--bogus".into()]).is_err());
    }
}
