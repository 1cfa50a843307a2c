"""Post-hoc blends with the forest stand-in (needs `outcomes_bench.py --only forest` first): equal-weight means
of cached test predictions, scored by the same metrics, written into results/<set>_<seed>.json."""
import json, sys
import numpy as np
import outcomes_bench as ob, metrics as mt, estimators as es

BLENDS = {"lr_knn": ["lr", "knn"], "lr_mlp": ["lr", "mlp"], "forest_lr": ["forest", "lr"], "forest_knn": ["forest", "knn"], "forest_lr_knn": ["forest", "lr", "knn"]}

for arg in sys.argv[1:]:
    name, seed = arg.split(":")
    seed = int(seed)
    d = ob.dataset(name)
    tr, te, _ = ob.split(d["texts"], seed)
    preds = np.load(f"{ob.HERE}/cache/{name}_{seed}.npz", allow_pickle=True)["preds"].item()
    Qtr, Ctr, Qte, Cte = d["Q"][tr], d["C"][tr], d["Q"][te], d["C"][te]
    ch_tr = [len(d["texts"][i]) for i in tr]
    ch_te = [len(d["texts"][i]) for i in te]
    lines = mt.fit_costs(ch_tr, Ctr)
    Ete, lambdas = mt.est_costs(lines, ch_te), mt.lambda_grid(Ctr.mean(0))
    path = f"{ob.HERE}/results/{name}_{seed}.json"
    res = json.load(open(path))
    for b, parts in BLENDS.items():
        if not all(p in preds for p in parts):
            continue
        P = np.mean([preds[p]["te"] for p in parts], axis=0)
        s = mt.summarise(P, Ete, Qte, Cte, lambdas)
        s["brier"] = es.brier(np.clip(P, 0, 1), Qte)
        s["params"] = {"of": ", ".join(parts)}
        s["fit_s"] = sum(preds[p]["fit_s"] for p in parts)
        s["pred_us"] = sum(preds[p]["pred_us"] or 0 for p in parts)
        res["estimators"][b] = s
        print(name, seed, b, round(s["aiq"], 4), s["q50"])
    json.dump(res, open(path, "w"), default=float)
