"""Score retrieval on the dev questions: hit@1/5/10, MRR, checklist item@1, hit@5 by kind.

Runs the real CLI (`dangjian search --batch`) so the figures measure what users
get. A gold quote is found when it is a substring of a passage, white space
removed from both. Usage:

    python evals/score_qa.py [--qa ../shared/eval/dev_qa.jsonl] [--data-dir data/eval] [--k 10]

Writes evals/results/qa.json. Says so plainly, and exits 0, when the dev set is absent
(a user's clone has no ../shared).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from evals.common import RESULTS, ROOT, batch_search, dangjian, squash, write_result  # noqa: E402

DEFAULT_QA = ROOT.parent / "shared" / "eval" / "dev_qa.jsonl"


def first_gold_rank(question: dict[str, Any], results: list[dict[str, Any]]) -> int | None:
    """Rank of the first passage containing any gold quote."""
    quotes = [squash(g["quote"]) for g in question["gold"]]
    for r in results:
        text = squash(r["text"])
        if any(q in text for q in quotes):
            return int(r["rank"])
    return None


def score(questions: list[dict[str, Any]], answers: list[dict[str, Any]]) -> dict[str, Any]:
    """All figures, overall and per kind; negatives only report their top score."""
    by_kind: dict[str, list[int | None]] = defaultdict(list)
    ranks: list[int | None] = []
    item_at_1: list[bool] = []
    top_scores: dict[str, list[float]] = {"positive": [], "negative": []}
    misses = []
    for q, a in zip(questions, answers, strict=True):
        results = a["results"]
        top = results[0]["score"] if results else 0.0
        if not q["gold"]:
            top_scores["negative"].append(top)
            continue
        top_scores["positive"].append(top)
        rank = first_gold_rank(q, results)
        ranks.append(rank)
        by_kind[q["kind"]].append(rank)
        if q.get("item"):
            item_at_1.append(bool(results) and results[0]["item"] in q["item"])
        if rank is None or rank > 5:
            misses.append({"id": q["id"], "kind": q["kind"], "rank": rank, "question": q["question"]})

    def hit(rs: list[int | None], k: int) -> float:
        return round(sum(r is not None and r <= k for r in rs) / len(rs), 3) if rs else 0.0

    return {
        "questions": len(ranks),
        "hit@1": hit(ranks, 1),
        "hit@5": hit(ranks, 5),
        "hit@10": hit(ranks, 10),
        "mrr": round(sum(1 / r for r in ranks if r) / len(ranks), 3) if ranks else 0.0,
        "checklist_item@1": round(sum(item_at_1) / len(item_at_1), 3) if item_at_1 else 0.0,
        "hit@5_by_kind": {kind: hit(rs, 5) for kind, rs in sorted(by_kind.items())},
        "top_score": {k: [round(x, 3) for x in v] for k, v in top_scores.items()},
        "misses@5": misses,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--qa", type=Path, default=DEFAULT_QA)
    parser.add_argument("--data-dir", type=Path, default=ROOT / "data" / "eval")
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--out", type=Path, default=RESULTS / "qa.json")
    args = parser.parse_args()
    if not args.qa.is_file():
        print(
            f"dev set not found at {args.qa}: nothing to score (it lives in ../shared/eval, not in a user's clone)."
        )
        return
    questions = [
        json.loads(line) for line in args.qa.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    dangjian(args.data_dir, "ingest")
    answers = batch_search(args.data_dir, [q["question"] for q in questions], args.k)
    figures = score(questions, answers)
    write_result(args.out.name, figures)
    summary = {k: v for k, v in figures.items() if k not in ("top_score", "misses@5")}
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    for miss in figures["misses@5"]:
        print(f"  miss {miss['id']} [{miss['kind']}] rank={miss['rank']}: {miss['question']}")


if __name__ == "__main__":
    main()
