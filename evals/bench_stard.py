"""STARD: real layperson questions against 3,500 Chinese law files, through the real CLI.

Ingests ../shared/bench/lawrefbook into its own data dir (`dangjian ingest`, one
article per passage), runs the 308 dev questions of ../shared/bench/stard/dev.jsonl
through `dangjian search --batch --k 100`, and prints recall@1/5/10/20/100 and
MRR@10 beside a plain jieba + BM25 baseline over the same passages. A gold
provision is found when the first 30 characters of its text, white space
removed, lie inside a retrieved passage.

Settings are chosen on the odd-numbered questions ("tune") only; the even-numbered
half ("held-out") is the figure that counts. --ablation adds the channel ablation
(lexical only, dense only, fused, with and without the citation prior).

    .venv/bin/python evals/bench_stard.py [--data-dir data/bench-laws] [--ablation]

Writes evals/results/stard.json. Says so and exits 0 when ../shared/bench is absent.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from evals.common import LAWS, ROOT, SHARED, batch_search, dangjian, squash, write_result  # noqa: E402

STARD = SHARED / "bench" / "stard" / "dev.jsonl"
DEPTHS = (1, 5, 10, 20, 100)
GOLD_PREFIX = 30
# name -> DANGJIAN_* overrides; the defaults are the shipped settings
ABLATION: dict[str, dict[str, str]] = {
    "lexical only": {"DANGJIAN_DENSE_WEIGHT": "0", "DANGJIAN_AUTHORITY_WEIGHT": "0"},
    "dense only": {
        "DANGJIAN_WORD_WEIGHT": "0",
        "DANGJIAN_BIGRAM_WEIGHT": "0",
        "DANGJIAN_AUTHORITY_WEIGHT": "0",
    },
    "lexical + dense": {"DANGJIAN_AUTHORITY_WEIGHT": "0"},
    "lexical + prior": {"DANGJIAN_DENSE_WEIGHT": "0"},
    "default without the thesaurus": {"DANGJIAN_THESAURUS_WEIGHT": "0"},
}


def gold_prefixes(question: dict[str, Any]) -> list[str]:
    return [squash(g["text"])[:GOLD_PREFIX] for g in question["gold"]]


def first_hit(golds: list[str], texts: list[str]) -> int | None:
    """0-based rank of the first passage holding any gold prefix."""
    for rank, text in enumerate(texts):
        flat = squash(text)
        if any(g in flat for g in golds):
            return rank
    return None


def figures(ranks: list[int | None]) -> dict[str, float]:
    out = {f"R@{k}": float(np.mean([r is not None and r < k for r in ranks])) for k in DEPTHS}
    out["MRR@10"] = float(np.mean([1 / (r + 1) if r is not None and r < 10 else 0.0 for r in ranks]))
    return {k: round(v, 3) for k, v in out.items()}


def by_split(ranks: list[int | None]) -> dict[str, dict[str, float]]:
    """All questions, the tuning half (odd positions) and the held-out half (even positions)."""
    return {
        "all": figures(ranks),
        "tune": figures(ranks[1::2]),
        "held-out": figures(ranks[0::2]),
    }


def baseline_ranks(data_dir: Path, questions: list[dict[str, Any]]) -> list[int | None]:
    """The STARD paper's recipe over our passages: jieba (precise mode) minus stopwords, BM25 (bm25s)."""
    import bm25s
    import jieba

    from app.settings import load_settings
    from index.tokenize import stopwords
    from index.vector_store import PassageStore

    settings = load_settings(data_dir=data_dir)
    store = PassageStore(data_dir, settings.embed_model, settings.chroma_url)
    texts = [text for _, text, _ in store.iter_passages()]
    stop = stopwords()

    def split(text: str) -> list[str]:
        return [w for w in jieba.lcut(text) if w.strip() and w not in stop] or [""]

    ranker = bm25s.BM25()
    ranker.index([split(t) for t in texts], show_progress=False)
    ranks = []
    for q in questions:
        scores = np.asarray(ranker.get_scores(split(q["question"])))
        top = np.argsort(-scores)[:100]
        ranks.append(first_hit(gold_prefixes(q), [texts[i] for i in top]))
    return ranks


def cli_ranks(data_dir: Path, questions: list[dict[str, Any]], env: dict[str, str]) -> list[int | None]:
    answers = batch_search(data_dir, [q["question"] for q in questions], 100, env)
    return [
        first_hit(gold_prefixes(q), [r["text"] for r in a["results"]])
        for q, a in zip(questions, answers, strict=True)
    ]


def print_row(name: str, split: dict[str, dict[str, float]]) -> None:
    for part, values in split.items():
        cells = "  ".join(f"{k} {v:.3f}" for k, v in values.items())
        print(f"{name:<30} {part:<10}{cells}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=ROOT / "data" / "bench-laws")
    parser.add_argument("--ablation", action="store_true")
    args = parser.parse_args()
    if not (LAWS.is_dir() and STARD.is_file()):
        print(f"STARD bench not found ({LAWS}, {STARD}): it lives in ../shared/bench, not in a user's clone.")
        return
    questions = [json.loads(line) for line in STARD.read_text(encoding="utf-8").splitlines() if line.strip()]
    started = time.perf_counter()
    dangjian(args.data_dir, "ingest", str(LAWS))
    print(
        f"ingest (or the unchanged check): {time.perf_counter() - started:.0f} s; {len(questions)} questions"
    )
    rows = {"dangjian (default settings)": by_split(cli_ranks(args.data_dir, questions, {}))}
    if args.ablation:
        for name, env in ABLATION.items():
            rows[name] = by_split(cli_ranks(args.data_dir, questions, env))
    rows["baseline: jieba + BM25"] = by_split(baseline_ranks(args.data_dir, questions))
    for name, split in rows.items():
        print_row(name, split)
    print(f"written to {write_result('stard.json', {'questions': len(questions), 'rows': rows})}")


if __name__ == "__main__":
    main()
