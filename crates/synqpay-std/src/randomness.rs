//! Randomness for the desktop client without a dependency: the standard library's hasher keys
//! are drawn from the operating system's RNG once per process, and mixed with the time and a
//! counter here. Good enough for request-id prefixes and backoff jitter; never for keys.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};

use synqpay_rpc::IdPrefix;

/// 64 unpredictable bits.
pub(crate) fn random_u64() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    hasher.write_u32(std::process::id());
    if let Ok(since) = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        hasher.write_u128(since.as_nanos());
    }
    hasher.finish()
}

/// A request-id prefix for a new client session (spec/protocol.md §2: ids unique across
/// processes and reconnects). Each [`Client`](crate::Client) draws its own.
pub fn fresh_id_prefix() -> IdPrefix {
    IdPrefix(random_u64() as u32)
}

/// A new `referenceId` text, `{label}-{milliseconds since 1970}-{8 random hex digits}`: a
/// `referenceId` must be unique for the device's lifetime (spec/protocol.md §6), and the time
/// alone repeats for two sales in one millisecond or after the clock is set back (ours). With a
/// label of up to 34 characters it fits the 64 a `referenceId` allows.
pub fn fresh_reference_id(label: &str) -> String {
    let millis = std::time::UNIX_EPOCH.elapsed().map_or(0, |d| d.as_millis());
    format!("{label}-{millis}-{:08x}", random_u64() as u32)
}

#[cfg(test)]
mod tests {
    #[test]
    fn reference_ids_differ_within_a_millisecond() {
        let a: Vec<String> = (0..64).map(|_| super::fresh_reference_id("t")).collect();
        let mut b = a.clone();
        b.sort_unstable();
        b.dedup();
        assert_eq!(a.len(), b.len());
        assert!(a.iter().all(|r| synqpay_rpc::ReferenceId::new(r).is_ok()));
    }

    #[test]
    fn prefixes_differ() {
        let a: Vec<u32> = (0..64).map(|_| super::fresh_id_prefix().0).collect();
        let mut b = a.clone();
        b.sort_unstable();
        b.dedup();
        assert_eq!(a.len(), b.len());
    }
}
