#!/usr/bin/env python3
"""Build the `llmroute simulate` replay fixtures in fixtures/replay/ from third-party data.

Reads only the MIT / Apache-2.0 folders of shared/data (routellm, llmrouter, routerarena and the
litellm price table in llm_prices); nothing else is read or copied. Every random choice comes from
`random.Random` seeded with SEED plus a per-file label, so re-running gives byte-identical files.

Usage (from the repo root; needs tiktoken, see bench/requirements.txt):

    bench/.venv/bin/python scripts/build_replay_fixtures.py [--data DIR] [--out DIR]

--data defaults to $LLMROUTE_SHARED_DATA, else ../shared/data next to the repo (the layout of
/work/main + /work/shared/data); --out defaults to fixtures/replay in the repo.

Writes:
  routellm.csv            RouterBench "wide" CSV (the quick-start fixture): a seeded sample of
                          RouteLLM's MMLU rows (21 per subject x 57 subjects) + 400 GSM8K rows,
                          contaminated prompts dropped, gpt-4-1106-preview vs Mixtral-8x7B,
                          quality 1.0/0.0, USD cost per request from o200k_base token counts x
                          litellm list prices.
  llmrouter.json          300 seeded rows of LLMRouter's dcrouter_preprocessed/test.json, original
                          shape {"question", "scores"} plus "task" joined from query_data.
  llmrouter_prices.toml   llmroute `[models."<name>"]` tables for LLMRouter's 9 models (NIM prices).
  routerarena.jsonl       RouterArena cached results, both models, the same 150 seeded
                          global_index values, one JSON object per (global_index, model).
  README.md               provenance, derivation, prices and the statistics printed below.
  LICENSE-*               the upstream licenses.

Token counting: tiktoken `o200k_base`. tiktoken downloads its vocabulary on first use, which this
machine cannot do, so the script looks for the vocabulary file that the `tiktoken-rs` crate ships
(llmroute's build dependency, present in the cargo registry once the project has been built) or
a file named by $O200K_BASE_FILE, checks its SHA-256 against tiktoken's pinned hash and hands it
to tiktoken through TIKTOKEN_CACHE_DIR. Without either, tiktoken's own download/cache is used.
"""

import argparse
import ast
import csv
import glob
import hashlib
import io
import json
import os
import random
import shutil
import sys
import tempfile
import tomllib
from pathlib import Path

SEED = 20241126

REPO = Path(__file__).resolve().parent.parent

# --- routellm.csv -------------------------------------------------------------------------------
MMLU_PER_SUBJECT = 21  # x 57 subjects = 1,197 rows
GSM8K_ROWS = 400
CHAT_OVERHEAD_TOKENS = 7  # chat-template tokens added to every prompt's count
MMLU_OUTPUT_TOKENS = 5  # RouteLLM's MMLU eval answered with one letter; a constant for the reply
SIZE_BUDGET = 1_500_000  # bytes; GSM8K responses are cut to their last 400 chars only above this
TRUNCATE_TO = 400
GPT4 = "gpt-4-1106-preview"
MIXTRAL = "mistralai/Mixtral-8x7B-Instruct-v0.1"
ROUTELLM_MODELS = [GPT4, MIXTRAL]  # column order (alphabetical, as RouterBench orders models)
# litellm price-table keys. Mixtral: the key RouteLLM itself uses as its default weak model
# (`--weak-model anyscale/mistralai/Mixtral-8x7B-Instruct-v0.1` in routellm/openai_server.py).
PRICE_KEYS = {GPT4: "gpt-4-1106-preview", MIXTRAL: "anyscale/mistralai/Mixtral-8x7B-Instruct-v0.1"}

# --- llmrouter.json / routerarena.jsonl --------------------------------------------------------
LLMROUTER_ROWS = 300
ROUTERARENA_IDS = 150
ROUTERARENA_MODELS = ["claude-3-haiku-20240307", "gemini-2.0-flash-001"]

O200K_URL = "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken"
O200K_SHA256 = "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d"

LICENSES = {
    "LICENSE-routellm": "routellm/LICENSE",
    "LICENSE-llmrouter": "llmrouter/LICENSE",
    "LICENSE-routerarena": "routerarena/LICENSE",
    "LICENSE-litellm": "llm_prices/litellm/LICENSE",
}


def rng_for(label):
    """An independent, reproducible stream per output (string seeds hash with SHA-512)."""
    return random.Random(f"{SEED}:{label}")


def o200k_encoding():
    import tiktoken

    candidates = []
    if os.environ.get("O200K_BASE_FILE"):
        candidates.append(os.environ["O200K_BASE_FILE"])
    cargo_home = os.environ.get("CARGO_HOME", os.path.expanduser("~/.cargo"))
    candidates += sorted(glob.glob(f"{cargo_home}/registry/src/*/tiktoken-rs-*/assets/o200k_base.tiktoken"))
    for path in candidates:
        data = Path(path).read_bytes()
        if hashlib.sha256(data).hexdigest() != O200K_SHA256:
            print(f"warning: {path}: SHA-256 differs from tiktoken's o200k_base, skipped", file=sys.stderr)
            continue
        cache = tempfile.mkdtemp(prefix="tiktoken-cache-")
        (Path(cache) / hashlib.sha1(O200K_URL.encode()).hexdigest()).write_bytes(data)
        os.environ["TIKTOKEN_CACHE_DIR"] = cache
        try:
            return tiktoken.get_encoding("o200k_base")
        finally:
            shutil.rmtree(cache, ignore_errors=True)
    try:
        return tiktoken.get_encoding("o200k_base")
    except Exception as e:
        sys.exit(f"cannot load tiktoken's o200k_base ({e}). Build llmroute once (cargo fetches tiktoken-rs, "
                 "which ships the vocabulary) or set O200K_BASE_FILE to an o200k_base.tiktoken file.")


def pylist(s):
    """RouterBench's prompt/response cell: the Python repr of a one-element list of str."""
    lit = repr([s])
    assert ast.literal_eval(lit) == [s]
    return lit


def sig10(x):
    return format(float(format(x, ".10g")), ".10g")


def fmt_usd(x):
    return f"${x:.6g}"


def read_jsonl(path):
    # Split on '\n' only: some LLMRouter queries contain U+2028, which str.splitlines() splits on.
    text = Path(path).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.split("\n") if line.strip()]


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def to_bool(v, where):
    # RouteLLM's correctness columns are pandas booleans written as the words True/False.
    if v == "True":
        return True
    if v == "False":
        return False
    raise ValueError(f"{where}: expected True/False, got {v!r}")


# ------------------------------------------------------------------------------------------------
def build_routellm(data, out, enc, stats, notes):
    src = data / "routellm"
    litellm = json.loads((data / "llm_prices/litellm/model_prices_and_context_window.json").read_text())
    prices = {}
    for m in ROUTELLM_MODELS:
        e = litellm[PRICE_KEYS[m]]
        prices[m] = (float(e["input_cost_per_token"]), float(e["output_cost_per_token"]))

    mmlu_cont = {r["eval_prompt"] for r in read_jsonl(src / "mmlu/contaminated_prompts.jsonl")}
    gsm_cont = {r["eval_prompt"] for r in read_jsonl(src / "gsm8k/contaminated_prompts.jsonl")}

    rows = []  # dicts: sample_id, prompt, eval_name, ok{m}, resp{m} (None for MMLU), out_tokens{m}
    seen = set()
    n_cont = n_dup_skipped = 0
    files = sorted((src / "mmlu/responses").glob("mmlu_*.csv"))
    assert len(files) == 57, len(files)
    for f in files:
        subject = f.stem[len("mmlu_"):]
        src_rows = read_csv(f)
        order = list(range(len(src_rows)))
        rng_for(f"mmlu:{subject}").shuffle(order)
        picked = []
        for i in order:
            p = src_rows[i]["prompt"]
            if p in mmlu_cont:
                n_cont += 1
                continue
            if p in seen:  # the same question is filed under two subjects: keep it once
                n_dup_skipped += 1
                continue
            seen.add(p)
            picked.append(i)
            if len(picked) == MMLU_PER_SUBJECT:
                break
        for i in sorted(picked):
            r = src_rows[i]
            rows.append({
                "sample_id": f"mmlu-{subject}.test.{i}",
                "prompt": r["prompt"],
                "eval_name": f"mmlu-{subject}",
                "ok": {m: to_bool(r[m], f"{f.name}:{i}") for m in ROUTELLM_MODELS},
                "resp": {m: None for m in ROUTELLM_MODELS},
                "out_tokens": {m: MMLU_OUTPUT_TOKENS for m in ROUTELLM_MODELS},
            })
    notes["mmlu_contaminated_seen"] = n_cont
    notes["mmlu_dup_skipped"] = n_dup_skipped
    occurrences = {}
    for f in files:
        for r in read_csv(f):
            occurrences.setdefault(r["prompt"], []).append((f.stem, r[GPT4], r[MIXTRAL]))
    repeated = [v for v in occurrences.values() if len(v) > 1]
    notes["mmlu_repeated_prompts"] = len(repeated)
    notes["mmlu_repeated_cross_subject"] = sum(1 for v in repeated if len({o[0] for o in v}) > 1)
    notes["mmlu_repeated_disagreeing"] = sum(1 for v in repeated if len({o[1:] for o in v}) > 1)

    gsm = read_csv(src / "gsm8k/gsm8k_responses.csv")
    notes["gsm8k_mixtral_no_final_answer_all"] = sum(1 for r in gsm if "####" not in r[f"{MIXTRAL}_response"])
    notes["gsm8k_rows_all"] = len(gsm)
    eligible = [i for i, r in enumerate(gsm) if r["prompt"] not in gsm_cont]
    notes["gsm8k_contaminated_dropped"] = len(gsm) - len(eligible)
    for i in sorted(rng_for("gsm8k").sample(eligible, GSM8K_ROWS)):
        r = gsm[i]
        rows.append({
            "sample_id": f"gsm8k.test.{i}",
            "prompt": r["prompt"],
            "eval_name": "gsm8k",
            "ok": {m: to_bool(r[m], f"gsm8k:{i}") for m in ROUTELLM_MODELS},
            "resp": {m: r[f"{m}_response"] for m in ROUTELLM_MODELS},
            "out_tokens": {m: len(enc.encode_ordinary(r[f"{m}_response"])) for m in ROUTELLM_MODELS},
        })

    cut = [r for r in rows if r["resp"][MIXTRAL] is not None and "####" not in r["resp"][MIXTRAL]]
    notes["gsm8k_mixtral_no_final_answer"] = len(cut)
    notes["gsm8k_mixtral_no_final_answer_but_correct"] = sum(1 for r in cut if r["ok"][MIXTRAL])
    for r in rows:
        in_tok = len(enc.encode_ordinary(r["prompt"])) + CHAT_OVERHEAD_TOKENS
        r["cost"] = {m: float(sig10(in_tok * prices[m][0] + r["out_tokens"][m] * prices[m][1]))
                     for m in ROUTELLM_MODELS}
        correct = [m for m in ROUTELLM_MODELS if r["ok"][m]]
        # RouterBench: the cheapest model with quality 1 (first in column order on a tie).
        r["oracle"] = min(correct, key=lambda m: r["cost"][m]) if correct else "no_model_correct"

    def render(truncate):
        buf = io.StringIO(newline="")
        w = csv.writer(buf, lineterminator="\n")
        w.writerow([""] + ["sample_id", "prompt", "eval_name"] + ROUTELLM_MODELS
                   + [f"{m}|model_response" for m in ROUTELLM_MODELS]
                   + [f"{m}|total_cost" for m in ROUTELLM_MODELS] + ["oracle_model_to_route_to"])
        for idx, r in enumerate(rows):
            resps = []
            for m in ROUTELLM_MODELS:
                t = r["resp"][m]
                if t is None:
                    resps.append("")
                else:
                    resps.append(pylist(t[-TRUNCATE_TO:] if truncate and len(t) > TRUNCATE_TO else t))
            w.writerow([idx, r["sample_id"], pylist(r["prompt"]), r["eval_name"]]
                       + ["1.0" if r["ok"][m] else "0.0" for m in ROUTELLM_MODELS]
                       + resps
                       + [sig10(r["cost"][m]) for m in ROUTELLM_MODELS] + [r["oracle"]])
        return buf.getvalue()

    text = render(truncate=False)
    truncated = len(text.encode()) > SIZE_BUDGET
    if truncated:
        text = render(truncate=True)
    notes["gsm8k_truncated"] = truncated
    (out / "routellm.csv").write_bytes(text.encode("utf-8"))

    # Read the file back: prompts round-trip through ast.literal_eval, columns are as documented.
    with open(out / "routellm.csv", newline="", encoding="utf-8") as fh:
        back = list(csv.DictReader(fh))
    assert len(back) == len(rows)
    for b, r in zip(back, rows):
        assert ast.literal_eval(b["prompt"]) == [r["prompt"]]
    assert len({r["sample_id"] for r in rows}) == len(rows)

    n_mmlu = sum(1 for r in rows if r["eval_name"] != "gsm8k")
    per = {}
    for m in ROUTELLM_MODELS:
        per[m] = {
            "quality": sum(r["ok"][m] for r in rows) / len(rows),
            "cost": sum(r["cost"][m] for r in rows) / len(rows),
            "quality_mmlu": sum(r["ok"][m] for r in rows[:n_mmlu]) / n_mmlu,
            "quality_gsm8k": sum(r["ok"][m] for r in rows[n_mmlu:]) / (len(rows) - n_mmlu),
        }
    oracle = {}
    for r in rows:
        oracle[r["oracle"]] = oracle.get(r["oracle"], 0) + 1
    stats["routellm.csv"] = {
        "rows": len(rows), "mmlu_rows": n_mmlu, "gsm8k_rows": len(rows) - n_mmlu,
        "subjects": len({r["eval_name"] for r in rows[:n_mmlu]}), "per_model": per,
        "oracle": oracle, "bytes": len(text.encode()), "prices": prices,
    }


# ------------------------------------------------------------------------------------------------
def build_llmrouter(data, out, enc, stats, notes):
    src = data / "llmrouter"
    test = json.loads((src / "dcrouter_preprocessed/test.json").read_text(encoding="utf-8"))
    tasks = {}
    for f in ["query_data/default_query_train.jsonl", "query_data/default_query_test.jsonl"]:
        for o in read_jsonl(src / f):
            tasks.setdefault(o["query"], set()).add(o["task_name"])
    # Join on question == query; a query listed under two different task names is not a join.
    joined = [i for i, r in enumerate(test) if len(tasks.get(r["question"], ())) == 1]
    notes["llmrouter_unjoined"] = len(test) - len(joined)
    notes["llmrouter_ambiguous_queries"] = sum(1 for v in tasks.values() if len(v) > 1)
    picked = sorted(rng_for("llmrouter").sample(joined, LLMROUTER_ROWS))
    rows = []
    for i in picked:
        r = test[i]
        rows.append({"question": r["question"], "scores": r["scores"], "task": next(iter(tasks[r["question"]]))})
    (out / "llmrouter.json").write_text(json.dumps(rows, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    llms = json.loads((src / "llm_candidates/default_llm.json").read_text())
    models = list(rows[0]["scores"])
    assert all(set(r["scores"]) == set(models) for r in rows)
    assert all(m in llms for m in models), [m for m in models if m not in llms]
    price_levels = sorted({llms[m]["input_price"] for m in models})
    tier = {m: price_levels.index(llms[m]["input_price"]) for m in models}
    order = sorted(models, key=lambda m: (tier[m], llms[m]["input_price"], llms[m]["output_price"], m))

    lines = [
        "# llmroute config snippet: the 9 models scored in fixtures/replay/llmrouter.json.",
        "# Generated by scripts/build_replay_fixtures.py; see fixtures/replay/README.md.",
        "#",
        "# Prices: USD per 1M tokens (NVIDIA NIM list prices), `input_price` / `output_price` of",
        "# LLMRouter's data/example_data/llm_candidates/default_llm.json (ulab-uiuc/LLMRouter, MIT).",
        "# tier: integer rank by price, 0 = cheapest; models with the same price share a rank",
        "#   (" + ", ".join(f"{t} = ${p:.2f}" for t, p in enumerate(price_levels)) + ").",
        "# Names: each table key is the model's key in llmrouter.json `scores`, which is also its key",
        "# in default_llm.json; the comment above each table gives default_llm.json's `model` (the NIM",
        "# API id) and `size`.",
    ]
    for m in order:
        e = llms[m]
        lines += [
            "",
            f"# {m}: NIM id {e['model']}, {e['size']}",
            f'[models."{m}"]',
            f"tier = {tier[m]}",
            f"input_price = {e['input_price']:.2f}",
            f"output_price = {e['output_price']:.2f}",
        ]
    toml_text = "\n".join(lines) + "\n"
    parsed = tomllib.loads(toml_text)["models"]
    assert set(parsed) == set(models)
    (out / "llmrouter_prices.toml").write_text(toml_text, encoding="utf-8")

    per = {}
    for m in order:
        in_cost = [(len(enc.encode_ordinary(r["question"])) + CHAT_OVERHEAD_TOKENS) * llms[m]["input_price"] / 1e6
                   for r in rows]
        per[m] = {"quality": sum(r["scores"][m] for r in rows) / len(rows),
                  "input_cost": sum(in_cost) / len(rows), "tier": tier[m],
                  "price": (llms[m]["input_price"], llms[m]["output_price"]), "nim": llms[m]["model"]}
    task_counts = {}
    for r in rows:
        task_counts[r["task"]] = task_counts.get(r["task"], 0) + 1
    fractional = sum(1 for r in rows for v in r["scores"].values() if v not in (0.0, 1.0))
    stats["llmrouter.json"] = {"rows": len(rows), "per_model": per, "tasks": task_counts,
                               "fractional": fractional, "of_test": len(test)}


# ------------------------------------------------------------------------------------------------
def build_routerarena(data, out, stats, notes):
    src = data / "routerarena/cached_results"
    by_model = {}
    for m in ROUTERARENA_MODELS:
        recs = {}
        for o in read_jsonl(src / f"{m}.jsonl"):
            assert o["global_index"] not in recs, o["global_index"]
            recs[o["global_index"]] = o
        by_model[m] = recs
    common = sorted(set.intersection(*(set(r) for r in by_model.values())))
    ids = sorted(rng_for("routerarena").sample(common, ROUTERARENA_IDS))

    def usage(tu):
        # token_usage is a dict, or the Python repr of one in some upstream records.
        if isinstance(tu, str):
            tu = ast.literal_eval(tu)
        return int(tu["input_tokens"]), int(tu["output_tokens"])

    def evaluation(er):
        if isinstance(er, str):
            er = ast.literal_eval(er)
        return float(er["score"]), float(er["inference_cost"])

    recs = []
    for gi in ids:
        for m in ROUTERARENA_MODELS:
            o = by_model[m][gi]
            score, cost = evaluation(o["evaluation_result"])
            tin, tout = usage(o["token_usage"])
            recs.append({"global_index": gi, "model": m, "question": o["question"], "score": score, "cost": cost,
                         "input_tokens": tin, "output_tokens": tout, "category": gi.split("_", 1)[0]})
    with open(out / "routerarena.jsonl", "w", encoding="utf-8", newline="\n") as fh:
        for r in recs:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")

    per = {}
    for m in ROUTERARENA_MODELS:
        mine = [r for r in recs if r["model"] == m]
        per[m] = {"quality": sum(r["score"] for r in mine) / len(mine),
                  "cost": sum(r["cost"] for r in mine) / len(mine),
                  "input_tokens": sum(r["input_tokens"] for r in mine) / len(mine),
                  "output_tokens": sum(r["output_tokens"] for r in mine) / len(mine)}
    notes["routerarena_total_tokens_mismatch"] = {
        m: sum(1 for o in by_model[m].values() if isinstance(o["token_usage"], dict)
               and o["token_usage"].get("total_tokens") != sum(usage(o["token_usage"])))
        for m in ROUTERARENA_MODELS}
    notes["routerarena_out_of_range_all"] = [(gi, m, evaluation(o["evaluation_result"])[0])
                                             for m in ROUTERARENA_MODELS for gi, o in sorted(by_model[m].items())
                                             if not 0.0 <= evaluation(o["evaluation_result"])[0] <= 1.0]
    notes["routerarena_out_of_range"] = [(r["global_index"], r["model"], r["score"]) for r in recs
                                         if not 0.0 <= r["score"] <= 1.0]
    stats["routerarena.jsonl"] = {"rows": len(recs), "ids": len(ids), "per_model": per,
                                  "categories": len({r["category"] for r in recs})}


# ------------------------------------------------------------------------------------------------
def print_stats(stats):
    for name, s in stats.items():
        print(f"{name}: {s['rows']} rows")
        for m, p in s["per_model"].items():
            if "cost" in p:
                print(f"  {m:40s} mean quality {p['quality']:.4f}  mean cost {fmt_usd(p['cost'])}")
            else:
                print(f"  {m:40s} mean quality {p['quality']:.4f}  mean cost n/a "
                      f"(input-only estimate {fmt_usd(p['input_cost'])})")


def write_readme(out, stats, notes):
    import tiktoken

    tiktoken_version = tiktoken.__version__
    rl, lr, ra = stats["routellm.csv"], stats["llmrouter.json"], stats["routerarena.jsonl"]
    p = rl["prices"]

    def mtable(s, cost_key="cost", cost_head="mean cost (USD/request)"):
        t = [f"| model | mean quality | {cost_head} |", "|---|---|---|"]
        for m, v in s["per_model"].items():
            t.append(f"| `{m}` | {v['quality']:.4f} | {v[cost_key]:.6g} |")
        return "\n".join(t)

    tasks = ", ".join(f"{k} {v}" for k, v in sorted(lr["tasks"].items()))
    oracle = ", ".join(f"`{k}` {v}" for k, v in sorted(rl["oracle"].items()))
    out_of_range = "; ".join(f"`{g}` ({m}) score {s:.4f}" for g, m, s in notes["routerarena_out_of_range"]) or "none"
    trunc = ("GSM8K responses were cut to their last 400 characters to stay under 1.5 MB"
             if notes["gsm8k_truncated"] else
             "GSM8K responses are complete (the file stays under 1.5 MB without truncation)")
    lr_rows = "\n".join(
        f"| `{m}` | {v['nim']} | {v['tier']} | {v['price'][0]:.2f} / {v['price'][1]:.2f} | {v['quality']:.4f} | {v['input_cost']:.3g} |"
        for m, v in lr["per_model"].items())

    text = f"""# Replay fixtures

Real per-model outcomes for `llmroute simulate`, derived from MIT / Apache-2.0 third-party data.
Generated by `scripts/build_replay_fixtures.py` (seed {SEED}; re-running it rewrites every file here
byte for byte, this README included):

    bench/.venv/bin/python scripts/build_replay_fixtures.py

Token counts use tiktoken `o200k_base` (tiktoken {tiktoken_version}, the vocabulary checked against tiktoken's
pinned SHA-256). Costs are USD per request.

| file | rows | source | license |
|---|---|---|---|
| `routellm.csv` | {rl['rows']:,} ({rl['mmlu_rows']:,} MMLU over {rl['subjects']} subjects + {rl['gsm8k_rows']} GSM8K) | `lm-sys/RouteLLM` @ `0b64fdafe049e596a3f5657c219329f24af24198` | Apache-2.0, `LICENSE-routellm` |
| `llmrouter.json` | {lr['rows']} | `ulab-uiuc/LLMRouter` @ `4e7a796942ce26e9d5f2b93191c7c2585c99c2e3` | MIT, `LICENSE-llmrouter` |
| `llmrouter_prices.toml` | 9 models | same (`llm_candidates/default_llm.json`) | MIT, `LICENSE-llmrouter` |
| `routerarena.jsonl` | {ra['rows']} ({ra['ids']} prompts x 2 models) | `RouteWorks/RouterArena` @ `4714a9ad73e897a1241e73a86c9297fed2e871d8` | Apache-2.0, `LICENSE-routerarena` |

Prices for `routellm.csv` come from litellm's `model_prices_and_context_window.json` (PyPI `litellm==1.110.2`,
MIT, `LICENSE-litellm`). Model answers in the sources were generated by OpenAI, Mistral (via hosted APIs),
Anthropic and Google models; the providers' terms apply to that text.

## routellm.csv (quick start)

RouterBench "wide" format, LF line endings, columns in this order: an unnamed index column (empty header),
`sample_id`, `prompt`, `eval_name`, `gpt-4-1106-preview`, `mistralai/Mixtral-8x7B-Instruct-v0.1`,
the two `<model>|model_response` columns, the two `<model>|total_cost` columns, `oracle_model_to_route_to`.

Derivation:
- MMLU: the 57 `routellm/evals/mmlu/responses/mmlu_<subject>.csv` files; per subject, the rows are shuffled
  with a seeded RNG and the first {MMLU_PER_SUBJECT} are kept, skipping prompts listed in `mmlu/contaminated_prompts.jsonl`
  (`eval_prompt`) and prompts already taken from another subject ({notes['mmlu_repeated_prompts']} MMLU question texts occur
  twice upstream; {notes['mmlu_dup_skipped']} such repeats had to be skipped here; every prompt in the file is unique).
  `eval_name` = `mmlu-<subject>`, `sample_id` = `mmlu-<subject>.test.<row index in the source CSV>`.
- GSM8K: `routellm/evals/gsm8k/gsm8k_responses.csv` less the {notes['gsm8k_contaminated_dropped']} prompts of
  `gsm8k/contaminated_prompts.jsonl`, then a seeded sample of {GSM8K_ROWS}. `eval_name` = `gsm8k`,
  `sample_id` = `gsm8k.test.<row index in the source CSV>`.
- Rows are ordered MMLU by subject then source row, then GSM8K by source row.
- Quality: `1.0` / `0.0` from RouteLLM's correctness columns (written `True` / `False` upstream).
- `prompt` and `<model>|model_response` hold Python list literals of one string (`repr([text])`, so
  `ast.literal_eval` round-trips them; quotes, backslashes, newlines and non-printable characters are escaped).
  The responses are filled for GSM8K and empty for MMLU (RouteLLM kept no MMLU answers). {trunc}.
- Cost = input tokens x input price + output tokens x output price, rounded to 10 significant digits:
  - input tokens = `o200k_base` tokens of the prompt + {CHAT_OVERHEAD_TOKENS} (chat-format overhead);
  - output tokens = `o200k_base` tokens of the model's full GSM8K response, or a constant {MMLU_OUTPUT_TOKENS} for MMLU
    (the MMLU evaluation answered with a single letter);
  - prices (litellm keys): `gpt-4-1106-preview` -> key `{PRICE_KEYS[GPT4]}`, ${p[GPT4][0] * 1e6:.2f} / ${p[GPT4][1] * 1e6:.2f} per 1M input / output tokens;
    `mistralai/Mixtral-8x7B-Instruct-v0.1` -> key `{PRICE_KEYS[MIXTRAL]}`, ${p[MIXTRAL][0] * 1e6:.2f} / ${p[MIXTRAL][1] * 1e6:.2f} per 1M
    (the key RouteLLM's own server uses as its default weak model; Anyscale Endpoints has since closed, so treat it as
    the early-2024 hosted price).
- `oracle_model_to_route_to`: RouterBench's rule, the cheapest model with quality 1 on that row, else `no_model_correct`
  ({oracle}).

{mtable(rl)}

Mean quality by benchmark: GPT-4 {rl['per_model'][GPT4]['quality_mmlu']:.4f} MMLU / {rl['per_model'][GPT4]['quality_gsm8k']:.4f} GSM8K;
Mixtral {rl['per_model'][MIXTRAL]['quality_mmlu']:.4f} MMLU / {rl['per_model'][MIXTRAL]['quality_gsm8k']:.4f} GSM8K.

## llmrouter.json

A seeded sample of {lr['rows']} of the {lr['of_test']} rows of `data/dcrouter_preprocessed/test.json`, kept in its original
shape (a JSON array of `{{"question", "scores": {{model: score}}}}`, source order, 2-space indent, non-ASCII
unescaped) with `"task"` added: the `task_name` of the `data/example_data/query_data/default_query_{{train,test}}.jsonl`
record whose `query` equals the question ({notes['llmrouter_unjoined']} test rows failed to join, so none were skipped; the
{notes['llmrouter_ambiguous_queries']} queries listed under two task names would not count as a join). Scores are 0/1 with
{lr['fractional']} fractional values; the key order inside `scores` varies from row to row, as upstream.
Tasks: {tasks}.

There are no costs in this file. Prices and tiers for its models are in `llmrouter_prices.toml`; the last column below is an
input-only estimate (`o200k_base` tokens of the question + {CHAT_OVERHEAD_TOKENS}, x input price), since no output lengths are known.

| model | NIM id | tier | USD per 1M in / out | mean quality | mean input cost (USD) |
|---|---|---|---|---|---|
{lr_rows}

## llmrouter_prices.toml

`[models."<name>"]` tables (TOML quoted keys) for the 9 models, with `tier` = integer rank by price (0 = cheapest; equal
prices share a rank), `input_price` / `output_price` in USD per 1M tokens from `default_llm.json`. The table keys are
LLMRouter's names as used in `llmrouter.json`; comments give the NIM API ids.

## routerarena.jsonl

`cached_results/claude-3-haiku-20240307.jsonl` and `cached_results/gemini-2.0-flash-001.jsonl` share the same 809
`global_index` ids; {ra['ids']} of them were sampled with a seeded RNG and both models' records kept, in "long" format: one JSON
object per line with `global_index`, `model` (the file's model), `question`, `score` (`evaluation_result.score` as a float;
0/1, or a METEOR / partial score), `cost` (`evaluation_result.inference_cost`, USD), `input_tokens`, `output_tokens`
(`token_usage`, a dict or the Python repr of one upstream) and `category` (the `global_index` prefix before the first `_`;
{ra['categories']} categories here). Sorted by `global_index`, then `model`. Upstream cost is exactly tokens x RouterArena's
prices (haiku $0.25 / $1.25, gemini-2.0-flash $0.10 / $0.40 per 1M).
Scores outside [0, 1] in this sample: {out_of_range}.

{mtable(ra)}

## Data quirks met while building these files

- RouteLLM writes correctness as the words `True` / `False` (pandas booleans); they become `1.0` / `0.0`.
- {notes['mmlu_repeated_prompts']} MMLU question texts occur twice in RouteLLM's files: {notes['mmlu_repeated_cross_subject']} under two subjects (e.g.
  clinical_knowledge and college_medicine), the rest twice within one subject; {notes['mmlu_repeated_disagreeing']} of the pairs disagree on an
  outcome. The sampler keeps a prompt once.
- RouteLLM flags 5 MMLU and 12 GSM8K prompts as contaminated (overlap with its router training data); they are dropped.
- {notes['gsm8k_mixtral_no_final_answer_all']} of RouteLLM's {notes['gsm8k_rows_all']:,} Mixtral GSM8K responses lack the `#### <answer>` line, and many of those stop mid-calculation
  (e.g. `... = <<15+2`): the generation was cut short upstream. In this sample: {notes['gsm8k_mixtral_no_final_answer']} rows,
  {notes['gsm8k_mixtral_no_final_answer_but_correct']} of them still marked correct. They are kept as they are; their output-token counts, and so
  Mixtral's GSM8K costs, are lower than a complete answer's.
- LLMRouter: fractional scores exist (fraction of sampled answers correct), the key order of `scores` differs between rows,
  and {notes['llmrouter_ambiguous_queries']} query texts in `query_data` carry two different task names (none of them is in `test.json`).
- RouterArena: `token_usage.total_tokens` differs from input + output for {notes['routerarena_total_tokens_mismatch']['gemini-2.0-flash-001']} of 809
  gemini-2.0-flash records ({notes['routerarena_total_tokens_mismatch']['claude-3-haiku-20240307']} for haiku), so the fixture carries input and output tokens only. Scores outside
  [0, 1] upstream: {"; ".join(f"`{g}` ({m}) {v:.4f}" for g, m, v in notes['routerarena_out_of_range_all']) or "none"} (a METEOR score).
  In this snapshot every `token_usage` is a dict and every score/cost a number; the script also accepts `token_usage` as a
  Python-repr string and scores / costs as strings, which RouterArena's format allows.
"""
    (out / "README.md").write_text(text, encoding="utf-8")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default_data = os.environ.get("LLMROUTE_SHARED_DATA", str(REPO.parent / "shared" / "data"))
    ap.add_argument("--data", default=default_data, help="shared/data folder (default: %(default)s)")
    ap.add_argument("--out", default=str(REPO / "fixtures" / "replay"), help="output folder (default: %(default)s)")
    args = ap.parse_args()
    data, out = Path(args.data), Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    enc = o200k_encoding()
    stats, notes = {}, {}
    build_routellm(data, out, enc, stats, notes)
    build_llmrouter(data, out, enc, stats, notes)
    build_routerarena(data, out, stats, notes)
    for dst, srcname in LICENSES.items():
        shutil.copyfile(data / srcname, out / dst)
    write_readme(out, stats, notes)
    print_stats(stats)
    print(f"notes: {json.dumps(notes)}")
    print(f"routellm.csv: {stats['routellm.csv']['bytes']:,} bytes")


if __name__ == "__main__":
    main()
