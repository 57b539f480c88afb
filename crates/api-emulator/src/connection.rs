//! A TCP listener whose connections can be severed from a handler, so a dropped-response
//! fault looks to the client like a connection closed before any response arrived.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

/// Accepts TCP connections wrapped in [`SeverableStream`].
pub(crate) struct SeverableListener {
    pub inner: TcpListener,
}

impl Listener for SeverableListener {
    type Io = SeverableStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        let (stream, address) = Listener::accept(&mut self.inner).await;
        let stream = SeverableStream {
            inner: stream,
            severed: Arc::new(AtomicBool::new(false)),
        };
        (stream, address)
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.inner.local_addr()
    }
}

/// A connection that fails every read and write once severed.
pub(crate) struct SeverableStream {
    inner: TcpStream,
    severed: Arc<AtomicBool>,
}

impl SeverableStream {
    fn check(&self) -> io::Result<()> {
        if self.severed.load(Ordering::SeqCst) {
            Err(io::Error::new(
                io::ErrorKind::ConnectionAborted,
                "connection severed by the emulator's fault injection",
            ))
        } else {
            Ok(())
        }
    }
}

impl AsyncRead for SeverableStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        this.check()?;
        Pin::new(&mut this.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for SeverableStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        this.check()?;
        Pin::new(&mut this.inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        this.check()?;
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

/// Per-connection handle, available to handlers as `ConnectInfo<ConnectionHandle>`.
#[derive(Clone, Debug)]
pub(crate) struct ConnectionHandle {
    severed: Arc<AtomicBool>,
}

impl ConnectionHandle {
    /// Makes the connection fail: the response being produced is never written.
    pub fn sever(&self) {
        self.severed.store(true, Ordering::SeqCst);
    }
}

impl Connected<IncomingStream<'_, SeverableListener>> for ConnectionHandle {
    fn connect_info(stream: IncomingStream<'_, SeverableListener>) -> Self {
        ConnectionHandle {
            severed: stream.io().severed.clone(),
        }
    }
}
