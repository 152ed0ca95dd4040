//! CRC-16/MODBUS over length and payload (spec/protocol.md §1, "CRC").
//!
//! Reflected polynomial 0xA001 (0x8005 normal), initial value 0xFFFF, no final xor; the check
//! value of `"123456789"` is 0x4B37. The `crc` crate provides the algorithm; this module only picks
//! its table size.

// ours: the table size is a feature. Slice-by-16 is several times faster on a desktop CPU but
// costs 8 KiB of flash; the default one-lane table costs 512 bytes; `small-crc` computes bit by
// bit with no table, for the smallest flash (`fast-crc` wins when both are on).
#[cfg(feature = "fast-crc")]
type Lanes = crc::Table<16>;
#[cfg(all(not(feature = "fast-crc"), not(feature = "small-crc")))]
type Lanes = crc::Table<1>;
#[cfg(all(not(feature = "fast-crc"), feature = "small-crc"))]
type Lanes = crc::NoTable;

static MODBUS: crc::Crc<u16, Lanes> = crc::Crc::<u16, Lanes>::new(&crc::CRC_16_MODBUS);

/// CRC-16/MODBUS of `bytes`.
pub fn crc16(bytes: &[u8]) -> u16 {
    MODBUS.checksum(bytes)
}

/// CRC-16/MODBUS of the four length bytes followed by the payload, as a frame carries it.
pub fn frame_crc(length: [u8; 4], payload: &[u8]) -> u16 {
    let mut digest = MODBUS.digest();
    digest.update(&length);
    digest.update(payload);
    digest.finalize()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_value_of_the_catalogue() {
        assert_eq!(crc16(b"123456789"), 0x4B37);
    }

    #[test]
    fn frame_crc_covers_length_then_payload() {
        assert_eq!(frame_crc([0, 0, 0, 0], b""), 0x2400);
        assert_eq!(frame_crc([0, 0, 0, 2], b"{}"), crc16(b"\0\0\0\x02{}"));
    }
}
