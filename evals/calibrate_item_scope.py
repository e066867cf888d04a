"""Calibrate ITEM_FLOOR (app/drafting/item_scope.py): when no checklist item is what a question describes.

Positives: the `checklist` questions of the tuning part of the dev sets (each describes a listed problem). Negatives:
evals/offtopic_item_questions.txt, problems a checklist of 作风 problems does not list, asked the same way
("办公室空调温度太低，属于清单哪一条？"). For each, the teacher's cosine with its nearest item, read as
the product reads it (wording and plain words) and as a user's own checklist would be read (wording
only). The floor is the 0.005 step at or below the lowest positive: every dev question keeps its item,
and what it refuses is reported.

Usage: python evals/calibrate_item_scope.py [--data-dir data/eval-default] [--qa FILE]...
Writes evals/results/item_scope_calibration.json. Says so plainly, and exits 0, when the dev sets are absent.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from app.drafting.item_scope import ITEM_FLOOR, item_descriptions  # noqa: E402
from app.drafting.text import item_text  # noqa: E402
from app.services import build_services  # noqa: E402
from app.settings import Settings  # noqa: E402
from evals.common import DEV_SETS, ROOT, TUNING, dev_part, dev_set_parser, write_result  # noqa: E402
from index.library import Library  # noqa: E402

OFF_TOPIC = ROOT / "evals" / "offtopic_item_questions.txt"
STEP = 0.005


def nearest(library: Library, questions: list[str], texts: list[str]) -> list[float]:
    return [round(float(library.text_meaning(q, texts).max()), 4) for q in questions]


def figures(positives: list[float], negatives: list[float], floor: float) -> dict[str, Any]:
    return {
        "positives": sorted(positives),
        "negatives": sorted(negatives),
        "positives_kept": f"{sum(p >= floor for p in positives)}/{len(positives)}",
        "negatives_refused": f"{sum(n < floor for n in negatives)}/{len(negatives)}",
    }


def main() -> None:
    args = dev_set_parser(__doc__.splitlines()[0]).parse_args()
    files = [p for p in (args.qa or DEV_SETS) if p.exists()]
    if not files:
        print(f"no dev sets at {', '.join(map(str, args.qa or DEV_SETS))}: nothing to calibrate")
        return
    questions = [
        json.loads(line)
        for path in files
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    listed = [
        q["question"] for q in questions if q.get("kind") == "checklist" and dev_part(q["id"]) == TUNING
    ]
    unlisted = [line.strip() for line in OFF_TOPIC.read_text(encoding="utf-8").splitlines() if line.strip()]
    services = build_services(Settings(data_dir=args.data_dir))  # type: ignore[call-arg]
    services.ingest()
    library = services.library()
    read = item_descriptions(library)
    wording = [item_text(h.passage.item) for h in library.checklist_items() if h.passage.item]
    positives, negatives = nearest(library, listed, read), nearest(library, unlisted, read)
    floor = math.floor(min(positives) / STEP) * STEP
    result: dict[str, Any] = {
        "floor": round(floor, 3),
        "in_code": ITEM_FLOOR,
        "with_plain_words": figures(positives, negatives, floor),
        "wording_only": figures(
            nearest(library, listed, wording), nearest(library, unlisted, wording), floor
        ),
    }
    path = write_result("item_scope_calibration.json", result)
    for name in ("with_plain_words", "wording_only"):
        f: dict[str, Any] = result[name]
        print(f"{name}: positives kept {f['positives_kept']}, negatives refused {f['negatives_refused']}")
    print(f"floor {result['floor']} (in code {ITEM_FLOOR}); wrote {path}")


if __name__ == "__main__":
    main()
