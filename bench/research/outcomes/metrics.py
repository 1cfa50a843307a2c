"""Routing rule and metrics, mirroring llmroute (src/ml/outcome.rs, src/ml/model.rs, src/replay/metrics.rs)."""
import numpy as np


def fit_costs(chars, C):
    """outcome::fit_costs: least squares cost ~ a + b*chars per model; a negative slope falls back to the mean."""
    chars = np.asarray(chars, float)
    mx = chars.mean()
    sxx = ((chars - mx) ** 2).sum()
    out = []
    for m in range(C.shape[1]):
        my = C[:, m].mean()
        slope = ((chars - mx) * (C[:, m] - my)).sum() / sxx if sxx > 0 else 0.0
        out.append((my - slope * mx, slope) if slope > 0 else (my, 0.0))
    return np.array(out)


def est_costs(lines, chars):
    """Outcomes::cost_of: intercept + slope * chars, not below 0."""
    return np.maximum(lines[:, 0][None, :] + np.outer(np.asarray(chars, float), lines[:, 1]), 0.0)


def lambda_grid(mean_cost):
    """outcome::lambda_grid: 0, then 121 log-spaced values."""
    pos = [c for c in mean_cost if c > 0]
    lo, hi = min(pos), max(pos)
    a, b = np.log(1e-3 / hi), np.log(1e2 / lo)
    out = [0.0] + [float(min(np.exp(a + (b - a) * i / 120), 1e12)) for i in range(121)]
    ded = [out[0]]
    for x in out[1:]:
        if x != ded[-1]:
            ded.append(x)
    return ded


def choose(P, E, lam):
    """Outcomes::choose: argmax of P - lam*E, the cheaper (estimated) on an exact tie, then the first."""
    S = P - lam * E
    best = S.max(1, keepdims=True)
    Et = np.where(S == best, E, np.inf)
    return Et.argmin(1)


def curve(P, E, Q, C, lambdas):
    idx = np.arange(len(P))
    pts = []
    for lam in lambdas:
        ch = choose(P, E, lam)
        pts.append((lam, float(C[idx, ch].mean()), float(Q[idx, ch].mean())))
    return pts


def hull(points):
    pts = [p for p in points if np.isfinite(p[0]) and np.isfinite(p[1])]
    pts.sort(key=lambda p: (p[0], -p[1]))
    up = []
    for p in pts:
        while len(up) >= 2:
            a, b = up[-2], up[-1]
            if (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0]) >= 0:
                up.pop()
            else:
                break
        up.append(p)
    out = []
    for p in up:
        if not out or p[1] > out[-1][1]:
            out.append(p)
    return out


def hull_at(h, x):
    if x <= h[0][0]:
        return h[0][1]
    for a, b in zip(h, h[1:]):
        if x <= b[0]:
            t = (x - a[0]) / max(b[0] - a[0], 1e-300)
            return a[1] + t * (b[1] - a[1])
    return h[-1][1]


def aiq(points, cmin, cmax):
    """metrics::aiq: exact mean height of the non-decreasing convex hull over [cmin, cmax]."""
    h = hull(points)
    if not h or cmax <= cmin:
        return None
    xs = sorted([p[0] for p in h if cmin < p[0] < cmax] + [cmin, cmax])
    area = 0.0
    for a, b in zip(xs, xs[1:]):
        area += (b - a) * (hull_at(h, a) + hull_at(h, b)) / 2
    return area / (cmax - cmin)


def summarise(P, E, Q, C, lambdas):
    """All per-router metrics on test rows."""
    n, K = Q.shape
    single = [(float(C[:, m].mean()), float(Q[:, m].mean())) for m in range(K)]
    cmin, cmax = min(s[0] for s in single), max(s[0] for s in single)
    best = max(range(K), key=lambda m: (single[m][1], -single[m][0]))
    bc, bq = single[best]
    pts = curve(P, E, Q, C, lambdas)
    cq = [(c, q) for _, c, q in pts]
    out = {"aiq": aiq(cq, cmin, cmax)}
    for frac, key in ((0.5, "q50"), (0.25, "q25")):
        ok = [p for p in pts if p[1] <= frac * bc]
        # choose_lambda MaxCost: best quality, then the cheaper
        sel = max(ok, key=lambda p: (p[2], -p[1])) if ok else None
        out[key] = sel[2] if sel else None
        if key == "q50":
            out["lam50"] = sel[0] if sel else None
            out["cost50"] = sel[1] if sel else None
    reach = [p[1] for p in pts if p[2] >= bq - 1e-12]
    out["cost_to_best"] = min(reach) / bc if reach else None
    # model recall at lam50
    ok = Q >= 0.5
    nc = ok.sum(1)
    hard = (nc >= 1) & (nc <= (1 if K == 2 else 2))
    if out["lam50"] is not None and hard.any():
        ch = choose(P, E, out["lam50"])
        out["recall"] = float(ok[np.arange(n), ch][hard].mean())
        ch0 = choose(P, E, 0.0)
        out["recall_l0"] = float(ok[np.arange(n), ch0][hard].mean())
    else:
        out["recall"] = out["recall_l0"] = None
    out["n_hard"] = int(hard.sum())
    out["curve"] = pts
    return out


def reference(Q, C):
    """Single models, oracle (cheapest model with the row's best quality), zero-router (hull) AIQ."""
    n, K = Q.shape
    single = [(float(C[:, m].mean()), float(Q[:, m].mean())) for m in range(K)]
    cmin, cmax = min(s[0] for s in single), max(s[0] for s in single)
    best_q = Q.max(1, keepdims=True)
    Cx = np.where(Q >= best_q - 1e-12, C, np.inf)
    och = Cx.argmin(1)
    idx = np.arange(n)
    best = max(range(K), key=lambda m: (single[m][1], -single[m][0]))
    return {"single": single, "hull_aiq": aiq(single, cmin, cmax), "oracle": (float(C[idx, och].mean()), float(Q[idx, och].mean())),
            "best": best, "cmin": cmin, "cmax": cmax}
