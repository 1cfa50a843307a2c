//! Shared by `build.rs` and the runtime lookup: both sides must hash token bytes identically.

/// FNV-1a over the bytes of a token, 64-bit.
#[inline]
pub fn token_hash(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}
