//! Where the plugin listens: a private unix socket, or TCP on 127.0.0.1 within go-plugin's
//! `PLUGIN_MIN_PORT`..=`PLUGIN_MAX_PORT` (the default on Windows; `PLUGIN_TRANSPORT=tcp` elsewhere).

use std::io;
use std::net::SocketAddr;

use tokio::net::{TcpListener, TcpStream};

#[cfg(unix)]
use super::handshake::SocketDir;
#[cfg(unix)]
use tokio::net::{UnixListener, UnixStream};

/// The environment variable that picks the transport on Unix: `unix` (default) or `tcp`.
pub const TRANSPORT_ENV: &str = "PLUGIN_TRANSPORT";

/// How Terraform reaches the plugin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// A socket file in a fresh private directory (Unix only).
    Unix,
    /// TCP on the loopback interface.
    Tcp,
}

impl Transport {
    /// The transport for this platform and the `PLUGIN_TRANSPORT` value (if set).
    pub fn choose(requested: Option<&str>) -> Result<Transport, String> {
        match requested.map(str::trim) {
            None | Some("") => Ok(if cfg!(unix) {
                Transport::Unix
            } else {
                Transport::Tcp
            }),
            Some("tcp") => Ok(Transport::Tcp),
            Some("unix") if cfg!(unix) => Ok(Transport::Unix),
            Some("unix") => Err(format!(
                "{TRANSPORT_ENV}=unix is not available on this platform; unset it to use tcp"
            )),
            Some(other) => Err(format!(
                "{TRANSPORT_ENV}={other:?} is not a transport; use \"tcp\" or \"unix\""
            )),
        }
    }
}

/// The inclusive port range from `PLUGIN_MIN_PORT` / `PLUGIN_MAX_PORT` (each 0 when unset; a
/// range of 0..=0 lets the OS pick a port).
pub fn port_range(min: Option<&str>, max: Option<&str>) -> Result<(u16, u16), String> {
    let parse = |name: &str, value: Option<&str>| -> Result<u16, String> {
        match value.map(str::trim) {
            None | Some("") => Ok(0),
            Some(text) => text
                .parse::<u16>()
                .map_err(|_| format!("{name}={text:?} is not a port number (0 to 65535)")),
        }
    };
    let min = parse("PLUGIN_MIN_PORT", min)?;
    let max = parse("PLUGIN_MAX_PORT", max)?;
    if min > max {
        return Err(format!(
            "PLUGIN_MIN_PORT ({min}) is greater than PLUGIN_MAX_PORT ({max})"
        ));
    }
    Ok((min, max))
}

/// Binds the first free port of `min..=max` on 127.0.0.1.
pub async fn bind_loopback(min: u16, max: u16) -> io::Result<TcpListener> {
    for port in min..=max {
        if let Ok(listener) = TcpListener::bind(("127.0.0.1", port)).await {
            return Ok(listener);
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AddrInUse,
        format!(
            "no free TCP port on 127.0.0.1 between {min} and {max} (PLUGIN_MIN_PORT..PLUGIN_MAX_PORT)"
        ),
    ))
}

/// A bound listener and what the handshake says about it.
pub enum PluginListener {
    #[cfg(unix)]
    Unix {
        listener: UnixListener,
        /// Removed (with the socket) when this is dropped.
        dir: SocketDir,
    },
    Tcp {
        listener: TcpListener,
        address: SocketAddr,
    },
}

impl PluginListener {
    /// Binds a listener for `transport`; TCP honours `PLUGIN_MIN_PORT` / `PLUGIN_MAX_PORT`.
    pub async fn bind(transport: Transport) -> Result<PluginListener, String> {
        match transport {
            #[cfg(unix)]
            Transport::Unix => {
                let dir = SocketDir::create()
                    .map_err(|e| format!("creating the socket directory: {e}"))?;
                let socket = dir.socket_path();
                let listener = UnixListener::bind(&socket)
                    .map_err(|e| format!("binding {}: {e}", socket.display()))?;
                Ok(PluginListener::Unix { listener, dir })
            }
            #[cfg(not(unix))]
            Transport::Unix => Err("unix sockets are not available on this platform".into()),
            Transport::Tcp => {
                let (min, max) = port_range(
                    std::env::var("PLUGIN_MIN_PORT").ok().as_deref(),
                    std::env::var("PLUGIN_MAX_PORT").ok().as_deref(),
                )?;
                let listener = bind_loopback(min, max)
                    .await
                    .map_err(|e| format!("binding a TCP port: {e}"))?;
                let address = listener
                    .local_addr()
                    .map_err(|e| format!("reading the bound TCP address: {e}"))?;
                Ok(PluginListener::Tcp { listener, address })
            }
        }
    }

    /// go-plugin's network name: `unix` or `tcp`.
    pub fn network(&self) -> &'static str {
        match self {
            #[cfg(unix)]
            PluginListener::Unix { .. } => "unix",
            PluginListener::Tcp { .. } => "tcp",
        }
    }

    /// The address Terraform dials: the socket path, or `127.0.0.1:PORT`.
    pub fn address(&self) -> String {
        match self {
            #[cfg(unix)]
            PluginListener::Unix { dir, .. } => dir.socket_path().display().to_string(),
            PluginListener::Tcp { address, .. } => address.to_string(),
        }
    }
}

/// A listener the plugin's accept loop can take connections from.
pub trait Accept: Send + Sync + 'static {
    type Stream: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static;

    fn accept_stream(&self) -> impl Future<Output = io::Result<Self::Stream>> + Send;
}

impl Accept for TcpListener {
    type Stream = TcpStream;

    async fn accept_stream(&self) -> io::Result<TcpStream> {
        let (stream, _) = self.accept().await?;
        // gRPC frames are small and latency-bound: no Nagle delay on loopback.
        let _ = stream.set_nodelay(true);
        Ok(stream)
    }
}

#[cfg(unix)]
impl Accept for UnixListener {
    type Stream = UnixStream;

    async fn accept_stream(&self) -> io::Result<UnixStream> {
        self.accept().await.map(|(stream, _)| stream)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_is_the_default_on_unix_and_tcp_can_be_chosen() {
        let default = Transport::choose(None).unwrap();
        if cfg!(unix) {
            assert_eq!(default, Transport::Unix);
        } else {
            assert_eq!(default, Transport::Tcp);
        }
        assert_eq!(Transport::choose(Some("tcp")), Ok(Transport::Tcp));
        assert_eq!(Transport::choose(Some("")), Ok(default));
        let error = Transport::choose(Some("pipe")).unwrap_err();
        assert!(error.contains("use \"tcp\" or \"unix\""), "{error}");
    }

    #[test]
    fn port_ranges_parse_and_are_checked() {
        assert_eq!(port_range(None, None), Ok((0, 0)));
        assert_eq!(port_range(Some("10000"), Some("25000")), Ok((10000, 25000)));
        let error = port_range(Some("20"), Some("10")).unwrap_err();
        assert!(error.contains("greater than PLUGIN_MAX_PORT"), "{error}");
        let error = port_range(Some("x"), Some("10")).unwrap_err();
        assert!(error.contains("PLUGIN_MIN_PORT=\"x\""), "{error}");
    }

    #[tokio::test]
    async fn binding_skips_taken_ports_and_stays_in_the_range() {
        let taken = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = taken.local_addr().unwrap().port();
        // The only port in range is taken: a clear error, not a port outside the range.
        let error = bind_loopback(port, port).await.unwrap_err();
        assert!(error.to_string().contains("no free TCP port"), "{error}");
        // With room above it, the next free port at or after `port` is used.
        let listener = bind_loopback(port, port.saturating_add(20)).await.unwrap();
        let bound = listener.local_addr().unwrap();
        assert!(bound.ip().is_loopback());
        assert!(bound.port() > port && bound.port() <= port.saturating_add(20));
    }

    #[tokio::test]
    async fn a_tcp_listener_reports_network_and_loopback_address() {
        let listener = PluginListener::bind(Transport::Tcp).await.unwrap();
        assert_eq!(listener.network(), "tcp");
        let address: SocketAddr = listener.address().parse().unwrap();
        assert_eq!(address.ip().to_string(), "127.0.0.1");
        assert_ne!(address.port(), 0);
    }
}
