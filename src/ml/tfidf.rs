//! TF-IDF with scikit-learn's `TfidfVectorizer` semantics.
//!
//! - vocabulary: every term of the training corpus; with `max_features`, the terms with the
//!   highest corpus frequency (total count), ties broken by term order (code points), as
//!   scikit-learn's stable sort over its alphabetically sorted vocabulary does; columns are the
//!   kept terms in code-point order;
//! - `idf = ln((1 + n) / (1 + df)) + 1` (smooth idf);
//! - `tf` = raw count, or `1 + ln(count)` with `sublinear_tf`;
//! - each row is scaled to unit L2 norm.
//!
//! Values are computed in f64 and stored as f32, the precision scikit-learn's forests use.

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::ml::WARM_UP;
use crate::ml::analyzer::{Analyzer, AnalyzerKind, is_py_space};
use crate::ml::dataset::Texts;
use crate::ml::sparse::Csr;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TfidfConfig {
    pub analyzer: Analyzer,
    pub max_features: Option<usize>,
    pub sublinear_tf: bool,
}

#[derive(Debug, Clone)]
pub struct Tfidf {
    pub config: TfidfConfig,
    /// Column terms, in code-point order.
    pub vocabulary: Vocab,
    pub idf: Vec<f64>,
    /// For `char_wb`: a trie of the column terms, so a document's n-grams are looked up without
    /// building or hashing strings, and the longer n-grams at a position are not looked up at all
    /// once a shorter one is no term's prefix.
    /// Built once a thread has transformed [`WARM_UP`] documents (a single `route` should not
    /// pay for it).
    trie: std::sync::OnceLock<Option<Trie>>,
}

/// The column terms as a character trie: node 0 is the root. Edges live in one open-addressing
/// table of single words, `(parent << 21 | char) << 21 | child`, so a step is one multiply and
/// usually one load from a table a quarter the size of a general hash map's.
#[derive(Debug, Clone)]
struct Trie {
    slots: Vec<u64>,
    shift: u32,
    /// Per node: its term's column + 1, or 0 when the node is only a prefix.
    column: Vec<u32>,
}

/// Bits of a node number (and of a code point) in a trie edge.
const NODE_BITS: u32 = 21;
const NODE_MASK: u64 = (1 << NODE_BITS) - 1;

impl Trie {
    /// `None` when the vocabulary has more prefixes than a node number holds.
    fn new(vocab: &Vocab) -> Option<Trie> {
        let mut edges: FxHashMap<u64, u32> = FxHashMap::default();
        let mut column = vec![0u32];
        for i in 0..vocab.len() {
            let mut node = 0;
            for c in vocab.term(i).chars() {
                let next = column.len() as u32;
                node = *edges.entry(Trie::key(node, c)).or_insert(next);
                if node == next {
                    column.push(0);
                }
            }
            column[node as usize] = i as u32 + 1;
        }
        if column.len() as u64 > NODE_MASK {
            return None;
        }
        let size = (edges.len() * 2).next_power_of_two().max(2);
        let mut t = Trie { slots: vec![0; size], shift: 64 - size.trailing_zeros(), column };
        for (key, child) in edges {
            let mut at = t.slot(key);
            while t.slots[at] != 0 {
                at = (at + 1) & (size - 1);
            }
            t.slots[at] = (key << NODE_BITS) | u64::from(child);
        }
        Some(t)
    }

    #[inline]
    fn key(node: u32, c: char) -> u64 {
        (u64::from(node) << NODE_BITS) | c as u64
    }

    #[inline]
    fn slot(&self, key: u64) -> usize {
        (key.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> self.shift) as usize
    }

    #[inline]
    fn child(&self, node: u32, c: char) -> Option<u32> {
        let key = Trie::key(node, c);
        let mask = self.slots.len() - 1;
        let mut at = self.slot(key);
        loop {
            let e = self.slots[at];
            if e == 0 {
                return None;
            }
            if e >> NODE_BITS == key {
                return Some((e & NODE_MASK) as u32);
            }
            at = (at + 1) & mask;
        }
    }
}

/// The column terms, stored in one buffer with an open-addressing index: loading a model builds
/// it without one allocation per term.
#[derive(Debug, Clone, Default)]
pub struct Vocab {
    text: String,
    offsets: Vec<u32>,
    slots: Vec<u32>,
}

fn term_hash(t: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = rustc_hash::FxHasher::default();
    t.hash(&mut h);
    h.finish()
}

impl Vocab {
    pub fn from_terms<'a>(terms: impl IntoIterator<Item = &'a str>) -> Vocab {
        let mut text = String::new();
        let mut offsets = vec![0u32];
        for t in terms {
            text.push_str(t);
            offsets.push(text.len() as u32);
        }
        let n = offsets.len() - 1;
        let size = (n * 2).next_power_of_two().max(2);
        let mut v = Vocab { text, offsets, slots: vec![0; size] };
        let mask = size - 1;
        for i in 0..n {
            let mut at = (term_hash(v.term(i)) as usize) & mask;
            while v.slots[at] != 0 {
                at = (at + 1) & mask;
            }
            v.slots[at] = i as u32 + 1;
        }
        v
    }

    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn term(&self, i: usize) -> &str {
        &self.text[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }

    pub fn terms(&self) -> Vec<&str> {
        (0..self.len()).map(|i| self.term(i)).collect()
    }

    #[inline]
    pub fn get(&self, t: &str) -> Option<u32> {
        let mask = self.slots.len() - 1;
        let mut at = (term_hash(t) as usize) & mask;
        loop {
            let v = self.slots[at];
            if v == 0 {
                return None;
            }
            if self.term(v as usize - 1) == t {
                return Some(v - 1);
            }
            at = (at + 1) & mask;
        }
    }
}

/// Reusable buffers for transforming one document at a time.
#[derive(Debug, Default)]
pub struct Scratch {
    text: String,
    ids: Vec<u32>,
    /// The row being predicted, and the forest's buffers.
    pub indices: Vec<u32>,
    pub values: Vec<f32>,
    pub forest: crate::ml::forest::Scratch,
    chars: Vec<char>,
    /// Term counts by column, and the columns seen as bits; all zero between documents.
    counts: Vec<u32>,
    seen: Vec<u64>,
    uses: u32,
}

/// The columns of a lower-cased document's `char_wb` n-grams, from the trie: the same words and
/// windows as the string analyzer ([`crate::ml::analyzer::char_wb_windows`]: in a padded word,
/// every window of `min_n..=max_n` characters, and the whole word when it is shorter than
/// `min_n`), walked from each start position.
fn char_wb_ids(text: &str, min_n: usize, max_n: usize, trie: &Trie, padded: &mut Vec<char>, ids: &mut Vec<u32>) {
    for word in text.split(is_py_space).filter(|w| !w.is_empty()) {
        padded.clear();
        padded.push(' ');
        padded.extend(word.chars());
        padded.push(' ');
        let len = padded.len();
        for a in 0..len {
            let mut node = 0;
            for (n, &c) in (1..=max_n.min(len - a)).zip(&padded[a..]) {
                let Some(next) = trie.child(node, c) else { break };
                node = next;
                let col = trie.column[node as usize];
                // `n == len` is the whole padded word, shorter than `min_n`.
                if col != 0 && (n >= min_n || n == len) {
                    ids.push(col - 1);
                }
            }
        }
    }
}

impl Tfidf {
    /// Rebuilds a fitted vectorizer from its parts (model files).
    pub fn from_parts(config: TfidfConfig, vocabulary: Vocab, idf: Vec<f64>) -> Tfidf {
        Tfidf { config, vocabulary, idf, trie: std::sync::OnceLock::new() }
    }

    fn trie(&self) -> Option<&Trie> {
        self.trie
            .get_or_init(|| {
                (self.config.analyzer.kind == AnalyzerKind::CharWb).then(|| Trie::new(&self.vocabulary)).flatten()
            })
            .as_ref()
    }

    pub fn n_features(&self) -> usize {
        self.vocabulary.len()
    }

    /// Learns the vocabulary and idf from `docs` and returns the TF-IDF matrix of `docs`.
    /// Documents are analysed on `threads` threads; the result does not depend on the count.
    pub fn fit_transform(config: TfidfConfig, docs: &[&str], threads: usize) -> (Tfidf, Csr) {
        Tfidf::build(config, count_chunks(config, docs, threads.max(1)), docs.len())
    }

    /// Like [`Tfidf::fit_transform`], taking the texts and freeing them as soon as they are
    /// counted (before the matrix is built), which lowers peak memory on large inputs.
    pub fn fit_transform_owned(config: TfidfConfig, docs: Texts, threads: usize) -> (Tfidf, Csr) {
        let n = docs.len();
        let chunks = {
            let refs: Vec<&str> = docs.iter().collect();
            count_chunks(config, &refs, threads.max(1))
        };
        drop(docs);
        Tfidf::build(config, chunks, n)
    }

    fn build(config: TfidfConfig, chunks: Vec<Counts>, n_docs: usize) -> (Tfidf, Csr) {
        let docs_len = n_docs;
        // Merge the chunks' vocabularies: global id per term, corpus totals and document counts.
        let mut terms: FxHashMap<&str, u32> = FxHashMap::default();
        let mut names: Vec<&str> = Vec::new();
        let mut total: Vec<u64> = Vec::new();
        let mut df: Vec<u32> = Vec::new();
        let mut remaps: Vec<Vec<u32>> = Vec::with_capacity(chunks.len());
        for c in &chunks {
            let mut remap = Vec::with_capacity(c.names.len());
            for (local, name) in c.names.iter().enumerate() {
                let id = *terms.entry(name.as_str()).or_insert_with(|| {
                    names.push(name.as_str());
                    total.push(0);
                    df.push(0);
                    (names.len() - 1) as u32
                });
                total[id as usize] += c.total[local];
                df[id as usize] += c.df[local];
                remap.push(id);
            }
            remaps.push(remap);
        }

        // Keep the most frequent terms (ties: term order), then order columns by term.
        let mut order: Vec<u32> = (0..names.len() as u32).collect();
        if let Some(limit) = config.max_features.filter(|&m| m < names.len()) {
            order.sort_unstable_by(|&a, &b| {
                total[b as usize].cmp(&total[a as usize]).then_with(|| names[a as usize].cmp(names[b as usize]))
            });
            order.truncate(limit);
        }
        order.sort_unstable_by(|&a, &b| names[a as usize].cmp(names[b as usize]));
        let mut column = vec![u32::MAX; names.len()];
        for (col, &id) in order.iter().enumerate() {
            column[id as usize] = col as u32;
        }
        let n = docs_len as f64;
        let idf: Vec<f64> =
            order.iter().map(|&id| ((1.0 + n) / (1.0 + f64::from(df[id as usize]))).ln() + 1.0).collect();
        let vocabulary = Vocab::from_terms(order.iter().map(|&id| names[id as usize]));

        let nnz: usize = chunks.iter().map(|c| c.doc_terms.len()).sum();
        let mut csr = Csr::with_capacity(vocabulary.len(), docs_len, nnz);
        let mut cols: Vec<u32> = Vec::new();
        let mut row: Vec<(u32, f64)> = Vec::new();
        for (c, remap) in chunks.into_iter().zip(&remaps) {
            for d in 0..c.doc_ptr.len() - 1 {
                cols.clear();
                cols.extend(
                    c.doc_terms[c.doc_ptr[d]..c.doc_ptr[d + 1]]
                        .iter()
                        .map(|&local| column[remap[local as usize] as usize])
                        .filter(|&col| col != u32::MAX),
                );
                cols.sort_unstable();
                row.clear();
                let mut i = 0;
                while i < cols.len() {
                    let mut j = i;
                    while j < cols.len() && cols[j] == cols[i] {
                        j += 1;
                    }
                    row.push((cols[i], tf((j - i) as u32, config.sublinear_tf) * idf[cols[i] as usize]));
                    i = j;
                }
                normalize(&mut row);
                csr.push_row(row.iter().map(|&(c, v)| (c, v as f32)));
            }
        }
        csr.shrink_to_fit();
        (Tfidf::from_parts(config, vocabulary, idf), csr)
    }

    /// The TF-IDF vector of one document, in f64, sorted by column.
    pub fn transform_f64(&self, doc: &str, scratch: &mut Scratch) -> Vec<(u32, f64)> {
        scratch.ids.clear();
        let ids = &mut scratch.ids;
        let trie = if self.trie.get().is_some() || scratch.uses >= WARM_UP {
            self.trie()
        } else {
            scratch.uses += 1;
            None
        };
        if let Some(trie) = trie {
            let a = self.config.analyzer;
            a.lowercase(doc, &mut scratch.text);
            char_wb_ids(&scratch.text, a.ngram_min, a.ngram_max, trie, &mut scratch.chars, ids);
        } else {
            let vocab = &self.vocabulary;
            self.config.analyzer.terms(doc, &mut scratch.text, &mut |t| {
                if let Some(c) = vocab.get(t) {
                    ids.push(c);
                }
            });
        }
        // Count per column and mark the columns seen in a bit set: reading the set bits in order
        // gives the distinct columns sorted, cheaper than sorting them.
        let counts = &mut scratch.counts;
        counts.resize(self.n_features(), 0);
        let seen = &mut scratch.seen;
        seen.resize(self.n_features().div_ceil(64), 0);
        for &c in ids.iter() {
            counts[c as usize] += 1;
            seen[c as usize / 64] |= 1 << (c % 64);
        }
        let mut row: Vec<(u32, f64)> = Vec::with_capacity(ids.len());
        for (w, word) in seen.iter_mut().enumerate() {
            let mut bits = std::mem::take(word);
            while bits != 0 {
                let c = w * 64 + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                let n = std::mem::take(&mut counts[c]);
                row.push((c as u32, tf(n, self.config.sublinear_tf) * self.idf[c]));
            }
        }
        normalize(&mut row);
        row
    }

    /// The TF-IDF vector of one document as (columns, f32 values).
    pub fn transform(&self, doc: &str, scratch: &mut Scratch) -> (Vec<u32>, Vec<f32>) {
        let row = self.transform_f64(doc, scratch);
        (row.iter().map(|&(c, _)| c).collect(), row.iter().map(|&(_, v)| v as f32).collect())
    }

    /// TF-IDF matrix of many documents.
    pub fn transform_all(&self, docs: &[&str]) -> Csr {
        let mut scratch = Scratch::default();
        let mut csr = Csr::with_capacity(self.n_features(), docs.len(), docs.len() * 16);
        for d in docs {
            let row = self.transform_f64(d, &mut scratch);
            csr.push_row(row.iter().map(|&(c, v)| (c, v as f32)));
        }
        csr
    }
}

fn tf(count: u32, sublinear: bool) -> f64 {
    if sublinear { 1.0 + f64::from(count).ln() } else { f64::from(count) }
}

fn normalize(row: &mut [(u32, f64)]) {
    let norm = row.iter().map(|&(_, v)| v * v).sum::<f64>().sqrt();
    if norm > 0.0 {
        for (_, v) in row.iter_mut() {
            *v /= norm;
        }
    }
}

/// Term counts of a contiguous run of documents, with chunk-local term ids.
struct Counts {
    names: Vec<String>,
    total: Vec<u64>,
    df: Vec<u32>,
    /// Per document: its local term ids, sorted, one entry per occurrence.
    doc_ptr: Vec<usize>,
    doc_terms: Vec<u32>,
}

fn count_chunks(config: TfidfConfig, docs: &[&str], threads: usize) -> Vec<Counts> {
    let size = docs.len().div_ceil(threads).max(1);
    if threads == 1 || docs.len() < 2 * size.min(1000) {
        return vec![count(config, docs)];
    }
    std::thread::scope(|s| {
        let handles: Vec<_> = docs.chunks(size).map(|chunk| s.spawn(move || count(config, chunk))).collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|_| count(config, &[]))).collect()
    })
}

fn count(config: TfidfConfig, docs: &[&str]) -> Counts {
    let mut terms: FxHashMap<String, u32> = FxHashMap::default();
    let mut c =
        Counts { names: Vec::new(), total: Vec::new(), df: Vec::new(), doc_ptr: vec![0], doc_terms: Vec::new() };
    let mut buf = String::new();
    let mut ids: Vec<u32> = Vec::new();
    for doc in docs {
        ids.clear();
        config.analyzer.terms(doc, &mut buf, &mut |t| {
            let id = match terms.get(t) {
                Some(&id) => id,
                None => {
                    let id = c.names.len() as u32;
                    terms.insert(t.to_string(), id);
                    c.names.push(t.to_string());
                    c.total.push(0);
                    c.df.push(0);
                    id
                }
            };
            ids.push(id);
        });
        ids.sort_unstable();
        for (k, &id) in ids.iter().enumerate() {
            c.total[id as usize] += 1;
            if k == 0 || ids[k - 1] != id {
                c.df[id as usize] += 1;
            }
        }
        c.doc_terms.extend_from_slice(&ids);
        c.doc_ptr.push(c.doc_terms.len());
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    /// The trie finds exactly the columns the string analyzer finds, for every n-gram range up to
    /// 6, words shorter and longer than the range, and vocabularies pruned by `max_features` (so
    /// that some prefixes are no column).
    #[test]
    fn the_trie_finds_the_terms_the_string_analyzer_finds() {
        let alphabet: Vec<char> = "abcAB 中文字\tΣσ".chars().collect();
        let mut rng = Rng::new(11);
        let docs: Vec<String> =
            (0..60).map(|_| (0..rng.below(14)).map(|_| alphabet[rng.below(alphabet.len())]).collect()).collect();
        let docs: Vec<&str> = docs.iter().map(String::as_str).collect();
        for (lo, hi) in [(1, 1), (1, 4), (2, 3), (3, 6), (4, 5), (6, 6)] {
            for max_features in [None, Some(25)] {
                let analyzer = Analyzer { kind: AnalyzerKind::CharWb, ngram_min: lo, ngram_max: hi };
                let (tfidf, _) =
                    Tfidf::fit_transform(TfidfConfig { analyzer, max_features, sublinear_tf: false }, &docs, 1);
                let trie = tfidf.trie().unwrap();
                let (mut text, mut chars, mut got) = (String::new(), Vec::new(), Vec::new());
                for doc in &docs {
                    let mut want = Vec::new();
                    analyzer.terms(doc, &mut text, &mut |t| want.extend(tfidf.vocabulary.get(t)));
                    got.clear();
                    analyzer.lowercase(doc, &mut text);
                    char_wb_ids(&text, lo, hi, trie, &mut chars, &mut got);
                    want.sort_unstable();
                    got.sort_unstable();
                    assert_eq!(got, want, "{lo}-{hi} {max_features:?} {doc:?}");
                }
            }
        }
    }
}
