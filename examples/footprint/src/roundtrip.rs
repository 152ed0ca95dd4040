//! Instructions per getStatus round trip, for the blocking and the async driver, next to a bare
//! encode and decode of the same frames (synqpay-rpc's `encode_call` and the link's `seal`; the
//! link's `Decoder`, `Message::parse`, the id compared and the typed `Status` decoded), in one
//! run. Run under `qemu-system-arm -icount shift=0`: each instruction advances qemu's virtual
//! clock by 1 ns, so SysTick, counting the 25 MHz core clock, counts 40 instructions a tick, the
//! same on every run. The Cortex-M4's cycle counter (DWT CYCCNT) reads 0 under qemu.
//!
//! The far end prepares every answer before the count starts and releases one per request (at
//! the driver's flush), so the count holds the client's work, plus the far end's copies of the
//! request and answer bytes and the switch to its stack (src/far_end.rs), a few dozen
//! instructions a round trip. What the drivers wrote is checked, after the count, to be the bare
//! encoder's frames byte for byte.

use core::hint::black_box;

use cortex_m::peripheral::SYST;
use cortex_m::peripheral::syst::SystClkSource;
use cortex_m_semihosting::hprintln;
use synqpay_link::{ApiKey, Decoder, Frame, MessageType, seal};
use synqpay_rpc::{
    DeviceStatus, GetStatus, IdGenerator, IdPrefix, Message, Method, NoParams, RequestId,
    encode_call,
};
use synqpay_session::{Client, ClientBuffers, ClientConfig};

use crate::far_end::{FarEnd, Link};
use crate::payloads::KEY_BYTES;

/// Round trips per driver (ids `f0070001-1` to `-32`).
const N: u32 = 32;
const KEY: ApiKey = ApiKey::from_bytes(KEY_BYTES);
const PREFIX: IdPrefix = IdPrefix(0xf007_0001);
/// Nanoseconds (instructions, under `-icount shift=0`) per SysTick tick.
const PER_TICK: u32 = 1_000_000_000 / mps2_an386::CORE_HZ;

/// The answers; what the client wrote; the bare decoder's buffer; the expected requests; each
/// client's rx, tx and inbox.
static mut BUFFERS: [[u8; 4096]; 10] = [[0; 4096]; 10];

/// SysTick free-running from the core clock, no interrupt: 24 bits, 0.67 s of virtual time.
fn start_counter() {
    // SAFETY: nothing else in this firmware uses SysTick.
    let mut syst = unsafe { cortex_m::Peripherals::steal() }.SYST;
    syst.set_clock_source(SystClkSource::Core);
    syst.set_reload(0x00ff_ffff);
    syst.clear_current();
    syst.enable_counter();
}

fn ticks() -> u32 {
    SYST::get_current()
}

/// Instructions between two readings of [`ticks`] (SysTick counts down).
fn instructions(start: u32, end: u32) -> u32 {
    (start.wrapping_sub(end) & 0x00ff_ffff) * PER_TICK
}

/// The answers, prepared before the count, released one per request.
struct Prepared {
    wire: &'static mut [u8],
    /// Answer `n` is `wire[ends[n - 1]..ends[n]]`.
    ends: [usize; N as usize + 1],
    /// Answers released (requests flushed).
    released: usize,
    at: usize,
    wrote: bool,
    /// What the client wrote, for the check after the count.
    written: &'static mut [u8],
    written_len: usize,
}

impl Prepared {
    /// Writes the answers to getStatus requests 1 to N.
    fn new(wire: &'static mut [u8], written: &'static mut [u8]) -> Option<Self> {
        let ids = IdGenerator::new(PREFIX);
        let mut ends = [0; N as usize + 1];
        for n in 1..=N {
            let mut payload = [0u8; 128];
            let mut len = 0;
            for part in [
                br#"{"jsonrpc":"2.0","id":""#.as_slice(),
                ids.text(RequestId(n)).as_str().as_bytes(),
                br#"","result":{"deviceStatus":"IDLE","cancelable":false}}"#,
            ] {
                payload
                    .get_mut(len..len + part.len())?
                    .copy_from_slice(part);
                len += part.len();
            }
            let start = ends[n as usize - 1];
            let frame = Frame::Response {
                payload: &payload[..len],
            };
            ends[n as usize] = start + frame.encode(wire.get_mut(start..)?).ok()?;
        }
        Some(Self {
            wire,
            ends,
            released: 0,
            at: 0,
            wrote: false,
            written,
            written_len: 0,
        })
    }

    fn wire_len(&self) -> usize {
        self.ends[N as usize]
    }

    fn rewind(&mut self) {
        (self.released, self.at, self.wrote, self.written_len) = (0, 0, false, 0);
    }
}

impl FarEnd for Prepared {
    fn take_in(&mut self, bytes: &[u8]) -> usize {
        if let Some(to) = self
            .written
            .get_mut(self.written_len..self.written_len + bytes.len())
        {
            to.copy_from_slice(bytes);
            self.written_len += bytes.len();
        }
        self.wrote = true;
        bytes.len()
    }

    fn flushed(&mut self) {
        if self.wrote && self.released < N as usize {
            self.wrote = false;
            self.released += 1;
        }
    }

    fn give_out(&mut self, buf: &mut [u8]) -> usize {
        let n = buf.len().min(self.ends[self.released] - self.at);
        buf[..n].copy_from_slice(&self.wire[self.at..self.at + n]);
        self.at += n;
        n
    }

    fn ready(&self) -> bool {
        self.at < self.ends[self.released]
    }
}

/// Whether `payload` answers request `id` with an idle device: what a client must find out.
fn idle_answer(payload: &[u8], id: &str) -> bool {
    let Ok(Message::Response(response)) = Message::parse(payload) else {
        return false;
    };
    response.id.as_str() == Some(id)
        && GetStatus::decode_output(response.result)
            .is_ok_and(|s| s.device_status == DeviceStatus::Idle)
}

/// Encodes getStatus request `n` into `out` as a frame; returns its length.
fn encode_request(ids: &IdGenerator, n: u32, out: &mut [u8]) -> Option<usize> {
    let id = ids.text(RequestId(n));
    let header = MessageType::Request.header_len();
    let len = encode_call::<GetStatus>(out.get_mut(header..)?, id.as_str(), &NoParams).ok()?;
    seal(out, MessageType::Request, Some(KEY), len).ok()
}

/// The bare codec: N requests encoded, N answers decoded and checked. Instructions, if right.
#[inline(never)]
fn bare(prepared: &Prepared, rx: &mut [u8]) -> Option<u32> {
    let ids = IdGenerator::new(PREFIX);
    let mut decoder = Decoder::new(rx);
    let mut tx = [0u8; 256];
    let mut right = 0;
    let start = ticks();
    for n in 1..=N {
        let len = encode_request(&ids, n, &mut tx)?;
        black_box(&tx[..len]);
        let id = ids.text(RequestId(n));
        let answer = &prepared.wire[prepared.ends[n as usize - 1]..prepared.ends[n as usize]];
        decoder.feed(answer, |frame| {
            if let Ok(Frame::Response { payload }) = frame {
                right += u32::from(idle_answer(payload, id.as_str()));
            }
        });
    }
    let end = ticks();
    (right == N).then(|| instructions(start, end))
}

fn session(buffers: [&'static mut [u8; 4096]; 3]) -> Client<&'static mut [u8], 4> {
    let [rx, tx, inbox] = buffers;
    let buffers = ClientBuffers {
        rx: &mut rx[..],
        tx: &mut tx[..1024],
        inbox: &mut inbox[..],
    };
    Client::new(ClientConfig::default(), buffers, PREFIX).with_api_key(KEY)
}

/// What a run gives back: its instructions (if every call found the device idle) and the far
/// end.
type Run = (Option<u32>, &'static mut Prepared);

/// N getStatus calls through the blocking driver.
#[inline(never)]
fn blocking(far: &'static mut Prepared, buffers: [&'static mut [u8; 4096]; 3]) -> Run {
    let mut client =
        synqpay_embedded::BlockingClient::new(Link(far), crate::ticks::Ticks(0), session(buffers));
    let mut idle = 0;
    let start = ticks();
    for _ in 0..N {
        idle += u32::from(client.status(|s| s.device_status == DeviceStatus::Idle) == Ok(true));
    }
    let end = ticks();
    let (Link(far), ..) = client.into_parts();
    ((idle == N).then(|| instructions(start, end)), far)
}

/// N getStatus calls through the async driver (one `block_on` around them all).
#[inline(never)]
fn asynchronous(far: &'static mut Prepared, buffers: [&'static mut [u8; 4096]; 3]) -> Run {
    let mut client =
        synqpay_embedded::AsyncClient::new(Link(far), crate::ticks::Ticks(0), session(buffers));
    embassy_futures::block_on(async move {
        let mut idle = 0;
        let start = ticks();
        for _ in 0..N {
            let status = client.status(|s| s.device_status == DeviceStatus::Idle);
            idle += u32::from(matches!(status.await, Ok(true)));
        }
        let end = ticks();
        let (Link(far), ..) = client.into_parts();
        ((idle == N).then(|| instructions(start, end)), far)
    })
}

/// The bare encoder's N requests, back to back in `out`: where each ends.
fn expected_requests(out: &mut [u8]) -> Option<[usize; N as usize + 1]> {
    let ids = IdGenerator::new(PREFIX);
    let mut ends = [0; N as usize + 1];
    for n in 1..=N as usize {
        ends[n] = ends[n - 1] + encode_request(&ids, n as u32, out.get_mut(ends[n - 1]..)?)?;
    }
    Some(ends)
}

/// The far end's share of a blocking round trip, alone: the request written through the link,
/// flushed, the answer read in 256-byte reads as the driver reads it.
#[inline(never)]
fn far_end_alone(far: &'static mut Prepared, requests: &[u8], ends: &[usize]) -> Option<u32> {
    use embedded_io::{Read, ReadReady, Write};
    far.rewind();
    let mut link = Link(far);
    let mut buf = [0u8; 256];
    let mut answered = 0;
    let start = ticks();
    for n in 1..=N as usize {
        let _ = link.write(&requests[ends[n - 1]..ends[n]]);
        let _ = link.flush();
        while link.read_ready() == Ok(true) {
            answered += link.read(&mut buf).unwrap_or(0);
        }
    }
    let end = ticks();
    (answered == link.0.wire_len()).then(|| instructions(start, end))
}

#[inline(never)]
pub fn work() -> bool {
    // SAFETY: `work` runs once, on one core; each buffer is lent to one owner only.
    let [
        wire,
        written,
        d_rx,
        expected,
        b_rx,
        b_tx,
        b_in,
        a_rx,
        a_tx,
        a_in,
    ] = unsafe { &mut *core::ptr::addr_of_mut!(BUFFERS) };
    let Some(prepared) = Prepared::new(&mut wire[..], &mut written[..]) else {
        return false;
    };
    let far = crate::far_end::place(prepared);
    start_counter();

    let Some(bare) = bare(far, &mut d_rx[..]) else {
        hprintln!("footprint: roundtrip: the bare codec got a wrong answer");
        return false;
    };
    let (blocking, far) = blocking(far, [b_rx, b_tx, b_in]);
    let Some(ends) = expected_requests(expected) else {
        return false;
    };
    let requests = &expected[..ends[N as usize]];
    let blocking_wrote = far.written[..far.written_len] == *requests;
    far.rewind();
    let (asynchronous, far) = asynchronous(far, [a_rx, a_tx, a_in]);
    let async_wrote = far.written[..far.written_len] == *requests;
    let far_end = far_end_alone(far, requests, &ends);
    hprintln!(
        "footprint: roundtrip bare-codec {} instructions / {} round trips",
        bare,
        N
    );
    for (name, count, wrote) in [
        ("blocking", blocking, blocking_wrote),
        ("async", asynchronous, async_wrote),
        ("far-end", far_end, true),
    ] {
        match count {
            Some(count) if wrote => {
                hprintln!(
                    "footprint: roundtrip {} {} instructions / {} round trips",
                    name,
                    count,
                    N
                )
            }
            Some(_) => hprintln!(
                "footprint: roundtrip {}: its requests differ from the bare codec's",
                name
            ),
            None => hprintln!("footprint: roundtrip {}: a call failed", name),
        }
    }
    blocking_wrote
        && async_wrote
        && [blocking, asynchronous, far_end]
            .iter()
            .all(Option::is_some)
}
