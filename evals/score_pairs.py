"""How often the product's search finds the provision a written everyday-wording question is about.

Reads the written pairs (`../shared/train/pairs_*.jsonl`), takes the part of the seeded split that
evals/adapt_teacher.py never trains on (held out, 20 %; `--part train` for the other), asks each
question through `dangjian search --batch`, and counts the questions whose clause is in a passage of the
top 5 (and top 1, 10), by source: a = 纪律处分条例 behaviours, b = 党章 / 组织工作条例 / 政治生活准则,
c = 八项规定 / 廉洁 / 问责 / 主体责任 / 处分总则, d = the local plans. Usage:

    python evals/score_pairs.py [--part held_out|train] [--label NAME] [--env DANGJIAN_X=VALUE]...

Writes evals/results/pairs_LABEL.json; says so plainly, and exits 0, when ../shared/train is absent.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from evals.adapt_teacher import TRAIN, load_pairs  # noqa: E402
from evals.common import (  # noqa: E402
    PAIRS_SALT,
    PAIRS_TRAIN_SHARE,
    ROOT,
    batch_search,
    in_first_part,
    squash,
    write_result,
)
from evals.score_qa import build_index, env_pair, label_name  # noqa: E402

SOURCES = {
    "a": "纪律处分条例分则（行为→条文）",
    "b": "党章、组织工作条例、政治生活准则",
    "c": "八项规定、廉洁、问责、主体责任、处分总则",
    "d": "本地方案、要点",
}


def found_at(quote: str, results: list[dict[str, Any]]) -> int | None:
    wanted = squash(quote)
    return next((r["rank"] for r in results if wanted in squash(r["text"])), None)


def rates(ranks: list[int | None]) -> dict[str, Any]:
    n = len(ranks)
    return {
        "n": n,
        **{f"top{k}": round(sum(r is not None and r <= k for r in ranks) / n, 3) for k in (1, 5, 10)},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--part", choices=("held_out", "train"), default="held_out")
    parser.add_argument("--label", type=label_name, default="default")
    parser.add_argument("--env", type=env_pair, action="append", default=[])
    parser.add_argument("--data-dir", type=Path, help="data dir (default data/eval-LABEL)")
    args = parser.parse_args()
    if not TRAIN.is_dir():
        print(f"跳过：找不到训练问题 {TRAIN}（仓库旁的 ../shared/train）。")
        return
    env = dict(args.env)
    data_dir = args.data_dir or ROOT / "data" / f"eval-{args.label}"
    build_index(data_dir, env)
    train = args.part == "train"
    pairs = [p for p in load_pairs(TRAIN) if in_first_part(p["id"], PAIRS_SALT, PAIRS_TRAIN_SHARE) == train]
    answers = batch_search(data_dir, [p["question"] for p in pairs], 10, env)
    ranks = [found_at(p["quote"], a["results"]) for p, a in zip(pairs, answers, strict=True)]
    figures: dict[str, Any] = {"label": args.label, "env": env, "part": args.part, "all": rates(ranks)}
    for source, name in SOURCES.items():
        picked = [r for p, r in zip(pairs, ranks, strict=True) if p["id"][1] == source]
        if picked:
            figures[f"{source} {name}"] = rates(picked)
    path = write_result(f"pairs_{args.label}_{args.part}.json", figures)
    for key, value in figures.items():
        if isinstance(value, dict) and "n" in value:
            print(
                f"{key}: n {value['n']}, top1 {value['top1']}, top5 {value['top5']}, top10 {value['top10']}"
            )
    print(f"写入 {path}")


if __name__ == "__main__":
    main()
