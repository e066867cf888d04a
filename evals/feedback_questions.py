"""Turn the answers users marked wrong (the data dir's feedback.jsonl) into dev questions to tune on.

Each 有误 verdict becomes one line in the dev-set format (id, question, kind "feedback", answer = what
the user said it should be, gold = []): a person adds the gold quotes, then evals/score_answers.py
scores it like the other dev questions. A question marked wrong twice is written once. Usage:

    python evals/feedback_questions.py [--data-dir data] [--out evals/results/feedback_questions.jsonl]

Says so plainly, and exits 0, when there is no feedback yet.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from app.feedback import WRONG, Verdict, verdicts  # noqa: E402
from evals.common import RESULTS, ROOT  # noqa: E402


def as_questions(found: list[Verdict]) -> list[dict[str, Any]]:
    """One dev question per distinct question marked wrong, the latest correction kept."""
    latest: dict[str, Verdict] = {}
    for verdict in found:
        if verdict.verdict == WRONG:
            latest[verdict.question] = verdict
    return [
        {
            "id": f"f{n:03d}",
            "question": v.question,
            "kind": "feedback",
            "answer": v.correction,
            "gold": [],
            "wrong_answer": v.answer,
            "citations": v.citations,
            "time": v.time,
        }
        for n, v in enumerate(latest.values(), start=1)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=ROOT / "data")
    parser.add_argument("--out", type=Path, default=RESULTS / "feedback_questions.jsonl")
    args = parser.parse_args()
    questions = as_questions(verdicts(args.data_dir))
    if not questions:
        print(f"no answers marked wrong in {args.data_dir / 'feedback.jsonl'}: nothing to write")
        return
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        "".join(json.dumps(q, ensure_ascii=False) + "\n" for q in questions), encoding="utf-8"
    )
    print(f"wrote {len(questions)} questions to {args.out}")


if __name__ == "__main__":
    main()
