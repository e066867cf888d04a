from pathlib import Path

from scripts.readme_cli import README, render


def test_readme_cli_section_matches_help() -> None:
    text = README.read_text(encoding="utf-8")
    assert render(text) == text, "README CLI section is stale: run .venv/bin/python scripts/readme_cli.py"


def test_readme_has_exactly_the_two_setup_commands() -> None:
    text = Path(README).read_text(encoding="utf-8")
    assert "bash scripts/install.sh && .venv/bin/dangjian ingest && .venv/bin/dangjian serve" in text
    assert "bash scripts/install.sh --dev && bash scripts/check.sh" in text
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert "bash scripts/install.sh --dev && bash scripts/check.sh" in ci
