//! A stand-in random number generator for embedded-tls on a board without one.

/// xorshift32: **not** a cryptographic RNG. This emulated board has no TRNG; a firmware gives
/// embedded-tls its hardware TRNG, never this.
pub struct NotCryptoRng(u32);

impl NotCryptoRng {
    /// Seeded from `seed` (0 is taken as 1).
    pub fn new(seed: u32) -> Self {
        Self(seed.max(1))
    }
}

impl rand_core::RngCore for NotCryptoRng {
    fn next_u32(&mut self) -> u32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 17;
        self.0 ^= self.0 << 5;
        self.0
    }

    fn next_u64(&mut self) -> u64 {
        (u64::from(self.next_u32()) << 32) | u64::from(self.next_u32())
    }

    fn fill_bytes(&mut self, dest: &mut [u8]) {
        dest.iter_mut().for_each(|b| *b = self.next_u32() as u8);
    }

    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

/// Marked cryptographic only so that embedded-tls takes it, on this emulated board.
impl rand_core::CryptoRng for NotCryptoRng {}
