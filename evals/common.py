"""What the eval scripts share: running the real CLI, batch search, and the bench corpora's paths."""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "evals" / "results"
SHARED = ROOT.parent / "shared"
LAWS = SHARED / "bench" / "lawrefbook"
DEV_SETS = (SHARED / "eval" / "dev_qa.jsonl", SHARED / "eval" / "dev_qa2.jsonl")


def dev_set_parser(description: str) -> argparse.ArgumentParser:
    """The options of a script that reads the bundled corpus's index and the dev sets: --data-dir, --qa."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--data-dir", type=Path, default=ROOT / "data" / "eval-default")
    parser.add_argument(
        "--qa", type=Path, action="append", help="dev set(s); default: both in ../shared/eval"
    )
    return parser


def squash(text: str) -> str:
    """White space removed: gold quotes and passages are compared this way."""
    return re.sub(r"\s+", "", text)


def dangjian(data_dir: Path, *args: str, env: dict[str, str] | None = None) -> str:
    """Run the installed CLI against `data_dir` (plus any DANGJIAN_* overrides) and return its stdout."""
    full_env = {**os.environ, "DANGJIAN_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1", **(env or {})}
    done = subprocess.run(
        [sys.executable, "-m", "app", *args],
        env=full_env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        sys.exit(f"dangjian {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout


def batch_search(
    data_dir: Path, questions: list[str], k: int, env: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """`dangjian search --batch`: one JSON object per question, in order."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8", delete=False) as batch:
        batch.write("\n".join(q.replace("\n", " ") for q in questions) + "\n")
    try:
        out = dangjian(data_dir, "search", "--batch", batch.name, "--k", str(k), env=env)
    finally:
        Path(batch.name).unlink()
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def write_result(name: str, figures: dict[str, Any]) -> Path:
    """evals/results/NAME.json, pretty and in UTF-8."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / name
    path.write_text(json.dumps(figures, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def write_json(path: Path, data: dict[str, Any]) -> Path:
    """`data` as pretty UTF-8 JSON at any `path` (an `--out` may point outside evals/results)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path
