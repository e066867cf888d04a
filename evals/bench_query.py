"""Query speed at scale, over the law-corpus index (~150,000 passages).

- warm latency of `search` in one process: p50/p95/p99 over 500 varied questions
  (the 308 STARD questions plus clauses drawn from the laws, fixed seed), and the
  process's peak RSS while serving them;
- throughput of `dangjian search --batch` (a whole process, start-up included);
- cold start of the CLI (`dangjian search "…"`, process start to first result), median of 3;
- cold start of the web app in headless Chromium, each on a freshly started `dangjian serve`:
  the Ask page up (index loaded), the first answer after that, and a `?q=` link as the very
  first request (evals/bench_ask.py's figures; skipped when Chromium is missing).

    .venv/bin/python evals/bench_query.py [--data-dir data/bench-laws]

Writes evals/results/query.json. Says so and exits 0 when ../shared/bench is absent.
"""

from __future__ import annotations

import json
import random
import re
import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from evals.bench_stard import STARD  # noqa: E402
from evals.common import LAWS, ROOT, batch_search, dangjian, write_result  # noqa: E402

QUESTIONS = 500


def varied_questions(n: int, seed: int = 11) -> list[str]:
    """Real layperson questions first, then clauses cut from the laws for the rest."""
    real = [
        json.loads(line)["question"]
        for line in STARD.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    clauses: list[str] = []
    for path in sorted(LAWS.rglob("*.md"))[::25]:
        text = path.read_text(encoding="utf-8")
        clauses += [c for c in re.split(r"[。；！？\n]", text) if 8 <= len(c.strip()) <= 40]
    return real[:n] + random.Random(seed).sample(clauses, max(0, n - len(real)))


def warm_latency(data_dir: Path, questions: list[str]) -> dict[str, float]:
    from app.services import build_services
    from app.settings import load_settings

    engine = build_services(load_settings(data_dir=data_dir)).engine()
    for q in questions[:5]:
        engine.search(q, 10)
    times = []
    for q in questions:
        started = time.perf_counter()
        engine.search(q, 10)
        times.append((time.perf_counter() - started) * 1000)
    p50, p95, p99 = np.percentile(times, [50, 95, 99])
    return {
        "p50_ms": round(float(p50), 1),
        "p95_ms": round(float(p95), 1),
        "p99_ms": round(float(p99), 1),
        "serving_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def cli_cold_start(data_dir: Path, question: str, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        dangjian(data_dir, "search", question, "--k", "10")
        times.append(time.perf_counter() - started)
    return round(statistics.median(times), 2)


def web_start(data_dir: Path, question: str) -> dict[str, float] | None:
    from evals.bench_ask import start_figures
    from tests.browser_support import CHROMEDRIVER, CHROMIUM

    return start_figures(data_dir, question) if CHROMIUM and CHROMEDRIVER else None


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=ROOT / "data" / "bench-laws")
    args = parser.parse_args()
    if not (LAWS.is_dir() and STARD.is_file()):
        print(f"law corpus not found at {LAWS}: it lives in ../shared/bench, not in a user's clone.")
        return
    dangjian(args.data_dir, "ingest", str(LAWS))
    questions = varied_questions(QUESTIONS)
    figures: dict[str, object] = {"questions": len(questions)}
    figures["warm"] = warm_latency(args.data_dir, questions)
    started = time.perf_counter()
    batch_search(args.data_dir, questions, 10)
    batch_s = time.perf_counter() - started
    figures["batch"] = {"seconds": round(batch_s, 1), "questions_per_s": round(len(questions) / batch_s, 1)}
    figures["cli_cold_start_s"] = cli_cold_start(args.data_dir, questions[0])
    figures["web"] = web_start(args.data_dir, questions[0])
    print(json.dumps(figures, ensure_ascii=False, indent=2))
    print(f"written to {write_result('query.json', figures)}")


if __name__ == "__main__":
    main()
