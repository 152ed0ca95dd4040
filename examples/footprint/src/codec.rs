//! Decoding a frame (and with `rpc`, parsing the full transaction result it carries).

static FRAME: &[u8] =
    include_bytes!("../../../crates/synqpay-rpc/tests/samples/transaction-result.json");

#[inline(never)]
pub fn work() -> bool {
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

#[cfg(not(feature = "rpc"))]
fn check(payload: &[u8]) -> bool {
    payload.len() == FRAME.len()
}

#[cfg(feature = "rpc")]
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
