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

/// Per-thread caches for counting many prompts (batch, replay). A single `route` call should not
/// pay for zeroing them, so they are allocated only once a process has counted many pieces.
///
/// - `pieces`: whole short pieces (words) → token count. Logs repeat their words constantly.
/// - `pairs`: (rank of a part, rank of the next part) → rank of their concatenation. Byte-pair
///   merging works on parts that are always tokens, so a pair of ranks names the byte string to
///   look up; CJK runs ask for the same pairs over and over (the bytes of each character, then
///   common neighbours), and an integer key costs far less than hashing and comparing bytes in
///   the multi-megabyte vocabulary table.
struct Caches {
    pieces: Vec<PieceEntry>,
    pairs: Vec<PairEntry>,
    uses: u32,
}

#[derive(Clone, Copy)]
struct PieceEntry {
    len: u8,
    bytes: [u8; PIECE_MAX],
    count: u32,
}

/// `rank a << 40 | rank b << 20 | rank of a + b` (ranks are below 2^20; `RANK_MASK` = not a
/// token), so an entry is one word.
type PairEntry = u64;
const RANK_BITS: u32 = 20;
const RANK_MASK: u64 = (1 << RANK_BITS) - 1;

const PIECE_MAX: usize = 23;
const PIECE_SLOTS: usize = 1 << 14;
const PAIR_SLOTS: usize = 1 << 16;
const NOT_A_TOKEN: u32 = u32::MAX;
/// Pieces counted before the caches are allocated.
const WARM_UP: u32 = 4096;

impl Caches {
    fn new() -> Caches {
        Caches { pieces: Vec::new(), pairs: Vec::new(), uses: 0 }
    }

    fn ready(&mut self) -> bool {
        if self.pieces.is_empty() {
            self.uses += 1;
            if self.uses < WARM_UP {
                return false;
            }
            self.pieces = vec![PieceEntry { len: u8::MAX, bytes: [0; PIECE_MAX], count: 0 }; PIECE_SLOTS];
            self.pairs = vec![u64::MAX; PAIR_SLOTS];
        }
        true
    }
}

thread_local! {
    static CACHES: std::cell::RefCell<Caches> = std::cell::RefCell::new(Caches::new());
}

/// Number of `o200k_base` tokens in `text` (ordinary text; special tokens are not recognised).
pub fn count_tokens(text: &str) -> usize {
    let vocab = vocab();
    CACHES.with(|c| {
        let mut caches = c.borrow_mut();
        pretokenize::pieces(text).map(|piece| count_piece(&vocab, &mut caches, piece.as_bytes())).sum()
    })
}

fn count_piece(vocab: &Vocab, caches: &mut Caches, piece: &[u8]) -> usize {
    if piece.len() <= 1 {
        return 1;
    }
    let h = token_hash(piece);
    let ready = caches.ready();
    // Short pieces (words) are remembered whole once the caches exist.
    let slot = (ready && piece.len() <= PIECE_MAX).then_some((h >> 40) as usize & (PIECE_SLOTS - 1));
    if let Some(slot) = slot {
        let e = &caches.pieces[slot];
        if usize::from(e.len) == piece.len() && &e.bytes[..piece.len()] == piece {
            return e.count as usize;
        }
    }
    let pairs = ready.then_some(&mut caches.pairs);
    let count = if vocab.rank_hashed(piece, h).is_some() { 1 } else { merge(vocab, pairs, piece) };
    if let Some(slot) = slot {
        let e = &mut caches.pieces[slot];
        e.len = piece.len() as u8;
        e.bytes[..piece.len()].copy_from_slice(piece);
        e.count = count as u32;
    }
    count
}

/// Rank of the token `piece[a..c]`, the concatenation of the parts `a..b` (rank `ra`) and `b..c`
/// (rank `rb`).
#[inline]
fn pair_rank(
    vocab: &Vocab,
    pairs: &mut Option<&mut Vec<PairEntry>>,
    piece: &[u8],
    a: usize,
    c: usize,
    ra: u32,
    rb: u32,
) -> u32 {
    let Some(pairs) = pairs else {
        return vocab.rank(&piece[a..c]).unwrap_or(NOT_A_TOKEN);
    };
    let key = (u64::from(ra) << (2 * RANK_BITS)) | (u64::from(rb) << RANK_BITS);
    let slot = (key.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 48) as usize & (PAIR_SLOTS - 1);
    let e = &mut pairs[slot];
    if *e & !RANK_MASK == key {
        let r = *e & RANK_MASK;
        return if r == RANK_MASK { NOT_A_TOKEN } else { r as u32 };
    }
    let r = vocab.rank(&piece[a..c]).unwrap_or(NOT_A_TOKEN);
    *e = key | if r == NOT_A_TOKEN { RANK_MASK } else { u64::from(r) };
    r
}

/// Byte-pair merge of one pre-token, as tiktoken does it: repeatedly merge the adjacent pair whose
/// concatenation has the lowest rank, the leftmost of equals first. Returns the number of tokens.
///
/// Parts form a linked list over byte offsets; a heap of (pair rank, start) finds the next merge
/// in O(log n), so a run of Chinese hundreds of bytes long stays linear-ish; stale heap entries
/// are skipped by a per-part version.
fn merge(vocab: &Vocab, mut pairs: Option<&mut Vec<PairEntry>>, piece: &[u8]) -> usize {
    use std::cmp::Reverse;
    const NONE: u32 = u32::MAX;
    let n = piece.len();
    let bytes = byte_ranks();
    // Per part (indexed by its start offset): next part's start, previous part's start, the
    // part's rank, and a version bumped whenever the pair starting at it changes.
    let mut next: Vec<u32> = (1..=n as u32).collect();
    let mut prev: Vec<u32> = (0..n as u32).map(|i| i.wrapping_sub(1)).collect();
    let mut rank: Vec<u32> = piece.iter().map(|&b| bytes[usize::from(b)]).collect();
    let mut version = vec![0u32; n];
    let mut heap = std::collections::BinaryHeap::with_capacity(n);
    for i in 0..n - 1 {
        let r = pair_rank(vocab, &mut pairs, piece, i, i + 2, rank[i], rank[i + 1]);
        if r != NOT_A_TOKEN {
            heap.push(Reverse((r, i as u32, 0u32)));
        }
    }
    let mut count = n;
    while let Some(Reverse((r, i, ver))) = heap.pop() {
        let i = i as usize;
        if version[i] != ver {
            continue;
        }
        // Merge part i with its successor j.
        let j = next[i] as usize;
        let k = next[j];
        next[i] = k;
        if (k as usize) < n {
            prev[k as usize] = i as u32;
        }
        rank[i] = r;
        version[j] = NONE;
        version[i] += 1;
        count -= 1;
        if (k as usize) < n {
            let end = next[k as usize] as usize;
            let r = pair_rank(vocab, &mut pairs, piece, i, end, rank[i], rank[k as usize]);
            if r != NOT_A_TOKEN {
                heap.push(Reverse((r, i as u32, version[i])));
            }
        }
        let p = prev[i];
        if p != NONE {
            let p = p as usize;
            version[p] += 1;
            let end = next[i] as usize;
            let r = pair_rank(vocab, &mut pairs, piece, p, end, rank[p], rank[i]);
            if r != NOT_A_TOKEN {
                heap.push(Reverse((r, p as u32, version[p])));
            }
        }
    }
    count
}

/// The rank of every single byte (each is a token in byte-level BPE).
fn byte_ranks() -> &'static [u32; 256] {
    static RANKS: std::sync::OnceLock<[u32; 256]> = std::sync::OnceLock::new();
    RANKS.get_or_init(|| {
        let v = vocab();
        std::array::from_fn(|b| v.rank(&[b as u8]).unwrap_or(NOT_A_TOKEN))
    })
}

/// Tokens OpenAI's chat format adds per message (`<|start|>`, the role's separator, `<|end|>`).
const PER_MESSAGE_TOKENS: u64 = 3;
/// Tokens a message's `name` field adds besides its own text.
const PER_NAME_TOKENS: u64 = 1;
/// Tokens that prime the reply (`<|start|>assistant<|message|>`).
const REPLY_PRIMING_TOKENS: u64 = 3;

/// One chat message as the token count sees it.
#[derive(Debug, Clone, Copy)]
pub struct ChatPart<'a> {
    pub role: &'a str,
    pub content: &'a str,
    pub name: Option<&'a str>,
}

/// Input tokens of a chat request, as OpenAI's cookbook counts them for GPT-4o-class models:
/// per message 3 + the role's tokens + the content's tokens (+ the name's tokens + 1), and 3 for
/// the reply. Every input-token figure of llmroute (routing estimates, replay, batch, `ask`
/// without provider usage) comes from this function.
pub fn chat_input_tokens<'a>(messages: impl IntoIterator<Item = ChatPart<'a>>) -> u64 {
    let mut n = REPLY_PRIMING_TOKENS;
    for m in messages {
        n += PER_MESSAGE_TOKENS + role_tokens(m.role) + count_tokens(m.content) as u64;
        if let Some(name) = m.name {
            n += count_tokens(name) as u64 + PER_NAME_TOKENS;
        }
    }
    n
}

/// Tokens of a message role; the usual roles are counted once per process.
fn role_tokens(role: &str) -> u64 {
    const ROLES: [&str; 5] = ["user", "system", "assistant", "developer", "tool"];
    static COUNTS: std::sync::OnceLock<[u64; 5]> = std::sync::OnceLock::new();
    match ROLES.iter().position(|r| *r == role) {
        Some(i) => COUNTS.get_or_init(|| ROLES.map(|r| count_tokens(r) as u64))[i],
        None => count_tokens(role) as u64,
    }
}

/// Input tokens of a prompt sent as one user message (a log row, a plain `route` prompt).
pub fn prompt_input_tokens(text: &str) -> u64 {
    chat_input_tokens([ChatPart { role: "user", content: text, name: None }])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocabulary_round_trips_every_rank() {
        let v = vocab();
        assert!(v.n > 199_000);
        assert!((v.n as u64) < RANK_MASK, "ranks must fit the pair cache");
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
