//! Token counting for cost estimates.
//!
//! OpenAI-family models are counted exactly with tiktoken's `o200k_base` vocabulary (the encoding of
//! GPT-4o, GPT-4.1, o-series). The vocabulary is compiled into the binary by `build.rs` as a flat
//! hash table, so counting needs no start-up work; tests compare every count with `tiktoken-rs`.
//!
//! Other providers do not publish their tokenizers. For them the count is the `o200k_base` count,
//! which is documented as an approximation (Anthropic's tokenizer produces somewhat more tokens
//! for English text).

mod hash;
mod pretokenize;

use hash::token_hash;

static TABLE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/o200k.bin"));

/// How a token count was obtained, shown in `--explain` and JSON output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Counting {
    /// Exact `o200k_base` count (OpenAI-family model).
    Exact,
    /// `o200k_base` count used as an approximation for another provider's tokenizer.
    Approximate,
}

struct Vocab {
    n: usize,
    mask: usize,
    offsets: usize,
    slots: usize,
    data: usize,
}

fn word(at: usize) -> usize {
    let b = &TABLE[at..at + 4];
    u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize
}

fn vocab() -> Vocab {
    let n = word(4);
    let slots = word(8);
    let offsets = 16;
    let slots_at = offsets + 4 * (n + 1);
    Vocab { n, mask: slots - 1, offsets, slots: slots_at, data: slots_at + 8 * slots }
}

impl Vocab {
    #[inline]
    fn token(&self, rank: usize) -> &'static [u8] {
        let start = word(self.offsets + 4 * rank);
        let end = word(self.offsets + 4 * (rank + 1));
        &TABLE[self.data + start..self.data + end]
    }

    /// Rank of `bytes` if it is a token.
    #[inline]
    fn rank(&self, bytes: &[u8]) -> Option<u32> {
        self.rank_hashed(bytes, token_hash(bytes))
    }

    fn rank_hashed(&self, bytes: &[u8], h: u64) -> Option<u32> {
        let fingerprint = (h >> 32) as usize;
        let mut i = (h as usize) & self.mask;
        loop {
            let v = word(self.slots + 8 * i);
            if v == 0 {
                return None;
            }
            let r = v - 1;
            if word(self.slots + 8 * i + 4) == fingerprint && r < self.n && self.token(r) == bytes {
                return Some(r as u32);
            }
            i = (i + 1) & self.mask;
        }
    }
}

/// A small direct-mapped cache of rank lookups, per thread. The vocabulary table is megabytes
/// large and every lookup in it is a cache miss; byte-pair merging of long pieces (CJK runs) asks
/// for the same short byte strings over and over, and those answers stay in this cache.
struct RankCache {
    entries: Vec<CacheEntry>,
    /// Pieces counted so far; the cache is allocated only once a process counts many (a single
    /// `route` call should not pay for zeroing 2 MB).
    uses: u32,
}

#[derive(Clone, Copy)]
struct CacheEntry {
    len: u8,
    bytes: [u8; CACHED_MAX],
    rank: u32,
}

const CACHED_MAX: usize = 23;
const CACHE_SLOTS: usize = 1 << 16;
const NOT_A_TOKEN: u32 = u32::MAX;

impl RankCache {
    fn new() -> RankCache {
        RankCache { entries: Vec::new(), uses: 0 }
    }

    #[inline]
    fn rank(&mut self, vocab: &Vocab, bytes: &[u8]) -> Option<u32> {
        if self.entries.is_empty() {
            self.uses += 1;
            if self.uses < 4096 {
                return vocab.rank(bytes);
            }
            self.entries = vec![CacheEntry { len: u8::MAX, bytes: [0; CACHED_MAX], rank: 0 }; CACHE_SLOTS];
        }
        if bytes.len() > CACHED_MAX {
            return vocab.rank(bytes);
        }
        let h = token_hash(bytes);
        let e = &mut self.entries[(h >> 40) as usize & (CACHE_SLOTS - 1)];
        if usize::from(e.len) == bytes.len() && &e.bytes[..bytes.len()] == bytes {
            return (e.rank != NOT_A_TOKEN).then_some(e.rank);
        }
        let r = vocab.rank_hashed(bytes, h);
        e.len = bytes.len() as u8;
        e.bytes[..bytes.len()].copy_from_slice(bytes);
        e.rank = r.unwrap_or(NOT_A_TOKEN);
        r
    }
}

thread_local! {
    static CACHE: std::cell::RefCell<RankCache> = std::cell::RefCell::new(RankCache::new());
}

/// Number of `o200k_base` tokens in `text` (ordinary text; special tokens are not recognised).
pub fn count_tokens(text: &str) -> usize {
    let vocab = vocab();
    CACHE.with(|c| {
        let mut cache = c.borrow_mut();
        pretokenize::pieces(text).map(|piece| count_piece(&vocab, &mut cache, piece.as_bytes())).sum()
    })
}

/// Byte-pair merge of one pre-token, as tiktoken does it: repeatedly merge the adjacent pair whose
/// concatenation has the lowest rank. Returns the number of resulting tokens.
fn count_piece(vocab: &Vocab, cache: &mut RankCache, piece: &[u8]) -> usize {
    if piece.len() <= 1 || cache.rank(vocab, piece).is_some() {
        return 1;
    }
    if piece.len() > 512 {
        return count_long_piece(vocab, cache, piece);
    }
    // parts[i] = (start offset, rank of the pair starting at part i).
    let mut parts: Vec<(usize, u32)> = Vec::with_capacity(piece.len() + 1);
    let mut rank_of = |a: usize, b: usize| cache.rank(vocab, &piece[a..b]).unwrap_or(u32::MAX);
    let mut min = (u32::MAX, usize::MAX);
    for i in 0..piece.len() - 1 {
        let r = rank_of(i, i + 2);
        if r < min.0 {
            min = (r, i);
        }
        parts.push((i, r));
    }
    parts.push((piece.len() - 1, u32::MAX));
    parts.push((piece.len(), u32::MAX));

    while min.0 != u32::MAX {
        let i = min.1;
        // After merging parts i and i + 1, the pairs starting at i - 1 and i change.
        if i > 0 {
            parts[i - 1].1 = if i + 2 < parts.len() { rank_of(parts[i - 1].0, parts[i + 2].0) } else { u32::MAX };
        }
        parts[i].1 = if i + 3 < parts.len() { rank_of(parts[i].0, parts[i + 3].0) } else { u32::MAX };
        parts.remove(i + 1);
        min = (u32::MAX, usize::MAX);
        for (j, &(_, r)) in parts[..parts.len() - 1].iter().enumerate() {
            if r < min.0 {
                min = (r, j);
            }
        }
    }
    parts.len() - 1
}

/// The same merge order for long pieces (a run of Chinese can be hundreds of bytes), in
/// O(n log n): a heap of pair ranks keyed by (rank, start), which picks the leftmost lowest rank
/// exactly as the linear scan does; stale entries are skipped by a per-part version.
fn count_long_piece(vocab: &Vocab, cache: &mut RankCache, piece: &[u8]) -> usize {
    use std::cmp::Reverse;
    const NONE: usize = usize::MAX;
    let n = piece.len();
    let mut next: Vec<usize> = (1..=n).map(|i| if i < n { i } else { NONE }).collect();
    let mut prev: Vec<usize> = (0..n).map(|i| if i == 0 { NONE } else { i - 1 }).collect();
    let mut version = vec![0u32; n];
    let end = |next: &[usize], i: usize| if next[i] == NONE { n } else { next[i] };
    let mut heap = std::collections::BinaryHeap::with_capacity(n);
    let pair = |cache: &mut RankCache, next: &[usize], i: usize| -> u32 {
        let j = next[i];
        if j == NONE { u32::MAX } else { cache.rank(vocab, &piece[i..end(next, j)]).unwrap_or(u32::MAX) }
    };
    for i in 0..n - 1 {
        let r = pair(cache, &next, i);
        if r != u32::MAX {
            heap.push(Reverse((r, i, 0u32)));
        }
    }
    let mut count = n;
    while let Some(Reverse((_, i, ver))) = heap.pop() {
        if version[i] != ver {
            continue;
        }
        // Merge part i (which starts at byte i) with its successor j.
        let j = next[i];
        next[i] = next[j];
        if next[j] != NONE {
            prev[next[j]] = i;
        }
        version[j] = u32::MAX;
        count -= 1;
        version[i] += 1;
        let r = pair(cache, &next, i);
        if r != u32::MAX {
            heap.push(Reverse((r, i, version[i])));
        }
        let p = prev[i];
        if p != NONE {
            version[p] += 1;
            let r = pair(cache, &next, p);
            if r != u32::MAX {
                heap.push(Reverse((r, p, version[p])));
            }
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocabulary_round_trips_every_rank() {
        let v = vocab();
        assert!(v.n > 199_000);
        for r in (0..v.n).step_by(97) {
            assert_eq!(v.rank(v.token(r)), Some(r as u32));
        }
    }

    #[test]
    fn counts_match_known_values() {
        assert_eq!(count_tokens(""), 0);
        assert_eq!(count_tokens("hello world"), 2);
    }
}
