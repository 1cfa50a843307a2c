//! Compiles tiktoken's `o200k_base` vocabulary into a flat, zero-parse lookup table.
//!
//! `tiktoken_rs::o200k_base()` spends ~300 ms building hash maps at start-up, which would dominate a
//! 5 ms `route` call. The table written here is included into the binary with `include_bytes!` and
//! queried in place: open addressing over FNV-1a hashes of the token bytes, ranks equal to indices.
//!
//! Layout (little-endian u32 words, then raw bytes):
//! `magic "TKN2" | n_tokens | table_slots | data_len | offsets[n_tokens + 1] | slots[2 * table_slots] | data`
//! where slot `i` is the pair `(rank + 1, fingerprint)` (rank 0 = empty; the fingerprint is the high
//! half of the token's hash, so most failed lookups never touch the token bytes) and token `r` is
//! `data[offsets[r]..offsets[r + 1]]`.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::collections::HashSet;
use std::io::Write;

#[path = "src/tokenizer/hash.rs"]
mod hash;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=src/tokenizer/hash.rs");

    let bpe = tiktoken_rs::o200k_base().expect("o200k_base vocabulary loads");
    let special: HashSet<u32> = [199_999, 200_018].into_iter().collect();

    let mut tokens: Vec<Vec<u8>> = Vec::new();
    for rank in 0u32.. {
        if special.contains(&rank) {
            break;
        }
        match bpe.decode_bytes(&[rank]) {
            Ok(bytes) => tokens.push(bytes),
            Err(_) => break,
        }
    }
    assert!(tokens.len() > 199_000, "unexpected o200k vocabulary size {}", tokens.len());

    let n = tokens.len();
    let slots = (n * 2).next_power_of_two();
    let mask = (slots - 1) as u64;
    let mut table = vec![0u32; 2 * slots];
    let mut offsets = Vec::with_capacity(n + 1);
    let mut data = Vec::new();
    for (rank, tok) in tokens.iter().enumerate() {
        offsets.push(data.len() as u32);
        data.extend_from_slice(tok);
        let h = hash::token_hash(tok);
        let mut i = h & mask;
        while table[2 * i as usize] != 0 {
            i = (i + 1) & mask;
        }
        table[2 * i as usize] = rank as u32 + 1;
        table[2 * i as usize + 1] = (h >> 32) as u32;
    }
    offsets.push(data.len() as u32);

    let mut out = Vec::with_capacity(16 + 4 * (n + 1 + 2 * slots) + data.len());
    out.extend_from_slice(b"TKN2");
    for w in [n as u32, slots as u32, data.len() as u32] {
        out.extend_from_slice(&w.to_le_bytes());
    }
    for w in offsets.iter().chain(table.iter()) {
        out.extend_from_slice(&w.to_le_bytes());
    }
    out.extend_from_slice(&data);

    let path = std::path::Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR set by cargo")).join("o200k.bin");
    let mut f = std::fs::File::create(&path).expect("create o200k.bin");
    f.write_all(&out).expect("write o200k.bin");
}
