//! SentencePiece's unigram tokenizer, as the built-in encoder's vocabulary was trained with it:
//! the `nmt_nfkc` normalisation rules (longest match wins), whitespace handling (leading,
//! trailing and repeated spaces dropped, a word-start mark `▁` before the text and for every
//! space), then the Viterbi segmentation that maximises the sum of piece log-probabilities, an
//! unknown character scoring the lowest piece score − 10 and consecutive unknowns merged into
//! one `<unk>` — the algorithm of sentencepiece's `normalizer.cc` and `unigram_model.cc`
//! (`EncodeOptimized`), checked id for id against the Python package in tests/encoder.rs.

use rustc_hash::FxHashMap;

use super::trie::ByteTrie;

const SPACE: &str = "\u{2581}";

/// The tokenizer's data, borrowed from the encoder file.
pub struct Unigram<'a> {
    pub vocab: ByteTrie<'a>,
    /// Piece scores, little-endian f32, indexed by piece id.
    pub scores: &'a [u8],
    pub norm: ByteTrie<'a>,
    /// Replacement texts of the normalisation rules, each ending at a NUL byte.
    pub norm_strings: &'a [u8],
    pub unk_id: u32,
    pub unk_score: f32,
    pub add_dummy_prefix: bool,
    pub remove_extra_whitespaces: bool,
    pub escape_whitespaces: bool,
    /// Per ASCII byte: its normalised form when it is followed by another ASCII byte or by
    /// nothing (`None` where a longer rule starts with the byte and an ASCII one): the common
    /// case, without a walk of the rule trie. Filled by [`Unigram::with_ascii_table`].
    pub ascii: Vec<Option<&'a str>>,
}

/// Reusable buffers for [`Unigram::encode`], and its word cache.
#[derive(Default)]
pub struct Scratch {
    normalized: String,
    best: Vec<(f32, u32, u32)>,
    path: Vec<u32>,
    /// Each word's pieces (a word: the text from one word-start mark to the next). No piece
    /// holds a word-start mark after its first character (the build script checks), so the best
    /// segmentation of a text is the best segmentation of each word: words repeat across
    /// prompts, and a cached word skips the search.
    words: FxHashMap<Box<str>, Box<[u32]>>,
}

/// Words cached per thread before the cache starts over (about 5 MB).
const WORD_CACHE: usize = 1 << 16;
/// Longer words are not cached.
const MAX_CACHED_WORD: usize = 64;

impl<'a> Unigram<'a> {
    /// Fills [`Unigram::ascii`] from the rule trie.
    pub fn with_ascii_table(mut self) -> Unigram<'a> {
        const IDENTITY: [&str; 128] = {
            let mut t = [""; 128];
            let mut i = 0;
            while i < 128 {
                t[i] = match std::str::from_utf8(std::slice::from_ref(&ASCII[i])) {
                    Ok(s) => s,
                    Err(_) => "",
                };
                i += 1;
            }
            t
        };
        self.ascii = (0..128u8)
            .map(|b| {
                let Some(node) = self.norm.child(0, b) else { return Some(IDENTITY[b as usize]) };
                if self.norm.labels_of(node).first().is_some_and(|&l| l < 0x80) {
                    return None;
                }
                match self.norm.value(node) {
                    Some(off) => self.rule_text(off),
                    None => Some(IDENTITY[b as usize]),
                }
            })
            .collect();
        self
    }

    /// The replacement text at `off` in the rule strings.
    fn rule_text(&self, off: u32) -> Option<&'a str> {
        let rest = self.norm_strings.get(off as usize..)?;
        let end = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
        std::str::from_utf8(&rest[..end]).ok()
    }

    fn score(&self, id: u32) -> f32 {
        let i = id as usize * 4;
        match self.scores.get(i..i + 4) {
            Some(b) => f32::from_le_bytes([b[0], b[1], b[2], b[3]]),
            None => f32::NEG_INFINITY,
        }
    }

    /// The normalised form of the text's first character(s) and how many bytes it consumed.
    fn normalize_prefix<'t>(&'t self, input: &'t str) -> (&'t str, usize) {
        let bytes = input.as_bytes();
        if let Some(&b) = bytes.first()
            && b < 0x80
            && bytes.get(1).is_none_or(|&n| n < 0x80)
            && let Some(Some(s)) = self.ascii.get(b as usize)
        {
            return (s, 1);
        }
        let mut longest = None;
        self.norm.prefixes(input.as_bytes(), |len, off| longest = Some((len, off)));
        if let Some((len, off)) = longest
            && input.is_char_boundary(len)
            && let Some(rest) = self.norm_strings.get(off as usize..)
        {
            let end = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
            if let Ok(s) = std::str::from_utf8(&rest[..end]) {
                return (s, len);
            }
        }
        let n = input.chars().next().map_or(0, char::len_utf8);
        (&input[..n], n)
    }

    /// Normalises `text` into `out` (sentencepiece's `Normalizer::Normalize`).
    pub fn normalize(&self, text: &str, out: &mut String) {
        out.clear();
        let mut input = text;
        if self.remove_extra_whitespaces {
            while !input.is_empty() {
                let (s, n) = self.normalize_prefix(input);
                if s != " " {
                    break;
                }
                input = &input[n..];
            }
        }
        if input.is_empty() {
            return;
        }
        let space = if self.escape_whitespaces { SPACE } else { " " };
        if self.add_dummy_prefix {
            out.push_str(space);
        }
        let mut prev_space = self.remove_extra_whitespaces;
        while !input.is_empty() {
            let (mut s, n) = self.normalize_prefix(input);
            if prev_space {
                s = s.trim_start_matches(' ');
            }
            if !s.is_empty() {
                for part in s.split_inclusive(' ') {
                    match part.strip_suffix(' ') {
                        Some(word) if self.escape_whitespaces => {
                            out.push_str(word);
                            out.push_str(SPACE);
                        }
                        _ => out.push_str(part),
                    }
                }
                prev_space = s.ends_with(' ');
            }
            input = &input[n..];
            if !self.remove_extra_whitespaces {
                prev_space = false;
            }
        }
        if self.remove_extra_whitespaces {
            while out.ends_with(space) {
                out.truncate(out.len() - space.len());
            }
        }
    }

    /// Calls `emit` with the piece ids of `text`, in order.
    pub fn encode(&self, text: &str, scratch: &mut Scratch, mut emit: impl FnMut(u32)) {
        let Scratch { normalized, best, path, words } = scratch;
        self.normalize(text, normalized);
        let space = if self.escape_whitespaces { SPACE } else { " " };
        let mut prev_unk = false;
        let mut emit_merged = |id: u32| {
            // Consecutive unknown pieces are one, as sentencepiece emits them.
            let unk = id == self.unk_id;
            if !(unk && prev_unk) {
                emit(id);
            }
            prev_unk = unk;
        };
        let mut rest = normalized.as_str();
        while !rest.is_empty() {
            // A word runs from its first character to the next word-start mark.
            let first = rest.chars().next().map_or(rest.len(), char::len_utf8);
            let end = rest[first..].find(space).map_or(rest.len(), |i| i + first);
            let (word, tail) = rest.split_at(end);
            rest = tail;
            if let Some(ids) = words.get(word) {
                ids.iter().for_each(|&id| emit_merged(id));
                continue;
            }
            path.clear();
            self.segment(word.as_bytes(), best, path);
            path.iter().rev().for_each(|&id| emit_merged(id));
            if word.len() <= MAX_CACHED_WORD {
                if words.len() >= WORD_CACHE {
                    words.clear();
                }
                words.insert(word.into(), path.iter().rev().copied().collect());
            }
        }
    }

    /// The best segmentation of `s` (a normalised word), last piece first, into `path`.
    fn segment(&self, s: &[u8], best: &mut Vec<(f32, u32, u32)>, path: &mut Vec<u32>) {
        // best[end] = (path score, start of the last piece, its id); start u32::MAX = unreached.
        best.clear();
        best.resize(s.len() + 1, (0.0, u32::MAX, 0));
        let mut start = 0;
        while start < s.len() {
            let here = best[start].0;
            let char_len = utf8_len(s[start]).min(s.len() - start);
            let mut single = false;
            self.vocab.prefixes(&s[start..], |len, id| {
                let cand = here + self.score(id);
                let node = &mut best[start + len];
                if node.1 == u32::MAX || cand > node.0 {
                    *node = (cand, start as u32, id);
                }
                single |= len == char_len;
            });
            if !single {
                let cand = here + self.unk_score;
                let node = &mut best[start + char_len];
                if node.1 == u32::MAX || cand > node.0 {
                    *node = (cand, start as u32, self.unk_id);
                }
            }
            start += char_len;
        }
        let mut end = s.len();
        while end > 0 {
            let (_, start, id) = best[end];
            // Every character boundary is reached (an unknown character always is), so `start`
            // is before `end`; the check only keeps a damaged table from looping.
            if start as usize >= end {
                break;
            }
            path.push(id);
            end = start as usize;
        }
    }
}

/// The length of the UTF-8 sequence a leading byte starts (1 for a stray continuation byte).
fn utf8_len(b: u8) -> usize {
    match b {
        0xF0.. => 4,
        0xE0.. => 3,
        0xC0.. => 2,
        _ => 1,
    }
}

const ASCII: [u8; 128] = {
    let mut t = [0u8; 128];
    let mut i = 0;
    while i < 128 {
        t[i] = i as u8;
        i += 1;
    }
    t
};
