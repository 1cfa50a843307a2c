"""Estimators of per-model success p(m | prompt), all fitted on the training split only.

Every estimator works on the same TF-IDF matrix. Quality targets Q are in [0, 1] (soft labels: the
logistic losses below are cross-entropy against Q, which equals plain logistic regression on 0/1 data).
"""
import re, time
import numpy as np
import scipy.sparse as sp
from scipy.optimize import minimize
from scipy.special import expit, logit, softmax
from sklearn.feature_extraction.text import TfidfVectorizer

CJK = re.compile(r"([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af])")


def prep(s):
    # lower-case; every CJK character becomes its own token, so word 1-2-grams give CJK char 1-2-grams
    return CJK.sub(r" \1 ", s.lower())


def tfidf(train_texts, max_features=50000):
    return TfidfVectorizer(preprocessor=prep, token_pattern=r"(?u)\b\w+\b", ngram_range=(1, 2), min_df=2,
                           sublinear_tf=True, max_features=max_features, dtype=np.float64).fit(train_texts)


# ----------------------------------------------------------------------------------------------------
# Linear models fitted with L-BFGS (all models at once; the objective is a sum over models)

def fit_mlr(X, Q, C, sw=None, maxiter=100, W0=None):
    """Per-model L2 logistic regression, sklearn's objective: C * sum_r sw_r * CE(q_rm, p_rm) + ||w_m||^2 / 2,
    intercept unpenalised. Returns (W (V x K), b (K))."""
    n, V = X.shape
    K = Q.shape[1]
    sw = np.ones(n) if sw is None else sw
    XT = X.T.tocsr()

    def f(th):
        W = th[:V * K].reshape(V, K)
        b = th[V * K:]
        Z = X @ W + b
        L = C * (sw[:, None] * (np.logaddexp(0, Z) - Q * Z)).sum() + 0.5 * (W * W).sum()
        G = C * sw[:, None] * (expit(Z) - Q)
        return L, np.concatenate([(XT @ G + W).ravel(), G.sum(0)])

    th0 = np.zeros(V * K + K) if W0 is None else W0
    if W0 is None:
        qm = np.clip((sw[:, None] * Q).sum(0) / sw.sum(), 1e-3, 1 - 1e-3)
        th0[V * K:] = logit(qm)
    r = minimize(f, th0, jac=True, method="L-BFGS-B", options={"maxiter": maxiter, "gtol": 1e-6})
    return r.x[:V * K].reshape(V, K), r.x[V * K:], r.x


def pred_mlr(model, X):
    W, b = model[0], model[1]
    return expit(X @ W + b)


def fit_softmax(X, y, K, C, maxiter=100):
    """Multinomial LR (labels y in 0..K-1): the 'oracle label' model."""
    n, V = X.shape
    Y = np.zeros((n, K))
    Y[np.arange(n), y] = 1
    XT = X.T.tocsr()

    def f(th):
        W = th[:V * K].reshape(V, K)
        b = th[V * K:]
        Z = X @ W + b
        Zm = Z.max(1, keepdims=True)
        lse = Zm[:, 0] + np.log(np.exp(Z - Zm).sum(1))
        L = C * (lse - (Y * Z).sum(1)).sum() + 0.5 * (W * W).sum()
        G = C * (softmax(Z, axis=1) - Y)
        return L, np.concatenate([(XT @ G + W).ravel(), G.sum(0)])

    r = minimize(f, np.zeros(V * K + K), jac=True, method="L-BFGS-B", options={"maxiter": maxiter})
    return r.x[:V * K].reshape(V, K), r.x[V * K:]


def pred_softmax(model, X):
    return softmax(X @ model[0] + model[1], axis=1)


def fit_mf(X, Q, C, d=16, seed=0, maxiter=60):
    """Matrix factorisation (RouteLLM-style bilinear): logit(p_rm) = (x_r W) . v_m + b_m, W (V x d) projects
    the prompt, v_m (d) embeds the model; L2 on W and v, soft cross-entropy, L-BFGS."""
    n, V = X.shape
    K = Q.shape[1]
    XT = X.T.tocsr()
    rng = np.random.RandomState(seed)

    def unpack(th):
        return th[:V * d].reshape(V, d), th[V * d:V * d + K * d].reshape(K, d), th[V * d + K * d:]

    def f(th):
        W, Vm, b = unpack(th)
        H = X @ W
        Z = H @ Vm.T + b
        L = C * (np.logaddexp(0, Z) - Q * Z).sum() + 0.5 * ((W * W).sum() + (Vm * Vm).sum())
        G = C * (expit(Z) - Q)
        gW = XT @ (G @ Vm) + W
        gV = G.T @ H + Vm
        return L, np.concatenate([gW.ravel(), gV.ravel(), G.sum(0)])

    qm = np.clip(Q.mean(0), 1e-3, 1 - 1e-3)
    th0 = np.concatenate([rng.normal(0, 0.1, V * d), rng.normal(0, 0.1, K * d), logit(qm)])
    r = minimize(f, th0, jac=True, method="L-BFGS-B", options={"maxiter": maxiter})
    return unpack(r.x)


def pred_mf(model, X):
    W, Vm, b = model
    return expit((X @ W) @ Vm.T + b)


# ----------------------------------------------------------------------------------------------------
# Nearest neighbours (cosine: TF-IDF rows are L2-normalised)

def neighbours(Xq, Xref, kmax, exclude_self=False, chunk=2000):
    idx = np.zeros((Xq.shape[0], kmax), dtype=np.int32)
    sim = np.zeros((Xq.shape[0], kmax), dtype=np.float32)
    for s in range(0, Xq.shape[0], chunk):
        S = (Xq[s:s + chunk] @ Xref.T).toarray().astype(np.float32)
        k = min(kmax, S.shape[1])
        part = np.argpartition(-S, k - 1, axis=1)[:, :k]
        ps = np.take_along_axis(S, part, 1)
        o = np.argsort(-ps, axis=1, kind="stable")
        idx[s:s + chunk, :k] = np.take_along_axis(part, o, 1)
        sim[s:s + chunk, :k] = np.take_along_axis(ps, o, 1)
    return idx, sim


def knn_predict(idx, sim, Qref, k, weighted=False, prior=None, beta=0.0):
    w = sim[:, :k].astype(np.float64) if weighted else np.ones((idx.shape[0], k))
    w = np.maximum(w, 0)
    num = np.einsum("rk,rkm->rm", w, Qref[idx[:, :k]])
    den = w.sum(1, keepdims=True)
    if prior is not None and beta > 0:
        num = num + beta * prior
        den = den + beta
    return num / np.maximum(den, 1e-12)


# ----------------------------------------------------------------------------------------------------
# Cross-validation inside the training split

def folds(n, seed, k=3, groups=None):
    """k folds over groups (identical prompts stay together), seeded."""
    if groups is None:
        groups = np.arange(n)
    ug = np.unique(groups)
    perm = np.random.RandomState(seed + 1000).permutation(len(ug))
    fold_of_group = np.empty(len(ug), dtype=int)
    fold_of_group[perm] = np.arange(len(ug)) % k
    gi = np.searchsorted(ug, groups)
    f = fold_of_group[gi]
    return [(np.where(f != j)[0], np.where(f == j)[0]) for j in range(k)]


def brier(P, Q):
    return float(((P - Q) ** 2).mean())


def calib_isotonic(p_oof, Q, p_test):
    from sklearn.isotonic import IsotonicRegression
    out = np.empty_like(p_test)
    for m in range(Q.shape[1]):
        ir = IsotonicRegression(out_of_bounds="clip", y_min=0, y_max=1).fit(p_oof[:, m], Q[:, m])
        out[:, m] = ir.predict(p_test[:, m])
    return out


def calib_platt(p_oof, Q, p_test):
    out = np.empty_like(p_test)
    for m in range(Q.shape[1]):
        z = logit(np.clip(p_oof[:, m], 1e-6, 1 - 1e-6))
        zt = logit(np.clip(p_test[:, m], 1e-6, 1 - 1e-6))
        A = np.column_stack([z, np.ones_like(z)])

        def f(ab):
            s = A @ ab
            return (np.logaddexp(0, s) - Q[:, m] * s).sum() + 1e-3 * ab[0] ** 2, A.T @ (expit(s) - Q[:, m]) + np.array([2e-3 * ab[0], 0])

        ab = minimize(f, np.array([1.0, 0.0]), jac=True, method="L-BFGS-B").x
        out[:, m] = expit(ab[0] * zt + ab[1])
    return out


def nnls_stack(oofs, Q, tests):
    """Per model: non-negative weights over the base estimators' out-of-fold predictions (plus intercept)."""
    from scipy.optimize import nnls
    K = Q.shape[1]
    out = np.empty_like(tests[0])
    W = []
    for m in range(K):
        A = np.column_stack([o[:, m] for o in oofs] + [np.ones(len(Q)), -np.ones(len(Q))])
        w, _ = nnls(A, Q[:, m])
        At = np.column_stack([t[:, m] for t in tests] + [np.ones(len(tests[0])), -np.ones(len(tests[0]))])
        out[:, m] = np.clip(At @ w, 0, 1)
        W.append(w[:-2].round(3).tolist())
    return out, W
