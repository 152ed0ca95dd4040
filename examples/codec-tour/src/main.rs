//! A walk through the codec: the frames of a short session are encoded, then sent through a
//! "wire" that splits them at awkward places and adds noise, a corrupted frame and a false start;
//! the decoder finds every good frame and reports every bad one.
//!
//! `cargo run -p codec-tour`

use synqpay_link::{ApiKey, Decoder, ErrorCode, Frame};

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn describe(frame: &Frame<'_>) -> String {
    let text = |p: &[u8]| String::from_utf8_lossy(p).into_owned();
    match frame {
        Frame::Request { api_key, payload } => {
            format!("Request  key={api_key:?} {}", text(payload))
        }
        Frame::Response { payload } => format!("Response {}", text(payload)),
        Frame::Event { payload } => format!("Event    {}", text(payload)),
        Frame::KeepAlive => "KeepAlive".into(),
        Frame::Ack => "ACK".into(),
        Frame::Error(code) => format!("Error    {code}"),
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let key: ApiKey = "1234abcd".parse()?;
    let session = [
        Frame::Request { api_key: ApiKey::ZERO, payload: br#"{"jsonrpc":"2.0","method":"pair","id":"1","params":{"serialNumber":"244RKR528387"}}"# },
        Frame::Response { payload: br#"{"jsonrpc":"2.0","id":"1"}"# },
        Frame::Request { api_key: key, payload: br#"{"jsonrpc":"2.0","method":"getStatus","id":"2","params":null}"# },
        Frame::Response { payload: br#"{"jsonrpc":"2.0","id":"2","result":{"deviceStatus":"IDLE","cancelable":false}}"# },
        Frame::Event { payload: r#"{"jsonrpc":"2.0","method":"transactionEvent","params":{"type":"CARD_DETECTED"}}"#.as_bytes() },
        Frame::Response { payload: r#"{"jsonrpc":"2.0","id":"3","result":{"cardName":"ויזה רגיל"}}"#.as_bytes() },
        Frame::KeepAlive,
        Frame::Ack,
        Frame::Error(ErrorCode::NotAuthenticated),
    ];

    println!(
        "1. Encoding {} frames (CRC-16/MODBUS, big-endian, spec/protocol.md §1)",
        session.len()
    );
    let mut wire = Vec::new();
    let mut buf = [0u8; 256];
    for frame in &session {
        let n = frame.encode(&mut buf)?;
        let shown = hex(&buf[..n]);
        let shown = if shown.len() > 48 {
            format!("{}…{}", &shown[..32], &shown[shown.len() - 12..])
        } else {
            shown
        };
        println!("   {:>3} bytes  {shown}", n);
        wire.extend_from_slice(&buf[..n]);
    }

    println!("\n2. Spoiling the wire: noise up front, a corrupted copy of frame 4, a false STX");
    let mut noisy = b"line noise \xff\x00".to_vec();
    let n = session[3].encode(&mut buf)?;
    let mut corrupted = buf[..n].to_vec();
    corrupted[20] ^= 0x20; // one flipped bit in the payload: the CRC no longer matches
    noisy.extend_from_slice(&corrupted);
    noisy.extend_from_slice(&[0x02, 0x07]); // STX and a type byte no device sends
    noisy.extend_from_slice(&wire);

    println!("\n3. Decoding it in reads of 1, 2, 3, 5, 8 ... bytes (a 512-byte decoder buffer)");
    let mut decoder = Decoder::new([0u8; 512]);
    let (mut pos, mut a, mut b) = (0, 1, 2);
    while pos < noisy.len() {
        let end = (pos + a).min(noisy.len());
        decoder.feed(&noisy[pos..end], |result| match result {
            Ok(frame) => println!("   frame   {}", describe(&frame)),
            Err(error) => println!("   error   {error} -> a device answers {}", error.code()),
        });
        pos = end;
        (a, b) = (b, (a + b) % 97);
    }

    let stats = decoder.stats();
    println!(
        "\n4. Counters: {} frames, {} bytes of noise skipped, {} rejected candidates ({} CRC, {} type)",
        stats.frames,
        stats.skipped_bytes,
        stats.errors(),
        stats.crc_error,
        stats.invalid_msg_type
    );
    if stats.frames as usize != session.len() {
        return Err(format!(
            "expected {} frames, decoded {}",
            session.len(),
            stats.frames
        )
        .into());
    }
    println!("   Every frame of the session came through.");
    Ok(())
}
