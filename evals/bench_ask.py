"""Time to first answer on the Ask page, in a real browser, once the page is up (no LLM, bundled corpus).

The app is served on loopback over a data dir holding the bundled corpus. Three figures, each
first one on a freshly started server:
- page up: opening the Ask page until it says the index is loaded;
- first answer after the page is up: the question typed into the chat box until the answer joins
  the conversation;
- a shared `/ask?q=` link as the very first request (the index loads inside that answer);
then later answers: the sample questions typed one after another into the same conversation. Usage:

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
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser_support import headless_chromium, page_text, served_app  # noqa: E402

CHAT_BOX = '[data-testid="stChatInputTextArea"]'
QUESTIONS = [
    "基层反映同一组数据要重复报好几次，属于清单里哪一条？",
    "机关里正式党员有几个人就能成立党支部？",
    "接待上级时超标准安排、借机大吃大喝，纪律处分条例怎么处分？",
    "政务服务技能大赛的主题是什么？",
    "预备党员的预备期是多长？",
]


def seconds_until(driver: object, address: str, *marks: str) -> float:
    """Open `address` and wait until the page shows any of `marks`."""
    from selenium.webdriver.support.ui import WebDriverWait

    started = time.perf_counter()
    driver.get(address)  # type: ignore[attr-defined]
    WebDriverWait(driver, 120, poll_frequency=0.05).until(lambda d: any(m in page_text(d) for m in marks))
    return time.perf_counter() - started


def first_answer_seconds(driver: object, url: str, question: str) -> float:
    """A shared link (`/ask?q=…`) opened: until its answer is on screen."""
    return seconds_until(driver, f"{url}/ask?q={quote(question)}", "查看原文", "没有找到")


def typed_answer_seconds(driver: Any, question: str) -> float:
    """A question typed into the open page's chat box: until its answer joins the conversation."""
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    messages = '[data-testid="stChatMessage"]'
    before = len(driver.find_elements("css selector", messages))
    box = driver.find_element("css selector", CHAT_BOX)
    started = time.perf_counter()
    box.send_keys(question, Keys.ENTER)
    WebDriverWait(driver, 120, poll_frequency=0.05).until(
        lambda d: len(d.find_elements("css selector", messages)) >= before + 2
    )
    return time.perf_counter() - started


def page_up_seconds(driver: Any, url: str) -> float:
    """Open the Ask page and wait until it reports the index loaded and its chat box takes questions."""
    from selenium.webdriver.support.ui import WebDriverWait

    started = time.perf_counter()
    driver.get(url)
    WebDriverWait(driver, 120, poll_frequency=0.05).until(
        lambda d: "已载入索引" in page_text(d) and d.find_elements("css selector", CHAT_BOX)
    )
    return time.perf_counter() - started


@contextmanager
def fresh_page(data_dir: Path) -> Iterator[tuple[Any, str]]:
    """A newly started server over `data_dir` and a new headless browser: (driver, url)."""
    with (
        served_app(data_dir) as url,
        tempfile.TemporaryDirectory() as profile,
        headless_chromium(Path(profile)) as driver,
    ):
        yield driver, url


def start_figures(data_dir: Path, question: str) -> dict[str, float]:
    """Page up, first answer after it, and a `?q=` link as the first request, each on a fresh server."""
    with fresh_page(data_dir) as (driver, url):
        page_up = page_up_seconds(driver, url)
        after_page_up = typed_answer_seconds(driver, question)
    with fresh_page(data_dir) as (driver, url):
        cold = first_answer_seconds(driver, url, question)
    return {
        "page_up_s": round(page_up, 2),
        "first_answer_after_page_up_s": round(after_page_up, 2),
        "cold_first_answer_s": round(cold, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=ROOT / "data" / "bench-ask")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    ingest = [sys.executable, "-m", "app", "--data-dir", str(args.data_dir), "ingest"]
    subprocess.run(ingest, cwd=ROOT, check=True, capture_output=True)
    figures: dict[str, float | int] = dict(start_figures(args.data_dir, QUESTIONS[0]))
    with fresh_page(args.data_dir) as (driver, url):  # later answers: the conversation goes on
        page_up_seconds(driver, url)
        warm = [typed_answer_seconds(driver, q) for _ in range(args.repeat) for q in QUESTIONS]
    figures |= {
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
