"""scikit-learn side of the llmroute classifier benchmark.

Trains TfidfVectorizer + RandomForestClassifier (the design article's pipeline) on --train, evaluates
on --test, and prints ONE JSON object on stdout with timings (time.perf_counter), accuracy, the
fallback rate (share of test rows whose top class probability is below --threshold) and peak RSS.
Input files are CSV with a header row, or JSON lines when the name ends in .jsonl.

    PY=$(bash bench/setup_venv.sh | tail -n1)
    $PY bench/sklearn_side.py --train bench/out/train.csv --test bench/out/test.csv
"""
import argparse
import csv
import json
import resource
import statistics
import time

import numpy as np
import sklearn
from sklearn.ensemble import RandomForestClassifier
from sklearn.feature_extraction.text import TfidfVectorizer


def load(path, text_col, label_col):
    if path.endswith(".jsonl"):
        with open(path, encoding="utf-8") as f:
            rows = [json.loads(line) for line in f if line.strip()]
    else:
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
    return [r[text_col] for r in rows], [str(r[label_col]) for r in rows]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--train", required=True)
    ap.add_argument("--test", required=True)
    ap.add_argument("--text-col", default="prompt")
    ap.add_argument("--label-col", default="label")
    ap.add_argument("--analyzer", choices=["word", "char_wb"], default="word")
    ap.add_argument("--ngram", default="1,1", help="min,max n-gram length")
    ap.add_argument("--max-features", type=int, default=5000)
    ap.add_argument("--sublinear-tf", action="store_true")
    ap.add_argument("--n-estimators", type=int, default=100)
    ap.add_argument("--max-depth", default="10", help="an integer or 'none'")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--n-jobs", type=int, default=-1)
    ap.add_argument("--threshold", type=float, default=0.6)
    ap.add_argument("--single-queries", type=int, default=500,
                    help="test rows timed one at a time (at least 300; cycles if the test set is smaller)")
    a = ap.parse_args()
    lo, hi = (int(x) for x in a.ngram.split(","))
    max_depth = None if a.max_depth.lower() == "none" else int(a.max_depth)

    x_train, y_train = load(a.train, a.text_col, a.label_col)
    x_test, y_test = load(a.test, a.text_col, a.label_col)

    vec = TfidfVectorizer(max_features=a.max_features, analyzer=a.analyzer, ngram_range=(lo, hi),
                          sublinear_tf=a.sublinear_tf)
    clf = RandomForestClassifier(n_estimators=a.n_estimators, max_depth=max_depth,
                                 random_state=a.seed, n_jobs=a.n_jobs)

    t0 = time.perf_counter()
    m_train = vec.fit_transform(x_train)
    t1 = time.perf_counter()
    clf.fit(m_train, y_train)
    t2 = time.perf_counter()

    t3 = time.perf_counter()
    proba = clf.predict_proba(vec.transform(x_test))
    t4 = time.perf_counter()

    pred = clf.classes_[proba.argmax(axis=1)]
    accuracy = float(np.mean(pred == np.asarray(y_test)))
    fallback_rate = float(np.mean(proba.max(axis=1) < a.threshold))

    n_single = max(300, a.single_queries)
    times = []
    for i in range(n_single):
        text = x_test[i % len(x_test)]
        s = time.perf_counter()
        clf.predict_proba(vec.transform([text]))
        times.append(time.perf_counter() - s)

    print(json.dumps({
        "tfidf_fit_seconds": t1 - t0,
        "forest_fit_seconds": t2 - t1,
        "fit_seconds": t2 - t0,
        "predict_all_seconds": t4 - t3,
        "single_query_us": statistics.median(times) * 1e6,
        "accuracy": accuracy,
        "fallback_rate": fallback_rate,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "n_train": len(x_train),
        "n_test": len(x_test),
        "n_features": len(vec.vocabulary_),
        "sklearn_version": sklearn.__version__,
    }))


if __name__ == "__main__":
    main()
