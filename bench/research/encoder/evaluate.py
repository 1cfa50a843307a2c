"""Protocols A x feature sets B. Seeded; C chosen by 5-fold stratified CV inside
each training part only.
usage: python evaluate.py FEATSET [FEATSET...]   (char, e5, static:<name>, char+e5, char+static:<name>)
static configs are defined in static_feats.py. Results -> results/<featset>.json"""
import json, os, sys, time, warnings
warnings.filterwarnings("ignore", category=FutureWarning)
import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression, LogisticRegressionCV
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.preprocessing import StandardScaler
HERE = os.path.dirname(os.path.abspath(__file__)); sys.path.insert(0, HERE)
import data

SEED = 0
CS_DENSE = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1]   # standardised dense embeddings
CS_SPARSE = [0.3, 1, 3, 10, 30, 100]                  # TF-IDF (and concatenations)
LOLO = ["zh", "ru", "es", "pt", "fr", "de"]


class Feats:
    """fit(train_texts, train_idx) / transform(idx) over a global row index."""
    def __init__(self, spec, texts, dense_getters):
        self.parts = spec.split("+"); self.texts = texts; self.dense = dense_getters; self.cache = {}

    def fit_transform(self, tr, te):
        Xtr, Xte = [], []
        for p in self.parts:
            if p == "char":
                v = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 4), min_df=2, sublinear_tf=True,
                                    max_features=200000)
                Xtr.append(v.fit_transform([self.texts[i] for i in tr]))
                Xte.append(v.transform([self.texts[i] for i in te]))
            else:
                if p not in self.cache:
                    self.cache[p] = self.dense[p]()
                M = self.cache[p]
                sc = StandardScaler().fit(M[tr])
                k = 1.0 / np.sqrt(M.shape[1]) if len(self.parts) > 1 else 1.0  # block norm ~1 when concatenated
                Xtr.append(sparse.csr_matrix(sc.transform(M[tr]) * k) if len(self.parts) > 1 else sc.transform(M[tr]))
                Xte.append(sparse.csr_matrix(sc.transform(M[te]) * k) if len(self.parts) > 1 else sc.transform(M[te]))
        if len(Xtr) == 1:
            return Xtr[0], Xte[0]
        return sparse.hstack(Xtr).tocsr(), sparse.hstack(Xte).tocsr()


def fit_predict(F, y, tr, te):
    """C by 5-fold stratified CV (accuracy) on the training part only; LogisticRegressionCV
    fits the C path with warm starts, then refits on the whole training part."""
    Xtr, Xte = F.fit_transform(tr, te)
    Cs = CS_SPARSE if "char" in F.parts else CS_DENSE
    clf = LogisticRegressionCV(Cs=Cs, cv=StratifiedKFold(5, shuffle=True, random_state=SEED), scoring="accuracy",
                               max_iter=2000, n_jobs=1, random_state=SEED)
    clf.fit(Xtr, y[tr])
    return clf.predict(Xte), float(clf.C_[0])


def metrics(yt, yp):
    return dict(n=int(len(yt)), acc=float((yt == yp).mean()), under=float((yp < yt).mean()),
                over=float((yp > yt).mean()))


def run(spec, dense_getters=None):
    tr_rows, dv_rows, t2_rows = data.load("train"), data.load("dev"), data.load("2000")
    rows = tr_rows + dv_rows + t2_rows
    texts = [r["prompt"] for r in rows]
    y = np.array([r["y"] for r in rows]); lang = np.array([r["lang"] for r in rows])
    ntr, ndv = len(tr_rows), len(dv_rows)
    i_tr = np.arange(ntr); i_dv = np.arange(ntr, ntr + ndv); i_td = np.arange(ntr + ndv)
    i_2k = np.arange(ntr + ndv, len(rows))
    F = Feats(spec, texts, dense_getters or {})
    res = {"spec": spec, "lolo": {}, "train_dev": None, "to2000": {}}
    t0 = time.time()
    for L in LOLO:
        te = i_td[lang[i_td] == L]; tr = i_td[lang[i_td] != L]
        yp, C = fit_predict(F, y, tr, te)
        res["lolo"][L] = dict(metrics(y[te], yp), C=C)
        print(spec, "LOLO", L, res["lolo"][L], f"{time.time() - t0:.0f}s", flush=True)
    yp, C = fit_predict(F, y, i_tr, i_dv)
    res["train_dev"] = dict(metrics(y[i_dv], yp), C=C)
    yp, C = fit_predict(F, y, i_td, i_2k)
    res["to2000"]["ALL"] = dict(metrics(y[i_2k], yp), C=C)
    for L in sorted(set(lang[i_2k])):
        m = lang[i_2k] == L
        res["to2000"][L] = metrics(y[i_2k][m], yp[m])
    res["seconds"] = time.time() - t0
    return res


def dense_e5():
    return np.concatenate([np.load(os.path.join(HERE, f"artifacts/e5_{s}.npy")) for s in ("train", "dev", "2000")])


def dense_use():
    return np.concatenate([np.load(os.path.join(HERE, f"artifacts/use_{s}.npy")) for s in ("train", "dev", "2000")])


def getters():
    import static_feats
    g = static_feats.getters()
    g["e5"] = dense_e5
    g["use"] = dense_use
    for n in (20, 50, 100):  # USE with pruned vocabulary (embed_use_pruned.py)
        g[f"use{n}k"] = (lambda n=n: np.concatenate([np.load(os.path.join(HERE, f"artifacts/use{n}k_{s}.npy"))
                                                      for s in ("train", "dev", "2000")]))
    return g


if __name__ == "__main__":
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    for spec in sys.argv[1:]:
        r = run(spec, getters())
        json.dump(r, open(os.path.join(HERE, "results", spec.replace(":", "_") + ".json"), "w"), indent=1)
        lo = " ".join(f"{k}:{v['acc']:.2f}/{v['under']:.2f}" for k, v in r["lolo"].items())
        t2 = " ".join(f"{k}:{v['acc']:.2f}/{v['under']:.2f}" for k, v in r["to2000"].items())
        print(f"{spec}\n  LOLO {lo}\n  train->dev {r['train_dev']['acc']:.3f}/{r['train_dev']['under']:.3f} C={r['train_dev']['C']}"
              f"\n  ->2000 {t2}\n  {r['seconds']:.0f}s", flush=True)
