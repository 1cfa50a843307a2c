//! The `o200k_base` pre-tokenizer, written out by hand.
//!
//! tiktoken splits text with a backtracking regex (it needs the look-ahead in `\s+(?!\S)`) before
//! byte-pair merging. Compiling that regex costs milliseconds; this scanner follows the same
//! alternatives in the same order, with the same greedy-then-backtrack choices:
//!
//! 1. `[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?`
//! 2. `[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?`
//! 3. `\p{N}{1,3}`
//! 4. ` ?[^\s\p{L}\p{N}]+[\r\n/]*`
//! 5. `\s*[\r\n]+`
//! 6. `\s+(?!\S)`
//! 7. `\s+`

use unicode_general_category::{GeneralCategory as G, get_general_category};

const LETTER: u8 = 1;
const NUMBER: u8 = 2;
const UPPERISH: u8 = 4; // Lu Lt Lm Lo M
const LOWERISH: u8 = 8; // Ll Lm Lo M
const SPACE: u8 = 16; // White_Space
const NEWLINE: u8 = 32; // \r or \n

fn class(c: char) -> u8 {
    if c.is_ascii() {
        return match c {
            'a'..='z' => LETTER | LOWERISH,
            'A'..='Z' => LETTER | UPPERISH,
            '0'..='9' => NUMBER,
            '\r' | '\n' => SPACE | NEWLINE,
            ' ' | '\t' | '\x0b' | '\x0c' => SPACE,
            _ => 0,
        };
    }
    let space = if c.is_whitespace() { SPACE } else { 0 };
    space
        | match get_general_category(c) {
            G::UppercaseLetter | G::TitlecaseLetter => LETTER | UPPERISH,
            G::LowercaseLetter => LETTER | LOWERISH,
            G::ModifierLetter | G::OtherLetter => LETTER | UPPERISH | LOWERISH,
            G::NonspacingMark | G::SpacingMark | G::EnclosingMark => UPPERISH | LOWERISH,
            G::DecimalNumber | G::LetterNumber | G::OtherNumber => NUMBER,
            _ => 0,
        }
}

/// The `[^\r\n\p{L}\p{N}]` class.
fn is_prefix(k: u8) -> bool {
    k & (NEWLINE | LETTER | NUMBER) == 0
}

/// The `[^\s\p{L}\p{N}]` class.
fn is_symbol(k: u8) -> bool {
    k & (SPACE | LETTER | NUMBER) == 0
}

struct Scanner<'a> {
    text: &'a str,
    /// Byte offset of every char, plus `text.len()` at the end.
    offsets: Vec<usize>,
    chars: Vec<char>,
    classes: Vec<u8>,
}

impl Scanner<'_> {
    fn n(&self) -> usize {
        self.chars.len()
    }

    fn has(&self, i: usize, flag: u8) -> bool {
        i < self.n() && self.classes[i] & flag != 0
    }

    fn run(&self, mut i: usize, flag: u8) -> usize {
        while self.has(i, flag) {
            i += 1;
        }
        i
    }

    /// `(?i:'s|'t|'re|'ve|'m|'ll|'d)?` at `i`; returns the end.
    fn contraction(&self, i: usize) -> usize {
        if i + 1 >= self.n() || self.chars[i] != '\'' {
            return i;
        }
        let lower = |j: usize| -> Option<char> {
            self.chars.get(j).map(|&c| if c == '\u{17f}' { 's' } else { c.to_ascii_lowercase() })
        };
        match lower(i + 1) {
            Some('s' | 't' | 'm' | 'd') => i + 2,
            Some('r' | 'v') if lower(i + 2) == Some('e') => i + 3,
            Some('l') if lower(i + 2) == Some('l') => i + 3,
            _ => i,
        }
    }

    /// Alternatives 1 (`upper_run_required == false`) and 2, after the optional prefix.
    fn letters(&self, pos: usize, upper_run_required: bool) -> Option<usize> {
        let u = self.run(pos, UPPERISH);
        if upper_run_required {
            if u == pos {
                return None;
            }
            return Some(self.contraction(self.run(u, LOWERISH)));
        }
        // `U*` is greedy: give back one char at a time until `L+` can start.
        (pos..=u).rev().find(|&k| self.has(k, LOWERISH)).map(|k| self.contraction(self.run(k, LOWERISH)))
    }

    fn with_prefix(&self, pos: usize, upper_run_required: bool) -> Option<usize> {
        if self.has_class(pos, is_prefix)
            && let Some(end) = self.letters(pos + 1, upper_run_required)
        {
            return Some(end);
        }
        self.letters(pos, upper_run_required)
    }

    fn has_class(&self, i: usize, f: fn(u8) -> bool) -> bool {
        i < self.n() && f(self.classes[i])
    }

    fn symbols(&self, pos: usize) -> Option<usize> {
        let start = if self.chars[pos] == ' ' { pos + 1 } else { pos };
        if !self.has_class(start, is_symbol) {
            return None;
        }
        let mut end = start;
        while self.has_class(end, is_symbol) {
            end += 1;
        }
        while end < self.n() && matches!(self.chars[end], '\r' | '\n' | '/') {
            end += 1;
        }
        Some(end)
    }

    fn whitespace(&self, pos: usize) -> Option<usize> {
        let end = self.run(pos, SPACE);
        if end == pos {
            return None;
        }
        // 5. `\s*[\r\n]+`: up to and including the last newline of the run.
        if let Some(last_nl) = (pos..end).rev().find(|&k| self.has(k, NEWLINE)) {
            return Some(last_nl + 1);
        }
        // 6. `\s+(?!\S)`: the run, or all of it but the last char when a non-space follows.
        if end == self.n() {
            return Some(end);
        }
        if end - pos >= 2 {
            return Some(end - 1);
        }
        // 7. `\s+`
        Some(end)
    }

    fn next_end(&self, pos: usize) -> usize {
        self.with_prefix(pos, false)
            .or_else(|| self.with_prefix(pos, true))
            .or_else(|| {
                self.has(pos, NUMBER).then(|| {
                    let mut e = pos + 1;
                    while e < pos + 3 && self.has(e, NUMBER) {
                        e += 1;
                    }
                    e
                })
            })
            .or_else(|| self.symbols(pos))
            .or_else(|| self.whitespace(pos))
            // Every char belongs to one of the classes above; this only guards progress.
            .unwrap_or(pos + 1)
    }
}

/// Splits `text` into the pieces tiktoken's `o200k_base` pattern produces.
pub fn pieces(text: &str) -> impl Iterator<Item = &str> {
    let mut offsets = Vec::with_capacity(text.len() + 1);
    let mut chars = Vec::with_capacity(text.len());
    let mut classes = Vec::with_capacity(text.len());
    for (i, c) in text.char_indices() {
        offsets.push(i);
        chars.push(c);
        classes.push(class(c));
    }
    offsets.push(text.len());
    let scanner = Scanner { text, offsets, chars, classes };
    let mut pos = 0;
    std::iter::from_fn(move || {
        if pos >= scanner.n() {
            return None;
        }
        let end = scanner.next_end(pos).max(pos + 1);
        let piece = &scanner.text[scanner.offsets[pos]..scanner.offsets[end]];
        pos = end;
        Some(piece)
    })
}
