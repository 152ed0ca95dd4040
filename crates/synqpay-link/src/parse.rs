//! Parsing one candidate frame that starts at an STX (spec/protocol.md §1), with `nom`'s streaming
//! parsers: a candidate that is cut short is `Incomplete`, never an error.
//!
//! Checks run in wire order, so each failure is found as early as the bytes allow: the type byte
//! (INVALID_MSG_TYPE), the length against the limit (LEN_ERROR, from the four length bytes alone),
//! the ETX (INVALID_MESSAGE), and only then the CRC (CRC_ERROR). The length is trusted only up to
//! the limit; nothing is parsed by scanning for ETX, since no byte stuffing means 0x02 and 0x03 can
//! appear inside the key, length and CRC fields.

use nom::bytes::streaming::take;
use nom::number::streaming::{be_u16, u8 as byte};
use nom::{IResult, Parser};

use crate::crc::frame_crc;
use crate::frame::{ETX, STX};
use crate::{ApiKey, ErrorCode, Frame, FrameError, MessageType};

/// Limits and tolerances of a receiver.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ParseOptions {
    /// The largest payload accepted; a longer length field is LEN_ERROR (ours: the spec sets no
    /// maximum, the receiver's buffer decides).
    pub max_payload: u32,
    /// Also accept a CRC sent low byte first. Off by default (ours: the vendor's worked example
    /// shows CRC bytes that match no variant; we send big-endian and expect it).
    pub accept_swapped_crc: bool,
}

impl Default for ParseOptions {
    fn default() -> Self {
        Self {
            max_payload: u32::MAX,
            accept_swapped_crc: false,
        }
    }
}

/// Whether a receiver takes a CRC sent low byte first ([`ParseOptions::accept_swapped_crc`],
/// [`Decoder::with_swapped_crc`](crate::Decoder::with_swapped_crc)).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum SwappedCrc {
    /// Refused as a CRC error (the default: spec/protocol.md §1).
    #[default]
    Refused,
    /// Accepted as well as the specified order.
    Accepted,
}

/// Why [`parse_frame`] returned no frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ParseError {
    /// The bytes are a valid start of a frame, but not all of it.
    Incomplete,
    /// The bytes at the start are not a valid frame.
    Invalid(FrameError),
}

/// Parses the frame at the very start of `input` and returns it with its length in bytes.
///
/// `input` must start with STX (otherwise: `Invalid(InvalidMessage)`). Bytes after the frame are
/// left alone. The [`Decoder`](crate::Decoder) is built on this; call it directly for a buffer that
/// holds whole frames.
pub fn parse_frame<'a>(
    input: &'a [u8],
    options: &ParseOptions,
) -> Result<(Frame<'a>, usize), ParseError> {
    match frame(input, options) {
        Ok((rest, frame)) => Ok((frame, input.len() - rest.len())),
        Err(nom::Err::Incomplete(_)) => Err(ParseError::Incomplete),
        Err(nom::Err::Error(Reject(e)) | nom::Err::Failure(Reject(e))) => {
            Err(ParseError::Invalid(e))
        }
    }
}

/// nom's error type for this parser: the link error a failed candidate is reported as.
#[derive(Debug)]
struct Reject(FrameError);

impl<I> nom::error::ParseError<I> for Reject {
    fn from_error_kind(_: I, _: nom::error::ErrorKind) -> Self {
        Reject(FrameError::InvalidMessage)
    }
    fn append(_: I, _: nom::error::ErrorKind, other: Self) -> Self {
        other
    }
}

type Res<'a, T> = IResult<&'a [u8], T, Reject>;

fn fail<'a, T>(error: FrameError) -> Res<'a, T> {
    Err(nom::Err::Failure(Reject(error)))
}

fn expect(wanted: u8, input: &[u8]) -> Res<'_, ()> {
    let (rest, b) = byte(input)?;
    if b == wanted {
        Ok((rest, ()))
    } else {
        fail(FrameError::InvalidMessage)
    }
}

fn frame<'a>(input: &'a [u8], options: &ParseOptions) -> Res<'a, Frame<'a>> {
    let (i, ()) = expect(STX, input)?;
    let (i, type_byte) = byte(i)?;
    let Some(message_type) = MessageType::from_u8(type_byte) else {
        return fail(FrameError::InvalidMsgType(type_byte));
    };
    match message_type {
        MessageType::KeepAlive => expect(ETX, i).map(|(i, ())| (i, Frame::KeepAlive)),
        MessageType::Ack => expect(ETX, i).map(|(i, ())| (i, Frame::Ack)),
        MessageType::Error => {
            let (i, code) = byte(i)?;
            let (i, ()) = expect(ETX, i)?;
            Ok((i, Frame::Error(ErrorCode::from_u8(code))))
        }
        MessageType::Request => {
            let (i, key) = take(4usize).parse(i)?;
            let api_key = ApiKey::from_bytes([key[0], key[1], key[2], key[3]]);
            let (i, payload) = checked_payload(i, options)?;
            Ok((i, Frame::Request { api_key, payload }))
        }
        MessageType::Response => {
            checked_payload(i, options).map(|(i, payload)| (i, Frame::Response { payload }))
        }
        MessageType::Event => {
            checked_payload(i, options).map(|(i, payload)| (i, Frame::Event { payload }))
        }
    }
}

/// `length(4) · payload · crc(2) · ETX`, checked in that order.
fn checked_payload<'a>(input: &'a [u8], options: &ParseOptions) -> Res<'a, &'a [u8]> {
    let (i, len) = take(4usize).parse(input)?;
    let len_bytes = [len[0], len[1], len[2], len[3]];
    let length = u32::from_be_bytes(len_bytes);
    if length > options.max_payload {
        return fail(FrameError::LenError {
            length,
            max: options.max_payload,
        });
    }
    // `length <= max_payload`, which the decoder keeps within its buffer, so this fits a usize.
    let (i, payload) = take(length as usize).parse(i)?;
    let (i, received) = be_u16(i)?;
    let (i, ()) = expect(ETX, i)?;
    let computed = frame_crc(len_bytes, payload);
    let swapped_ok = options.accept_swapped_crc && computed.swap_bytes() == received;
    if computed != received && !swapped_ok {
        return fail(FrameError::CrcError { computed, received });
    }
    Ok((i, payload))
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPTS: ParseOptions = ParseOptions {
        max_payload: 64,
        accept_swapped_crc: false,
    };

    #[test]
    fn every_prefix_of_a_frame_is_incomplete() {
        let frame = Frame::Request {
            api_key: ApiKey::from_bytes([2, 3, 2, 3]),
            payload: b"{\"a\":1}",
        };
        let mut buf = [0u8; 32];
        let n = frame.encode(&mut buf).unwrap();
        for cut in 1..n {
            assert_eq!(
                parse_frame(&buf[..cut], &OPTS),
                Err(ParseError::Incomplete),
                "cut at {cut}"
            );
        }
        assert_eq!(parse_frame(&buf[..n], &OPTS), Ok((frame, n)));
    }

    #[test]
    fn length_error_needs_only_the_length_bytes() {
        let head = [STX, 0x02, 0, 0, 0, 65];
        assert_eq!(
            parse_frame(&head, &OPTS),
            Err(ParseError::Invalid(FrameError::LenError {
                length: 65,
                max: 64
            }))
        );
    }

    #[test]
    fn swapped_crc_only_when_asked() {
        let mut buf = [0u8; 16];
        let n = Frame::Response { payload: b"{}" }.encode(&mut buf).unwrap();
        buf.swap(n - 3, n - 2);
        assert!(matches!(
            parse_frame(&buf[..n], &OPTS),
            Err(ParseError::Invalid(FrameError::CrcError { .. }))
        ));
        let lenient = ParseOptions {
            accept_swapped_crc: true,
            ..OPTS
        };
        assert_eq!(
            parse_frame(&buf[..n], &lenient),
            Ok((Frame::Response { payload: b"{}" }, n))
        );
    }

    #[test]
    fn wrong_etx_is_invalid_message_before_any_crc_check() {
        let mut buf = [0u8; 16];
        let n = Frame::Event { payload: b"{}" }.encode(&mut buf).unwrap();
        buf[n - 1] = 0x7e;
        buf[n - 2] ^= 0xff; // a bad CRC too: the ETX is reported first
        assert_eq!(
            parse_frame(&buf[..n], &OPTS),
            Err(ParseError::Invalid(FrameError::InvalidMessage))
        );
    }

    #[test]
    fn not_starting_at_stx_is_invalid() {
        assert_eq!(
            parse_frame(b"x", &OPTS),
            Err(ParseError::Invalid(FrameError::InvalidMessage))
        );
        assert_eq!(parse_frame(b"", &OPTS), Err(ParseError::Incomplete));
    }
}
