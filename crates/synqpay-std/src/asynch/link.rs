//! The async client's connection to the device (spec/protocol.md §2): TCP on port 9000, or TLS
//! on 9443 through tokio-rustls with the same rustls configuration as the blocking client
//! ([`tls::client_config`](crate::tls::client_config)); each opened within a deadline, and one
//! wait for whichever comes first of reading and writing.

use std::future::poll_fn;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

use crate::Error;
use crate::tls::TlsError;

/// How long a TCP connection may take to open (as the blocking client's).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// A byte stream to the device: plain TCP or TLS.
trait Stream: AsyncRead + AsyncWrite + Send + Unpin {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin> Stream for T {}

/// Where and how to connect.
pub(super) struct Dialer {
    /// `host:port`, resolved again at each connection.
    pub(super) addr: String,
    /// TLS, with its verification already set.
    pub(super) tls: Option<Arc<rustls::ClientConfig>>,
    /// The whole TLS handshake must end within this, however slowly the device sends it (ours:
    /// the request deadline).
    pub(super) handshake_deadline: Duration,
}

impl Dialer {
    /// Opens a connection.
    pub(super) async fn dial(&self) -> Result<Link, Error> {
        let addr = Error::first_address(
            &self.addr,
            tokio::net::lookup_host(self.addr.as_str()).await,
        )?;
        let tcp = tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(addr))
            .await
            .map_err(|_| {
                Error::Connection(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "the device did not accept the connection in time",
                ))
            })?
            .map_err(Error::Connection)?;
        tcp.set_nodelay(true).map_err(Error::Connection)?;
        let stream: Box<dyn Stream> = match &self.tls {
            None => Box::new(tcp),
            Some(config) => {
                let connector = tokio_rustls::TlsConnector::from(config.clone());
                let handshake = connector.connect(server_name(&self.addr)?, tcp);
                // The same typed trust errors as the blocking client's handshake (tls.rs).
                let tls = tokio::time::timeout(self.handshake_deadline, handshake)
                    .await
                    .map_err(|_| Error::Tls(TlsError::HandshakeTimeout))?
                    .map_err(|e| {
                        TlsError::from_handshake(&e).map_or(Error::Connection(e), Error::Tls)
                    })?;
                Box::new(tls)
            }
        };
        Ok(Link {
            stream,
            unflushed: false,
        })
    }
}

/// The name TLS verifies: the host of `host:port` (an IP address or a DNS name).
fn server_name(addr: &str) -> Result<ServerName<'static>, Error> {
    let host = addr.rsplit_once(':').map_or(addr, |(h, _)| h);
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    ServerName::try_from(host.clone()).map_err(|_| Error::Tls(TlsError::ServerName { host }))
}

/// An open connection.
pub(super) struct Link {
    stream: Box<dyn Stream>,
    /// Bytes were written that TLS may still hold.
    unflushed: bool,
}

/// What the link did.
pub(super) enum Io {
    /// Bytes read into the buffer; 0: the device closed the connection.
    Read(usize),
    /// The first bytes of what was offered were written.
    Wrote(usize),
    /// The connection failed (what it means to each request, the session says).
    Failed,
}

/// Waits until `link` has read into `buf` or written some of `out`; with no link, forever.
/// Cancel-safe: nothing is read or written but what the result reports.
pub(super) async fn exchange(link: Option<&mut Link>, out: &[u8], buf: &mut [u8]) -> Io {
    let Some(link) = link else {
        return std::future::pending().await;
    };
    poll_fn(|cx| {
        let stream = Pin::new(&mut link.stream);
        if link.unflushed {
            match stream.poll_flush(cx) {
                Poll::Ready(Ok(())) => link.unflushed = false,
                Poll::Ready(Err(_)) => return Poll::Ready(Io::Failed),
                Poll::Pending => {}
            }
        }
        if !out.is_empty() {
            match Pin::new(&mut link.stream).poll_write(cx, out) {
                Poll::Ready(Ok(n)) => {
                    link.unflushed = true;
                    return Poll::Ready(Io::Wrote(n));
                }
                Poll::Ready(Err(_)) => return Poll::Ready(Io::Failed),
                Poll::Pending => {}
            }
        }
        let mut read = ReadBuf::new(buf);
        match Pin::new(&mut link.stream).poll_read(cx, &mut read) {
            Poll::Ready(Ok(())) => Poll::Ready(Io::Read(read.filled().len())),
            Poll::Ready(Err(_)) => Poll::Ready(Io::Failed),
            Poll::Pending => Poll::Pending,
        }
    })
    .await
}
