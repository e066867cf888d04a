"""Time to first answer on the Ask page, in a real browser, once the page is up (no LLM, bundled corpus).

The app is served on loopback over a data dir holding the bundled corpus; the
clock starts when the browser asks for `/?q=…` and stops when the first citation
link is on screen. The first question is the cold one (services built on first
use); the rest are warm. Usage:

    python evals/bench_ask.py [--data-dir data/bench-ask] [--repeat 5]

Writes evals/results/ask_latency.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser_support import headless_chromium, page_text, served_app  # noqa: E402

QUESTIONS = [
    "基层反映同一组数据要重复报好几次，属于清单里哪一条？",
    "机关里正式党员有几个人就能成立党支部？",
    "接待上级时超标准安排、借机大吃大喝，纪律处分条例怎么处分？",
    "政务服务技能大赛的主题是什么？",
    "预备党员的预备期是多长？",
]


def first_answer_seconds(driver: object, url: str, question: str) -> float:
    from selenium.webdriver.support.ui import WebDriverWait

    started = time.perf_counter()
    driver.get(f"{url}/?q={quote(question)}")  # type: ignore[attr-defined]
    WebDriverWait(driver, 120, poll_frequency=0.05).until(
        lambda d: "查看原文" in page_text(d) or "没有找到" in page_text(d)
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=ROOT / "data" / "bench-ask")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    ingest = [sys.executable, "-m", "app", "--data-dir", str(args.data_dir), "ingest"]
    subprocess.run(ingest, cwd=ROOT, check=True, capture_output=True)
    with (
        served_app(args.data_dir) as url,
        tempfile.TemporaryDirectory() as profile,
        headless_chromium(Path(profile)) as driver,
    ):
        cold = first_answer_seconds(driver, url, QUESTIONS[0])
        warm = [first_answer_seconds(driver, url, q) for _ in range(args.repeat) for q in QUESTIONS]
    figures = {
        "cold_first_answer_s": round(cold, 2),
        "warm_answer_s_median": round(statistics.median(warm), 2),
        "warm_answer_s_max": round(max(warm), 2),
        "questions": len(warm),
    }
    out = ROOT / "evals" / "results" / "ask_latency.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
