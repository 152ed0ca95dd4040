//! The firmware's own printing, through semihosting without `core::fmt`: every row links the
//! same few bytes for it, where a formatted print (`hprintln!` with numbers) costs about 1 KB
//! that LTO lays out differently from one row to the next, and would blur each row's cost.

use cortex_m_semihosting::hio;

/// A piece of a line.
pub enum Piece<'a> {
    Text(&'a str),
    Number(usize),
}

/// Prints the pieces, then a newline.
pub fn say(pieces: &[Piece<'_>]) {
    let Ok(mut out) = hio::hstdout() else {
        return;
    };
    let mut digits = [0u8; 20];
    for piece in pieces {
        let bytes = match piece {
            Piece::Text(text) => text.as_bytes(),
            Piece::Number(n) => decimal(*n, &mut digits),
        };
        let _ = out.write_all(bytes);
    }
    let _ = out.write_all(b"\n");
}

/// `n` in decimal, at the end of `buf`.
fn decimal(mut n: usize, buf: &mut [u8; 20]) -> &[u8] {
    let mut at = buf.len();
    loop {
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            return &buf[at..];
        }
    }
}
