"""Score the answers a secretary reads, not the passages: `dangjian ask --batch` over both dev sets.

An answerable question's answer is right when it is supported and its text carries the gold quotes
(character-bigram recall >= 0.6 per quote, white space and [n] marks removed from both): every quote
for most kinds; at least one per gold document for compare; at least half for measures and lecture.
A checklist question is right only when, besides, the first item named is a gold item. A negative is
right when it is refused. Figures by kind, per set, for the tuning and the held-out part of the one
seeded split (evals/common.py: dev_part) and together, with false refusals (answerable but refused) and
negatives refused; only the tuning part's answers are printed (--show-wrong) or kept. Usage:

    python evals/score_answers.py [--qa FILE]... [--label NAME] [--env DANGJIAN_X=VALUE]...
                                 [--data-dir DIR] [--corpus DIR] [--out FILE] [--show-wrong]

A unit's own documents: `--qa evals/unit_qa.jsonl --corpus tests/fixtures/unit --label unit` (questions
written for the fixtures in tests/fixtures/unit, split by the same seeded hash).

The data dir is shared with evals/score_qa.py (data/eval-LABEL, built on first use). Writes
evals/results/answers.json. Says so plainly, and exits 0, when the dev sets are absent.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from evals.common import HELD_OUT, RESULTS, ROOT, SHARED, TUNING, dangjian, dev_part, write_json  # noqa: E402
from evals.score_qa import build_index, env_pair, label_name, load_questions  # noqa: E402

Question = dict[str, Any]
Reply = dict[str, Any]

DEFAULT_QA = (SHARED / "eval" / "dev_qa.jsonl", SHARED / "eval" / "dev_qa2.jsonl")
RECALL = 0.6  # share of a gold quote's character bigrams the answer must hold
HALF_KINDS = ("measures", "lecture")  # at least half of the quotes
PER_DOCUMENT_KINDS = ("compare",)  # at least one quote per gold document
NEGATIVE = "negative"
_MARKS = re.compile(r"[\[［【]\s*\d+(?:\s*[,，、]\s*\d+)*\s*[\]］】]")


def normal(text: str) -> str:
    """White space and citation marks removed: how quotes and answers are compared."""
    return re.sub(r"\s+", "", _MARKS.sub("", text))


def bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)} or ({text} if text else set())


def recall(quote: str, answer: str) -> float:
    """Share of the quote's character bigrams found in the answer."""
    wanted = bigrams(normal(quote))
    return len(wanted & bigrams(normal(answer))) / len(wanted) if wanted else 1.0


def quotes_carried(question: Question, answer: str) -> bool:
    """The kind's rule for how many gold quotes the answer must carry."""
    found = [(g["doc"], recall(g["quote"], answer) >= RECALL) for g in question["gold"]]
    if question["kind"] in PER_DOCUMENT_KINDS:
        by_doc: dict[str, bool] = {}
        for doc, ok in found:
            by_doc[doc] = by_doc.get(doc, False) or ok
        return all(by_doc.values())
    if question["kind"] in HALF_KINDS:
        return 2 * sum(ok for _, ok in found) >= len(found)
    return all(ok for _, ok in found)


def judge(question: Question, reply: Reply) -> dict[str, Any]:
    """Whether the answer is right, and why not when it is not."""
    if question["kind"] == NEGATIVE:
        right = not reply["supported"]
        return {"right": right, "why": "" if right else "answered a negative"}
    if not reply["supported"]:
        return {"right": False, "why": "refused"}
    gold_items = [str(i) for i in question.get("item") or []]
    if gold_items and (not reply["items"] or reply["items"][0] not in gold_items):
        return {"right": False, "why": f"item {reply['items'][:1]} not {gold_items}"}
    if not quotes_carried(question, reply["answer"]):
        return {"right": False, "why": "gold quotes missing"}
    return {"right": True, "why": ""}


def figures(rows: list[tuple[Question, dict[str, Any]]]) -> dict[str, Any]:
    """Accuracy overall and by kind, false refusals, negatives refused."""
    answerable = [(q, j) for q, j in rows if q["kind"] != NEGATIVE]
    negatives = [(q, j) for q, j in rows if q["kind"] == NEGATIVE]
    by_kind: dict[str, list[bool]] = {}
    for q, j in rows:
        by_kind.setdefault(q["kind"], []).append(j["right"])
    return {
        "questions": len(rows),
        "accuracy": round(sum(j["right"] for _, j in rows) / len(rows), 3) if rows else None,
        "answerable_accuracy": round(sum(j["right"] for _, j in answerable) / len(answerable), 3)
        if answerable
        else None,
        "false_refusals": sum(j["why"] == "refused" for _, j in answerable),
        "answerable": len(answerable),
        "negatives_refused": sum(j["right"] for _, j in negatives),
        "negatives": len(negatives),
        "by_kind": {k: f"{sum(v)}/{len(v)} = {sum(v) / len(v):.2f}" for k, v in sorted(by_kind.items())},
        "why_wrong": dict(Counter(j["why"] for _, j in rows if not j["right"])),
    }


def ask_batch(data_dir: Path, questions: list[str], env: dict[str, str]) -> tuple[list[Reply], float]:
    """`dangjian ask --batch` in one process; the replies and the wall seconds."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8", delete=False) as batch:
        batch.write("\n".join(q.replace("\n", " ") for q in questions) + "\n")
    started = time.monotonic()
    try:
        out = dangjian(data_dir, "ask", "--batch", batch.name, env=env)
    finally:
        Path(batch.name).unlink()
    return [json.loads(line) for line in out.splitlines() if line.strip()], time.monotonic() - started


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--qa", type=Path, action="append", help="question set(s); default: both dev sets")
    parser.add_argument("--label", type=label_name, default="default", help="configuration name")
    parser.add_argument("--env", type=env_pair, action="append", default=[], help="DANGJIAN_X=VALUE")
    parser.add_argument("--data-dir", type=Path, help="data dir (default data/eval-LABEL)")
    parser.add_argument(
        "--corpus",
        type=Path,
        help="documents to ingest (default: the bundled corpus), e.g. tests/fixtures/unit",
    )
    parser.add_argument("--out", type=Path, default=RESULTS / "answers.json")
    parser.add_argument("--show-wrong", action="store_true", help="print the tuning part's wrong answers")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    paths = args.qa or list(DEFAULT_QA)
    missing = [p for p in paths if not p.is_file()]
    if missing:
        print(
            f"跳过：找不到问题集 {', '.join(map(str, missing))}（评测集只在开发环境的 ../shared/eval 中）。"
        )
        return
    env = dict(args.env)
    data_dir = args.data_dir or ROOT / "data" / f"eval-{args.label}"
    build_index(data_dir, env, args.corpus)
    sets = {p.stem: load_questions(p) for p in paths}
    everything = [q for qs in sets.values() for q in qs]
    replies, seconds = ask_batch(data_dir, [q["question"] for q in everything], env)
    judged = [(q, judge(q, r)) for q, r in zip(everything, replies, strict=True)]
    result: dict[str, Any] = {"label": args.label, "env": env, "recall": RECALL}
    start = 0
    for name, qs in sets.items():
        result[name] = figures(judged[start : start + len(qs)])
        start += len(qs)
    for part in (TUNING, HELD_OUT):
        result[part] = figures([(q, j) for q, j in judged if dev_part(q["id"]) == part])
    result["all"] = figures(judged)
    result["tuning_minus_held_out"] = round(result[TUNING]["accuracy"] - result[HELD_OUT]["accuracy"], 3)
    result["seconds_per_question"] = round(seconds / max(1, len(everything)), 3)
    # only the tuning part's answers are kept: the held-out part is scored, never read question by question
    result["answers"] = [
        {"id": q["id"], "kind": q["kind"], "right": j["right"], "why": j["why"], "answer": r["answer"]}
        for (q, j), r in zip(judged, replies, strict=True)
        if dev_part(q["id"]) == TUNING
    ]
    write_json(args.out, result)
    for name in [*sets, TUNING, HELD_OUT, "all"]:
        f = result[name]
        print(
            f"{name}: accuracy {f['accuracy']} (answerable {f['answerable_accuracy']}), "
            f"false refusals {f['false_refusals']}/{f['answerable']}, "
            f"negatives refused {f['negatives_refused']}/{f['negatives']}"
        )
        print("  " + "; ".join(f"{k} {v}" for k, v in f["by_kind"].items()))
    print(f"tuning minus held-out: {result['tuning_minus_held_out']}")
    print(f"{statistics.fmean([seconds / max(1, len(everything))]):.2f} s per question (batch, one process)")
    if args.show_wrong:  # the tuning part's only
        for (q, j), r in zip(judged, replies, strict=True):
            if not j["right"] and dev_part(q["id"]) == TUNING:
                print(
                    f"\n[{q['id']} {q['kind']}] {q['question']}\n  why: {j['why']}\n  answer: {r['answer']}"
                )
    print(f"写入 {args.out}")


if __name__ == "__main__":
    main()
