//! Text analyzers with scikit-learn's semantics, plus a CJK-aware word analyzer.
//!
//! - `word`: lower-case, then every maximal run of two or more "word" characters, where a word
//!   character is what Python's `re` calls `\w`: a letter (L*), a number (N*) or `_`. This is
//!   scikit-learn's default `token_pattern` `(?u)\b\w\w+\b`. Combining marks are not `\w` in Python,
//!   so they split words (this matters for Devanagari and for decomposed accents).
//! - `char_wb`: lower-case, split on whitespace, pad each word with one space on each side and
//!   take character n-grams within it (a word shorter than `n` yields itself once and stops the
//!   larger sizes), as `_char_wb_ngrams` does.
//! - `cjk`: `word` tokens for text in spaced scripts; runs of Chinese/Japanese/Korean/Thai
//!   characters become character unigrams and bigrams, because those scripts do not separate words.

use serde::{Deserialize, Serialize};
use unicode_general_category::{GeneralCategory as G, get_general_category};

use crate::text::is_unspaced_script;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum AnalyzerKind {
    /// scikit-learn's default word tokens
    Word,
    /// character n-grams inside word boundaries (scikit-learn's `char_wb`)
    #[value(name = "char_wb")]
    CharWb,
    /// word tokens, with CJK runs split into character unigrams and bigrams
    Cjk,
}

impl AnalyzerKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AnalyzerKind::Word => "word",
            AnalyzerKind::CharWb => "char_wb",
            AnalyzerKind::Cjk => "cjk",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Analyzer {
    pub kind: AnalyzerKind,
    pub ngram_min: usize,
    pub ngram_max: usize,
}

/// Python's `\w`.
pub fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric() || c == '_';
    }
    matches!(
        get_general_category(c),
        G::UppercaseLetter
            | G::LowercaseLetter
            | G::TitlecaseLetter
            | G::ModifierLetter
            | G::OtherLetter
            | G::DecimalNumber
            | G::LetterNumber
            | G::OtherNumber
    )
}

/// Python's `str.isspace()`.
pub fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

impl Analyzer {
    /// Calls `emit` with every term of `text`, in document order. `buf` is scratch space.
    pub fn terms(&self, text: &str, buf: &mut String, emit: &mut dyn FnMut(&str)) {
        self.lowercase(text, buf);
        let lowered = std::mem::take(buf);
        match self.kind {
            AnalyzerKind::Word => word_terms(&lowered, self.ngram_min, self.ngram_max, false, emit),
            AnalyzerKind::Cjk => word_terms(&lowered, self.ngram_min, self.ngram_max, true, emit),
            AnalyzerKind::CharWb => char_wb_terms(&lowered, self.ngram_min, self.ngram_max, emit),
        }
        *buf = lowered;
    }

    /// `text` lower-cased into `buf`, as every analyzer starts (Python's `str.lower()`).
    pub fn lowercase(&self, text: &str, buf: &mut String) {
        crate::text::lowercase_into(text, buf);
    }

    /// All terms of `text` (convenience for tests and single queries).
    pub fn analyze(&self, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut buf = String::new();
        self.terms(text, &mut buf, &mut |t| out.push(t.to_string()));
        out
    }
}

/// Tokens for `word`/`cjk`, then word n-grams joined by a space (scikit-learn's `_word_ngrams`).
fn word_terms(text: &str, min_n: usize, max_n: usize, cjk: bool, emit: &mut dyn FnMut(&str)) {
    fn push_run<'t>(run: &'t str, cjk: bool, tokens: &mut Vec<&'t str>) {
        if cjk {
            split_cjk(run, tokens);
        } else if run.chars().nth(1).is_some() {
            tokens.push(run);
        }
    }
    let mut tokens: Vec<&str> = Vec::new();
    let mut start: Option<usize> = None;
    for (i, c) in text.char_indices() {
        if is_word_char(c) {
            if start.is_none() {
                start = Some(i);
            }
        } else if let Some(s) = start.take() {
            push_run(&text[s..i], cjk, &mut tokens);
        }
    }
    if let Some(s) = start {
        push_run(&text[s..], cjk, &mut tokens);
    }
    if min_n == 1 && max_n == 1 {
        for t in tokens {
            emit(t);
        }
        return;
    }
    let mut joined = String::new();
    for n in min_n.max(1)..=max_n {
        for w in tokens.windows(n) {
            joined.clear();
            for (k, t) in w.iter().enumerate() {
                if k > 0 {
                    joined.push(' ');
                }
                joined.push_str(t);
            }
            emit(&joined);
        }
    }
}

/// Splits a run of word characters: spaced-script parts of two or more characters stay whole;
/// unspaced-script (CJK…) parts yield every character and every adjacent pair.
fn split_cjk<'a>(run: &'a str, tokens: &mut Vec<&'a str>) {
    let mut seg_start = 0;
    let mut seg_cjk: Option<bool> = None;
    let flush = |seg: &'a str, is_cjk: bool, tokens: &mut Vec<&'a str>| {
        if is_cjk {
            let idx: Vec<usize> = seg.char_indices().map(|(i, _)| i).chain(std::iter::once(seg.len())).collect();
            for k in 0..idx.len() - 1 {
                tokens.push(&seg[idx[k]..idx[k + 1]]);
                if k + 2 < idx.len() {
                    tokens.push(&seg[idx[k]..idx[k + 2]]);
                }
            }
        } else if seg.chars().nth(1).is_some() {
            tokens.push(seg);
        }
    };
    for (i, c) in run.char_indices() {
        let k = is_unspaced_script(c);
        match seg_cjk {
            Some(prev) if prev != k => {
                flush(&run[seg_start..i], prev, tokens);
                seg_start = i;
                seg_cjk = Some(k);
            }
            None => seg_cjk = Some(k),
            _ => {}
        }
    }
    if let Some(k) = seg_cjk {
        flush(&run[seg_start..], k, tokens);
    }
}

fn char_wb_terms(text: &str, min_n: usize, max_n: usize, emit: &mut dyn FnMut(&str)) {
    let mut padded = String::new();
    let mut bounds: Vec<usize> = Vec::new();
    for word in text.split(is_py_space).filter(|w| !w.is_empty()) {
        padded.clear();
        padded.push(' ');
        padded.push_str(word);
        padded.push(' ');
        bounds.clear();
        bounds.extend(padded.char_indices().map(|(i, _)| i));
        bounds.push(padded.len());
        char_wb_windows(bounds.len() - 1, min_n, max_n, |a, b| emit(&padded[bounds[a]..bounds[b]]));
    }
}

/// The n-grams of one padded word `w_len` characters long, as character ranges in
/// scikit-learn's `_char_wb_ngrams` order: sizes `min_n..=max_n`, each left to right; a word no
/// longer than a size yields itself once and stops the larger sizes.
pub fn char_wb_windows(w_len: usize, min_n: usize, max_n: usize, mut emit: impl FnMut(usize, usize)) {
    for n in min_n..=max_n {
        let mut offset = 0;
        emit(0, n.min(w_len));
        while offset + n < w_len {
            offset += 1;
            emit(offset, offset + n);
        }
        if offset == 0 {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(kind: AnalyzerKind, lo: usize, hi: usize) -> Analyzer {
        Analyzer { kind, ngram_min: lo, ngram_max: hi }
    }

    #[test]
    fn word_tokens_follow_the_default_token_pattern() {
        let w = a(AnalyzerKind::Word, 1, 1);
        assert_eq!(w.analyze("Hello, a World_2 x!"), ["hello", "world_2"]);
        assert_eq!(w.analyze("你好世界 ok"), ["你好世界", "ok"]);
        // Devanagari vowel signs are combining marks: not \w in Python.
        assert_eq!(w.analyze("नमस्ते"), ["नमस"]);
    }

    #[test]
    fn word_bigrams_join_with_a_space() {
        assert_eq!(a(AnalyzerKind::Word, 1, 2).analyze("aa bb cc"), ["aa", "bb", "cc", "aa bb", "bb cc"]);
    }

    #[test]
    fn char_wb_pads_words_and_emits_short_words_once() {
        let c = a(AnalyzerKind::CharWb, 2, 3);
        assert_eq!(c.analyze("ab"), [" a", "ab", "b ", " ab", "ab "]);
        let c = a(AnalyzerKind::CharWb, 4, 5);
        assert_eq!(c.analyze("a"), [" a "]);
    }

    #[test]
    fn cjk_runs_become_unigrams_and_bigrams() {
        let c = a(AnalyzerKind::Cjk, 1, 1);
        assert_eq!(c.analyze("写代码 python3代码"), ["写", "写代", "代", "代码", "码", "python3", "代", "代码", "码"]);
    }
}
