//! Serving the provider: plugin mode (TLS on a private unix socket or loopback TCP, handshake on
//! stdout, until `GRPCController.Shutdown`), debug/reattach mode, and the binary's command line
//! (`run`).

use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;
use tokio_stream::wrappers::ReceiverStream;
use tokio_util::sync::CancellationToken;
use tonic::transport::Server;

#[cfg(unix)]
pub use super::handshake::SocketDir;
pub use super::handshake::{
    MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE, MAX_MESSAGE_SIZE, PROTOCOL_VERSION, check_magic_cookie,
    handshake_line, negotiate_protocol, reattach_json, server_tls_config,
    server_tls_config_from_env,
};
pub use super::listener::{Accept, PluginListener, TRANSPORT_ENV, Transport};

use super::framework::Provider;
use super::plugin_services::{Controller, Stdio, health_server};
use super::routes::Routes;
use super::server::provider_server;

/// How long a graceful stop may take before the process exits anyway.
const GRACEFUL_STOP: Duration = Duration::from_millis(1500);

/// Every service of the plugin: the provider, controller, stdio and health.
async fn plugin_routes<P: Provider>(provider: P, shutdown: &CancellationToken) -> Routes {
    Routes::default()
        .with(provider_server(provider))
        .with(Controller::server(shutdown.clone()))
        .with(Stdio::server(shutdown.clone()))
        .with(health_server().await)
}

/// Accepts connections and completes TLS handshakes off the accept loop.
fn tls_incoming<L: Accept>(
    listener: L,
    acceptor: TlsAcceptor,
    shutdown: CancellationToken,
) -> ReceiverStream<io::Result<tokio_rustls::server::TlsStream<L::Stream>>> {
    let (sender, receiver) = tokio::sync::mpsc::channel(16);
    tokio::spawn(async move {
        loop {
            let accepted = tokio::select! {
                () = shutdown.cancelled() => break,
                accepted = listener.accept_stream() => accepted,
            };
            let stream = match accepted {
                Ok(stream) => stream,
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
#[cfg(unix)]
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

/// Ignores Ctrl-C (Terraform forwards it, then calls StopProvider); Terraform ends the plugin
/// through `GRPCController.Shutdown`.
#[cfg(not(unix))]
fn handle_signals(_shutdown: CancellationToken) -> io::Result<()> {
    tokio::spawn(async move {
        while tokio::signal::ctrl_c().await.is_ok() {
            tracing::debug!("Ctrl-C ignored; waiting for StopProvider");
        }
    });
    Ok(())
}

/// Serves as a Terraform plugin: TLS on a private unix socket (or loopback TCP, see
/// [`Transport`]), handshake on stdout, until `GRPCController.Shutdown` (or SIGTERM).
pub async fn serve_plugin<P: Provider>(provider: P) -> Result<(), String> {
    negotiate_protocol(std::env::var("PLUGIN_PROTOCOL_VERSIONS").ok().as_deref())?;
    let transport = Transport::choose(std::env::var(TRANSPORT_ENV).ok().as_deref())?;
    let listener = PluginListener::bind(transport).await?;
    let (network, address) = (listener.network(), listener.address());
    let (tls, cert_der) = server_tls_config_from_env()?;
    let shutdown = CancellationToken::new();
    handle_signals(shutdown.clone()).map_err(|e| format!("installing signal handlers: {e}"))?;
    let routes = plugin_routes(provider, &shutdown).await;
    let acceptor = TlsAcceptor::from(tls);
    let stopped = shutdown.clone().cancelled_owned();
    // The socket directory (unix only) lives until the server is done; dropping it removes it.
    let (server, _socket_dir): (_, Option<Box<dyn Send>>) = match listener {
        #[cfg(unix)]
        PluginListener::Unix { listener, dir } => {
            let incoming = tls_incoming(listener, acceptor, shutdown.clone());
            let server = Server::builder().serve_with_incoming_shutdown(routes, incoming, stopped);
            (tokio::spawn(server), Some(Box::new(dir)))
        }
        PluginListener::Tcp { listener, .. } => {
            let incoming = tls_incoming(listener, acceptor, shutdown.clone());
            let server = Server::builder().serve_with_incoming_shutdown(routes, incoming, stopped);
            (tokio::spawn(server), None)
        }
    };
    let mut stdout = io::stdout().lock();
    writeln!(stdout, "{}", handshake_line(network, &address, &cert_der))
        .and_then(|()| stdout.flush())
        .map_err(|e| format!("writing the handshake: {e}"))?;
    drop(stdout);
    tracing::info!(network, address = %address, "plugin server started");
    run_until_shutdown(server, shutdown).await
}

/// A provider served in debug mode (plaintext on a private unix socket) for reattach.
/// Dropping it stops the server.
pub struct DebugServer {
    reattach: String,
    network: &'static str,
    address: String,
    shutdown: CancellationToken,
    task: Option<JoinHandle<Result<(), tonic::transport::Error>>>,
    #[cfg(unix)]
    _dir: Option<SocketDir>,
}

impl DebugServer {
    /// The `TF_REATTACH_PROVIDERS` value that points Terraform at this server.
    pub fn reattach_json(&self) -> &str {
        &self.reattach
    }

    /// `unix` or `tcp`.
    pub fn network(&self) -> &'static str {
        self.network
    }

    /// The socket path or `127.0.0.1:PORT` the server listens on.
    pub fn address(&self) -> &str {
        &self.address
    }

    /// The unix socket's path (unix sockets are the debug server's transport on Unix).
    #[cfg(unix)]
    pub fn socket_path(&self) -> &Path {
        Path::new(&self.address)
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

/// Starts `provider` in debug mode on the current tokio runtime (a unix socket on Unix, loopback
/// TCP elsewhere); `source` is the provider address used as the reattach key, e.g.
/// `registry.terraform.io/cfsecrets/cloudflare`.
pub async fn serve_debug<P: Provider>(provider: P, source: &str) -> io::Result<DebugServer> {
    let listener = PluginListener::bind(Transport::choose(None).map_err(io::Error::other)?)
        .await
        .map_err(io::Error::other)?;
    let (network, address) = (listener.network(), listener.address());
    let shutdown = CancellationToken::new();
    let routes = plugin_routes(provider, &shutdown).await;
    let stopped = shutdown.clone().cancelled_owned();
    #[cfg(unix)]
    let mut socket_dir = None;
    let task = match listener {
        #[cfg(unix)]
        PluginListener::Unix { listener, dir } => {
            socket_dir = Some(dir);
            let incoming = tokio_stream::wrappers::UnixListenerStream::new(listener);
            tokio::spawn(Server::builder().serve_with_incoming_shutdown(routes, incoming, stopped))
        }
        PluginListener::Tcp { listener, .. } => {
            let incoming = tokio_stream::wrappers::TcpListenerStream::new(listener);
            tokio::spawn(Server::builder().serve_with_incoming_shutdown(routes, incoming, stopped))
        }
    };
    Ok(DebugServer {
        reattach: reattach_json(source, std::process::id(), network, &address),
        network,
        address,
        shutdown,
        task: Some(task),
        #[cfg(unix)]
        _dir: socket_dir,
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

/// Resolves on SIGINT or SIGTERM (Ctrl-C elsewhere). The handlers are installed when this is
/// called, before the returned future is first polled, so a signal sent right after the caller
/// announced itself is caught instead of killing the process.
fn interrupted_or_terminated() -> Result<impl std::future::Future<Output = ()>, String> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut interrupt = signal(SignalKind::interrupt()).map_err(|e| e.to_string())?;
        let mut terminate = signal(SignalKind::terminate()).map_err(|e| e.to_string())?;
        Ok(async move {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
        })
    }
    #[cfg(not(unix))]
    {
        let mut ctrl_c = tokio::signal::windows::ctrl_c().map_err(|e| e.to_string())?;
        Ok(async move {
            ctrl_c.recv().await;
        })
    }
}

async fn serve_debug_until_signal<P: Provider>(provider: P, source: &str) -> Result<(), String> {
    let server = serve_debug(provider, source)
        .await
        .map_err(|e| format!("starting the debug server: {e}"))?;
    let signalled = interrupted_or_terminated();
    println!(
        "Provider started in debug mode. To attach Terraform, set this in the shell that runs it:\n\n\
         \tTF_REATTACH_PROVIDERS='{}'\n\nStop with Ctrl-C.",
        server.reattach_json()
    );
    let _ = io::stdout().flush();
    let result = match signalled {
        Ok(signal) => {
            signal.await;
            Ok(())
        }
        Err(e) => Err(e),
    };
    server.shutdown().await;
    result
}

/// The whole binary: parses `args`, then serves `provider` as a plugin or in debug mode.
/// `source` is the provider address (for debug mode), e.g. `registry.terraform.io/cfsecrets/cloudflare`.
pub fn run<P: Provider>(provider: P, source: &str, args: Vec<String>) -> ExitCode {
    let _ = rustls::crypto::ring::default_provider().install_default();
    super::hclog::install_panic_hook(source);
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
    fn arguments_parse() {
        assert_eq!(parse_args(Vec::<String>::new()), Ok(Command::Plugin));
        assert_eq!(parse_args(vec!["--debug".into()]), Ok(Command::Debug));
        assert_eq!(parse_args(vec!["--version".into()]), Ok(Command::Version));
        assert!(parse_args(vec!["--bogus".into()]).is_err());
    }
}
