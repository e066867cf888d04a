"""Regenerate the README's CLI section from `dangjian --help` (tests check it is current).

Usage: .venv/bin/python scripts/readme_cli.py   (rewrites the block between the markers)
"""

from __future__ import annotations

import sys
from pathlib import Path

from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.cli import cli  # noqa: E402

README = ROOT / "README.md"
BEGIN = "<!-- cli-help:begin -->"
END = "<!-- cli-help:end -->"


def help_block() -> str:
    """`dangjian --help` and every command's `--help`, as one fenced block."""
    runner = CliRunner()
    parts = [runner.invoke(cli, ["--help"], prog_name="dangjian").output]
    for name in sorted(cli.commands):
        parts.append(runner.invoke(cli, [name, "--help"], prog_name="dangjian").output)
    body = "\n".join(p.rstrip() + "\n" for p in parts)
    return f"{BEGIN}\n```text\n{body}```\n{END}"


def render(readme: str) -> str:
    head, rest = readme.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return head + help_block() + tail


if __name__ == "__main__":
    README.write_text(render(README.read_text(encoding="utf-8")), encoding="utf-8")
