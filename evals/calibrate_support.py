"""Calibrate the threshold the optional LLM path trusts, on the tuning part of the dev questions.

SUPPORT_OVERLAP (app/drafting/llm.py): the character-bigram overlap of each gold answer with its own
gold passages (a supported sentence) against the same answer with another question's gold passages (an
unsupported one, fixed seed). (Whether an answer is supported at all is the learned model's decision:
evals/fit_answerability.py.)

Usage: python evals/calibrate_support.py [--qa FILE]... [--data-dir data/calibrate]
Writes evals/results/support_calibration.json. Says so plainly, and exits 0, when
the dev set is absent (a user's clone has no ../shared).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.drafting.llm import SUPPORT_OVERLAP, overlap  # noqa: E402
from app.services import build_services  # noqa: E402
from app.settings import Settings  # noqa: E402
from evals.common import TUNING, dev_part  # noqa: E402

DEFAULT_QA = [ROOT.parent / "shared" / "eval" / name for name in ("dev_qa.jsonl", "dev_qa2.jsonl")]
RESULTS = ROOT / "evals" / "results"
CROSS_PAIRS = 3  # unsupported pairs drawn per gold answer


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def best_threshold(positives: list[float], negatives: list[float]) -> dict[str, Any]:
    """The cut (value >= cut counts as positive) with the best balanced accuracy; ties: widest gap.
    With no negatives left to separate, the cut keeps every positive: midway between 0 and the lowest."""
    if not negatives:
        return {
            "threshold": round(min(positives) / 2, 3),
            "positives_kept": f"{len(positives)}/{len(positives)}",
            "negatives_refused": "0/0 (every negative was refused by a check before this score)",
        }
    values = sorted(set(positives + negatives))
    cuts = [(a + b) / 2 for a, b in zip(values, values[1:], strict=False)] or values
    best: tuple[float, float, float] | None = None
    for cut in cuts:
        kept = sum(p >= cut for p in positives) / len(positives)
        refused = sum(n < cut for n in negatives) / len(negatives)
        gap = min((abs(v - cut) for v in values), default=0.0)
        key = ((kept + refused) / 2, gap, cut)
        if best is None or key[:2] > best[:2]:
            best = key
    assert best is not None
    cut = best[2]
    return {
        "threshold": round(cut, 3),
        "balanced_accuracy": round(best[0], 3),
        "positives_kept": f"{sum(p >= cut for p in positives)}/{len(positives)}",
        "negatives_refused": f"{sum(n < cut for n in negatives)}/{len(negatives)}",
    }


def overlap_pairs(questions: list[dict[str, Any]], passages: list[str]) -> tuple[list[float], list[float]]:
    """Gold answer vs its gold passages, and vs another question's gold passages."""
    gold: dict[str, list[str]] = {}
    for q in questions:
        quotes = [squash(g["quote"]) for g in q.get("gold", [])]
        found = [p for p in passages if any(quote in squash(p) for quote in quotes)]
        if found and q.get("answer"):
            gold[q["id"]] = found
    rng = random.Random(7)
    ids = sorted(gold)
    supported, unsupported = [], []
    answers = {q["id"]: q["answer"] for q in questions}
    for qid in ids:
        supported.append(overlap(answers[qid], gold[qid]))
        for other in rng.sample([i for i in ids if i != qid], CROSS_PAIRS):
            unsupported.append(overlap(answers[qid], gold[other]))
    return supported, unsupported


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--qa", type=Path, action="append", help="question set(s); default: both dev sets")
    parser.add_argument("--data-dir", type=Path, default=ROOT / "data" / "calibrate")
    args = parser.parse_args()
    paths = args.qa or DEFAULT_QA
    if not all(p.is_file() for p in paths):
        print(f"跳过：找不到问题集 {', '.join(map(str, paths))}（评测集只在开发环境的 ../shared/eval 中）。")
        return
    questions = [
        q
        for p in paths
        for line in p.read_text(encoding="utf-8").splitlines()
        if line.strip() and dev_part((q := json.loads(line))["id"]) == TUNING
    ]
    services = build_services(Settings(data_dir=args.data_dir))  # type: ignore[call-arg]
    services.ingest()

    texts = [text for _, text, _ in services.store.iter_passages()]
    good, bad = overlap_pairs(questions, texts)
    bigram = best_threshold(good, bad)
    print(
        f"overlap: supported n={len(good)} min={min(good):.3f} median={sorted(good)[len(good) // 2]:.3f}; "
        f"unsupported n={len(bad)} max={max(bad):.3f} median={sorted(bad)[len(bad) // 2]:.3f}"
    )
    print(f"overlap threshold: {bigram} (in app/drafting/llm.py now: {SUPPORT_OVERLAP})")

    RESULTS.mkdir(parents=True, exist_ok=True)
    out = {
        "dev_sets": [str(p) for p in paths],
        "overlap": {
            **bigram,
            "supported": [round(x, 3) for x in good],
            "unsupported": [round(x, 3) for x in bad],
        },
    }
    (RESULTS / "support_calibration.json").write_text(
        json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    print(f"wrote {RESULTS / 'support_calibration.json'}")


if __name__ == "__main__":
    main()
