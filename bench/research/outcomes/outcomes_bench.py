"""Outcome-router estimators on every outcome set, one protocol.

    nice -n 19 .venv/bin/python outcomes_bench.py [--sets a,b] [--seeds 42,1,2,3,4,5] [--only est1,est2]

Per set and seed: an 80/20 split by prompt (numpy RandomState(seed).permutation over distinct prompts in
first-occurrence order; on RouterBench, whose 2,225 prompts are distinct, this is exactly the split of
bench/outcome_sklearn.py), TF-IDF fitted on the training prompts, llmroute's per-model cost line (cost ~ a + b *
chars, least squares on the training rows), llmroute's lambda grid (from the training rows' mean costs) and
rule (argmax p - lambda * cost, the cheaper on a tie), every hyper-parameter chosen by 3-fold CV inside the
training split (Brier score for probability estimators; out-of-fold AIQ for the routing tricks). Results:
results/<set>_<seed>.json; predictions cached in cache/.
"""
import argparse, json, os, sys, time
import numpy as np

import data
import estimators as es
import metrics as mt

HERE = os.path.dirname(os.path.abspath(__file__))
SETS = ["routerbench", "llmrouter", "routerdc7", "routerdc7_zh", "routellm", "routerarena"]
SEEDS = [42, 1, 2, 3, 4, 5]
LR_C = [1, 10]
KNN_K = [5, 10, 20, 50, 100, 200]
KNNLR_K = [10, 25, 50, 100, 200]
KNNLR_BETA = [0.5, 2, 8]
MLP_ALPHA = [1e-4, 1e-2]
MF_C = [1]  # C=1 won on RouterBench seed 42 (grid 1, 10); fixed afterwards to save time
MF_D = 16
MAX_FEATURES = 5000  # llmroute's default vocabulary size
HARD_GAMMA = [0, 2]
ORACLE_GAMMA = [0, 0.05, 0.1, 0.25, 0.5]
_cache = {}


def dataset(name):
    if name not in _cache:
        _cache[name] = data.load(name)
    return _cache[name]


def split(texts, seed):
    gid, first = {}, []
    groups = np.array([gid.setdefault(t, len(gid)) for t in texts])
    perm = np.random.RandomState(seed).permutation(len(gid))
    cut = int(len(gid) * 0.8)
    train_g = np.zeros(len(gid), bool)
    train_g[perm[:cut]] = True
    tr = np.where(train_g[groups])[0]
    te = np.where(~train_g[groups])[0]
    return tr, te, groups


class Ctx:
    pass


def oof_aiq(ctx, P):
    single = [(ctx.Ctr[:, m].mean(), ctx.Qtr[:, m].mean()) for m in range(ctx.K)]
    cmin, cmax = min(s[0] for s in single), max(s[0] for s in single)
    pts = mt.curve(P, ctx.Etr, ctx.Qtr, ctx.Ctr, ctx.lambdas)
    return mt.aiq([(c, q) for _, c, q in pts], cmin, cmax)


def cv_grid(ctx, grid, fit, pred, select="brier"):
    """fit(Xtr, Qtr, param, rows) -> model; pred(model, X) -> P. Returns best param, OOF preds, scores, seconds."""
    t0 = time.time()
    oofs, scores = {}, {}
    for g in grid:
        P = np.zeros_like(ctx.Qtr)
        for a, b in ctx.folds:
            P[b] = pred(fit(ctx.Xtr[a], ctx.Qtr[a], g, a), ctx.Xtr[b])
        oofs[g] = P
        scores[g] = es.brier(P, ctx.Qtr) if select == "brier" else -oof_aiq(ctx, P)
    best = min(grid, key=lambda g: scores[g])
    return best, oofs[best], {str(k): v for k, v in scores.items()}, time.time() - t0


def timed_fit_predict(ctx, fit, pred, param):
    t0 = time.time()
    model = fit(ctx.Xtr, ctx.Qtr, param, np.arange(ctx.ntr))
    fit_s = time.time() - t0
    t1 = time.time()
    P = pred(model, ctx.Xte)
    return model, P, fit_s, (time.time() - t1) / ctx.nte * 1e6


# ------------------------------------------------------------------------------------------------------
def est_lr(ctx):
    fit = lambda X, Q, C, rows: es.fit_mlr(X, Q, C)
    best, oof, sc, cv_s = cv_grid(ctx, LR_C, fit, es.pred_mlr)
    _, P, fit_s, us = timed_fit_predict(ctx, fit, es.pred_mlr, best)
    return dict(te=P, oof=oof, params={"C": best}, cv=sc, cv_s=cv_s, fit_s=fit_s, pred_us=us)


def est_bench_lr(ctx):
    """bench/outcome_sklearn.py's baseline exactly: TfidfVectorizer(ngram_range=(1, 2)), sklearn LR C=1 on q >= 0.5."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    t0 = time.time()
    vec = TfidfVectorizer(ngram_range=(1, 2))
    x = vec.fit_transform(ctx.texts_tr)
    cols = []
    xt = vec.transform(ctx.texts_te)
    for m in range(ctx.K):
        y = (ctx.Qtr[:, m] >= 0.5).astype(int)
        cols.append(LogisticRegression(max_iter=1000).fit(x, y).predict_proba(xt)[:, 1] if y.min() != y.max()
                    else np.full(ctx.nte, float(y[0])))
    return dict(te=np.column_stack(cols), oof=None, params={"C": 1}, fit_s=time.time() - t0, pred_us=None)


def knn_lists(ctx, kmax=200):
    if getattr(ctx, "nb", None) is None:
        t0 = time.time()
        ctx.nb_folds = []
        for a, b in ctx.folds:
            i, s = es.neighbours(ctx.Xtr[b], ctx.Xtr[a], kmax)
            ctx.nb_folds.append((a, b, a[i], s))  # indices mapped back to training rows
        ctx.nb_cv_s = time.time() - t0
        t1 = time.time()
        ctx.nb = es.neighbours(ctx.Xte, ctx.Xtr, kmax)
        ctx.nb_us = (time.time() - t1) / ctx.nte * 1e6
    return ctx.nb


def knn_cv(ctx, grid, make):
    knn_lists(ctx)
    scores, oofs = {}, {}
    for g in grid:
        P = np.zeros_like(ctx.Qtr)
        for a, b, i, s in ctx.nb_folds:
            P[b] = make(i, s, g, b)
        oofs[g] = P
        scores[g] = es.brier(P, ctx.Qtr)
    best = min(grid, key=lambda g: scores[g])
    return best, oofs[best], {str(k): v for k, v in scores.items()}


def est_knn(ctx):
    best, oof, sc = knn_cv(ctx, KNN_K, lambda i, s, k, b: es.knn_predict(i, s, ctx.Qtr, k))
    t0 = time.time()
    P = es.knn_predict(ctx.nb[0], ctx.nb[1], ctx.Qtr, best)
    us = ctx.nb_us + (time.time() - t0) / ctx.nte * 1e6
    return dict(te=P, oof=oof, params={"k": best}, cv=sc, fit_s=0.0, pred_us=us)


def est_knn_lr(ctx, lr):
    """kNN smoothing blended with LR: p = (sum_{top k} sim_i q_i + beta * p_lr) / (sum sim_i + beta)."""
    grid = [(k, b) for k in KNNLR_K for b in KNNLR_BETA]
    best, oof, sc = knn_cv(ctx, grid, lambda i, s, g, b: es.knn_predict(i, s, ctx.Qtr, g[0], True, lr["oof"][b], g[1]))
    t0 = time.time()
    P = es.knn_predict(ctx.nb[0], ctx.nb[1], ctx.Qtr, best[0], True, lr["te"], best[1])
    us = ctx.nb_us + lr["pred_us"] + (time.time() - t0) / ctx.nte * 1e6
    return dict(te=P, oof=oof, params={"k": best[0], "beta": best[1]}, cv=sc, fit_s=lr["fit_s"], pred_us=us)


def est_mlp(ctx):
    from sklearn.neural_network import MLPClassifier
    import warnings
    from sklearn.exceptions import ConvergenceWarning
    warnings.filterwarnings("ignore", category=ConvergenceWarning)

    def fit(X, Q, alpha, rows):
        Y = (Q >= 0.5).astype(int)
        const = Y.min(0) == Y.max(0)
        Y2 = Y.copy()
        Y2[0, const] = 1 - Y2[0, const]  # keep every output binary; constant columns are overwritten below
        mlp = MLPClassifier(hidden_layer_sizes=(64,), alpha=alpha, early_stopping=True, max_iter=30,
                            n_iter_no_change=5, random_state=ctx.seed).fit(X, Y2)
        return mlp, const, Y[0]

    def pred(model, X):
        mlp, const, y0 = model
        P = mlp.predict_proba(X)
        P[:, const] = y0[const]
        return P

    best, oof, sc, cv_s = cv_grid(ctx, MLP_ALPHA, fit, pred)
    _, P, fit_s, us = timed_fit_predict(ctx, fit, pred, best)
    return dict(te=P, oof=oof, params={"alpha": best, "hidden": 64}, cv=sc, cv_s=cv_s, fit_s=fit_s, pred_us=us)


def est_mf(ctx):
    fit = lambda X, Q, C, rows: es.fit_mf(X, Q, C, d=MF_D, seed=ctx.seed)
    best, oof, sc, cv_s = cv_grid(ctx, MF_C, fit, es.pred_mf)
    _, P, fit_s, us = timed_fit_predict(ctx, fit, es.pred_mf, best)
    return dict(te=P, oof=oof, params={"C": best, "d": MF_D}, cv=sc, cv_s=cv_s, fit_s=fit_s, pred_us=us)


def est_forest(ctx):
    """A scikit-learn stand-in for llmroute's learner: one multi-output regression forest (100 trees,
    min_samples_leaf 5, all features per split, bootstrap) on the same TF-IDF. No CV (llmroute's defaults)."""
    from sklearn.ensemble import RandomForestRegressor
    t0 = time.time()
    rf = RandomForestRegressor(n_estimators=100, min_samples_leaf=5, max_features=None, n_jobs=1,
                               random_state=ctx.seed).fit(ctx.Xtr.tocsc(), ctx.Qtr)
    fit_s = time.time() - t0
    t1 = time.time()
    P = rf.predict(ctx.Xte)
    return dict(te=P.reshape(ctx.nte, -1), oof=None, params={"trees": 100, "min_samples_leaf": 5}, fit_s=fit_s,
                pred_us=(time.time() - t1) / ctx.nte * 1e6)


def est_lr_hard(ctx, lr):
    """Cost-aware trick 1: up-weight training prompts that only one or two models got right (gamma by OOF AIQ)."""
    ok = ctx.Qtr >= 0.5
    nc = ok.sum(1)
    hard = ((nc >= 1) & (nc <= (1 if ctx.K == 2 else 2))).astype(float)
    C = lr["params"]["C"]
    fit = lambda X, Q, g, rows: es.fit_mlr(X, Q, C, sw=1 + g * hard[rows])
    best, oof, sc, cv_s = cv_grid(ctx, HARD_GAMMA, fit, es.pred_mlr, select="aiq")
    _, P, fit_s, us = timed_fit_predict(ctx, fit, es.pred_mlr, best)
    return dict(te=P, oof=oof, params={"C": C, "gamma": best}, cv=sc, cv_s=cv_s, fit_s=fit_s, pred_us=us)


def oracle_labels(Q, C):
    best_q = Q.max(1, keepdims=True)
    return np.where(Q >= best_q - 1e-12, C, np.inf).argmin(1)


def est_oracle_blend(ctx, base, name):
    """Cost-aware trick 2: p(m) + gamma * P(m is the cheapest best model), a multinomial LR on the oracle label."""
    y = oracle_labels(ctx.Qtr, ctx.Ctr)
    C = 1.0
    P_or = np.zeros_like(ctx.Qtr)
    t0 = time.time()
    for a, b in ctx.folds:
        P_or[b] = es.pred_softmax(es.fit_softmax(ctx.Xtr[a], y[a], ctx.K, C), ctx.Xtr[b])
    sc = {str(g): oof_aiq(ctx, base["oof"] + g * P_or) for g in ORACLE_GAMMA}
    best = max(ORACLE_GAMMA, key=lambda g: sc[str(g)])
    t1 = time.time()
    mdl = es.fit_softmax(ctx.Xtr, y, ctx.K, C)
    fit_s = time.time() - t1
    t2 = time.time()
    Pt = es.pred_softmax(mdl, ctx.Xte)
    us = (time.time() - t2) / ctx.nte * 1e6
    return dict(te=base["te"] + best * Pt, oof=base["oof"] + best * P_or, params={"gamma": best, "base": name},
                cv=sc, cv_s=t1 - t0, fit_s=base["fit_s"] + fit_s, pred_us=(base["pred_us"] or 0) + us)


# ------------------------------------------------------------------------------------------------------
def run(name, seed, only=None):
    d = dataset(name)
    tr, te, groups = split(d["texts"], seed)
    ctx = Ctx()
    ctx.seed, ctx.K = seed, d["Q"].shape[1]
    ctx.texts_tr = [d["texts"][i] for i in tr]
    ctx.texts_te = [d["texts"][i] for i in te]
    ctx.Qtr, ctx.Qte, ctx.Ctr, ctx.Cte = d["Q"][tr], d["Q"][te], d["C"][tr], d["C"][te]
    ctx.ntr, ctx.nte = len(tr), len(te)
    t0 = time.time()
    vec = es.tfidf(ctx.texts_tr, MAX_FEATURES)
    ctx.Xtr = vec.transform(ctx.texts_tr).tocsr()
    ctx.Xte = vec.transform(ctx.texts_te).tocsr()
    tfidf_s = time.time() - t0
    chars_tr = [len(t) for t in ctx.texts_tr]
    chars_te = [len(t) for t in ctx.texts_te]
    lines = mt.fit_costs(chars_tr, ctx.Ctr)
    ctx.Etr, ctx.Ete = mt.est_costs(lines, chars_tr), mt.est_costs(lines, chars_te)
    ctx.lambdas = mt.lambda_grid(ctx.Ctr.mean(0))
    ctx.folds = es.folds(ctx.ntr, seed, 3, groups[tr])
    ctx.nb = None

    cache = f"{HERE}/cache/{name}_{seed}.npz"
    out_path = f"{HERE}/results/{name}_{seed}.json"
    old = json.load(open(out_path)) if os.path.exists(out_path) else {"estimators": {}}
    preds = {}
    if os.path.exists(cache):
        z = np.load(cache, allow_pickle=True)
        preds = z["preds"].item()

    def want(e):
        return only is None or e in only
    skip = set(filter(None, os.environ.get("SKIP", "").split(",")))

    def get(e, f):
        if e in preds and not want(e):
            return preds[e]
        t = time.time()
        r = f()
        r["wall_s"] = time.time() - t
        preds[e] = r
        print(f"  {name} seed {seed} {e}: {r['wall_s']:.1f} s  params {r.get('params')}", flush=True)
        return r

    lr = get("lr", lambda: est_lr(ctx))
    knn = get("knn", lambda: est_knn(ctx))
    mlp = get("mlp", lambda: est_mlp(ctx))
    knn_lr = get("knn_lr", lambda: est_knn_lr(ctx, lr))
    mf = get("mf", lambda: est_mf(ctx))
    if only and "forest" in only:
        get("forest", lambda: est_forest(ctx))
    if name == "routerbench" and seed == 42:
        get("bench_lr", lambda: est_bench_lr(ctx))
    # ensembles and calibration from out-of-fold predictions (no refit)
    def combo(e, f):
        if want(e) or e not in preds:
            t = time.time()
            r = f()
            r["wall_s"] = time.time() - t
            preds[e] = r
        return preds[e]

    base_fit = lambda *rs: sum(r["fit_s"] for r in rs)
    base_us = lambda *rs: sum(r["pred_us"] or 0 for r in rs)
    combo("ens_avg", lambda: dict(te=(lr["te"] + knn["te"] + mlp["te"]) / 3, oof=(lr["oof"] + knn["oof"] + mlp["oof"]) / 3,
                                  params={"of": "lr, knn, mlp"}, fit_s=base_fit(lr, knn, mlp), pred_us=base_us(lr, knn, mlp)))
    def stack():
        P, W = es.nnls_stack([lr["oof"], knn_lr["oof"], mlp["oof"], mf["oof"]], ctx.Qtr, [lr["te"], knn_lr["te"], mlp["te"], mf["te"]])
        Po, _ = es.nnls_stack([lr["oof"], knn_lr["oof"], mlp["oof"], mf["oof"]], ctx.Qtr, [lr["oof"], knn_lr["oof"], mlp["oof"], mf["oof"]])
        return dict(te=P, oof=Po, params={"of": "lr, knn_lr, mlp, mf", "weights": W}, fit_s=base_fit(lr, mlp, mf),
                    pred_us=base_us(knn_lr, mlp, mf))
    stk = combo("ens_stack", stack)
    combo("lr_iso", lambda: dict(te=es.calib_isotonic(lr["oof"], ctx.Qtr, lr["te"]), oof=lr["oof"], params={}, fit_s=lr["fit_s"], pred_us=lr["pred_us"]))
    combo("lr_platt", lambda: dict(te=es.calib_platt(lr["oof"], ctx.Qtr, lr["te"]), oof=lr["oof"], params={}, fit_s=lr["fit_s"], pred_us=lr["pred_us"]))
    combo("knn_lr_iso", lambda: dict(te=es.calib_isotonic(knn_lr["oof"], ctx.Qtr, knn_lr["te"]), oof=knn_lr["oof"], params={}, fit_s=knn_lr["fit_s"], pred_us=knn_lr["pred_us"]))
    if "lr_hard" not in skip:
        get("lr_hard", lambda: est_lr_hard(ctx, lr))
    if "lr_oracle" not in skip:
        get("lr_oracle", lambda: est_oracle_blend(ctx, lr, "lr"))
    if "knn_lr_oracle" not in skip:
        get("knn_lr_oracle", lambda: est_oracle_blend(ctx, knn_lr, "knn_lr"))

    os.makedirs(f"{HERE}/cache", exist_ok=True)
    np.savez_compressed(cache, preds=np.array(preds, dtype=object))
    ref = mt.reference(ctx.Qte, ctx.Cte)
    res = {"set": name, "seed": seed, "models": d["models"], "n_train": ctx.ntr, "n_test": ctx.nte,
           "features": ctx.Xtr.shape[1], "tfidf_s": tfidf_s, "ref": ref, "estimators": old["estimators"]}
    for e, r in preds.items():
        s = mt.summarise(r["te"], ctx.Ete, ctx.Qte, ctx.Cte, ctx.lambdas)
        s["brier"] = es.brier(np.clip(r["te"], 0, 1), ctx.Qte)
        for k in ("params", "cv", "fit_s", "cv_s", "pred_us", "wall_s"):
            if k in r:
                s[k] = r[k]
        res["estimators"][e] = s
    os.makedirs(f"{HERE}/results", exist_ok=True)
    json.dump(res, open(out_path, "w"), default=float)
    print(f"== {name} seed {seed}: " + ", ".join(f"{e} {s['aiq']:.4f}" for e, s in res["estimators"].items() if s.get("aiq")), flush=True)
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sets", default=",".join(SETS))
    ap.add_argument("--seeds", default=",".join(map(str, SEEDS)))
    ap.add_argument("--only", default=None, help="recompute only these estimators (others from cache)")
    a = ap.parse_args()
    only = set(a.only.split(",")) if a.only else None
    for seed in map(int, a.seeds.split(",")):
        for name in a.sets.split(","):
            run(name, seed, only)


if __name__ == "__main__":
    main()
