"""The scikit-learn side of bench/outcome_vs_sklearn.sh, and the seeded split both sides use.

    outcome_sklearn.py split OUT_DIR          RouterBench rows -> OUT_DIR/rb_train.csv, rb_test.csv (80/20, seed 42)
    outcome_sklearn.py fit OUT_DIR            the baseline: per-model logistic regression on word 1-2-gram TF-IDF,
                                              predictions on the test rows -> OUT_DIR/sk_pred.json
    outcome_sklearn.py score OUT_DIR LLMROUTE_JSON
                                              both curves on the test rows, λ swept the same way, scored the same way

The decision rule is llmroute's: the model maximising predicted quality - λ × predicted cost, the cost
predicted per model by least squares on the prompt's length in characters, λ over the same grid.
"""
import ast, csv, json, sys, time
import numpy as np

D = "../shared/data/routerbench_routerdc/"
FILES = ["arc_challenge_train.csv", "mbpp_train.csv", "winograde_train.csv"]
csv.field_size_limit(1 << 30)


def read(path):
    with open(path, newline="") as f:
        r = csv.DictReader(f)
        return r.fieldnames, list(r)


def models_of(header):
    return [h for h in header if h + "|total_cost" in header]


def text(p):
    try:
        v = ast.literal_eval(p)
        return "\n".join(v) if isinstance(v, list) else p
    except Exception:
        return p


def matrices(rows, models):
    q = np.array([[float(r[m]) if r[m] not in ("", "nan", "NaN") else 0.0 for m in models] for r in rows])
    c = np.array([[float(r[m + "|total_cost"]) for m in models] for r in rows])
    chars = np.array([len(text(r["prompt"])) for r in rows], dtype=float)
    return q, c, chars


def fit_costs(chars, c):
    out = []
    mx = chars.mean()
    sxx = ((chars - mx) ** 2).sum()
    for m in range(c.shape[1]):
        my = c[:, m].mean()
        slope = ((chars - mx) * (c[:, m] - my)).sum() / sxx if sxx > 0 else 0.0
        out.append((my - slope * mx, slope) if slope > 0 else (my, 0.0))
    return out


def grid(mean_cost):
    pos = [x for x in mean_cost if x > 0]
    lo, hi = min(pos), max(pos)
    a, b = np.log(1e-3 / hi), np.log(1e2 / lo)
    return [0.0] + [float(np.exp(a + (b - a) * i / 120)) for i in range(121)]


def curve(pred, chars, q, c, costs, lambdas, premium):
    est = np.array([[max(a + b * n, 0.0) for (a, b) in costs] for n in chars])
    pts = []
    for lam in lambdas:
        score = pred - lam * est
        # argmax, the cheaper on a tie
        ch = [max(range(pred.shape[1]), key=lambda m: (score[r, m], -est[r, m])) for r in range(len(chars))]
        idx = np.arange(len(chars))
        ch = np.array(ch)
        pts.append({"lambda": lam, "cost": float(c[idx, ch].mean()), "quality": float(q[idx, ch].mean()),
                    "premium_share": float((ch == premium).mean())})
    return pts


def hull(points):
    pts = sorted(set(points))
    up = []
    for p in pts:
        while len(up) >= 2 and (up[-1][0] - up[-2][0]) * (p[1] - up[-2][1]) - (up[-1][1] - up[-2][1]) * (p[0] - up[-2][0]) >= 0:
            up.pop()
        up.append(p)
    out, best = [], -1.0
    for p in up:
        if p[1] > best:
            out.append(p)
            best = p[1]
    return out


def aiq(points, cmin, cmax, n=2000):
    """Mean quality of the non-decreasing convex hull over [cmin, cmax] (RouterBench's AIQ)."""
    h = hull(points)
    xs = np.linspace(cmin, cmax, n)
    def at(x):
        if x <= h[0][0]:
            return h[0][1]
        for a, b in zip(h, h[1:]):
            if a[0] <= x <= b[0]:
                return a[1] + (b[1] - a[1]) * (x - a[0]) / (b[0] - a[0])
        return h[-1][1]
    return float(np.mean([at(x) for x in xs]))


def best_within(pts, budget):
    ok = [p["quality"] for p in pts if p["cost"] <= budget]
    return max(ok) if ok else None


def main():
    cmd, out = sys.argv[1], sys.argv[2]
    if cmd == "split":
        header, rows = None, []
        for f in FILES:
            h, r = read(D + f)
            header = header or h
            rows += r
        perm = np.random.RandomState(42).permutation(len(rows))
        cut = int(len(rows) * 0.8)
        for name, idx in (("rb_train.csv", perm[:cut]), ("rb_test.csv", perm[cut:])):
            with open(f"{out}/{name}", "w", newline="") as f:
                w = csv.DictWriter(f, fieldnames=header)
                w.writeheader()
                for i in sorted(idx):
                    w.writerow(rows[i])
        print(f"split {len(rows)} rows: {cut} train, {len(rows) - cut} test")
    elif cmd == "fit":
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        header, tr = read(f"{out}/rb_train.csv")
        _, te = read(f"{out}/rb_test.csv")
        models = models_of(header)
        q, c, chars = matrices(tr, models)
        t0 = time.time()
        vec = TfidfVectorizer(ngram_range=(1, 2))
        x = vec.fit_transform([text(r["prompt"]) for r in tr])
        clfs = []
        for m in range(len(models)):
            y = (q[:, m] >= 0.5).astype(int)
            clfs.append(LogisticRegression(max_iter=1000).fit(x, y) if y.min() != y.max() else float(y[0]))
        fit_s = time.time() - t0
        xt = vec.transform([text(r["prompt"]) for r in te])
        t1 = time.time()
        pred = np.column_stack([cl.predict_proba(xt)[:, 1] if not isinstance(cl, float) else np.full(len(te), cl) for cl in clfs])
        pred_us = (time.time() - t1) / len(te) * 1e6
        json.dump({"models": models, "pred": pred.tolist(), "costs": fit_costs(chars, c),
                   "mean_cost": c.mean(0).tolist(), "fit_seconds": fit_s, "predict_us": pred_us},
                  open(f"{out}/sk_pred.json", "w"))
    elif cmd == "score":
        header, te = read(f"{out}/rb_test.csv")
        models = models_of(header)
        q, c, chars = matrices(te, models)
        sk = json.load(open(f"{out}/sk_pred.json"))
        ours = json.load(open(sys.argv[3]))
        single = [(float(c[:, m].mean()), float(q[:, m].mean())) for m in range(len(models))]
        cmin, cmax = min(s[0] for s in single), max(s[0] for s in single)
        gpt4 = models.index("gpt-4-1106-preview")
        premium = int(np.argmax(sk["mean_cost"]))
        sk_curve = curve(np.array(sk["pred"]), chars, q, c, sk["costs"], grid(sk["mean_cost"]), premium)
        our_curve = ours["validation"]["curve"]
        half = single[gpt4][0] / 2
        rows = [("zero router (single models)", aiq(single, cmin, cmax), None, None),
                ("scikit-learn baseline", aiq([(p["cost"], p["quality"]) for p in sk_curve], cmin, cmax), best_within(sk_curve, half), sk["fit_seconds"]),
                ("llmroute outcome router", aiq([(p["cost"], p["quality"]) for p in our_curve], cmin, cmax), best_within(our_curve, half), ours["fit_seconds"])]
        print(f"gpt-4 on the test rows: quality {single[gpt4][1]:.4f} at ${single[gpt4][0]:.6f}; half its cost: ${half:.6f}")
        print(f"llmroute's own AIQ of its curve: {ours['validation']['aiq']:.4f} (recomputed here: {rows[2][1]:.4f})")
        print("| router | AIQ | best quality at <= 50 % of GPT-4's cost | fit s (in-process) |")
        print("|---|---|---|---|")
        for name, a, h, f in rows:
            print(f"| {name} | {a:.4f} | {'-' if h is None else f'{h:.4f}'} | {'-' if f is None else f'{f:.2f}'} |")
        print(f"scikit-learn predict: {sk['predict_us']:.1f} us per prompt (11 models, batch)")


if __name__ == "__main__":
    main()
