//! Measures, on an emulated Cortex-M4, the peak stack of decoding a frame and of parsing the full
//! docs-style transaction result (Hebrew text, two receipts) into the typed API, and checks the
//! result. Flash is measured from outside by building with and without the work
//! (`scripts/footprint`). Prints through semihosting; exits 0 on success.
//!
//! Stack: the free RAM below the current frame is painted with a pattern before the work and
//! scanned after it for the deepest word overwritten. `unsafe` lives here, in the measuring
//! firmware, never in the library crates.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use cortex_m_semihosting::{debug, hprintln};
use panic_semihosting as _;

const PATTERN: u32 = 0xA5A5_A5A5;

unsafe extern "C" {
    /// The first byte after the firmware's statics (cortex-m-rt's linker script).
    static __sheap: u32;
}

#[cfg(all(feature = "codec", not(feature = "session")))]
static FRAME: &[u8] =
    include_bytes!("../../../crates/synqpay-rpc/tests/samples/transaction-result.json");

/// Paints the stack below the caller, runs `work`, and returns (its result, peak stack bytes).
#[inline(never)]
fn measure(work: fn() -> bool) -> (bool, usize) {
    let marker = 0u32;
    let top = core::ptr::addr_of!(marker) as usize & !3;
    // Everything between the statics and this frame is free stack.
    let bottom = (core::ptr::addr_of!(__sheap) as usize + 3) & !3;
    for addr in (bottom..top - 256).step_by(4) {
        // SAFETY: the painted range lies between the end of the statics and this frame, which
        // nothing uses until `work` grows the stack into it.
        unsafe { core::ptr::write_volatile(addr as *mut u32, PATTERN) };
    }
    let ok = core::hint::black_box(work)();
    let deepest = (bottom..top - 256)
        .step_by(4)
        // SAFETY: as above, reading back the same range.
        .find(|&addr| unsafe { core::ptr::read_volatile(addr as *const u32) } != PATTERN)
        .unwrap_or(top);
    (ok, top - deepest)
}

/// Nothing: the baseline for stack and flash.
#[cfg(not(any(feature = "codec", feature = "session")))]
fn work() -> bool {
    true
}

/// Frames the sample as a Response, decodes it through the streaming decoder, and (with `rpc`)
/// parses the payload into the typed transaction result.
#[cfg(all(feature = "codec", not(feature = "session")))]
#[inline(never)]
fn work() -> bool {
    use synqpay_link::{Decoder, Frame};
    static mut WIRE: [u8; 4096] = [0; 4096];
    static mut RX: [u8; 4096] = [0; 4096];
    // SAFETY: `work` runs once, on one core, and nothing else touches these buffers.
    let (wire, rx) = unsafe {
        (
            &mut *core::ptr::addr_of_mut!(WIRE),
            &mut *core::ptr::addr_of_mut!(RX),
        )
    };
    let Ok(n) = (Frame::Response { payload: FRAME }).encode(wire) else {
        return false;
    };
    let mut decoder = Decoder::new(&mut rx[..]);
    let mut ok = false;
    decoder.feed(&wire[..n], |result| {
        ok = matches!(result, Ok(Frame::Response { payload }) if check(payload))
    });
    ok
}

#[cfg(all(feature = "codec", not(feature = "rpc"), not(feature = "session")))]
fn check(payload: &[u8]) -> bool {
    payload.len() == FRAME.len()
}

#[cfg(all(feature = "rpc", not(feature = "session")))]
fn check(payload: &[u8]) -> bool {
    use synqpay_rpc::{Message, Method, StartTransaction};
    let Ok(Message::Response(response)) = Message::parse(payload) else {
        return false;
    };
    let Ok(result) = StartTransaction::decode_output(response.result) else {
        return false;
    };
    let Some(t) = result.transaction.as_ref() else {
        return false;
    };
    let receipt_lines = t
        .card_holder_receipt
        .map_or(0, |r| r.fields().filter(|f| f.is_ok()).count());
    result.is_charged() == Some(true)
        && t.card_name.is_some_and(|n| n == "ויזה רגיל")
        && receipt_lines == 6
}

#[cfg(feature = "session")]
mod session;
#[cfg(feature = "session")]
use session::work;

#[entry]
fn main() -> ! {
    #[cfg(feature = "session")]
    session::print_sizes();
    let what = if cfg!(feature = "session") {
        "client and device sessions: getStatus, and a sale with two events"
    } else if cfg!(feature = "rpc") {
        "decode a 2 KiB frame + parse the full transaction result"
    } else if cfg!(feature = "codec") {
        "decode a 2 KiB frame"
    } else {
        "baseline"
    };
    let (ok, stack) = measure(work);
    hprintln!(
        "footprint: {}: peak stack {} bytes, result {}",
        what,
        stack,
        if ok { "ok" } else { "WRONG" }
    );
    debug::exit(if ok {
        debug::EXIT_SUCCESS
    } else {
        debug::EXIT_FAILURE
    });
    loop {
        cortex_m::asm::wfi();
    }
}
