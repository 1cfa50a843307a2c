"""Synthetic RouterBench-"wide" replay logs for `llmroute simulate` speed benchmarks.

    python bench/gen_replay.py --rows 1000000 --out bench/out/replay_1m.csv --seed 7

One row per request; columns, in order:

    (unnamed index), sample_id, prompt, eval_name, timestamp,
    gpt-4o-mini, claude-3-haiku, claude-3-sonnet, gpt-4o                     quality 0.0 / 1.0
    gpt-4o-mini|total_cost, ..., gpt-4o|total_cost                           USD per request
    oracle_model_to_route_to                                                 cheapest correct model

- prompt: a Python list literal of one string, `['...']` (RouterBench style), 5-25 words: English, Chinese
  (a "word" is a Chinese word, written without spaces) or a mix of both. About 40% of the rows carry one
  keyword that llmroute's default rules and difficulty score react to (hello, 你好, 写代码, function, 财报,
  为什么, 比较, JSON, 算法); the plain rows use a vocabulary that avoids every default keyword.
- eval_name: chat | code | finance | reasoning; the keywords belong to a category (hello/你好 chat,
  写代码/function/JSON/算法 code, 财报 finance, 为什么/比较 reasoning).
- timestamp: RFC 3339 UTC, second precision, row i at --start + floor(i * 30 days / rows), so the rows
  spread evenly over 30 days in order.
- quality: a hidden difficulty per row (category, length and keyword effects plus noise) drives every
  model's chance of success, sigmoid(skill - difficulty), with skills rising with price:
  gpt-4o-mini < claude-3-haiku < gpt-4o < claude-3-sonnet (about 0.58, 0.63, 0.77, 0.80 overall).
- cost: input tokens = 7 + ceil(UTF-8 bytes of the prompt / 4); output tokens from a per-category base
  length, the difficulty, noise and a per-model verbosity; times list prices (USD per 1M tokens,
  input / output): gpt-4o-mini 0.15 / 0.60, claude-3-haiku 0.25 / 1.25, claude-3-sonnet 3.00 / 15.00,
  gpt-4o 2.50 / 10.00. Costs are exact decimals with 8 places.

Output depends only on --rows, --seed and --start. Rows are generated and written in chunks, so
memory stays constant whatever --rows is; rows/s is printed to stderr at the end.
"""
import argparse
import random
import sys
import time

import numpy as np

CHUNK = 20_000  # rows generated per step: bounds memory; fixed, since the random stream depends on it
MODELS = ["gpt-4o-mini", "claude-3-haiku", "claude-3-sonnet", "gpt-4o"]
# USD per 1M tokens x 100, so that tokens x price is a cost in units of 1e-8 USD (exact integers).
PRICE_IN = np.array([15, 25, 300, 250], dtype=np.int64)
PRICE_OUT = np.array([60, 125, 1500, 1000], dtype=np.int64)
SKILL = np.array([0.35, 0.65, 1.75, 1.55])  # in MODELS order: rises with price
VERBOSITY = np.array([0.9, 0.8, 1.25, 1.0])  # in MODELS order

CATS = ["chat", "code", "finance", "reasoning"]
CAT_P = [0.30, 0.30, 0.20, 0.20]
CAT_DIFF = np.array([-1.0, 0.3, 0.0, 0.6])
OUT_BASE = np.array([60.0, 380.0, 260.0, 320.0])

# keyword, language ("en" | "zh"), category index, effect on difficulty
KEYWORDS = [
    ("hello", "en", 0, -0.8), ("你好", "zh", 0, -0.8),
    ("写代码", "zh", 1, 0.3), ("function", "en", 1, 0.2), ("JSON", "en", 1, 0.1), ("算法", "zh", 1, 0.6),
    ("财报", "zh", 2, 0.4),
    ("为什么", "zh", 3, 0.3), ("比较", "zh", 3, 0.5),
]
KW_BY_CAT = [[k for k, kw in enumerate(KEYWORDS) if kw[2] == c] for c in range(len(CATS))]

EN_START = ["can you", "please", "could you", "help me", "I want to", "quickly", "tell me how to", "I need to"]
EN_VERB = ["explain", "summarize", "write", "review", "fix", "describe", "list", "check", "improve", "outline",
           "draft", "plan", "rewrite", "estimate", "translate", "clean up"]
EN_TOPIC = [
    ["the weather", "my weekend", "a birthday message", "good books", "the team dinner", "a short poem", "travel tips",
     "my cat", "the movie", "a thank you note", "coffee", "the holiday", "a joke", "music", "my morning", "friends",
     "for tomorrow", "today", "in simple words", "a nice reply"],
    ["the parser", "this loop", "a Python script", "the unit tests", "the API client", "a REST endpoint", "the regex",
     "memory leaks", "the build", "a shell command", "the SQL query", "this class", "error handling", "the config file",
     "a linked list", "in Rust", "in Go", "the cache", "the login page", "with type hints"],
    ["quarterly revenue", "the budget", "cash flow", "operating margin", "the sales forecast", "our expenses",
     "net income", "the pricing plan", "customer churn", "the balance sheet", "last quarter", "growth targets",
     "the invoice", "market share", "for the board", "the annual report", "unit costs", "the tax summary"],
    ["this argument", "the proof", "the probability", "the trade-offs", "the root cause", "two options", "the puzzle",
     "the logic", "the assumptions", "a counterexample", "the evidence", "step by step", "the conclusion",
     "the physics problem", "the experiment", "the outcome", "in detail"],
]
ZH_START = ["请", "帮我", "麻烦", "能不能", "我想", "可以", "请帮忙"]
ZH_VERB = ["解释", "总结", "写", "翻译", "检查", "整理", "描述", "改写", "规划", "列出", "优化", "说明"]
ZH_TOPIC = [
    ["今天", "天气", "周末", "生日", "祝福", "朋友", "电影", "旅行", "计划", "晚饭", "一首诗", "小猫", "音乐", "心情",
     "早餐", "假期", "简单", "一句话", "回复", "明天"],
    ["接口", "脚本", "函数名", "单元测试", "数据库", "服务器", "前端", "页面", "配置", "日志", "缓存", "错误", "登录",
     "程序", "模块", "变量", "部署", "性能", "循环", "正则"],
    ["季度", "收入", "利润", "预算", "成本", "现金流", "销售", "客户", "市场", "报告", "增长", "费用", "价格", "年度",
     "发票", "董事会", "毛利", "目标"],
    ["原因", "结论", "证明", "逻辑", "概率", "问题", "方案", "优缺点", "思路", "步骤", "实验", "结果", "条件", "假定",
     "矛盾", "规律", "关系", "影响"],
]
EN_END = [".", "?", "", " please."]
ZH_END = ["。", "？", "", "，谢谢。"]

# Words that llmroute's default config reacts to; the plain vocabulary must contain none of them.
DEFAULT_KEYWORDS = ["你好", "hi", "hello", "早上好", "写代码", "代码", "function", "实现", "财报", "股票", "投资",
                    "分析数据", "为什么", "如果", "比较", "分析", "推理", "推导", "假设", "因果", "表格", "JSON",
                    "结构化", "格式要求", "CSV", "分类", "排序", "算法", "数学", "公式", "法律", "金融", "医疗", "科学"]


def check_vocab():
    en = [w for lst in [EN_START, EN_VERB, EN_END] + EN_TOPIC for w in lst]
    zh = [w for lst in [ZH_START, ZH_VERB, ZH_END] + ZH_TOPIC for w in lst]
    for w in en + zh:
        assert not any(c in w for c in "'\"\\\n"), w  # the prompt cell is written without escaping
    for w in zh:
        assert not any(k in w for k in DEFAULT_KEYWORDS if not k.isascii()), w
    for w in en:
        words = w.lower().replace(".", " ").replace("?", " ").split()
        assert not any(k.lower() in words for k in DEFAULT_KEYWORDS if k.isascii()), w
    for k, *_ in KEYWORDS:
        assert not any(c in k for c in "'\"\\"), k


EN_JOIN = ["and", "with", "for", "about", "then", "plus"]
ZH_JOIN = ["和", "的", "还有", "以及"]
EN_TOPIC_WORDS = [[len(t.split()) for t in voc] for voc in EN_TOPIC]


def prompt_text(lang, n, cat, kw, r, rand):
    """One prompt of 5-25 words. r: 4 uniform [0,1) draws; rand: more of them, one per call.

    English topics are phrases of 1-3 words and joined by connectors, so an English part may overshoot
    its budget by up to 3 words; the budget is at most 19 (English) or half the words (mixed), which keeps
    the total, keyword and a closing "please" included, within 25. A Chinese word is one vocabulary item.
    """
    budget = n - (1 if kw >= 0 else 0)
    if lang == 1:  # Chinese: exactly `budget` words, run together
        words = [ZH_START[int(r[0] * len(ZH_START))], ZH_VERB[int(r[1] * len(ZH_VERB))]]
        voc = ZH_TOPIC[cat]
        nv = len(voc)
        while len(words) < budget:
            x = rand()
            if x < 0.12 and 2 < len(words) < budget - 1:
                words.append(ZH_JOIN[int(x / 0.12 * len(ZH_JOIN))])
            words.append(voc[int(rand() * nv)])
        zh_words, en_words = words, []
    else:
        en_budget = min(budget, 19) if lang == 0 else max(2, budget // 2)
        start = EN_START[int(r[0] * len(EN_START))]
        verb = EN_VERB[int(r[1] * len(EN_VERB))]
        en_words = ([start] if len(start.split()) + 2 <= en_budget else []) + [verb]
        count = sum(len(w.split()) for w in en_words)
        voc, lens = EN_TOPIC[cat], EN_TOPIC_WORDS[cat]
        nv = len(voc)
        first = True
        while count < en_budget:
            if not first:
                en_words.append(EN_JOIN[int(rand() * len(EN_JOIN))])
                count += 1
            first = False
            k = int(rand() * nv)
            en_words.append(voc[k])
            count += lens[k]
        zh_words = []
        if lang == 2:  # mixed: English first, then Chinese words
            voc = ZH_TOPIC[cat]
            nv = len(voc)
            zh_words = [voc[int(rand() * nv)] for _ in range(max(1, budget - count))]
    prefix = ""
    if kw >= 0:
        word, _, kcat, _ = KEYWORDS[kw]
        if kcat == 0:  # greetings open the prompt
            prefix = word + ("，" if not word.isascii() else ", ")
        else:  # en rows get English keywords, zh rows Chinese ones, mixed rows either
            part = en_words if word.isascii() else zh_words
            part.insert(1 + int(r[2] * len(part)), word)
    if not en_words:
        return prefix + "".join(zh_words) + ZH_END[int(r[3] * len(ZH_END))]
    text = prefix + " ".join(en_words)
    if zh_words:
        return text + " " + "".join(zh_words) + ZH_END[int(r[3] * len(ZH_END))]
    return text + EN_END[int(r[3] * len(EN_END))]


def chunk(rng, first, count, total, start_s, span_s):
    cat = rng.choice(len(CATS), size=count, p=CAT_P)
    has_kw = rng.random(count) < 0.4
    kw_pick = rng.random(count)
    kw = np.full(count, -1, dtype=np.int64)
    kw_lang = np.zeros(count, dtype=np.int64)
    kw_eff = np.zeros(count)
    for c in range(len(CATS)):
        m = has_kw & (cat == c)
        opts = KW_BY_CAT[c]
        k = np.array(opts)[(kw_pick[m] * len(opts)).astype(np.int64)]
        kw[m] = k
        kw_lang[m] = [1 if KEYWORDS[x][1] == "zh" else 0 for x in k]
        kw_eff[m] = [KEYWORDS[x][3] for x in k]
    # 0 en, 1 zh, 2 mixed; a keyword's language decides between en/zh (mixed rows accept both).
    lang = rng.choice(3, size=count, p=[0.55, 0.30, 0.15])
    lang = np.where(has_kw & (lang != 2), kw_lang, lang)
    n = rng.integers(5, 26, size=count)
    u = rng.random((count, 4)).tolist()
    rand = random.Random(int(rng.integers(0, 2**63))).random  # word choices: a seeded stream per chunk
    langl, nl, catl, kwl = lang.tolist(), n.tolist(), cat.tolist(), kw.tolist()
    texts = [prompt_text(langl[i], nl[i], catl[i], kwl[i], u[i], rand) for i in range(count)]
    nbytes = np.fromiter((len(t.encode()) for t in texts), dtype=np.int64, count=count)

    diff = CAT_DIFF[cat] + 0.03 * (n - 15) + kw_eff + rng.normal(0.0, 1.1, count)
    p = 1.0 / (1.0 + np.exp(-(SKILL[None, :] - diff[:, None])))
    ok = rng.random((count, len(MODELS))) < p

    tin = 7 + (nbytes + 3) // 4
    tout = OUT_BASE[cat][:, None] * np.exp(0.35 * diff[:, None] + rng.normal(0.0, 0.4, (count, len(MODELS))))
    tout = np.clip(np.rint(tout * VERBOSITY[None, :]), 5, 4000).astype(np.int64)
    cost = tin[:, None] * PRICE_IN[None, :] + tout * PRICE_OUT[None, :]  # units of 1e-8 USD
    assert cost.max() < 10**8

    masked = np.where(ok, cost, np.iinfo(np.int64).max)
    best = masked.argmin(axis=1)
    oracle = np.where(ok.any(axis=1), best, len(MODELS))
    oracle_names = MODELS + ["no_model_correct"]

    idx = np.arange(first, first + count, dtype=np.int64)
    secs = start_s + (idx * span_s) // total
    stamps = np.datetime_as_string(secs.astype("datetime64[s]"), unit="s").tolist()

    q = ["0.0", "1.0"]
    okl, costl, orl = ok.tolist(), cost.tolist(), oracle.tolist()
    lines = []
    for j in range(count):
        i = first + j
        o, c = okl[j], costl[j]
        e = CATS[catl[j]]
        lines.append(
            f"{i},{e}.{i},\"['{texts[j]}']\",{e},{stamps[j]}Z,"
            f"{q[o[0]]},{q[o[1]]},{q[o[2]]},{q[o[3]]},"
            f"0.{c[0]:08d},0.{c[1]:08d},0.{c[2]:08d},0.{c[3]:08d},{oracle_names[orl[j]]}\n")
    return "".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, required=True)
    ap.add_argument("--out", required=True, help="CSV path ('-' for stdout)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--start", default="2026-10-01T00:00:00Z", help="first timestamp, RFC 3339 UTC")
    a = ap.parse_args()
    if a.rows < 1:
        ap.error("--rows must be positive")
    check_vocab()
    start_s = int(np.datetime64(a.start.rstrip("Z"), "s").astype(np.int64))
    span_s = 30 * 86400

    t0 = time.perf_counter()
    rng = np.random.default_rng(a.seed)
    out = sys.stdout if a.out == "-" else open(a.out, "w", encoding="utf-8", newline="\n")
    header = (["", "sample_id", "prompt", "eval_name", "timestamp"] + MODELS
              + [f"{m}|total_cost" for m in MODELS] + ["oracle_model_to_route_to"])
    out.write(",".join(header) + "\n")
    for first in range(0, a.rows, CHUNK):
        out.write(chunk(rng, first, min(CHUNK, a.rows - first), a.rows, start_s, span_s))
    if out is not sys.stdout:
        out.close()
    dt = time.perf_counter() - t0
    print(f"{a.rows:,} rows in {dt:.2f} s: {a.rows / dt:,.0f} rows/s", file=sys.stderr)


if __name__ == "__main__":
    main()
