"""Tables from results/*.json -> stdout (markdown), pasted into FINDINGS.md."""
import glob, json, os, sys
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ORDER = ["bench_lr", "lr", "knn", "mlp", "knn_lr", "mf", "ens_avg", "ens_stack", "lr_iso", "lr_platt", "knn_lr_iso",
         "lr_hard", "lr_oracle", "knn_lr_oracle", "forest", "lr_knn", "lr_mlp", "forest_lr", "forest_knn", "forest_lr_knn"]
BASE = {"bench_lr", "lr", "knn", "mlp"}


def f(x, p=4):
    return "–" if x is None else f"{x:.{p}f}"


def main():
    res = {}
    for p in glob.glob(f"{HERE}/results/*.json"):
        r = json.load(open(p))
        res.setdefault(r["set"], {})[r["seed"]] = r
    for name in ["routerbench", "llmrouter", "routerdc7", "routerdc7_zh", "routellm", "routerarena"]:
        if name not in res or 42 not in res[name]:
            continue
        r42 = res[name][42]
        others = [res[name][s] for s in (1, 2, 3, 4, 5) if s in res[name]]
        ref = r42["ref"]
        print(f"\n### {name} (seed 42: {r42['n_train']} train / {r42['n_test']} test prompts, {r42['features']} features; "
              f"seeds 1-5 done: {len(others)})\n")
        print("| model | test cost $/prompt | quality |")
        print("|---|---|---|")
        best = ref["best"]
        for m, (c, q) in zip(r42["models"], ref["single"]):
            print(f"| {m}{' (best)' if r42['models'][best] == m else ''} | {c:.3e} | {q:.4f} |")
        oc, oq = ref["oracle"]
        print(f"| oracle (cheapest model with the row's best quality) | {oc:.3e} | {oq:.4f} |")
        print(f"\nsingle-model hull AIQ {ref['hull_aiq']:.4f}; best model cost {ref['single'][best][0]:.3e}; "
              f"hard prompts (1-2 models right) in test: {next(iter(r42['estimators'].values()))['n_hard']}\n")
        print("| estimator | AIQ s42 | AIQ s1-5 mean ± sd | q@≤50% s42 | q@≤50% s1-5 | q@≤25% s42 | cost to reach best (×best) s42 | "
              "model recall @50% s42 (s1-5) | Brier s42 | fit s | pred µs/prompt | params s42 |")
        print("|---|---|---|---|---|---|---|---|---|---|---|---|")
        for e in ORDER:
            if e not in r42["estimators"]:
                continue
            s = r42["estimators"][e]
            a = [o["estimators"][e]["aiq"] for o in others if e in o["estimators"]]
            q5 = [o["estimators"][e]["q50"] for o in others if e in o["estimators"] and o["estimators"][e]["q50"] is not None]
            rc = [o["estimators"][e]["recall"] for o in others if e in o["estimators"] and o["estimators"][e]["recall"] is not None]
            am = f"{np.mean(a):.4f} ± {np.std(a):.4f}" if a else "–"
            qm = f"{np.mean(q5):.4f}" if q5 else "–"
            rm = f" ({np.mean(rc):.3f})" if rc else ""
            params = {k: v for k, v in (s.get("params") or {}).items() if k != "weights"}
            print(f"| {e}{' *' if e in BASE else ''} | {f(s['aiq'])} | {am} | {f(s['q50'])} | {qm} | {f(s['q25'])} | "
                  f"{f(s['cost_to_best'], 3)} | {f(s['recall'], 3)}{rm} | {f(s.get('brier'))} | {f(s.get('fit_s'), 2)} | "
                  f"{f(s.get('pred_us'), 1)} | {json.dumps(params)} |")
    # cross-set summary: AIQ gain over the per-model LR baseline
    print("\n### AIQ minus the LR baseline's AIQ (seed 42 / mean of seeds 1-5)\n")
    sets = [n for n in ["routerbench", "llmrouter", "routerdc7", "routerdc7_zh", "routellm", "routerarena"] if n in res and 42 in res[n]]
    print("| estimator | " + " | ".join(sets) + " |")
    print("|---|" + "---|" * len(sets))
    for e in ORDER:
        row = []
        for n in sets:
            r42 = res[n][42]["estimators"]
            if e not in r42 or r42[e]["aiq"] is None:
                row.append("–")
                continue
            d42 = r42[e]["aiq"] - r42["lr"]["aiq"]
            ds = [res[n][s]["estimators"][e]["aiq"] - res[n][s]["estimators"]["lr"]["aiq"] for s in (1, 2, 3, 4, 5)
                  if s in res[n] and e in res[n][s]["estimators"]]
            row.append(f"{d42:+.4f} / {np.mean(ds):+.4f}" if ds else f"{d42:+.4f} / –")
        print(f"| {e} | " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
