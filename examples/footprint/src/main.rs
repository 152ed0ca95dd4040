//! Measures, on an emulated Cortex-M4, the peak stack of what each feature selects (the codec,
//! the typed transaction result, the client with either driver, over TLS, embedded-tls alone,
//! both sessions), checks the result, and with `roundtrip` counts instructions per getStatus
//! round trip. Flash is measured from outside by building with and without the work
//! (`scripts/footprint`). Prints through semihosting; exits 0 on success.
//!
//! Stack: the free RAM below the current frame is painted with a pattern before the work and
//! scanned after it for the deepest word overwritten (`mps2_an386::stack`, the board support the
//! example firmwares share). The far end of the client rows runs on a stack of its own, outside
//! that RAM (src/far_end.rs).
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use cortex_m_semihosting::debug;
use say::{Piece, say};

/// Reports a panic and exits with a failure, without formatting its message: as production
/// firmware does (panic-halt, a reset), so the sizes do not carry core's panic formatting
/// (~5 KB at opt-level "z"), which formatting handlers such as panic-semihosting pull in.
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    say(&[Piece::Text("footprint: panicked")]);
    debug::exit(debug::EXIT_FAILURE);
    loop {
        cortex_m::asm::wfi();
    }
}

/// Nothing: the baseline for stack and flash.
#[cfg(not(any(
    feature = "codec",
    feature = "session",
    feature = "client",
    feature = "tls-bare",
    feature = "roundtrip"
)))]
fn work() -> bool {
    true
}

/// Every firmware links memcpy, memmove and memset (compiler-builtins, ~2.5 KB at opt-level
/// "z"): the baseline does too, so no row is charged for them.
#[inline(never)]
fn builtins() -> u8 {
    let mut buf = [0u8; 64];
    let buf = core::hint::black_box(&mut buf[..]);
    let n = core::hint::black_box(32);
    buf[..n].fill(core::hint::black_box(7));
    buf.copy_within(..n, 1);
    let (a, b) = buf.split_at_mut(n);
    a.copy_from_slice(&b[..n]);
    buf[n]
}

#[cfg(any(
    all(feature = "codec", feature = "session"),
    all(feature = "codec", feature = "client"),
    all(feature = "session", feature = "client"),
    all(
        feature = "tls-bare",
        any(feature = "codec", feature = "session", feature = "client")
    ),
    all(
        feature = "roundtrip",
        any(
            feature = "codec",
            feature = "session",
            feature = "client",
            feature = "tls-bare"
        )
    ),
))]
compile_error!(
    "give one of codec (or rpc), session, client (or client-async, client-tls), tls-bare, roundtrip"
);
#[cfg(all(feature = "tls-peer", not(feature = "tls")))]
compile_error!("tls-peer is the far end of client-tls or tls-bare");
#[cfg(all(feature = "peer", not(any(feature = "client", feature = "tls-bare"))))]
compile_error!("peer is the far end of the client rows and tls-bare");

/// The firmware's own printing, without `core::fmt`.
mod say;

/// The canned device's answers (shared with build.rs).
#[allow(dead_code)]
mod payloads;

#[cfg(any(feature = "client", feature = "tls-bare", feature = "roundtrip"))]
mod far_end;

#[cfg(any(
    all(feature = "client", feature = "peer", not(feature = "client-tls")),
    feature = "tls-peer"
))]
mod canned;

#[cfg(any(feature = "client", feature = "roundtrip"))]
mod ticks;

#[cfg(feature = "tls")]
mod tls;

#[cfg(feature = "tls-peer")]
mod tls_peer;

#[cfg(feature = "tls-bare")]
mod bare_tls;
#[cfg(feature = "tls-bare")]
use bare_tls::work;

#[cfg(feature = "roundtrip")]
mod roundtrip;
#[cfg(feature = "roundtrip")]
use roundtrip::work;

#[cfg(feature = "codec")]
mod codec;
#[cfg(feature = "codec")]
use codec::work;

#[cfg(feature = "client")]
mod client;
#[cfg(feature = "client")]
use client::work;

/// Frames the sample as a Response, decodes it through the streaming decoder, and (with `rpc`)
/// parses the payload into the typed transaction result.
#[cfg(feature = "session")]
mod session;
#[cfg(feature = "session")]
use session::work;

#[entry]
fn main() -> ! {
    #[cfg(feature = "session")]
    session::print_sizes();
    core::hint::black_box(builtins());
    let what = if cfg!(feature = "roundtrip") {
        "getStatus round trips, blocking and async drivers and the bare codec"
    } else if cfg!(feature = "tls-bare") {
        "embedded-tls alone: the handshake, a request and its answer"
    } else if cfg!(feature = "client-tls") {
        "client, async driver over embedded-tls: getStatus, and a sale with two events"
    } else if cfg!(feature = "client-async") {
        "client, async driver: getStatus, and a sale with two events"
    } else if cfg!(feature = "client") {
        "client, blocking driver: getStatus, and a sale with two events"
    } else if cfg!(feature = "session") {
        "client and device sessions: getStatus, and a sale with two events"
    } else if cfg!(feature = "rpc") {
        "decode a 2 KiB frame + parse the full transaction result"
    } else if cfg!(feature = "codec") {
        "decode a 2 KiB frame"
    } else {
        "baseline"
    };
    let (ok, stack) = mps2_an386::stack::measured(work);
    say(&[
        Piece::Text("footprint: "),
        Piece::Text(what),
        Piece::Text(": peak stack "),
        Piece::Number(stack),
        Piece::Text(" bytes, result "),
        Piece::Text(if ok { "ok" } else { "WRONG" }),
    ]);
    debug::exit(if ok {
        debug::EXIT_SUCCESS
    } else {
        debug::EXIT_FAILURE
    });
    loop {
        cortex_m::asm::wfi();
    }
}
