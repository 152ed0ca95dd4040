//! A connection, plain TCP, TLS or a serial port, as one Read + Write (spec/protocol.md §2: the
//! same frames on port 9000, inside TLS on 9443, and on a serial line at 115200 8N1). The client
//! uses it, and so does the simulator of `synqpay-sim` on the device side.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// Where a Synqpay device is reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// `host:port` over TCP (port 9000; 9443 for TLS).
    Tcp(String),
    /// A serial port (`/dev/ttyUSB0`, `COM3`), no flow control, 8N1.
    Serial {
        /// The port's name.
        path: String,
        /// Bits per second; the device's default is [`DEFAULT_BAUD`].
        baud: u32,
    },
}

/// The device's serial speed (spec/protocol.md §2).
pub const DEFAULT_BAUD: u32 = 115_200;

impl std::fmt::Display for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Tcp(addr) => f.write_str(addr),
            Self::Serial { path, baud } => write!(f, "{path} at {baud} Bd"),
        }
    }
}

/// Opens a serial port for the link: 8N1, no flow control, reads that wait at most `timeout`.
#[cfg(feature = "serial")]
pub fn open_serial(path: &str, baud: u32, timeout: Duration) -> io::Result<SerialPort> {
    serialport::new(path, baud)
        .data_bits(serialport::DataBits::Eight)
        .parity(serialport::Parity::None)
        .stop_bits(serialport::StopBits::One)
        .flow_control(serialport::FlowControl::None)
        .timeout(timeout)
        .open()
        .map_err(io::Error::from)
}

/// A serial port, as `serialport` opens it.
#[cfg(feature = "serial")]
pub type SerialPort = Box<dyn serialport::SerialPort>;

/// Built without the `serial` feature: no serial port can exist.
#[cfg(not(feature = "serial"))]
pub type SerialPort = std::convert::Infallible;

/// A plain or TLS connection over TCP, or a serial line; client side
/// (`rustls::ClientConnection`) or server side (`rustls::ServerConnection`).
pub enum Transport<C> {
    /// Plain TCP (port 9000).
    Plain(TcpStream),
    /// TLS over TCP (port 9443).
    Tls(Box<rustls::StreamOwned<C, TcpStream>>),
    /// A serial line.
    Serial(SerialPort),
}

impl<C> Transport<C> {
    /// Makes reads wait at most `timeout` (then `TimedOut` or `WouldBlock`).
    pub fn set_read_timeout(&mut self, timeout: Duration) -> io::Result<()> {
        match self {
            Self::Plain(s) => s.set_read_timeout(Some(timeout)),
            Self::Tls(s) => s.sock.set_read_timeout(Some(timeout)),
            #[cfg(feature = "serial")]
            Self::Serial(port) => port.set_timeout(timeout).map_err(io::Error::from),
            #[cfg(not(feature = "serial"))]
            Self::Serial(never) => match *never {},
        }
    }
}

impl<C, S> Read for Transport<C>
where
    C: std::ops::DerefMut<Target = rustls::ConnectionCommon<S>>,
    S: rustls::SideData,
{
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Self::Plain(s) => s.read(buf),
            Self::Tls(s) => s.read(buf),
            #[cfg(feature = "serial")]
            Self::Serial(s) => s.read(buf),
            #[cfg(not(feature = "serial"))]
            Self::Serial(never) => match *never {},
        }
    }
}

impl<C, S> Write for Transport<C>
where
    C: std::ops::DerefMut<Target = rustls::ConnectionCommon<S>>,
    S: rustls::SideData,
{
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Self::Plain(s) => s.write(buf),
            Self::Tls(s) => s.write(buf),
            #[cfg(feature = "serial")]
            Self::Serial(s) => s.write(buf),
            #[cfg(not(feature = "serial"))]
            Self::Serial(never) => match *never {},
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Self::Plain(s) => s.flush(),
            Self::Tls(s) => s.flush(),
            #[cfg(feature = "serial")]
            Self::Serial(s) => s.flush(),
            #[cfg(not(feature = "serial"))]
            Self::Serial(never) => match *never {},
        }
    }
}
