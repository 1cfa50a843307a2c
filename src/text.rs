//! Request analysis: one pass over a prompt that every router reads from.
//!
//! Keyword semantics (shared by rules and the difficulty score):
//! - case-insensitive (Unicode lower-casing of both sides);
//! - a keyword containing Chinese, Japanese, Korean, Thai, Lao, Khmer or Myanmar characters
//!   matches as a substring, because those scripts do not separate words with spaces;
//! - any other keyword matches whole words only: a keyword edge that is a letter or digit must not
//!   touch another letter or digit of a spaced script (so `hi` is not found in "this", but `JSON`
//!   is found in "输出JSON格式");
//! - a keyword counts once however often it occurs (the article counts distinct keywords).

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

/// The longest prompt routed, in bytes (about a million tokens of English). Longer ones are
/// refused with a clear error (a bad row in `batch`, `simulate` and `train`) rather than
/// tokenised for seconds.
pub const MAX_PROMPT_BYTES: usize = 4 << 20;

/// The error for a prompt over [`MAX_PROMPT_BYTES`], or `None`.
pub fn too_long(text: &str) -> Option<String> {
    (text.len() > MAX_PROMPT_BYTES).then(|| {
        format!("the prompt is {} bytes, longer than the {} MiB llmroute routes", text.len(), MAX_PROMPT_BYTES >> 20)
    })
}

/// Characters of scripts written without spaces between words.
pub fn is_unspaced_script(c: char) -> bool {
    matches!(c as u32,
        0x0E00..=0x0EFF     // Thai, Lao
        | 0x1000..=0x109F   // Myanmar
        | 0x1780..=0x17FF   // Khmer
        | 0x2E80..=0x2FDF   // CJK radicals
        | 0x3000..=0x303F   // CJK symbols and punctuation
        | 0x3040..=0x30FF   // Hiragana, Katakana
        | 0x3100..=0x31FF   // Bopomofo, Hangul compatibility jamo, Katakana extensions
        | 0x3400..=0x4DBF   // CJK extension A
        | 0x4E00..=0x9FFF   // CJK unified ideographs
        | 0xAC00..=0xD7AF   // Hangul syllables
        | 0xF900..=0xFAFF   // CJK compatibility ideographs
        | 0xFF00..=0xFFEF   // Half- and full-width forms
        | 0x20000..=0x3FFFF // CJK extensions B and later
    )
}

/// `text.to_lowercase()` into `out`, without the per-character table lookup for ASCII and for
/// U+3000..=U+9FFF (CJK punctuation, kana, ideographs: no case), which make up most prompts.
pub fn lowercase_into(text: &str, out: &mut String) {
    out.clear();
    if text.is_ascii() {
        out.push_str(text);
        out.make_ascii_lowercase();
    } else if text.contains('Σ') {
        // Its lower case depends on the neighbours (final sigma).
        out.push_str(&text.to_lowercase());
    } else {
        out.reserve(text.len());
        for c in text.chars() {
            if c.is_ascii() {
                out.push(c.to_ascii_lowercase());
            } else if ('\u{3000}'..='\u{9FFF}').contains(&c) {
                out.push(c);
            } else {
                out.extend(c.to_lowercase());
            }
        }
    }
}

/// A letter or digit of a script that separates words with spaces.
fn is_spaced_word_char(c: char) -> bool {
    (c.is_alphanumeric() || c == '_') && !is_unspaced_script(c)
}

#[derive(Debug)]
struct Keyword {
    /// Lower-cased keyword.
    text: String,
    /// Check word boundaries at the start / end of a match.
    bound_start: bool,
    bound_end: bool,
}

/// Every keyword used by the configured routers, searched in one pass.
#[derive(Debug)]
pub struct KeywordIndex {
    ac: Option<AhoCorasick>,
    keywords: Vec<Keyword>,
}

/// Identifies a keyword inside a [`KeywordIndex`].
pub type KeywordId = usize;

#[derive(Debug, Default)]
pub struct KeywordIndexBuilder {
    keywords: Vec<String>,
}

impl KeywordIndexBuilder {
    /// Registers `keyword` (deduplicated case-insensitively) and returns its id.
    pub fn add(&mut self, keyword: &str) -> KeywordId {
        let lower = keyword.to_lowercase();
        if let Some(i) = self.keywords.iter().position(|k| *k == lower) {
            return i;
        }
        self.keywords.push(lower);
        self.keywords.len() - 1
    }

    pub fn build(self) -> KeywordIndex {
        let keywords: Vec<Keyword> = self
            .keywords
            .into_iter()
            .map(|text| {
                let unspaced = text.chars().any(is_unspaced_script);
                let first = text.chars().next().is_some_and(is_spaced_word_char);
                let last = text.chars().next_back().is_some_and(is_spaced_word_char);
                Keyword { bound_start: !unspaced && first, bound_end: !unspaced && last, text }
            })
            .collect();
        let ac = if keywords.is_empty() {
            None
        } else {
            AhoCorasickBuilder::new()
                .match_kind(MatchKind::Standard)
                .build(keywords.iter().map(|k| k.text.as_str()))
                .ok()
        };
        KeywordIndex { ac, keywords }
    }
}

impl KeywordIndex {
    pub fn keyword(&self, id: KeywordId) -> &str {
        &self.keywords[id].text
    }

    /// Which keywords occur in `lowered` (a lower-cased prompt).
    pub fn scan(&self, lowered: &str) -> Vec<bool> {
        let mut found = vec![false; self.keywords.len()];
        let Some(ac) = &self.ac else { return found };
        for m in ac.find_overlapping_iter(lowered) {
            let id = m.pattern().as_usize();
            if found[id] {
                continue;
            }
            let kw = &self.keywords[id];
            let before_ok =
                !kw.bound_start || !lowered[..m.start()].chars().next_back().is_some_and(is_spaced_word_char);
            let after_ok = !kw.bound_end || !lowered[m.end()..].chars().next().is_some_and(is_spaced_word_char);
            if before_ok && after_ok {
                found[id] = true;
            }
        }
        found
    }
}

/// A prompt prepared for routing: computed once, read by every stage.
#[derive(Debug)]
pub struct Analysis<'a> {
    pub text: &'a str,
    /// Length in Unicode scalar values (Python's `len(str)`).
    pub chars: usize,
    /// Task tag passed by the caller (`--tag`).
    pub tag: Option<&'a str>,
    found: Vec<bool>,
}

impl<'a> Analysis<'a> {
    pub fn new(index: &KeywordIndex, text: &'a str, tag: Option<&'a str>) -> Self {
        thread_local! {
            static LOWERED: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
        }
        let found = LOWERED.with(|buf| {
            let mut lowered = buf.borrow_mut();
            lowercase_into(text, &mut lowered);
            index.scan(&lowered)
        });
        Analysis { text, chars: text.chars().count(), tag, found }
    }

    pub fn has(&self, id: KeywordId) -> bool {
        self.found.get(id).copied().unwrap_or(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lowercase_into_equals_to_lowercase() {
        assert!(('\u{3000}'..='\u{9FFF}').all(|c| c.to_lowercase().eq([c])));
        let mut out = String::new();
        for t in ["", "ABC", "ÀÉÎ ΣΑΣ σ", "İstanbul 你好ＡＢ", "Hello 世界 ΔΩ Ⅻ Ⓐ", "mixed İ\u{3000}ß"]
        {
            lowercase_into(t, &mut out);
            assert_eq!(out, t.to_lowercase(), "{t}");
        }
    }

    fn found(keywords: &[&str], text: &str) -> Vec<String> {
        let mut b = KeywordIndexBuilder::default();
        let ids: Vec<_> = keywords.iter().map(|k| b.add(k)).collect();
        let idx = b.build();
        let a = Analysis::new(&idx, text, None);
        ids.into_iter().filter(|&i| a.has(i)).map(|i| idx.keyword(i).to_string()).collect()
    }

    #[test]
    fn english_keywords_match_whole_words_only() {
        assert!(found(&["hi"], "is this ok").is_empty());
        assert_eq!(found(&["hi"], "Hi there"), ["hi"]);
        assert_eq!(found(&["hi"], "oh, hi!"), ["hi"]);
        assert!(found(&["function"], "functions and functional").is_empty());
        assert_eq!(found(&["function"], "write a Function"), ["function"]);
    }

    #[test]
    fn cjk_keywords_match_as_substrings() {
        assert_eq!(found(&["代码"], "帮我写代码实现快速排序"), ["代码"]);
        assert_eq!(found(&["你好"], "你好啊"), ["你好"]);
    }

    #[test]
    fn latin_keyword_next_to_cjk_text_matches() {
        assert_eq!(found(&["JSON"], "输出JSON格式"), ["json"]);
        assert_eq!(found(&["csv"], "导出为CSV"), ["csv"]);
    }

    #[test]
    fn keyword_with_symbol_edge_only_checks_word_edges() {
        assert_eq!(found(&["c++"], "I like C++."), ["c++"]);
        assert!(found(&["c++"], "abc++").is_empty());
    }

    #[test]
    fn overlapping_keywords_are_all_found() {
        assert_eq!(found(&["分析", "分析数据"], "请分析数据"), ["分析", "分析数据"]);
    }
}
