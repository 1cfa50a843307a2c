"""Reference only: compare TF-IDF analyzers for the tier classifier with scikit-learn.

Trains TfidfVectorizer(max_features=5000) + RandomForestClassifier(100 trees, random_state=42) on
uncommonroute_tiers/train.jsonl and evaluates on dev.jsonl (text `prompt`, label `expected_tier`),
for word (1,1) and char_wb (1,3), (2,4), (2,5), (1,4), each at max_depth 10 and None. Prints a table
of accuracy and fallback rate (share of dev rows whose top class probability is below 0.6).

    PY=$(bash bench/setup_venv.sh | tail -n1)
    $PY bench/sklearn_analyzers.py [--data /work/shared/data/uncommonroute_tiers]
"""
import argparse
import json
import os

import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.feature_extraction.text import TfidfVectorizer

CONFIGS = [("word", (1, 1)), ("char_wb", (1, 3)), ("char_wb", (2, 4)), ("char_wb", (2, 5)), ("char_wb", (1, 4))]
THRESHOLD = 0.6


def load(path):
    with open(path, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    return [r["prompt"] for r in rows], np.array([r["expected_tier"] for r in rows])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", help="folder with train.jsonl and dev.jsonl (default: shared/data/"
                    "uncommonroute_tiers beside the repo, else /work/shared/data/uncommonroute_tiers)")
    ap.add_argument("--n-jobs", type=int, default=-1)
    a = ap.parse_args()
    if a.data is None:
        beside = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "data",
                              "uncommonroute_tiers")
        a.data = beside if os.path.isdir(beside) else "/work/shared/data/uncommonroute_tiers"
    x_train, y_train = load(os.path.join(a.data, "train.jsonl"))
    x_dev, y_dev = load(os.path.join(a.data, "dev.jsonl"))

    print(f"train {len(x_train)} rows, dev {len(x_dev)} rows; fallback = max proba < {THRESHOLD}")
    print(f"{'analyzer':<9} {'ngram':<7} {'max_depth':>9} {'features':>8} {'accuracy':>8} {'fallback':>8}")
    for analyzer, ngram in CONFIGS:
        vec = TfidfVectorizer(max_features=5000, analyzer=analyzer, ngram_range=ngram)
        m_train = vec.fit_transform(x_train)
        m_dev = vec.transform(x_dev)
        for depth in (10, None):
            clf = RandomForestClassifier(n_estimators=100, max_depth=depth, random_state=42, n_jobs=a.n_jobs)
            clf.fit(m_train, y_train)
            proba = clf.predict_proba(m_dev)
            acc = np.mean(clf.classes_[proba.argmax(axis=1)] == y_dev)
            fallback = np.mean(proba.max(axis=1) < THRESHOLD)
            print(f"{analyzer:<9} {f'({ngram[0]},{ngram[1]})':<7} {str(depth):>9} {len(vec.vocabulary_):>8} "
                  f"{acc:>8.4f} {fallback:>8.4f}")


if __name__ == "__main__":
    main()
