//! Captures without root (ours; issue 16): the bytes a connection carries, written as a pcap
//! file with plausible Ethernet, IPv4 and TCP framing (a handshake, sequence and
//! acknowledgement numbers, a FIN at the end), so that Wireshark and tshark follow the stream
//! and reassemble frames split over segments. `synqpay simulate --pcap FILE` and
//! `synqpay proxy --pcap FILE` write one; tests write their own segmentations with it.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::net::SocketAddrV4;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

/// Which way a segment goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// From the client to the device.
    ToDevice,
    /// From the device to the client.
    ToClient,
}

/// One TCP connection in the capture: its two ends and their sequence numbers.
#[derive(Debug, Clone)]
pub struct Connection {
    client: SocketAddrV4,
    device: SocketAddrV4,
    client_seq: u32,
    device_seq: u32,
}

/// A pcap file being written (microsecond timestamps, Ethernet link type).
pub struct PcapWriter {
    out: BufWriter<File>,
}

const SYN: u8 = 0x02;
const ACK: u8 = 0x10;
const PSH: u8 = 0x08;
const FIN: u8 = 0x01;
/// The most bytes a segment carries (ours: bigger writes are split, as TCP would).
const MSS: usize = 1448;

impl PcapWriter {
    /// Creates `path` and writes the file header.
    pub fn create(path: &Path) -> io::Result<Self> {
        let mut out = BufWriter::new(File::create(path)?);
        out.write_all(&0xa1b2_c3d4u32.to_le_bytes())?;
        out.write_all(&2u16.to_le_bytes())?;
        out.write_all(&4u16.to_le_bytes())?;
        out.write_all(&0i32.to_le_bytes())?;
        out.write_all(&0u32.to_le_bytes())?;
        out.write_all(&65_535u32.to_le_bytes())?;
        out.write_all(&1u32.to_le_bytes())?; // LINKTYPE_ETHERNET
        Ok(Self { out })
    }

    /// A new connection from `client` to `device`: its handshake is written.
    pub fn connect(
        &mut self,
        client: SocketAddrV4,
        device: SocketAddrV4,
    ) -> io::Result<Connection> {
        let mut c = Connection {
            client,
            device,
            client_seq: 1_000,
            device_seq: 50_000,
        };
        self.packet(&c, Direction::ToDevice, SYN, &[])?;
        c.client_seq += 1;
        self.packet(&c, Direction::ToClient, SYN | ACK, &[])?;
        c.device_seq += 1;
        self.packet(&c, Direction::ToDevice, ACK, &[])?;
        Ok(c)
    }

    /// `bytes` sent one way, in segments of at most 1448 bytes (a typical MSS).
    pub fn send(&mut self, c: &mut Connection, dir: Direction, bytes: &[u8]) -> io::Result<()> {
        for chunk in bytes.chunks(MSS) {
            self.packet(c, dir, PSH | ACK, chunk)?;
            let seq = match dir {
                Direction::ToDevice => &mut c.client_seq,
                Direction::ToClient => &mut c.device_seq,
            };
            *seq = seq.wrapping_add(chunk.len() as u32);
        }
        Ok(())
    }

    /// The client closes the connection.
    pub fn close(&mut self, c: &mut Connection) -> io::Result<()> {
        self.packet(c, Direction::ToDevice, FIN | ACK, &[])?;
        c.client_seq = c.client_seq.wrapping_add(1);
        self.packet(c, Direction::ToClient, FIN | ACK, &[])?;
        c.device_seq = c.device_seq.wrapping_add(1);
        self.packet(c, Direction::ToDevice, ACK, &[])?;
        self.out.flush()
    }

    /// Writes what is buffered.
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    fn packet(
        &mut self,
        c: &Connection,
        dir: Direction,
        flags: u8,
        payload: &[u8],
    ) -> io::Result<()> {
        let (src, dst, seq, ack) = match dir {
            Direction::ToDevice => (c.client, c.device, c.client_seq, c.device_seq),
            Direction::ToClient => (c.device, c.client, c.device_seq, c.client_seq),
        };
        let mut frame = Vec::with_capacity(54 + payload.len());
        // Ethernet: made-up addresses, IPv4.
        let mac = |a: &SocketAddrV4| {
            let o = a.ip().octets();
            [0x02, 0x00, o[0], o[1], o[2], o[3]]
        };
        frame.extend(mac(&dst));
        frame.extend(mac(&src));
        frame.extend([0x08, 0x00]);
        // IPv4.
        let total = (20 + 20 + payload.len()) as u16;
        let mut ip = [0u8; 20];
        ip[0] = 0x45;
        ip[2..4].copy_from_slice(&total.to_be_bytes());
        ip[6] = 0x40; // don't fragment
        ip[8] = 64;
        ip[9] = 6; // TCP
        ip[12..16].copy_from_slice(&src.ip().octets());
        ip[16..20].copy_from_slice(&dst.ip().octets());
        let sum = checksum(&ip);
        ip[10..12].copy_from_slice(&sum.to_be_bytes());
        frame.extend(ip);
        // TCP.
        let mut tcp = [0u8; 20];
        tcp[0..2].copy_from_slice(&src.port().to_be_bytes());
        tcp[2..4].copy_from_slice(&dst.port().to_be_bytes());
        tcp[4..8].copy_from_slice(&seq.to_be_bytes());
        tcp[8..12].copy_from_slice(&(if flags & ACK != 0 { ack } else { 0 }).to_be_bytes());
        tcp[12] = 5 << 4;
        tcp[13] = flags;
        tcp[14..16].copy_from_slice(&65_535u16.to_be_bytes());
        let mut pseudo = Vec::with_capacity(12 + 20 + payload.len());
        pseudo.extend(src.ip().octets());
        pseudo.extend(dst.ip().octets());
        pseudo.extend([0, 6]);
        pseudo.extend(((20 + payload.len()) as u16).to_be_bytes());
        pseudo.extend(tcp);
        pseudo.extend(payload);
        let sum = checksum(&pseudo);
        tcp[16..18].copy_from_slice(&sum.to_be_bytes());
        frame.extend(tcp);
        frame.extend(payload);
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        self.out.write_all(&(now.as_secs() as u32).to_le_bytes())?;
        self.out.write_all(&now.subsec_micros().to_le_bytes())?;
        self.out.write_all(&(frame.len() as u32).to_le_bytes())?;
        self.out.write_all(&(frame.len() as u32).to_le_bytes())?;
        self.out.write_all(&frame)
    }
}

/// The Internet checksum (RFC 1071).
fn checksum(bytes: &[u8]) -> u16 {
    let mut sum: u32 = bytes
        .chunks(2)
        .map(|w| u32::from(u16::from_be_bytes([w[0], w.get(1).copied().unwrap_or(0)])))
        .sum();
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}
