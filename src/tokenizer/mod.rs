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
    Vocab { n, mask: slots - 1, offsets, slots: slots_at, data: slots_at + 4 * slots }
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
        let mut i = (token_hash(bytes) as usize) & self.mask;
        loop {
            let v = word(self.slots + 4 * i);
            if v == 0 {
                return None;
            }
            let r = v - 1;
            if r < self.n && self.token(r) == bytes {
                return Some(r as u32);
            }
            i = (i + 1) & self.mask;
        }
    }
}

/// Number of `o200k_base` tokens in `text` (ordinary text; special tokens are not recognised).
pub fn count_tokens(text: &str) -> usize {
    let vocab = vocab();
    let mut total = 0;
    for piece in pretokenize::pieces(text) {
        total += count_piece(&vocab, piece.as_bytes());
    }
    total
}

/// Byte-pair merge of one pre-token, as tiktoken does it: repeatedly merge the adjacent pair whose
/// concatenation has the lowest rank. Returns the number of resulting tokens.
fn count_piece(vocab: &Vocab, piece: &[u8]) -> usize {
    if piece.len() <= 1 || vocab.rank(piece).is_some() {
        return 1;
    }
    // parts[i] = (start offset, rank of the pair starting at part i).
    let mut parts: Vec<(usize, u32)> = Vec::with_capacity(piece.len() + 1);
    let pair_rank = |parts: &[(usize, u32)], i: usize| -> u32 {
        if i + 3 < parts.len() { vocab.rank(&piece[parts[i].0..parts[i + 3].0]).unwrap_or(u32::MAX) } else { u32::MAX }
    };
    let mut min = (u32::MAX, usize::MAX);
    for i in 0..piece.len() - 1 {
        let r = vocab.rank(&piece[i..i + 2]).unwrap_or(u32::MAX);
        if r < min.0 {
            min = (r, i);
        }
        parts.push((i, r));
    }
    parts.push((piece.len() - 1, u32::MAX));
    parts.push((piece.len(), u32::MAX));

    while min.0 != u32::MAX {
        let i = min.1;
        if i > 0 {
            parts[i - 1].1 = pair_rank(&parts, i - 1);
        }
        parts[i].1 = pair_rank(&parts, i);
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
