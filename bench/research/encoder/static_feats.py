"""Static-table prompt features for evaluate.py.
Config name: static:[w]d<dims>_<weighting>_<full|NNk>[c][_int8]  (c: also keep all single-char pieces; w: table from the encoder's input embedding matrix instead of forward passes)
e.g. static:d256_zipf_full, static:d128_sif_100k_int8.
prompt vector = mean of the table rows of its tokens (tokenizer.json, pruned to
the same top-N, no <s>/</s>), then L2-normalised (model2vec StaticModel default)."""
import os, re, sys, functools
import numpy as np
HERE = os.path.dirname(os.path.abspath(__file__)); sys.path.insert(0, HERE)
import data, distill, tokjson

RAW = os.path.join(HERE, "artifacts/raw")


@functools.lru_cache(2)
def raw(src="fwd"):
    return distill.load_raw(RAW if src == "fwd" else os.path.join(HERE, "artifacts/raw_wordemb"))


@functools.lru_cache(4)
def token_ids(top, chars=False):
    tok = tokjson.make(top, chars)
    P = [r["prompt"] for s in ("train", "dev", "2000") for r in data.load(s)]
    return [tok.encode(p, add_special_tokens=False).ids for p in P]


def parse(name):
    m = re.fullmatch(r"w?d(\d+)_(zipf|sif|none)_(full|\d+k)(c?)(_int8)?", name)
    dims = int(m.group(1)); w = m.group(2)
    top = 0 if m.group(3) == "full" else int(m.group(3)[:-1]) * 1000
    return dims, w, top, bool(m.group(5)), bool(m.group(4))


def table(name):
    dims, w, top, q8, chars = parse(name)
    E, have = raw("word" if name.startswith("w") else "fwd")
    kept = np.array(tokjson.kept_ids(top, chars))
    miss = (~have[kept]).sum()
    if miss:
        print(f"WARNING {name}: {miss} of {len(kept)} kept ids have no raw vector yet (zero rows)", file=sys.stderr)
    fit_rows = kept[have[kept]]
    T, _ = distill.build_table(E, have, dims, len(have), w, fit_rows=fit_rows)
    T = T[kept]
    if q8:
        T = distill.dequantize(distill.quantize(T, "int8"))
    return T


def features(name):
    dims, w, top, q8, chars = parse(name)
    T = table(name)
    ids = token_ids(top, chars)
    X = np.zeros((len(ids), T.shape[1]), np.float32)
    for i, s in enumerate(ids):
        if s:
            v = T[s].mean(0); X[i] = v / (np.linalg.norm(v) + 1e-12)
    return X


class _G(dict):
    def __missing__(self, k):
        if k.startswith("static:"):
            return functools.partial(features, k[len("static:"):])
        raise KeyError(k)


def getters():
    return _G()
