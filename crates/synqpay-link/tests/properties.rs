//! Properties of the codec (proptest): round trips, any chunking, resynchronisation, no panics.

use proptest::prelude::*;
use synqpay_link::{ApiKey, Decoder, ErrorCode, Frame, FrameError, STX};

/// An owned frame, so that proptest can generate and shrink it.
#[derive(Debug, Clone, PartialEq)]
enum Owned {
    Request([u8; 4], Vec<u8>),
    Response(Vec<u8>),
    Event(Vec<u8>),
    KeepAlive,
    Ack,
    Error(u8),
}

impl Owned {
    fn frame(&self) -> Frame<'_> {
        match self {
            Owned::Request(key, p) => Frame::Request {
                api_key: ApiKey::from_bytes(*key),
                payload: p,
            },
            Owned::Response(p) => Frame::Response { payload: p },
            Owned::Event(p) => Frame::Event { payload: p },
            Owned::KeepAlive => Frame::KeepAlive,
            Owned::Ack => Frame::Ack,
            Owned::Error(code) => Frame::Error(ErrorCode::from_u8(*code)),
        }
    }

    fn of(frame: &Frame<'_>) -> Self {
        match *frame {
            Frame::Request { api_key, payload } => {
                Owned::Request(api_key.to_bytes(), payload.to_vec())
            }
            Frame::Response { payload } => Owned::Response(payload.to_vec()),
            Frame::Event { payload } => Owned::Event(payload.to_vec()),
            Frame::KeepAlive => Owned::KeepAlive,
            Frame::Ack => Owned::Ack,
            Frame::Error(code) => Owned::Error(code.as_u8()),
        }
    }

    fn bytes(&self) -> Vec<u8> {
        let frame = self.frame();
        let mut out = vec![0u8; frame.encoded_len()];
        assert_eq!(frame.encode(&mut out), Ok(out.len()));
        out
    }
}

/// Payloads of any bytes, including STX and ETX values: the codec must not care.
fn any_frame() -> impl Strategy<Value = Owned> {
    let payload = prop::collection::vec(any::<u8>(), 0..600);
    prop_oneof![
        (any::<[u8; 4]>(), payload.clone()).prop_map(|(k, p)| Owned::Request(k, p)),
        payload.clone().prop_map(Owned::Response),
        payload.prop_map(Owned::Event),
        Just(Owned::KeepAlive),
        Just(Owned::Ack),
        any::<u8>().prop_map(Owned::Error),
    ]
}

/// The chunks `stream` arrives in: their sizes cycle through `cuts`.
fn chunks<'s>(stream: &'s [u8], cuts: &'s [usize]) -> impl Iterator<Item = &'s [u8]> + 's {
    let mut sizes = cuts.iter().cycle();
    let mut rest = stream;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let size = sizes
            .next()
            .copied()
            .unwrap_or(usize::MAX)
            .clamp(1, rest.len());
        let (chunk, tail) = rest.split_at(size);
        rest = tail;
        Some(chunk)
    })
}

/// `stream` through `push` + `poll`: everything yielded, in order, and the decoder. Checks the
/// byte accounting after every chunk.
fn run_poll(
    stream: &[u8],
    cuts: &[usize],
    capacity: usize,
) -> (Vec<Result<Owned, FrameError>>, Decoder<Vec<u8>>) {
    let mut decoder = Decoder::new(vec![0u8; capacity]);
    let mut out = Vec::new();
    let mut fed = 0;
    for chunk in chunks(stream, cuts) {
        let mut rest = chunk;
        while !rest.is_empty() {
            rest = &rest[decoder.push(rest)..];
            while let Some(r) = decoder.poll() {
                out.push(r.map(|f| Owned::of(&f)));
            }
            assert!(decoder.buffered() <= capacity);
        }
        fed += chunk.len();
        assert_eq!(decoder.consumed() + decoder.buffered() as u64, fed as u64);
    }
    (out, decoder)
}

/// The same stream through `push` + `poll`, frames and errors alike.
fn decode_by_poll(
    stream: &[u8],
    cuts: &[usize],
    capacity: usize,
) -> Vec<Result<Owned, FrameError>> {
    run_poll(stream, cuts, capacity).0
}

/// The same stream through [`Decoder::feed`]: everything `push` + `poll` yields, in order.
fn decode_by_feed(
    stream: &[u8],
    cuts: &[usize],
    capacity: usize,
) -> Vec<Result<Owned, FrameError>> {
    let mut decoder = Decoder::new(vec![0u8; capacity]);
    let mut out = Vec::new();
    let mut fed = 0;
    for chunk in chunks(stream, cuts) {
        decoder.feed(chunk, |r| out.push(r.map(|f| Owned::of(&f))));
        fed += chunk.len();
        assert_eq!(decoder.consumed() + decoder.buffered() as u64, fed as u64);
    }
    out
}

/// The frames of `stream` through `push` + `poll`, giving up on whatever partial frame is left at
/// the end (as a driver's inter-byte timeout would).
fn decode(stream: &[u8], cuts: &[usize], capacity: usize) -> Vec<Owned> {
    let (out, mut decoder) = run_poll(stream, cuts, capacity);
    let mut frames: Vec<Owned> = out.into_iter().filter_map(Result::ok).collect();
    while decoder.abandon_partial().is_some() {
        while let Some(result) = decoder.poll() {
            frames.extend(result.ok().map(|f| Owned::of(&f)));
        }
    }
    assert_eq!(decoder.consumed(), stream.len() as u64);
    frames
}

/// Streams made of the pieces that trouble a decoder: lone STX bytes, STX with any type byte,
/// loose length fields, noise, and whole frames.
fn frame_like_stream() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just(vec![STX]),
        (0u8..8).prop_map(|t| vec![STX, t]),
        any::<[u8; 4]>().prop_map(|l| l.to_vec()),
        prop::collection::vec(any::<u8>(), 0..16),
        any_frame().prop_map(|f| f.bytes()),
    ];
    prop::collection::vec(piece, 0..24).prop_map(|parts| parts.concat())
}

const CAPACITY: usize = 600 + 13;

proptest! {
    #[test]
    fn encode_then_decode_returns_the_frame(frame in any_frame()) {
        let bytes = frame.bytes();
        prop_assert_eq!(bytes.len(), frame.frame().encoded_len());
        let (decoded, len) = synqpay_link::parse_frame(&bytes, &Default::default()).unwrap();
        prop_assert_eq!(len, bytes.len());
        prop_assert_eq!(Owned::of(&decoded), frame);
    }

    #[test]
    fn any_split_of_a_stream_decodes_to_the_same_frames(
        frames in prop::collection::vec(any_frame(), 1..8),
        cuts in prop::collection::vec(1usize..700, 1..16),
    ) {
        let stream: Vec<u8> = frames.iter().flat_map(Owned::bytes).collect();
        prop_assert_eq!(decode(&stream, &cuts, CAPACITY), frames.clone());
        let fed: Vec<Owned> = decode_by_feed(&stream, &cuts, CAPACITY).into_iter().map(Result::unwrap).collect();
        prop_assert_eq!(fed, frames);
    }

    #[test]
    fn feed_and_poll_agree_on_any_bytes(
        stream in frame_like_stream(),
        cuts in prop::collection::vec(1usize..300, 1..16),
        capacity in 13usize..700,
    ) {
        prop_assert_eq!(decode_by_feed(&stream, &cuts, capacity), decode_by_poll(&stream, &cuts, capacity));
    }

    #[test]
    fn garbage_without_stx_between_frames_loses_nothing(
        parts in prop::collection::vec(
            (prop::collection::vec(any::<u8>().prop_filter("no STX", |b| *b != STX), 0..40), any_frame()),
            1..8,
        ),
        cuts in prop::collection::vec(1usize..700, 1..16),
    ) {
        let mut stream = Vec::new();
        let mut garbage = 0;
        for (junk, frame) in &parts {
            stream.extend_from_slice(junk);
            garbage += junk.len();
            stream.extend(frame.bytes());
        }
        let mut decoder = Decoder::new(vec![0u8; CAPACITY]);
        let mut got = Vec::new();
        for chunk in chunks(&stream, &cuts) {
            let mut piece = chunk;
            while !piece.is_empty() {
                piece = &piece[decoder.push(piece)..];
                while let Some(r) = decoder.poll() {
                    got.push(Owned::of(&r.expect("no candidate fails here")));
                }
            }
        }
        let expected: Vec<Owned> = parts.iter().map(|(_, f)| f.clone()).collect();
        prop_assert_eq!(got, expected);
        prop_assert_eq!(decoder.stats().skipped_bytes as usize, garbage);
        prop_assert_eq!(decoder.stats().errors(), 0);
    }

    #[test]
    fn any_garbage_before_frames_costs_no_frame(
        junk in prop::collection::vec(any::<u8>(), 0..64),
        frames in prop::collection::vec(any_frame(), 1..6),
        cuts in prop::collection::vec(1usize..700, 1..16),
    ) {
        // Garbage may hold STX bytes and even whole frames by chance; the real frames must all
        // come out at the end, whatever false candidates came before them.
        let mut stream = junk.clone();
        stream.extend(frames.iter().flat_map(Owned::bytes));
        let decoded = decode(&stream, &cuts, CAPACITY);
        prop_assert!(decoded.len() >= frames.len());
        prop_assert_eq!(&decoded[decoded.len() - frames.len()..], &frames[..]);
    }

    #[test]
    fn no_bytes_make_it_panic(
        bytes in prop::collection::vec(any::<u8>(), 0..2048),
        cuts in prop::collection::vec(1usize..300, 1..16),
        capacity in 13usize..300,
    ) {
        decode(&bytes, &cuts, capacity);
    }

    #[test]
    fn frame_like_bytes_make_it_panic_neither(
        stream in frame_like_stream(),
        cuts in prop::collection::vec(1usize..300, 1..16),
        capacity in 13usize..700,
    ) {
        decode(&stream, &cuts, capacity);
    }
}
