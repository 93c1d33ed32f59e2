//! Connections the fault emulation can cut, so a client sees what a lost response looks like: the
//! connection closing before any answer arrives.
//!
//! axum serves whatever a [`Listener`] accepts. This one wraps each accepted socket in a
//! [`CuttableStream`] and hands the request handlers a [`Connection`] (as `ConnectInfo`) that
//! can cut it. Once cut, every read and write fails, so hyper abandons the connection without
//! writing the response it was given, and drops the socket, which closes it.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use axum::extract::connect_info::Connected;
use axum::serve::IncomingStream;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

/// Accepts TCP connections that can be cut.
pub(crate) struct Listener(TcpListener);

impl Listener {
    pub fn new(listener: TcpListener) -> Listener {
        Listener(listener)
    }
}

impl axum::serve::Listener for Listener {
    type Io = CuttableStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (CuttableStream, SocketAddr) {
        // axum's own accept loop for TCP, which already retries and backs off on errors.
        let (stream, peer) = axum::serve::Listener::accept(&mut self.0).await;
        let connection = Connection(Arc::new(ConnectionState {
            peer,
            cut: AtomicBool::new(false),
        }));
        (CuttableStream { stream, connection }, peer)
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.0.local_addr()
    }
}

/// One client connection, as handlers see it.
#[derive(Debug, Clone)]
pub(crate) struct Connection(Arc<ConnectionState>);

#[derive(Debug)]
struct ConnectionState {
    peer: SocketAddr,
    cut: AtomicBool,
}

impl Connection {
    /// The client's address.
    pub fn peer(&self) -> SocketAddr {
        self.0.peer
    }

    /// Cuts the connection: the response to the current request is never written, and the
    /// socket closes.
    pub fn cut(&self) {
        self.0.cut.store(true, Ordering::Release);
    }

    fn is_cut(&self) -> bool {
        self.0.cut.load(Ordering::Acquire)
    }
}

impl Connected<IncomingStream<'_, Listener>> for Connection {
    fn connect_info(stream: IncomingStream<'_, Listener>) -> Connection {
        stream.io().connection.clone()
    }
}

/// A TCP stream that fails every operation once its [`Connection`] is cut.
pub(crate) struct CuttableStream {
    stream: TcpStream,
    connection: Connection,
}

impl CuttableStream {
    fn check(&self) -> io::Result<()> {
        if self.connection.is_cut() {
            Err(io::Error::new(
                io::ErrorKind::ConnectionAborted,
                "the fault emulation dropped this connection",
            ))
        } else {
            Ok(())
        }
    }
}

impl AsyncRead for CuttableStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.check()?;
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for CuttableStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.check()?;
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.check()?;
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.check()?;
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}
