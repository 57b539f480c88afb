//! Serving the provider: plugin mode (TLS on a private unix socket or loopback TCP, handshake on
//! stdout, until `GRPCController.Shutdown`) and debug/reattach mode; the binary's command line
//! (`run`) is in `command_line`.

use std::io::{self, Write};
#[cfg(unix)]
use std::path::Path;
use std::time::Duration;

use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;
use tokio_stream::wrappers::ReceiverStream;
use tokio_util::sync::CancellationToken;
use tonic::transport::Server;

use crate::framework::Provider;
#[cfg(unix)]
use crate::handshake::SocketDir;
use crate::handshake::{handshake_line, reattach_json, server_tls_config_from_env};
use crate::listener::{Accept, PluginListener, Transport};
use crate::plugin_services::{Controller, Stdio, health_server};
use crate::routes::Routes;
use crate::server::provider_server;

mod command_line;

pub use crate::handshake::{MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE};
pub use crate::listener::TRANSPORT_ENV;
pub use command_line::run;

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
/// [`Transport`]), handshake on stdout, until `GRPCController.Shutdown` (or SIGTERM). The
/// caller has checked the magic cookie and negotiated the protocol.
async fn serve_plugin<P: Provider>(provider: P) -> Result<(), String> {
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
    /// The socket path (unix sockets are the debug server's transport on Unix).
    #[cfg(unix)]
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

    /// The unix socket the server listens on.
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
/// `registry.terraform.io/acme/example`.
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
        #[cfg(unix)]
        address,
        shutdown,
        task: Some(task),
        #[cfg(unix)]
        _dir: socket_dir,
    })
}
