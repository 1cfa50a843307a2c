"""Render results/*.json into markdown tables (acc / under-routed)."""
import json, glob, os, sys
HERE = os.path.dirname(os.path.abspath(__file__))
R = {}
for f in sorted(glob.glob(os.path.join(HERE, "results/*.json"))):
    r = json.load(open(f)); R[r["spec"]] = r
order = sys.argv[1:] or list(R)
L = ["zh", "ru", "es", "pt", "fr", "de"]
T2 = ["ALL", "en", "zh", "ru", "es", "pt", "fr", "de", "ja", "ko", "ar"]
f = lambda d: f"{d['acc']:.3f} / {d['under']:.3f}"
print("**A1. Leave-one-language-out on train+dev** (cell: accuracy / under-routed rate; n = " +
      ", ".join(f"{l} {R[order[0]]['lolo'][l]['n']}" for l in L) + ")\n")
print("| features | " + " | ".join(L) + " | mean | train→dev |")
print("|---|" + "---|" * (len(L) + 2))
for s in order:
    if s not in R: continue
    r = R[s]; mean = sum(r["lolo"][l]["acc"] for l in L) / len(L); mu = sum(r["lolo"][l]["under"] for l in L) / len(L)
    print(f"| {s} | " + " | ".join(f(r["lolo"][l]) for l in L) + f" | {mean:.3f} / {mu:.3f} | {f(r['train_dev'])} |")
print("\n**A2. Train on train+dev, test on 2000.jsonl** (template-generated; ja/ko/ar never seen in training; n = " +
      ", ".join(f"{l} {R[order[0]]['to2000'][l]['n']}" for l in T2) + ")\n")
print("| features | " + " | ".join(T2) + " |")
print("|---|" + "---|" * len(T2))
for s in order:
    if s not in R: continue
    r = R[s]
    print(f"| {s} | " + " | ".join(f(r["to2000"][l]) for l in T2) + " |")
