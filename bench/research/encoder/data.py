import json
import os
D = os.path.join(os.environ.get("LLMROUTE_SHARED_DATA", os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../../shared/data")), "uncommonroute_tiers") + "/"
TIERS = ["SIMPLE", "MEDIUM", "COMPLEX", "REASONING"]

def load(name):
    rows = [json.loads(l) for l in open(D + name + ".jsonl")]
    for r in rows:
        r["y"] = TIERS.index(r["expected_tier"])
        r.setdefault("lang", "?")
    return rows

def all_prompts():
    out = []
    for n in ("train", "dev", "2000"):
        out += [r["prompt"] for r in load(n)]
    return out
