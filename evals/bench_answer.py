"""Warm `ask` latency on the bundled corpus: the time from question to composed answer in one process.

The index is loaded and one question asked first (as the web page does when it opens); then every
question is answered ROUNDS times and each answer timed. Questions: both dev sets when present,
else the built-in list below (a user's clone has no ../shared). Usage:

    python evals/bench_answer.py [--data-dir data/eval-default] [--rounds 3]

Prints p50/p95/max overall and by answer kind; writes evals/results/answer_latency.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from app.drafting.composer import compose_answer  # noqa: E402
from app.drafting.question import document_names, understand  # noqa: E402
from app.services import build_services  # noqa: E402
from app.settings import load_settings  # noqa: E402
from evals.common import ROOT, SHARED, write_result  # noqa: E402

BUILT_IN = (
    "基层反映同一组数据要重复报好几次，属于清单里哪一条？",
    "收受礼品礼金怎么处分",
    "三年行动计划的主要内容分成哪几大块？",
    "“先锋杯”大赛，2023年方案和今年党建要点各提了什么要求？",
    "2020年作风整顿活动领导小组的组长具体是谁？",
    "2026年市直机关作风建设重点问题清单都有哪些条目？",
    "政务服务技能大赛的主题是什么？",
    "想讲一堂“密切联系群众”的党课，党章和本地文件里能引哪些话？",
    "群众嫌窗口办事时间跟上班时间撞车，材料里有没有具体改进做法？",
    "党章规定预备党员的预备期是多长？",
)
DEV_SETS = (SHARED / "eval" / "dev_qa.jsonl", SHARED / "eval" / "dev_qa2.jsonl")


def questions() -> list[str]:
    if all(p.is_file() for p in DEV_SETS):
        return [
            json.loads(line)["question"]
            for p in DEV_SETS
            for line in p.read_text("utf-8").splitlines()
            if line
        ]
    print("没有找到开发问题集（../shared/eval），改用内置的 10 个问题。")
    return list(BUILT_IN)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data-dir", type=Path, default=ROOT / "data" / "eval-default")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    services = build_services(load_settings(data_dir=args.data_dir))
    if not args.data_dir.is_dir():
        services.ingest()
    started = time.perf_counter()
    library = services.library()
    asked = questions()
    compose_answer(asked[0], library)
    first = time.perf_counter() - started
    names = document_names(library)
    by_kind: dict[str, list[float]] = {}
    for _ in range(args.rounds):
        for question in asked:
            t0 = time.perf_counter()
            compose_answer(question, library)
            ms = 1000 * (time.perf_counter() - t0)
            by_kind.setdefault(understand(question, names).kind.value, []).append(ms)
    every = [ms for values in by_kind.values() for ms in values]
    figures = {
        "questions": len(asked),
        "rounds": args.rounds,
        "load_and_first_answer_s": round(first, 2),
        "p50_ms": round(statistics.median(every), 1),
        "p95_ms": round(percentile(every, 0.95), 1),
        "max_ms": round(max(every), 1),
        "by_kind_p50_ms": {k: round(statistics.median(v), 1) for k, v in sorted(by_kind.items())},
    }
    print(json.dumps(figures, ensure_ascii=False, indent=2))
    print(f"写入 {write_result('answer_latency.json', figures)}")


if __name__ == "__main__":
    main()
