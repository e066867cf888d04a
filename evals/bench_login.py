"""Login timing: an unknown name must take as long to refuse as a real name's wrong password (issue 30:
within 20 %, median of 20), or the timing tells which names exist. Real Argon2id on a real accounts
file in a temporary folder; each attempt from its own address, so no wait is triggered. Usage:

    .venv/bin/python evals/bench_login.py [--runs 20]

Prints the medians and their ratio; writes evals/results/login.json.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from app.accounts import Accounts, Role  # noqa: E402
from evals.common import write_result  # noqa: E402

PASSWORD = "correct-horse-9"


def timed(accounts: Accounts, name: str, password: str, runs: int) -> list[float]:
    """Seconds per login attempt, each from a fresh address."""
    times = []
    for n in range(runs):
        started = time.perf_counter()
        accounts.login(name, password, f"bench-{name}-{n}")
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        accounts = Accounts(Path(folder))
        accounts.add_user("李四", PASSWORD, Role.MEMBER, by="bench")
        cases = {
            "real name, right password": timed(accounts, "李四", PASSWORD, args.runs),
            "real name, wrong password": timed(accounts, "李四", "wrong-password", args.runs),
            "unknown name": timed(accounts, "nobody", "wrong-password", args.runs),
        }
    figures = {
        name: {
            k: round(1000 * f(t), 1)
            for k, f in (("min_ms", min), ("median_ms", statistics.median), ("max_ms", max))
        }
        for name, t in cases.items()
    }
    ratio = figures["unknown name"]["median_ms"] / figures["real name, wrong password"]["median_ms"]
    for name, f in figures.items():
        print(
            f"{name:28} min {f['min_ms']:7.1f} ms  median {f['median_ms']:7.1f} ms  max {f['max_ms']:7.1f} ms"
        )
    print(f"unknown / real wrong (medians): {ratio:.2f} (target 0.8–1.2)")
    write_result("login.json", {"runs": args.runs, "cases": figures, "unknown_over_real": round(ratio, 3)})


if __name__ == "__main__":
    main()
