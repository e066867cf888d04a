"""Calibrate MATCH_THRESHOLD (app/drafting/ledger.py): when a ledger row may claim a checklist item.

Each dev question is turned into a ledger line the way a user would write it:
the clause asking "属于清单哪一条" is cut off, the rest is the problem. Its best
item score is then compared across the questions that name an item (they should
claim it, and claim the right one) and those that do not (kind "negative" and
every other non-checklist question: they should get 无匹配). A question whose
best item is the wrong one counts as never rightly claimed, at any threshold.

    python evals/calibrate_ledger.py [--qa PATH] [--data-dir data/calibrate]

prints the table and the cut, and writes evals/results/ledger_calibration.json.
Without the dev set (no ../shared beside a user's clone) it says so and exits 0.
"""

from __future__ import annotations

import json
import re
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.drafting.ledger import MATCH_THRESHOLD, RELATED, score_items  # noqa: E402
from app.services import build_services  # noqa: E402
from app.settings import Settings  # noqa: E402
from evals.calibrate_support import DEFAULT_QA, RESULTS, ROOT, best_threshold  # noqa: E402
from index.search import CHECKLIST_QUESTION  # noqa: E402

NEVER = -1.0  # the score of a claim that names the wrong item: no threshold makes it right


def as_problem(question: str) -> str:
    """The question without its trailing "这属于清单哪一条？" clause(s)."""
    parts = re.split(r"(?<=[，,。？?；])", question)
    while parts and (not parts[-1].strip() or CHECKLIST_QUESTION.search(parts[-1])):
        parts.pop()
    return "".join(parts).rstrip("，,。？? ") or question


def question_rows(questions: list[dict[str, Any]], engine: Any) -> list[dict[str, Any]]:
    rows = []
    for q in questions:
        problem = as_problem(q["question"])
        ranked = score_items(problem, engine)
        scores = {h.passage.item.number: s for s, h in ranked if h.passage.item}
        top = ranked[0][1].passage.item.number if ranked and ranked[0][1].passage.item else None
        gold = q.get("item") or []
        rows.append(
            {
                "id": q["id"],
                "kind": q["kind"],
                "problem": problem,
                "gold": gold,
                "top": top,
                "best": round(ranked[0][0], 4) if ranked else 0.0,
                "right": top in gold,
                "gold_scores": {g: round(scores.get(g, 0.0), 4) for g in gold},
            }
        )
    return rows


def main() -> None:
    cli = ArgumentParser(description=__doc__.splitlines()[0])
    cli.add_argument("--qa", type=Path, default=DEFAULT_QA, help="the dev questions (JSON lines)")
    cli.add_argument(
        "--data-dir", type=Path, default=ROOT / "data" / "calibrate", help="index of the bundled corpus"
    )
    args = cli.parse_args()
    if not args.qa.is_file():
        print(f"The dev set {args.qa} is not here, so there is nothing to calibrate against.")
        return
    lines = args.qa.read_text(encoding="utf-8").splitlines()
    services = build_services(Settings(data_dir=args.data_dir))  # type: ignore[call-arg]
    services.ingest()
    rows = question_rows([json.loads(line) for line in lines if line.strip()], services.library())

    print(f"{'id':5} {'kind':10} {'gold':8} {'top':>4} {'best':>6}  right  problem")
    for r in sorted(rows, key=lambda r: -r["best"]):
        print(
            f"{r['id']:5} {r['kind']:10} {','.join(r['gold']) or '-':8} {r['top'] or '-':>4} {r['best']:6.3f}  "
            f"{'yes' if r['right'] else ('no' if r['gold'] else '')!s:5}  {r['problem'][:28]}"
        )
    positives = [r["best"] if r["right"] else NEVER for r in rows if r["gold"]]
    negatives = [r["best"] for r in rows if not r["gold"]]
    cut = best_threshold(positives, negatives)
    print(
        f"\nwith an item: n={len(positives)}, top item right {sum(r['right'] for r in rows if r['gold'])}; "
        f"without: n={len(negatives)}, highest {max(negatives):.3f}"
    )
    print(f"match threshold: {cut} (in app/drafting/ledger.py now: {MATCH_THRESHOLD})")
    for r in rows:
        if len(r["gold"]) > 1:
            a, b = sorted(r["gold_scores"].values(), reverse=True)[:2]
            print(
                f"{r['id']}: second gold item scores {b:.3f} = {b / a if a else 0:.2f} of the first "
                f"(RELATED in app/drafting/ledger.py: {RELATED})"
            )
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = {"dev_set": str(args.qa), "match": {**cut, "rows": rows}}
    (RESULTS / "ledger_calibration.json").write_text(
        json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    print(f"wrote {RESULTS / 'ledger_calibration.json'}")


if __name__ == "__main__":
    main()
