//! Every count from the built-in `o200k_base` tokenizer must equal `tiktoken-rs`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

fn corpus() -> Vec<String> {
    let mut v: Vec<String> = [
        "",
        "hello world",
        "你好",
        "帮我写代码实现快速排序",
        "分析一下这只股票的财报",
        "  leading spaces and trailing   ",
        "line one\r\nline two\n\n\n   indented\ttab",
        "I'm sure they'll say we've done it, didn't we? THEY'RE HERE'S",
        "numbers 1234567 3.14159 and 2026-11-26",
        "emoji 😀🎉 and symbols ->=> /path/to/file.rs // comment",
        "Ünïcödé façade naïve coöperate ΑΒΓ αβγ Привет мир",
        "日本語のテキストと한국어 텍스트",
        "مرحبا بالعالم",
        "combining: e\u{301} a\u{300}\u{316} \u{301}start",
        "CamelCaseWordsAndHTTPServerXMLHttpRequest",
        "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}",
        "fn main() {\n    println!(\"{}\", 1 + 2);\n}\n",
        "tabs\t\t\tand\u{a0}nbsp\u{3000}ideographic space",
        "ſ long s: it'ſ odd",
        "   \n",
        "a",
        " ",
        "\n",
        "x  \n  y",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for p in
        ["fixtures/tiers/train.jsonl", "fixtures/tiers/dev.jsonl", "../shared/data/uncommonroute_tiers/train.jsonl"]
    {
        if let Ok(text) = std::fs::read_to_string(p) {
            for line in text.lines() {
                if let Ok(serde_json::Value::Object(o)) = serde_json::from_str::<serde_json::Value>(line)
                    && let Some(serde_json::Value::String(s)) = o.get("prompt")
                {
                    v.push(s.clone());
                }
            }
            break;
        }
    }
    v
}

#[test]
fn counts_equal_tiktoken_rs_on_a_multilingual_corpus() {
    let bpe = tiktoken_rs::o200k_base().unwrap();
    let mut checked = 0;
    for text in corpus() {
        let want = bpe.encode_ordinary(&text).len();
        assert_eq!(llmroute::tokenizer::count_tokens(&text), want, "text: {text:?}");
        checked += 1;
    }
    assert!(checked > 20);
}

#[test]
fn counts_equal_tiktoken_rs_on_seeded_random_strings() {
    // Characters chosen to hit every branch of the pre-tokenizer: case changes, marks, digits,
    // contractions, symbols, every kind of whitespace.
    let pool: Vec<char> =
        "aZ'sStTrReEvVlLmMdD0129 \t\r\n\u{a0}\u{3000}.,!?/-_()你好世界テスト한ÉéΩω\u{301}\u{300}ǅʰ😀€½Ⅻ"
            .chars()
            .collect();
    let bpe = tiktoken_rs::o200k_base().unwrap();
    let mut state: u64 = 42;
    let mut next = || {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (state >> 33) as usize
    };
    for _ in 0..3000 {
        let len = next() % 24;
        let text: String = (0..len).map(|_| pool[next() % pool.len()]).collect();
        let want = bpe.encode_ordinary(&text).len();
        assert_eq!(llmroute::tokenizer::count_tokens(&text), want, "text: {text:?}");
    }
}
