"""Fit the answerability model (app/drafting/answerability.py) and write app/drafting/answerability.json.

Training examples, each a question judged by the real composer over the bundled corpus's index:
- the tuning part of the dev questions (evals/common.py: dev_part), never the held-out part: an
  answerable one is positive when the search finds its gold passage; a negative is negative;
- the train part of the written question → provision pairs (the part evals/adapt_teacher.py trains on),
  positive when the search finds the clause;
- synthetic negatives: every positive asked again with its evidence withheld from the library (the
  documents holding its gold quotes dropped from search, checklist items, sections and records, as if
  they had never been ingested).
Questions refused by an explicit check (a named document, year or place the library lacks; a fact not
stated) are left out: the model decides the rest. Logistic regression (scikit-learn), standardised
features; grouped 5-fold cross-validation by question (a question and its withheld twin in one fold)
gives out-of-fold probabilities, on which the cut is set to keep 95 % of the positives. Usage:

    python evals/fit_answerability.py [--data-dir DIR] [--pairs N]

The held-out dev questions and pairs (with their withheld twins) are then judged by the final model and
reported in aggregate only. Writes app/drafting/answerability.json (weights, cut, cross-validated and
held-out figures) and
evals/results/answerability_fit.json. Says so plainly, and exits 0, when ../shared is absent.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from evals.adapt_teacher import TRAIN, load_pairs, train_part  # noqa: E402
from evals.common import DEV_SETS, ROOT, TUNING, dev_part, squash, write_result  # noqa: E402
from evals.learning import fit  # noqa: E402
from evals.score_qa import build_index  # noqa: E402


class Withheld:
    """A library without the documents that hold the question's evidence, as if they were never
    ingested (or were deleted): their passages, items, sections and records are gone."""

    def __init__(self, library: Any, documents: set[str]) -> None:
        self._library = library
        self._documents = documents  # file names, as the gold quotes name them

    def __getattr__(self, name: str) -> Any:
        return getattr(self._library, name)

    def _gone(self, doc_id: str) -> bool:
        return Path(doc_id).name in self._documents

    def _keep(self, hits: Any) -> list[Any]:
        return [h for h in hits if not self._gone(h.passage.doc_id)]

    def documents(self) -> list[Any]:
        return [d for d in self._library.documents() if not self._gone(d.id)]

    def search(self, query: str, k: int = 10, scope: Any = (), items_first: bool = False) -> list[Any]:
        return self._keep(self._library.search(query, k + 10, scope, items_first))[:k]

    def checklist_items(self) -> list[Any]:
        return self._keep(self._library.checklist_items())

    def section_passages(self, hit: Any) -> list[Any]:
        return self._keep(self._library.section_passages(hit))

    def document_passages(self, doc_id: str) -> tuple[Any, ...]:
        return tuple(self._keep(self._library.document_passages(doc_id)))


def holds(quotes: list[str], hits: list[Any]) -> bool:
    wanted = [squash(q) for q in quotes]
    return any(q in squash(h.passage.text) for h in hits for q in wanted)


def examples(library: Any, questions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Judged questions with labels and features (see the module docstring)."""
    from app.drafting.composer import judge

    rows = []
    for q in questions:
        quotes = [g["quote"] for g in q.get("gold", [])]
        decided = judge(q["question"], library)
        if decided.why or decided.answer is None:
            continue
        if not quotes:  # a dev negative
            rows.append(
                {"group": q["id"], "source": q["source"], "twin": False, "label": 0, **decided.features}
            )
            continue
        if not holds(quotes, decided.hits):
            continue  # the search missed it: a retrieval failure, not an answerability example
        rows.append({"group": q["id"], "source": q["source"], "twin": False, "label": 1, **decided.features})
        hidden = judge(q["question"], Withheld(library, {g["doc"] for g in q["gold"]}))
        if not hidden.why and hidden.answer is not None:
            rows.append(
                {"group": q["id"], "source": q["source"], "twin": True, "label": 0, **hidden.features}
            )
    return rows


def best_cut(probabilities: list[float], labels: list[int], keep: float) -> float:
    """The highest cut that still keeps `keep` of the positives' out-of-fold probabilities: a wrong
    refusal costs a secretary an answer the library has, so it is bounded first (issue 27: ≤ 5 %)."""
    positives = sorted(p for p, y in zip(probabilities, labels, strict=True) if y)
    lost = int(len(positives) * (1 - keep))  # positives allowed below the cut
    return (positives[lost - 1] + positives[lost]) / 2 if lost else positives[0] / 2


def report(rows: list[dict[str, Any]], probabilities: list[float], cut: float) -> dict[str, Any]:
    """Kept positives and refused negatives at `cut`, by source and by negative type."""
    out: dict[str, Any] = {}
    for source in sorted({r["source"] for r in rows}):
        picked = [(r, p) for r, p in zip(rows, probabilities, strict=True) if r["source"] == source]
        pos = [p for r, p in picked if r["label"]]
        twins = [p for r, p in picked if r["twin"]]
        real = [p for r, p in picked if not r["label"] and not r["twin"]]
        out[source] = {
            "positives_kept": f"{sum(p >= cut for p in pos)}/{len(pos)}",
            "withheld_refused": f"{sum(p < cut for p in twins)}/{len(twins)}",
            "negatives_refused": f"{sum(p < cut for p in real)}/{len(real)}",
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", type=Path, default=ROOT / "data" / "eval-default")
    parser.add_argument("--pairs", type=int, default=400, help="written pairs used (of the train part)")
    parser.add_argument("--keep", type=float, default=0.95, help="share of positives the cut keeps")
    args = parser.parse_args()
    if not all(p.is_file() for p in DEV_SETS) or not TRAIN.is_dir():
        print("跳过：找不到 ../shared/eval 或 ../shared/train（只在开发环境中有）。")
        return
    from app.drafting.answerability import MODEL_FILE
    from app.services import build_services
    from app.settings import Settings

    started = time.monotonic()
    build_index(args.data_dir, {})
    library = build_services(Settings(data_dir=args.data_dir)).library()
    dev = [
        {**q, "source": "dev"}
        for path in DEV_SETS
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and (q := json.loads(line))
    ]
    pairs = [
        {
            "id": p["id"],
            "question": p["question"],
            "gold": [{"quote": p["quote"], "doc": p["doc"]}],
            "source": "pairs",
        }
        for p in load_pairs(TRAIN)
    ]
    train_ids = {p["id"] for p in train_part(load_pairs(TRAIN))}
    fitted_on = [p for p in pairs if p["id"] in train_ids]
    stride = max(1, len(fitted_on) // args.pairs)  # every n-th, so each source file is represented
    rows = examples(
        library, [q for q in dev if dev_part(q["id"]) == TUNING] + fitted_on[::stride][: args.pairs]
    )
    fitted = fit(rows)
    labels = [r["label"] for r in rows]
    cut = best_cut(fitted.out_of_fold.tolist(), labels, args.keep)
    cv = report(rows, fitted.out_of_fold.tolist(), cut)
    # the held-out dev questions and pairs, in aggregate only: what the model does on questions it never saw
    unseen = examples(
        library,
        [q for q in dev if dev_part(q["id"]) != TUNING] + [p for p in pairs if p["id"] not in train_ids],
    )
    held_out = report(unseen, fitted.probabilities(unseen).tolist(), cut)
    saved = fitted.saved(
        "evals/fit_answerability.py",
        cut,
        examples={"positives": sum(labels), "negatives": len(labels) - sum(labels)},
        cross_validated=cv,
        held_out=held_out,
    )
    MODEL_FILE.write_text(json.dumps(saved, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    write_result("answerability_fit.json", {**saved, "seconds": round(time.monotonic() - started)})
    print(
        json.dumps(
            {k: saved[k] for k in ("threshold", "examples", "cross_validated", "held_out")},
            ensure_ascii=False,
        )
    )
    for name, weight in sorted(zip(fitted.names, saved["weights"], strict=True), key=lambda t: -abs(t[1])):
        print(f"  {name:28} {weight:+.3f}")


if __name__ == "__main__":
    main()
