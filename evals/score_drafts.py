"""Score the drafts a secretary hands in: ledger measures, a ten-problem ledger, four lecture outlines.

1. Measures: each `measures` question of the dev sets is drafted as a one-problem ledger; a gold
   measure counts as drafted when one of the row's measures holds >= 0.6 of its character bigrams
   (the answer scorer's recall). Figure: share of gold measures drafted (target >= 0.8).
2. Ledger: the ten problems of evals/bench_drafts.py; no measure on more than two rows, and every
   row with a checklist item has a measure besides the ledger's general requirement and the warning.
3. Outlines for four themes: points that only repeat a heading, template placeholders, uncited points
   (target: 0 each), and how many points each part has.

Usage:

    python evals/score_drafts.py [--data-dir data/eval-default] [--qa FILE]...

Writes evals/results/drafts_quality.json. The measures part says so plainly, and is skipped, when the
dev sets (../shared/eval) are absent; the other two need only the bundled corpus.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from app.drafting.lecture import Outline, build_outline  # noqa: E402
from app.drafting.ledger import NO_MATCH, Ledger, build_ledger  # noqa: E402
from app.drafting.text import heading_only  # noqa: E402
from app.services import build_services  # noqa: E402
from app.settings import Settings  # noqa: E402
from evals.bench_drafts import PROBLEMS  # noqa: E402
from evals.common import DEV_SETS, dev_set_parser, write_result  # noqa: E402
from evals.score_answers import RECALL, recall  # noqa: E402
from index.library import Library  # noqa: E402

THEMES = ("为基层减负", "纠治形式主义官僚主义", "深入贯彻中央八项规定精神", "模范机关创建")
PLACEHOLDERS = re.compile(r"XX|××|xx|＊＊|某某|[（(]\s*[)）]")
WARNING = "警示："


def measures_recall(library: Library, qa_files: list[Path]) -> dict[str, Any] | None:
    """Share of the gold measures that the one-problem ledger for each question drafts."""
    questions = [
        q
        for path in qa_files
        if path.exists()
        for q in map(json.loads, path.read_text(encoding="utf-8").splitlines())
        if q.get("kind") == "measures"
    ]
    if not questions:
        print(f"no dev sets at {', '.join(map(str, qa_files))}: measures recall skipped")
        return None
    per_question, found, total = {}, 0, 0
    for q in questions:
        row = build_ledger([q["question"]], library).rows[0]
        drafted = [m.text for m in row.measures]
        hits = [any(recall(g["quote"], m) >= RECALL for m in drafted) for g in q["gold"]]
        found, total = found + sum(hits), total + len(hits)
        per_question[q["id"]] = {"gold_drafted": f"{sum(hits)}/{len(hits)}", "measures": drafted}
        print(f"{q['id']} {sum(hits)}/{len(hits)} {q['question'][:30]}")
        for m in drafted:
            print(f"    - {m[:70]}")
    return {"questions": len(questions), "gold_drafted": round(found / total, 3), "by_question": per_question}


def ledger_checks(ledger: Ledger) -> dict[str, Any]:
    """Repeated measures across rows, and matched rows with nothing but general text."""
    rows_of: Counter[str] = Counter(m.text for r in ledger.rows for m in set(r.measures))
    general = ledger.requirement.text if ledger.requirement else ""
    bare = [
        n
        for n, r in enumerate(ledger.rows, 1)
        if r.item_label != NO_MATCH
        and not [m for m in r.measures if m.text != general and not m.text.startswith(WARNING)]
    ]
    return {
        "rows": len(ledger.rows),
        "matched_rows": sum(r.item_label != NO_MATCH for r in ledger.rows),
        "most_rows_one_measure": max(rows_of.values(), default=0),
        "matched_rows_without_specific_measure": bare,
        "warnings": sum(m.text.startswith(WARNING) for r in ledger.rows for m in r.measures),
        "general_requirement": general,
        "rows_detail": [
            {"problem": r.problem, "items": r.item_label, "measures": [m.text for m in r.measures]}
            for r in ledger.rows
        ],
    }


def outline_checks(outline: Outline) -> dict[str, Any]:
    """Heading-only points, placeholders and uncited points of one outline."""
    points = outline.points
    headed = [
        p.text
        for p in points
        if heading_only(p.text, [h for n in p.cites for h in outline.sources[n].hit.passage.section])
    ]
    return {
        "points": len(points),
        "per_part": {name: len(ps) for name, ps in outline.parts()},
        "heading_only": headed,
        "placeholders": [f"{p.lead} {p.text}" for p in points if PLACEHOLDERS.search(f"{p.lead} {p.text}")],
        "uncited": [p.text for p in points if not p.cites],
        "points_detail": [f"{p.part} | {p.lead} | {p.text}" for p in points],
    }


def main() -> None:
    args = dev_set_parser(__doc__.splitlines()[0]).parse_args()
    services = build_services(Settings(data_dir=args.data_dir))  # type: ignore[call-arg]
    services.ingest()
    library = services.library()
    figures: dict[str, Any] = {"measures": measures_recall(library, args.qa or list(DEV_SETS))}
    figures["ledger"] = ledger_checks(build_ledger(PROBLEMS, library, unit="市直某局办公室"))
    figures["outlines"] = {theme: outline_checks(build_outline(theme, library)) for theme in THEMES}
    path = write_result("drafts_quality.json", figures)
    ledger = figures["ledger"]
    print(
        f"ledger: most rows one measure serves {ledger['most_rows_one_measure']}, matched rows without a "
        f"specific measure {ledger['matched_rows_without_specific_measure']}, warnings {ledger['warnings']}"
    )
    for theme, o in figures["outlines"].items():
        print(
            f"{theme}: {o['points']} points {list(o['per_part'].values())}, heading-only "
            f"{len(o['heading_only'])}, placeholders {len(o['placeholders'])}, uncited {len(o['uncited'])}"
        )
    if figures["measures"]:
        print(f"measures: gold drafted {figures['measures']['gold_drafted']}")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
