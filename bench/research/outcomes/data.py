"""Outcome sets read from /work/shared/data (never copied): prompts, per-model quality and per-model cost.

Every loader returns a dict: name, texts (list[str]), models (list[str]), Q (n x K quality in [0, 1]),
C (n x K USD cost per call), note (how cost was obtained).

Token estimate where a set has no recorded cost: CJK characters count one token each, other characters
one token per 4 (chars/4), plus 7 chat-template tokens (llmroute's fixture builder uses the same overhead).
"""
import ast, csv, glob, json, os, re
import numpy as np

D = os.environ.get("LLMROUTE_SHARED_DATA", os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../../shared/data"))
csv.field_size_limit(1 << 30)
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")


def tokens(text):
    n_cjk = len(CJK.findall(text))
    return n_cjk + (len(text) - n_cjk) / 4.0 + 7.0


def rb_text(p):
    try:
        v = ast.literal_eval(p)
        return "\n".join(v) if isinstance(v, list) else p
    except Exception:
        return p


def load_routerbench():
    """RouterBench rows (RouterDC's copy): 11 models, 0/1 quality (NaN -> 0, as the llmroute bench), recorded cost."""
    rows, header = [], None
    for f in ["arc_challenge_train.csv", "mbpp_train.csv", "winograde_train.csv"]:
        with open(f"{D}/routerbench_routerdc/{f}", newline="") as fh:
            r = csv.DictReader(fh)
            header = header or r.fieldnames
            rows += list(r)
    models = [h for h in header if h + "|total_cost" in header]
    q = np.array([[float(r[m]) if r[m] not in ("", "nan", "NaN") else 0.0 for m in models] for r in rows])
    q = np.nan_to_num(q)
    c = np.array([[float(r[m + "|total_cost"]) for m in models] for r in rows])
    return dict(name="routerbench", texts=[rb_text(r["prompt"]) for r in rows], models=models, Q=q, C=c,
                tags=[r["eval_name"] for r in rows],
                note="recorded RouterBench cost per call", row_split=True)


def load_llmrouter():
    """LLMRouter dcrouter train+test (6,108 rows, 9 models, 0/1 and a few fractional scores). Cost: NIM price
    (llm_candidates/default_llm.json, USD per 1M, input = output price for all 9) x (estimated input tokens + 256
    assumed output tokens)."""
    rows = []
    for f in ["train.json", "test.json"]:
        rows += json.load(open(f"{D}/llmrouter/dcrouter_preprocessed/{f}"))
    llms = json.load(open(f"{D}/llmrouter/llm_candidates/default_llm.json"))
    models = sorted(rows[0]["scores"])
    q = np.array([[float(r["scores"][m]) for m in models] for r in rows])
    tin = np.array([tokens(r["question"]) for r in rows])
    c = np.column_stack([(tin * llms[m]["input_price"] + 256 * llms[m]["output_price"]) / 1e6 for m in models])
    return dict(name="llmrouter", texts=[r["question"] for r in rows], models=models, Q=np.clip(q, 0, 1), C=c,
                note="NIM list price x (est. input tokens + 256 output)")


RDC_FILES = ["MATH_prealgebra.json", "arc_challenge_test.json", "arc_challenge_train.json", "ceval.json",
             "cmmlu_test.json", "cmmlu_train.json", "gsm8k-test.json", "gsm8k-train.json", "humaneval_test.json",
             "humaneval_train.json", "javascript.json", "mbpp.json"]
# Synthetic price ladder (USD per 1M tokens, input = output): the 7 models are all 7-8B open models with the
# same real list price, which would make the cost trade-off empty. Prices rise with the model's mean score
# over the whole set (computed once, data-independent of the split only through that ranking):
RDC_LADDER = [0.05, 0.08, 0.12, 0.18, 0.27, 0.40, 0.60]


def load_routerdc7(zh_only=False):
    rows, tags = [], []
    for f in RDC_FILES:
        d = json.load(open(f"{D}/routerdc_7model/{f}"))
        task = f.split(".")[0].replace("_train", "").replace("_test", "").replace("-train", "").replace("-test", "")
        if zh_only and task not in ("ceval", "cmmlu"):
            continue
        rows += d
        tags += [task] * len(d)
    models = list(json.load(open(f"{D}/routerdc_7model/ceval.json"))[0]["scores"])
    q = np.clip(np.array([[float(r["scores"][m]) for m in models] for r in rows]), 0, 1)
    # The ladder is ranked on the full 12,011-row set (so zh-only uses the same prices).
    full = q if not zh_only else load_routerdc7()["Q"]
    order = np.argsort(full.mean(0), kind="stable")
    price = np.empty(len(models))
    price[order] = RDC_LADDER
    tin = np.array([tokens(r["question"]) for r in rows])
    c = np.column_stack([(tin + 256) * price[m] / 1e6 for m in range(len(models))])
    return dict(name="routerdc7_zh" if zh_only else "routerdc7", texts=[r["question"] for r in rows], models=models,
                Q=q, C=c, tags=tags, note="SYNTHETIC price ladder $0.05-$0.60/1M by mean score x (est. tokens + 256)")


def load_routellm():
    """RouteLLM MMLU (57 subjects) + GSM8K, GPT-4-1106 vs Mixtral-8x7B, contaminated prompts dropped, duplicate
    prompts kept once. Cost: litellm prices (gpt-4-1106-preview $10/$30; anyscale Mixtral $0.15/$0.15 per 1M) x
    (est. input tokens + output tokens: 5 for MMLU, est. from the recorded response for GSM8K), as llmroute's
    fixture builder does (it counts with tiktoken; here chars/4)."""
    g4, mx = "gpt-4-1106-preview", "mistralai/Mixtral-8x7B-Instruct-v0.1"
    models = [g4, mx]
    price = {g4: (10e-6, 30e-6), mx: (0.15e-6, 0.15e-6)}
    cont = set()
    for f in ["mmlu", "gsm8k"]:
        for line in open(f"{D}/routellm/{f}/contaminated_prompts.jsonl"):
            cont.add(json.loads(line)["eval_prompt"])
    seen, texts, q, c, tags = set(), [], [], [], []

    def add(p, ok, out_tok, tag):
        if p in cont or p in seen:
            return
        seen.add(p)
        tin = tokens(p)
        texts.append(p)
        tags.append(tag)
        q.append([1.0 if ok[m] in ("True", "true", "1", True) else 0.0 for m in models])
        c.append([tin * price[m][0] + out_tok[m] * price[m][1] for m in models])

    for f in sorted(glob.glob(f"{D}/routellm/mmlu/responses/mmlu_*.csv")):
        with open(f, newline="") as fh:
            for r in csv.DictReader(fh):
                add(r["prompt"], r, {m: 5 for m in models}, "mmlu")
    with open(f"{D}/routellm/gsm8k/gsm8k_responses.csv", newline="") as fh:
        for r in csv.DictReader(fh):
            add(r["prompt"], r, {m: len(r[m + "_response"]) / 4.0 for m in models}, "gsm8k")
    return dict(name="routellm", texts=texts, models=models, Q=np.array(q), C=np.array(c), tags=tags,
                note="litellm price x est. tokens (MMLU 5 output tokens)")


def load_routerarena():
    """RouterArena: 809 prompts x 2 models, measured cost and score (METEOR etc. in [0,1])."""
    ms = ["claude-3-haiku-20240307", "gemini-2.0-flash-001"]
    recs = {}
    for m in ms:
        for line in open(f"{D}/routerarena/cached_results/{m}.jsonl"):
            o = json.loads(line)
            er = o["evaluation_result"]
            er = ast.literal_eval(er) if isinstance(er, str) else er
            recs.setdefault(o["global_index"], {"q": o["question"]})[m] = (float(er["score"]), float(er["inference_cost"]))
    ids = sorted(k for k, v in recs.items() if all(m in v for m in ms))
    q = np.clip(np.array([[recs[i][m][0] for m in ms] for i in ids]), 0, 1)
    c = np.array([[recs[i][m][1] for m in ms] for i in ids])
    return dict(name="routerarena", texts=[recs[i]["q"] for i in ids], models=ms, Q=q, C=c,
                tags=[i.split("_", 1)[0] for i in ids], note="measured cost per call")


LOADERS = {"routerbench": load_routerbench, "llmrouter": load_llmrouter, "routerdc7": load_routerdc7,
           "routerdc7_zh": lambda: load_routerdc7(zh_only=True), "routellm": load_routellm,
           "routerarena": load_routerarena}


def load(name):
    return LOADERS[name]()


if __name__ == "__main__":
    for n in LOADERS:
        d = load(n)
        Q, C = d["Q"], d["C"]
        print(f"{n}: {len(d['texts'])} rows, {len(set(d['texts']))} unique prompts, {len(d['models'])} models; {d['note']}")
        for m, name in enumerate(d["models"]):
            print(f"   {name:45s} q {Q[:, m].mean():.4f}  cost ${C[:, m].mean():.3e}")
