"""Score retrieval on the dev questions: hit@1/5/10, MRR, checklist item@1, figures by kind.

Runs the real CLI (`dangjian ingest`, `dangjian search --batch`) so the figures measure what users
get. A gold quote is found when it is a substring of a passage, white space removed from both.
The questions of all sets are scored in the two parts of the one seeded split (evals/common.py:
dev_part), "tuning" and "held_out", and together ("all"); misses are listed for the tuning part only.

A second pass, the no-plain-words condition, ingests a copy of corpus/ whose sidecars lack the
hand-written `[checklist_plain_words]` table and scores the checklist questions against it: how
far the engine gets on a checklist nobody has described in everyday words (a user's own). Usage:

    python evals/score_qa.py [--qa FILE]... [--label NAME] [--env DANGJIAN_X=VALUE]...
                             [--data-dir DIR] [--k 10] [--out FILE] [--skip-no-plain-words]

Each configuration (label) gets data dirs of its own, data/eval-LABEL and data/eval-LABEL-noplain,
and a data dir built under other DANGJIAN_* settings is refused rather than reused. Writes
evals/results/qa.json. Says so plainly, and exits 0, when the dev sets are absent (a user's clone
has no ../shared).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from evals.common import (  # noqa: E402
    HELD_OUT,
    RESULTS,
    ROOT,
    SHARED,
    TUNING,
    batch_search,
    dangjian,
    dev_part,
    squash,
    write_json,
)
from ingest.metadata import PLAIN_WORDS_TABLE, SIDECAR_SUFFIX  # noqa: E402

Question = dict[str, Any]
Answer = dict[str, Any]
Figures = dict[str, Any]

DEFAULT_QA = (SHARED / "eval" / "dev_qa.jsonl", SHARED / "eval" / "dev_qa2.jsonl")
ALL = "all"
CHECKLIST_KINDS = ("checklist", "old_checklist")
# The figures old readers of qa.json take from its top level (now: all sets together).
LEGACY_KEYS = ("questions", "hit@1", "hit@5", "hit@10", "mrr", "checklist_item@1", "hit@5_by_kind")
# Remembers the DANGJIAN_* settings a data dir was built under, so another configuration cannot reuse it.
STAMP = "eval_settings.json"
# The settings that decide what an ingest writes (the rest only weigh what is searched).
INDEX_SETTINGS = {
    "DANGJIAN_EMBED_MODEL",
    "DANGJIAN_CHUNK_CHARS",
    "DANGJIAN_SEMANTIC_MODEL",
    "DANGJIAN_SEMANTIC_MAX_PASSAGES",
    "DANGJIAN_CHROMA_URL",
    "DANGJIAN_CORPUS_DIR",
}
_TABLE_HEADER = re.compile(r"^\s*\[\[?([^\[\]]+)\]\]?\s*(#.*)?$")


@dataclass(frozen=True)
class Outcome:
    """One answerable question: where its gold first appears, and whether the top passage is a gold item."""

    kind: str
    rank: int | None
    item_ok: bool | None  # None: the question names no checklist item


def first_gold_rank(question: Question, results: list[dict[str, Any]]) -> int | None:
    """Rank of the first passage containing any gold quote."""
    quotes = [squash(g["quote"]) for g in question["gold"]]
    for r in results:
        text = squash(r["text"])
        if any(q in text for q in quotes):
            return int(r["rank"])
    return None


def _rate(flags: list[bool]) -> float:
    return round(sum(flags) / len(flags), 3) if flags else 0.0


def hit_rate(outcomes: list[Outcome], k: int) -> float:
    """Share of questions whose gold is in the top k."""
    return _rate([o.rank is not None and o.rank <= k for o in outcomes])


def item_rate(outcomes: list[Outcome]) -> float | None:
    """Share of item-naming questions whose top passage is a gold item; None when none names one."""
    flags = [o.item_ok for o in outcomes if o.item_ok is not None]
    return _rate(flags) if flags else None


def kind_figures(outcomes: list[Outcome]) -> Figures:
    """n, hit@1 and hit@5 of one kind, and item@1 where its questions name checklist items."""
    figures: Figures = {"n": len(outcomes), "hit@1": hit_rate(outcomes, 1), "hit@5": hit_rate(outcomes, 5)}
    item = item_rate(outcomes)
    return figures if item is None else {**figures, "item@1": item}


def score(questions: list[Question], answers: list[Answer]) -> Figures:
    """All figures, overall and per kind; negatives (no gold) only report their top score."""
    outcomes: list[Outcome] = []
    top_scores: dict[str, list[float]] = {"positive": [], "negative": []}
    misses = []
    for q, a in zip(questions, answers, strict=True):
        results = a["results"]
        top_scores["positive" if q["gold"] else "negative"].append(
            round(results[0]["score"], 3) if results else 0.0
        )
        if not q["gold"]:
            continue
        rank = first_gold_rank(q, results)
        item_ok = (bool(results) and results[0]["item"] in q["item"]) if q.get("item") else None
        outcomes.append(Outcome(q["kind"], rank, item_ok))
        if rank is None or rank > 5:
            misses.append({"id": q["id"], "kind": q["kind"], "rank": rank, "question": q["question"]})
    kinds = sorted({o.kind for o in outcomes})
    by_kind = {kind: kind_figures([o for o in outcomes if o.kind == kind]) for kind in kinds}
    return {
        "questions": len(outcomes),
        "negatives": len(top_scores["negative"]),
        "hit@1": hit_rate(outcomes, 1),
        "hit@5": hit_rate(outcomes, 5),
        "hit@10": hit_rate(outcomes, 10),
        "mrr": round(sum(1 / o.rank for o in outcomes if o.rank) / len(outcomes), 3) if outcomes else 0.0,
        "checklist_item@1": item_rate(outcomes) or 0.0,
        "hit@5_by_kind": {kind: f["hit@5"] for kind, f in by_kind.items()},
        "by_kind": by_kind,
        "top_score": top_scores,
        "misses@5": misses,
    }


def score_sets(sets: dict[str, list[Question]], answers: dict[str, list[Answer]]) -> dict[str, Figures]:
    """Each set's figures, then "all": every set's questions together."""
    scored = {name: score(questions, answers[name]) for name, questions in sets.items()}
    scored[ALL] = score(
        [q for questions in sets.values() for q in questions], [a for name in sets for a in answers[name]]
    )
    return scored


def strip_table(text: str, table: str) -> str:
    """TOML `text` without `[table]` and its sub-tables: from its header line up to the next other header.

    Textual because tomllib cannot write; comments and the other tables stay exactly as written.
    """
    kept: list[str] = []
    inside = False
    for line in text.splitlines(keepends=True):
        header = _TABLE_HEADER.match(line)
        if header:
            name = re.sub(r"[\"'\s]", "", header.group(1))
            inside = name == table or name.startswith(table + ".")
        if not inside:
            kept.append(line)
    return "".join(kept)


def strip_plain_words(text: str) -> str:
    """A sidecar's text without `[checklist_plain_words]`, checked with tomllib to parse and to lack it."""
    stripped = strip_table(text, PLAIN_WORDS_TABLE)
    if PLAIN_WORDS_TABLE in tomllib.loads(stripped):
        raise ValueError(f"{PLAIN_WORDS_TABLE} is not written as a [table] here: remove it by hand")
    return stripped


def copy_without_plain_words(corpus: Path, dest: Path) -> list[str]:
    """A fresh copy of `corpus` at `dest`, every sidecar's plain-words table removed; the sidecars changed.

    `dest` keeps the folder name `corpus`, so documents get the same ids as the original's.
    """
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(corpus, dest)
    changed = []
    for sidecar in sorted(dest.rglob(f"*{SIDECAR_SUFFIX}")):
        text = sidecar.read_text(encoding="utf-8")
        stripped = strip_plain_words(text)
        if stripped != text:
            sidecar.write_text(stripped, encoding="utf-8")
            changed.append(sidecar.relative_to(dest).as_posix())
    return changed


def claim_data_dir(data_dir: Path, env: dict[str, str]) -> None:
    """Refuse a data dir built under other settings that shape the index (e.g. another embedding
    model): its index would not be the one this configuration builds. Fusion weights do not shape
    it, so configurations that differ only in weights may share one (`--data-dir`) and skip the
    re-ingest. Stamps a new data dir with the settings."""
    settings = {key: value for key, value in sorted({**os.environ, **env}.items()) if key in INDEX_SETTINGS}
    stamp = data_dir / STAMP
    if stamp.is_file():
        built_with = json.loads(stamp.read_text(encoding="utf-8"))
        if built_with != settings:
            sys.exit(
                f"{data_dir} was built with {built_with}, not {settings}: "
                "pass another --label or --data-dir, or delete it."
            )
        return
    data_dir.mkdir(parents=True, exist_ok=True)
    stamp.write_text(json.dumps(settings, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def build_index(data_dir: Path, env: dict[str, str], corpus: Path | None = None) -> None:
    """Ingest `corpus` (default: the bundled one) into its own data dir; documents gone since are pruned."""
    claim_data_dir(data_dir, env)
    dangjian(data_dir, "ingest", "--prune", *([str(corpus)] if corpus else []), env=env)


def search_sets(
    data_dir: Path, sets: dict[str, list[Question]], k: int, env: dict[str, str]
) -> dict[str, list[Answer]]:
    """One batch for every set, so the models load once; the answers split back per set."""
    flat = [q["question"] for questions in sets.values() for q in questions]
    answers = batch_search(data_dir, flat, k, env)
    if len(answers) != len(flat):
        sys.exit(f"dangjian search --batch answered {len(answers)} of {len(flat)} questions")
    split: dict[str, list[Answer]] = {}
    for name, questions in sets.items():
        split[name], answers = answers[: len(questions)], answers[len(questions) :]
    return split


def checklist_figures(scored: dict[str, Figures]) -> dict[str, Figures]:
    """What the no-plain-words condition reports per set: hit@5 and item@1, by kind, and the misses."""
    return {
        name: {
            "questions": f["questions"],
            "hit@5": f["hit@5"],
            "item@1": f["checklist_item@1"],
            "by_kind": f["by_kind"],
            "misses@5": f["misses@5"],
        }
        for name, f in scored.items()
    }


def no_plain_words(
    sets: dict[str, list[Question]],
    answers: dict[str, list[Answer]],
    data_dir: Path,
    k: int,
    env: dict[str, str],
) -> Figures:
    """The checklist questions against corpus/ without its plain words, beside the same questions'
    figures with them (from `answers`): what the hand-written descriptions are worth."""
    picked = {
        name: [i for i, q in enumerate(qs) if q["kind"] in CHECKLIST_KINDS] for name, qs in sets.items()
    }
    asked = {name: [sets[name][i] for i in picks] for name, picks in picked.items() if picks}
    if not asked:
        return {"skipped": f"no questions of kinds {', '.join(CHECKLIST_KINDS)}"}
    source = data_dir / "source" / "corpus"
    stripped = copy_without_plain_words(ROOT / "corpus", source)
    if not stripped:
        return {"skipped": f"no sidecar in corpus/ has a [{PLAIN_WORDS_TABLE}] table"}
    build_index(data_dir, env, source)
    with_plain = {name: [answers[name][i] for i in picked[name]] for name in asked}
    return {
        "kinds": list(CHECKLIST_KINDS),
        "data_dir": str(data_dir),
        "stripped_sidecars": stripped,
        "sets": checklist_figures(score_sets(asked, search_sets(data_dir, asked, k, env))),
        "with_plain_words": checklist_figures(score_sets(asked, with_plain)),
    }


COLUMNS = ("n", "hit@1", "hit@5", "hit@10", "mrr", "item@1", "np hit@5", "np item@1")
Row = tuple[str, str, dict[str, Any]]


def _cell(value: float | int | None) -> str:
    if value is None:
        return "-"
    return str(value) if isinstance(value, int) else f"{value:.3f}"


def _np_cells(figures: Figures | None) -> dict[str, Any]:
    """The no-plain-words columns, from that condition's figures for the row (if any)."""
    figures = figures or {}
    return {"np hit@5": figures.get("hit@5"), "np item@1": figures.get("item@1")}


def _set_rows(name: str, figures: Figures, plain: Figures) -> list[Row]:
    """One set's rows: each kind, its checklist kinds with and without plain words, and the whole set."""
    without = plain.get("sets", {}).get(name)
    np_kinds = without["by_kind"] if without else {}
    rows: list[Row] = [
        (name, kind, {**f, **_np_cells(np_kinds.get(kind))}) for kind, f in figures["by_kind"].items()
    ]
    if without:
        base = plain["with_plain_words"][name]
        cells = {"n": base["questions"], "hit@5": base["hit@5"], "item@1": base["item@1"]}
        rows.append((name, "(checklist kinds)", {**cells, **_np_cells(without)}))
    overall = {c: figures[c] for c in ("hit@1", "hit@5", "hit@10", "mrr")}
    overall |= {"n": figures["questions"], "item@1": figures["checklist_item@1"]}
    rows.append((name, f"(all but {figures['negatives']} negatives)", overall))
    return rows


def summary_table(scored: dict[str, Figures], plain: Figures | None) -> str:
    """Set × kind rows; the "np" columns are the no-plain-words condition, for the checklist kinds."""
    rows = [row for name, figures in scored.items() for row in _set_rows(name, figures, plain or {})]
    set_width = max(len("set"), *(len(name) for name in scored))
    kind_width = max(len(kind) for _, kind, _ in rows)
    lines = [f"{'set':<{set_width}}  {'kind':<{kind_width}}" + "".join(f"{c:>10}" for c in COLUMNS)]
    lines += [
        f"{name:<{set_width}}  {kind:<{kind_width}}" + "".join(f"{_cell(cells.get(c)):>10}" for c in COLUMNS)
        for name, kind, cells in rows
    ]
    if plain and "skipped" in plain:
        lines.append(f"no-plain-words condition skipped: {plain['skipped']}")
    return "\n".join(lines)


def env_pair(text: str) -> tuple[str, str]:
    """`--env KEY=VALUE`: a DANGJIAN_* setting; never the data dir, which the label decides."""
    key, sep, value = text.partition("=")
    if not sep or not key.startswith("DANGJIAN_") or key == "DANGJIAN_DATA_DIR":
        raise argparse.ArgumentTypeError(f"expected DANGJIAN_NAME=VALUE (not the data dir), got {text!r}")
    return key, value


def label_name(text: str) -> str:
    """A label goes into folder names: letters, digits, dot, dash, underscore."""
    if not re.fullmatch(r"[\w.-]+", text):
        raise argparse.ArgumentTypeError(f"a label is letters, digits, '.', '-' or '_', got {text!r}")
    return text


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--qa", type=Path, action="append", help="a question file (repeatable; default: both dev sets)"
    )
    parser.add_argument("--label", type=label_name, default="default", help="names the configuration")
    parser.add_argument(
        "--env", type=env_pair, action="append", default=[], help="DANGJIAN_X=VALUE (repeatable)"
    )
    parser.add_argument("--data-dir", type=Path, help="default: data/eval-LABEL")
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--out", type=Path, default=RESULTS / "qa.json")
    parser.add_argument(
        "--skip-no-plain-words", action="store_true", help="skip the pass without [checklist_plain_words]"
    )
    return parser.parse_args()


def by_part(sets: dict[str, list[Question]]) -> dict[str, list[Question]]:
    """Every set's questions regrouped into the tuning and the held-out part (evals/common.py: dev_part)."""
    everything = [q for questions in sets.values() for q in questions]
    return {part: [q for q in everything if dev_part(q["id"]) == part] for part in (TUNING, HELD_OUT)}


def load_questions(path: Path) -> list[Question]:
    """One question per JSON line."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def main() -> None:
    args = parse_args()
    paths: list[Path] = args.qa or list(DEFAULT_QA)
    for path in paths:
        if not path.is_file():
            print(
                f"dev set not found at {path}: not scored (it lives in ../shared/eval, not in a user's clone)."
            )
    files = list(dict.fromkeys(path.resolve() for path in paths if path.is_file()))
    if not files:
        print("nothing to score.")
        return
    found = {path.stem: path for path in files}
    if len(found) < len(files) or ALL in found:
        sys.exit(f"question files need distinct names, none of them {ALL!r}: {[str(p) for p in files]}")
    sets = by_part({name: load_questions(path) for name, path in found.items()})
    env = dict(args.env)
    data_dir = args.data_dir or ROOT / "data" / f"eval-{args.label}"
    build_index(data_dir, env)
    answers = search_sets(data_dir, sets, args.k, env)
    scored = score_sets(sets, answers)
    scored[HELD_OUT]["misses@5"] = []  # scored in aggregate only, never read question by question
    plain = None
    if not args.skip_no_plain_words:
        plain = no_plain_words(sets, answers, data_dir.with_name(f"{data_dir.name}-noplain"), args.k, env)
    report = {
        "label": args.label,
        "env": env,
        "data_dir": str(data_dir),
        "k": args.k,
        "qa": {name: str(path) for name, path in found.items()},
        **{key: scored[ALL][key] for key in LEGACY_KEYS},
        "sets": scored,
        "no_plain_words": plain,
    }
    out = write_json(args.out, report)
    print(f"[{args.label}] {' '.join(f'{k}={v}' for k, v in env.items()) or 'default settings'}")
    print(summary_table(scored, plain))
    for name in sets:  # the held-out part has none listed
        for miss in scored[name]["misses@5"]:
            print(f"  miss {name} {miss['id']} [{miss['kind']}] rank={miss['rank']}: {miss['question']}")
    print(f"written to {out}")


if __name__ == "__main__":
    main()
