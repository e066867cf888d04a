"""Fit the answerability model (app/drafting/answerability.py) and write app/drafting/answerability.json.

Training examples, each a question judged by the real composer over the bundled corpus's index:
- the tuning part of the dev questions (evals/common.py: dev_part), never the held-out part: an
  answerable one is positive when the search finds its gold passage; a negative is negative;
- the train part of the written question → provision pairs (the part evals/adapt_teacher.py trains on),
  positive when the search finds the clause;
- synthetic negatives: every positive asked again with its evidence withheld from the library (the
  documents holding its gold quotes dropped from search, checklist items, sections and records, as if
  they had never been ingested); and the same in small libraries of a few bundled documents each (SMALL_LIBRARIES), a
  question asked where its evidence is and where it is not.
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
import functools
import hashlib
import json
import shutil
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from evals.adapt_teacher import TRAIN, load_pairs, train_part  # noqa: E402
from evals.common import DEV_SETS, ROOT, TUNING, dev_part, squash, write_result  # noqa: E402
from evals.learning import fit  # noqa: E402
from evals.score_qa import build_index  # noqa: E402

CORPUS = ROOT / "corpus"
SMALL_LIBRARIES = (  # bundled documents grouped as a unit's few files might be
    ("000_7485c2985d73583a.txt", "001_a4f6c2c5b5ed566a.txt"),
    ("002_be1271247ced2dc7.txt", "003_015570a6efc93595.txt"),
    ("004_d0e9adb6653503b8.txt", "中国共产党廉洁自律准则.md", "中共中央八项规定__全文.md"),
    ("中国共产党纪律处分条例_2023.md",),
    ("中国共产党章程_2022_二十大修改.txt", "关于新形势下党内政治生活的若干准则.md"),
    (
        "中国共产党党和国家机关基层组织工作条例_2019.txt",
        "党委_党组_落实全面从严治党主体责任规定.md",
        "中国共产党问责条例.md",
        "中央八项规定实施细则.md",
    ),
)


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


def labelled(q: dict[str, Any], decided: Any, label: int, twin: bool, source: str = "") -> dict[str, Any]:
    return {
        "group": q["id"],
        "source": source or q["source"],
        "twin": twin,
        "label": label,
        **decided.features,
    }


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
            rows.append(labelled(q, decided, 0, False))
            continue
        if not holds(quotes, decided.hits):
            continue  # the search missed it: a retrieval failure, not an answerability example
        rows.append(labelled(q, decided, 1, False))
        hidden = judge(q["question"], Withheld(library, {g["doc"] for g in q["gold"]}))
        if not hidden.why and hidden.answer is not None:
            rows.append(labelled(q, hidden, 0, True))
    return rows


@functools.cache
def small_library(documents: tuple[str, ...]) -> Any:
    """A library of a few bundled documents, as a unit's own would be: its own ingest, so its lexical
    weights, channels and teacher spread are those of a small library, not a filtered large one."""
    from app.services import build_services
    from app.settings import Settings

    folder = ROOT / "data" / f"eval-small-{SMALL_LIBRARIES.index(documents)}"
    corpus = folder / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    stems = {Path(d).stem for d in documents}
    for source in CORPUS.rglob("*"):
        copy = corpus / source.name
        if source.is_file() and source.name.split(".")[0] in stems and not copy.exists():
            shutil.copy2(source, copy)  # a copy: ingest never follows links
    build_index(folder / "data", {}, corpus)
    return build_services(Settings(data_dir=folder / "data")).library()


def small_examples(questions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every question asked in the small library holding its evidence (answerable when the search finds
    it) and in another small library, chosen by its id's hash, that lacks it (not answerable)."""
    from app.drafting.composer import judge

    libraries = [(set(docs), small_library(docs)) for docs in SMALL_LIBRARIES]
    rows = []
    for q in questions:
        gold = {g["doc"] for g in q.get("gold", [])}
        source = f"{q['source']}-small"
        home = next((lib for docs, lib in libraries if gold and gold <= docs), None)
        if home is not None:
            decided = judge(q["question"], home)
            if (
                not decided.why
                and decided.answer is not None
                and holds([g["quote"] for g in q["gold"]], decided.hits)
            ):
                rows.append(labelled(q, decided, 1, False, source))
        away = [lib for docs, lib in libraries if not gold & docs]
        decided = judge(q["question"], away[hash_of((q["id"],)) % len(away)])
        if not decided.why and decided.answer is not None:
            rows.append(labelled(q, decided, 0, bool(gold), source))
    return rows


def hash_of(parts: tuple[str, ...]) -> int:
    """A stable hash (Python's own is salted per process)."""
    return int.from_bytes(hashlib.blake2b("\x1f".join(parts).encode(), digest_size=8).digest(), "big")


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
    parser.add_argument("--rows", type=Path, help="also write the tuning rows (features, labels) here")
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
    tuning = [q for q in dev if dev_part(q["id"]) == TUNING] + fitted_on[::stride][: args.pairs]
    rows = examples(library, tuning) + small_examples(tuning)
    if args.rows:
        args.rows.write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
        )
    fitted = fit(rows)
    labels = [r["label"] for r in rows]
    cut = best_cut(fitted.out_of_fold.tolist(), labels, args.keep)
    cv = report(rows, fitted.out_of_fold.tolist(), cut)
    # the held-out dev questions and pairs, in aggregate only: what the model does on questions it never saw
    held = [q for q in dev if dev_part(q["id"]) != TUNING] + [p for p in pairs if p["id"] not in train_ids]
    unseen = examples(library, held) + small_examples(held)
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
