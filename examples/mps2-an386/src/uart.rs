//! The CMSDK APB UART of the MPS2 boards (mps2-an386: UART0 at 0x4000_4000) as an `embedded_io`
//! transport (and `embedded_io_async` with the `async` feature).

use core::convert::Infallible;
use core::ptr::{read_volatile, write_volatile};

/// Register offsets (ARM CMSDK APB UART TRM).
const DATA: usize = 0x00;
const STATE: usize = 0x04;
const CTRL: usize = 0x08;
const BAUDDIV: usize = 0x10;
/// STATE bits.
const TX_FULL: u32 = 1 << 0;
const RX_FULL: u32 = 1 << 1;
/// CTRL bits.
const TX_ENABLE: u32 = 1 << 0;
const RX_ENABLE: u32 = 1 << 1;

/// A CMSDK UART, polled: one byte of receive buffer, so the firmware reads whenever
/// `read_ready` says a byte waits (qemu holds the rest back; a real line would need the FIFO
/// or an interrupt-driven ring buffer).
pub struct CmsdkUart {
    base: usize,
}

impl CmsdkUart {
    /// UART0 of mps2-an386, at `baud` from a `clock_hz` peripheral clock, 8N1.
    ///
    /// # Safety
    /// `base` must be a CMSDK UART that nothing else uses.
    pub unsafe fn new(base: usize, clock_hz: u32, baud: u32) -> Self {
        let uart = Self { base };
        // SAFETY: the caller hands over the UART at `base`.
        unsafe {
            write_volatile((base + BAUDDIV) as *mut u32, clock_hz / baud);
            write_volatile((base + CTRL) as *mut u32, TX_ENABLE | RX_ENABLE);
        }
        uart
    }

    fn state(&self) -> u32 {
        // SAFETY: a read of this UART's status register.
        unsafe { read_volatile((self.base + STATE) as *const u32) }
    }
}

impl embedded_io::ErrorType for CmsdkUart {
    type Error = Infallible;
}

impl embedded_io::ReadReady for CmsdkUart {
    fn read_ready(&mut self) -> Result<bool, Infallible> {
        Ok(self.state() & RX_FULL != 0)
    }
}

impl embedded_io::Read for CmsdkUart {
    /// Takes the bytes that wait (at least one: waits for it).
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Infallible> {
        let mut n = 0;
        while n < buf.len() {
            if self.state() & RX_FULL == 0 {
                if n > 0 {
                    break;
                }
                continue;
            }
            // SAFETY: a read of this UART's data register takes the received byte.
            buf[n] = unsafe { read_volatile((self.base + DATA) as *const u32) } as u8;
            n += 1;
        }
        Ok(n)
    }
}

impl embedded_io::Write for CmsdkUart {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Infallible> {
        for &byte in buf {
            while self.state() & TX_FULL != 0 {}
            // SAFETY: a write to this UART's data register sends the byte.
            unsafe { write_volatile((self.base + DATA) as *mut u32, u32::from(byte)) };
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> Result<(), Infallible> {
        Ok(())
    }
}

#[cfg(feature = "async")]
impl embedded_io_async::Read for CmsdkUart {
    /// Yields to the executor until a byte waits, then takes what waits. Cancel-safe: nothing
    /// is taken before the wait ends.
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Infallible> {
        while self.state() & RX_FULL == 0 {
            embassy_futures::yield_now().await;
        }
        embedded_io::Read::read(self, buf)
    }
}

#[cfg(feature = "async")]
impl embedded_io_async::Write for CmsdkUart {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, Infallible> {
        embedded_io::Write::write(self, buf)
    }

    async fn flush(&mut self) -> Result<(), Infallible> {
        Ok(())
    }
}
