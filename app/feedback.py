"""Users' verdicts on answers (👍/👎 and "应该是…"), kept in the data dir as JSON lines.

The file only grows: one line per verdict, never rewritten, so a crash loses at most the line
being written and every process may append (a lock keeps two lines from interleaving). It is
what an administrator reads to find wrong answers, and what evals/feedback_questions.py turns
into dev questions.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from filelock import FileLock

FILE = "feedback.jsonl"
GOOD, WRONG = "good", "wrong"


@dataclass(frozen=True)
class Verdict:
    """One user's judgement of one answer, with what they saw."""

    question: str
    answer: str
    citations: list[str]  # the 出处 lines shown under the answer
    verdict: str  # GOOD or WRONG
    correction: str = ""  # "应该是…", when the user says
    time: str = field(default_factory=lambda: datetime.now().isoformat(timespec="seconds"))


def record(data_dir: Path, verdict: Verdict) -> None:
    """Append one verdict line."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / FILE
    with FileLock(str(data_dir / f"{FILE}.lock")), path.open("a+b") as out:
        torn = False  # a crash left half a line: the new one must not run on from it
        if out.seek(0, 2) > 0:
            out.seek(-1, 2)
            torn = out.read(1) != b"\n"
        line = json.dumps(asdict(verdict), ensure_ascii=False) + "\n"
        out.write((("\n" if torn else "") + line).encode("utf-8"))  # append mode: always at the end


def verdicts(data_dir: Path) -> list[Verdict]:
    """Every verdict, oldest first; a line that is not a whole record (a crash mid-write) is skipped."""
    path = data_dir / FILE
    if not path.exists():
        return []
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            found.append(Verdict(**json.loads(line)))
        except (json.JSONDecodeError, TypeError):
            continue
    return found
