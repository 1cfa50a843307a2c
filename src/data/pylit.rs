//! Python list literals of strings, as RouterBench stores prompts: `['first turn', "second"]`.

/// Parses `['a', "b"]` into its strings; `None` when `s` is not such a literal.
pub fn parse_str_list(s: &str) -> Option<Vec<String>> {
    let t = s.trim();
    let inner = t.strip_prefix('[')?.strip_suffix(']')?;
    let mut out = Vec::new();
    let mut chars = inner.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let Some(q) = chars.next() else { break };
        if q != '\'' && q != '"' {
            return None;
        }
        let mut item = String::new();
        loop {
            let c = chars.next()?;
            if c == q {
                break;
            }
            if c != '\\' {
                item.push(c);
                continue;
            }
            match chars.next()? {
                'n' => item.push('\n'),
                't' => item.push('\t'),
                'r' => item.push('\r'),
                '0' => item.push('\0'),
                '\\' => item.push('\\'),
                '\'' => item.push('\''),
                '"' => item.push('"'),
                'x' => item.push(hex(&mut chars, 2)?),
                'u' => item.push(hex(&mut chars, 4)?),
                'U' => item.push(hex(&mut chars, 8)?),
                other => {
                    item.push('\\');
                    item.push(other);
                }
            }
        }
        out.push(item);
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        match chars.next() {
            Some(',') => continue,
            None => break,
            Some(_) => return None,
        }
    }
    Some(out)
}

fn hex(chars: &mut std::iter::Peekable<std::str::Chars>, n: usize) -> Option<char> {
    let s: String = (0..n).map(|_| chars.next()).collect::<Option<String>>()?;
    char::from_u32(u32::from_str_radix(&s, 16).ok()?)
}

/// The text to route on: the turns of a list literal joined by newlines, or the text itself.
pub fn prompt_text(raw: &str) -> std::borrow::Cow<'_, str> {
    // The common case, one turn without escapes (`['…']`), borrows without parsing.
    if let Some(inner) = raw.trim().strip_prefix('[').and_then(|r| r.strip_suffix(']')).map(str::trim)
        && let Some(q) = inner.chars().next().filter(|&q| q == '\'' || q == '"')
        && inner.len() >= 2
        && inner.ends_with(q)
    {
        let body = &inner[1..inner.len() - 1];
        if !body.contains(q) && !body.contains('\\') {
            return std::borrow::Cow::Borrowed(body);
        }
    }
    if raw.trim_start().starts_with('[')
        && let Some(turns) = parse_str_list(raw)
    {
        return std::borrow::Cow::Owned(turns.join("\n"));
    }
    std::borrow::Cow::Borrowed(raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_python_list_literals() {
        assert_eq!(parse_str_list(r#"['a', "b's", 'c\'d\n']"#).unwrap(), ["a", "b's", "c'd\n"]);
        assert_eq!(parse_str_list("[]").unwrap(), Vec::<String>::new());
        assert_eq!(parse_str_list(r"['\u00e9\x41']").unwrap(), ["éA"]);
        assert!(parse_str_list("['unterminated]").is_none());
        assert!(parse_str_list("[1, 2]").is_none());
        assert_eq!(prompt_text("['q1', 'q2']"), "q1\nq2");
        assert_eq!(prompt_text("[not a list"), "[not a list");
        // One plain turn is borrowed; anything else goes through the parser.
        assert!(matches!(prompt_text(" [ 'plain, text' ] "), std::borrow::Cow::Borrowed("plain, text")));
        assert_eq!(prompt_text(r#"["it's"]"#), "it's");
        assert_eq!(
            prompt_text(
                r"['a
b']"
            ),
            "a\nb"
        );
        assert_eq!(prompt_text("['a', 'b']"), "a\nb");
        assert_eq!(prompt_text("['a',]"), "a");
        assert_eq!(prompt_text("[']"), "[']");
        assert_eq!(prompt_text("['']"), "");
    }
}
