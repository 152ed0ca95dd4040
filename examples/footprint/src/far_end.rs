//! The far end of a client row (the canned device, the in-memory TLS peer, the prepared
//! answers of the round trip) and the client's transport to it. The far end runs on a stack of
//! its own, and its state lives beside that stack, both in RAM above what memory.x declares
//! (the board has 4 MiB): neither is a static of the firmware, and the peak stack measurement
//! does not paint them, so what it measures is the client's stack alone, however deep the far
//! end goes (a TLS server signing its handshake goes deep).

use core::convert::Infallible;

/// The far end's side of the transport: bytes the client wrote go in, bytes for the client
/// come out.
pub trait FarEnd {
    /// Takes bytes the client wrote; returns how many.
    fn take_in(&mut self, bytes: &[u8]) -> usize;
    /// Hands the client what waits for it; returns how many bytes.
    fn give_out(&mut self, buf: &mut [u8]) -> usize;
    /// Whether bytes wait for the client.
    fn ready(&self) -> bool;
    /// The client flushed what it wrote.
    fn flushed(&mut self) {}
}

unsafe extern "C" {
    /// The end of the RAM memory.x declares (cortex-m-rt's linker script): the firmware's stack
    /// starts here and grows down.
    static _stack_start: u32;
}

/// 16 KiB of stack: the TLS peer's deepest call (the handshake's ECDSA signature) needs less.
const STACK: usize = 16 * 1024;

/// The far end's stack lies from the end of the declared RAM up; the far end's state above it.
fn far_memory() -> usize {
    core::ptr::addr_of!(_stack_start) as usize
}

/// Moves the far end into its place above its stack (one far end a firmware).
pub fn place<F>(far: F) -> &'static mut F {
    const { assert!(core::mem::align_of::<F>() <= 8) };
    let at = (far_memory() + STACK) as *mut F;
    // SAFETY: RAM nothing else uses (the board's, past the firmware's), 8-byte aligned; called
    // once, so this is the only reference to it.
    unsafe {
        at.write(far);
        &mut *at
    }
}

/// Runs `f` in place: the far end is the stub, which never runs (its firmware is built for its
/// size alone), so the firmware carries no stack switch, the measurement's apparatus rather than
/// the client's code.
#[cfg(not(any(feature = "peer", feature = "roundtrip")))]
fn on_far_stack<R>(f: impl FnOnce() -> R) -> R {
    f()
}

/// Runs `f` on the far end's stack.
#[cfg(any(feature = "peer", feature = "roundtrip"))]
fn on_far_stack<R>(f: impl FnOnce() -> R) -> R {
    let mut f = Some(f);
    let mut result = None;
    let mut call = || {
        if let Some(f) = f.take() {
            result = Some(f());
        }
    };
    switch_stack(&mut call);
    match result {
        Some(r) => r,
        None => unreachable_after_switch(),
    }
}

#[cfg(any(feature = "peer", feature = "roundtrip"))]
#[inline(never)]
fn unreachable_after_switch() -> ! {
    panic!()
}

#[cfg(any(feature = "peer", feature = "roundtrip"))]
extern "C" fn trampoline(call: *mut &mut dyn FnMut()) {
    // SAFETY: `switch_stack` passes a pointer to its live `&mut dyn FnMut()`.
    unsafe { (*call)() }
}

#[cfg(any(feature = "peer", feature = "roundtrip"))]
#[inline(never)]
fn switch_stack(mut call: &mut dyn FnMut()) {
    let top = far_memory() + STACK;
    // SAFETY: the far end's stack is used by nothing else and never by two calls at once (the
    // far end does not call back into the client); it is 8-byte aligned, as the AAPCS wants.
    // r4 is callee-saved, so it holds the client's stack pointer across the call; `trampoline`
    // is an `extern "C"` function: it may change what the AAPCS lets it (r0-r3, r12, lr, the
    // flags, s0-s15 = d0-d7), declared here one by one (`clobber_abi("C")` would name d16-d31,
    // which this FPU does not have).
    unsafe {
        core::arch::asm!(
            "mov r4, sp",
            "mov sp, {top}",
            "blx {f}",
            "mov sp, r4",
            top = in(reg) top,
            f = in(reg) trampoline as extern "C" fn(*mut &mut dyn FnMut()),
            inout("r0") &mut call as *mut &mut dyn FnMut() => _,
            out("r1") _,
            out("r2") _,
            out("r3") _,
            out("r4") _,
            out("r12") _,
            out("lr") _,
            out("d0") _,
            out("d1") _,
            out("d2") _,
            out("d3") _,
            out("d4") _,
            out("d5") _,
            out("d6") _,
            out("d7") _,
        );
    }
}

/// The client's transport to a far end `F` held in a static.
pub struct Link<F: 'static>(pub &'static mut F);

impl<F: FarEnd> embedded_io::ErrorType for Link<F> {
    type Error = Infallible;
}

impl<F: FarEnd> embedded_io::Write for Link<F> {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Infallible> {
        let far = &mut *self.0;
        Ok(on_far_stack(|| far.take_in(buf)))
    }
    fn flush(&mut self) -> Result<(), Infallible> {
        let far = &mut *self.0;
        on_far_stack(|| far.flushed());
        Ok(())
    }
}

impl<F: FarEnd> embedded_io::ReadReady for Link<F> {
    fn read_ready(&mut self) -> Result<bool, Infallible> {
        Ok(self.0.ready())
    }
}

impl<F: FarEnd> embedded_io::Read for Link<F> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Infallible> {
        let far = &mut *self.0;
        Ok(on_far_stack(|| far.give_out(buf)))
    }
}

impl<F: FarEnd> embedded_io_async::Write for Link<F> {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, Infallible> {
        embedded_io::Write::write(self, buf)
    }
    async fn flush(&mut self) -> Result<(), Infallible> {
        embedded_io::Write::flush(self)
    }
}

impl<F: FarEnd> embedded_io_async::Read for Link<F> {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Infallible> {
        if !self.0.ready() {
            // Nothing comes until the client writes, which it cannot do while this read is
            // pending: wait for the driver's timer to drop this read.
            core::future::pending::<()>().await;
        }
        embedded_io::Read::read(self, buf)
    }
}

/// A far end that answers nothing, opaque to the optimizer: the firmware built with it carries
/// all of the client's code (the bytes it reads could be anything), and no device. Built for
/// its size (flash, static RAM), not run.
#[cfg(all(not(feature = "peer"), any(feature = "client", feature = "tls-bare")))]
pub struct Stub;

#[cfg(all(not(feature = "peer"), any(feature = "client", feature = "tls-bare")))]
impl Stub {
    pub fn new() -> Self {
        Self
    }
}

#[cfg(all(not(feature = "peer"), any(feature = "client", feature = "tls-bare")))]
impl FarEnd for Stub {
    fn take_in(&mut self, bytes: &[u8]) -> usize {
        core::hint::black_box(bytes).len()
    }

    fn give_out(&mut self, buf: &mut [u8]) -> usize {
        let n = core::hint::black_box(0usize).min(buf.len());
        buf[..n].fill(core::hint::black_box(0x16));
        n
    }

    fn ready(&self) -> bool {
        core::hint::black_box(true)
    }
}
