"""What the eval scripts share: running the real CLI, batch search, and the bench corpora's paths."""

from __future__ import annotations

import argparse
import hashlib
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


# The one split of the dev questions (issue 27) and of the written training pairs (issue 28), each by a
# seeded hash of the id: a threshold, weight or model is fitted on the tuning part only; the held-out
# part is scored in aggregate and never read question by question.
DEV_SALT, DEV_TUNING_SHARE = "dangjian-dev-2026", 0.7
PAIRS_SALT, PAIRS_TRAIN_SHARE = "dangjian-pairs-2026", 0.8
TUNING, HELD_OUT = "tuning", "held_out"


def in_first_part(key: str, salt: str, share: float) -> bool:
    """Whether `key` falls in the first `share` of a seeded hash split (stable across runs and machines)."""
    value = int.from_bytes(hashlib.blake2b(f"{salt}:{key}".encode(), digest_size=8).digest(), "big")
    return value / 2**64 < share


def dev_part(question_id: str) -> str:
    """TUNING or HELD_OUT for a dev question's id."""
    return TUNING if in_first_part(question_id, DEV_SALT, DEV_TUNING_SHARE) else HELD_OUT


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
