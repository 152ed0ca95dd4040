//! Arbitrary bytes in arbitrary chunks through the streaming decoder, both ways of feeding it.
//!
//! Input layout: byte 0 picks the options (bit 0: accept a swapped CRC; the rest: the buffer
//! size), byte 1 seeds the chunk sizes (0: all at once), the rest is the stream. Checks: no
//! panic; with `push` + `poll`, every decoded frame re-encodes to exactly the bytes it was decoded
//! from and every byte is accounted for; `feed` yields the same frames, errors and counters.
#![no_main]

use libfuzzer_sys::fuzz_target;
use synqpay_link::{Decoder, Frame, SwappedCrc};

const CAPACITIES: [usize; 6] = [13, 16, 64, 613, 4109, 65549];

fuzz_target!(|data: &[u8]| {
    let [options, seed, stream @ ..] = data else {
        return;
    };
    let swapped = if options & 1 == 1 {
        SwappedCrc::Accepted
    } else {
        SwappedCrc::Refused
    };
    let capacity = CAPACITIES[usize::from(options >> 1) % CAPACITIES.len()];
    let chunks = chunk_bounds(*seed, stream.len());
    let new_decoder = || Decoder::new(vec![0u8; capacity]).with_swapped_crc(swapped);

    let mut polled = new_decoder();
    let mut by_poll = Vec::new();
    for &(pos, end) in &chunks {
        let mut piece = &stream[pos..end];
        while !piece.is_empty() {
            piece = &piece[polled.push(piece)..];
            while let Some(result) = polled.poll() {
                let outcome = result.map(|frame| encode(&frame));
                if let Ok(bytes) = &outcome {
                    let at = polled.consumed() as usize;
                    check_same(bytes, &stream[at - bytes.len()..at], swapped);
                }
                by_poll.push(outcome);
            }
            assert!(polled.buffered() <= capacity);
        }
        assert_eq!(polled.consumed() + polled.buffered() as u64, end as u64);
    }

    let mut fed = new_decoder();
    let mut by_feed = Vec::new();
    for &(pos, end) in &chunks {
        fed.feed(&stream[pos..end], |result| {
            by_feed.push(result.map(|frame| encode(&frame)))
        });
        assert!(fed.buffered() <= capacity);
        assert_eq!(fed.consumed() + fed.buffered() as u64, end as u64);
    }
    assert_eq!(by_poll, by_feed);
    assert_eq!(polled.stats(), fed.stats());
});

/// The chunks the stream arrives in, from a small xorshift seeded by `seed` (0: one chunk).
fn chunk_bounds(seed: u8, len: usize) -> Vec<(usize, usize)> {
    let mut state = u32::from(seed) | 0x100;
    let mut bounds = Vec::new();
    let mut pos = 0;
    while pos < len {
        let size = if seed == 0 {
            len
        } else {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            1 + (state % 97) as usize
        };
        let end = pos.saturating_add(size).min(len);
        bounds.push((pos, end));
        pos = end;
    }
    bounds
}

fn encode(frame: &Frame<'_>) -> Vec<u8> {
    let mut out = vec![0u8; frame.encoded_len()];
    frame.encode(&mut out).expect("encoded_len is exact");
    out
}

/// Equal bytes; with a swapped CRC accepted, the two CRC bytes may be the other way round.
fn check_same(reencoded: &[u8], raw: &[u8], swapped: SwappedCrc) {
    if reencoded == raw {
        return;
    }
    let n = raw.len();
    assert!(
        swapped == SwappedCrc::Accepted && n >= 9 && reencoded.len() == n,
        "re-encoded {reencoded:02x?} != raw {raw:02x?}"
    );
    assert_eq!(reencoded[..n - 3], raw[..n - 3]);
    assert_eq!(
        (reencoded[n - 3], reencoded[n - 2]),
        (raw[n - 2], raw[n - 3])
    );
    assert_eq!(reencoded[n - 1], raw[n - 1]);
}
