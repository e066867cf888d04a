"""Shared by the page tests: a small real index built once per test process, and AppTest set up on it.

Embedding is the slow part of ingest, so the page tests share one index of four
bundled files (the 2025 plan with its checklist, the 2020 plan it supersedes,
two short regulations). Tests that add documents remove them again
(`restore_library`), so the tests stay independent of their order.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import app.state
from app.services import Services
from tests.conftest import CORPUS, ROOT

PAGE_FILES = (
    CORPUS / "东莞市直机关" / "000_7485c2985d73583a.txt",  # 2025 three-year plan with the 20-item checklist
    CORPUS / "东莞市直机关" / "003_015570a6efc93595.txt",  # 2020 plan, superseded by the 2025 one
    CORPUS / "党内法规" / "中共中央八项规定__全文.md",
    CORPUS / "党内法规" / "中国共产党廉洁自律准则.md",
)
PLAN_2025 = "东莞市直机关/000_7485c2985d73583a.txt"
PLAN_2020 = "东莞市直机关/003_015570a6efc93595.txt"
TIMEOUT = 120  # the first run loads the embedding model

_seeded: dict[str, Path] = {}


def seeded_data_dir(factory: pytest.TempPathFactory) -> Path:
    """The data dir holding PAGE_FILES, ingested on first use in this process."""
    if "dir" not in _seeded:
        data_dir = factory.mktemp("page-data")
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("DANGJIAN_DATA_DIR", str(data_dir))
            app.state.services.clear()
            report = app.state.services().ingest(list(PAGE_FILES))
        assert not report.rejected, report.rejected
        _seeded["dir"] = data_dir
    return _seeded["dir"]


def page_services(monkeypatch: pytest.MonkeyPatch, data_dir: Path) -> Services:
    """Point the app's cached services at `data_dir`, as the page will see them."""
    monkeypatch.setenv("DANGJIAN_DATA_DIR", str(data_dir))
    monkeypatch.delenv("DANGJIAN_CHROMA_URL", raising=False)
    app.state.services.clear()
    return app.state.services()


def page(name: str, **query: str) -> AppTest:
    """An AppTest of one page, with `query` as its address parameters."""
    at = AppTest.from_file(str(ROOT / "app" / "views" / f"{name}.py"), default_timeout=TIMEOUT)
    for key, value in query.items():
        at.query_params[key] = value
    return at


def run(at: AppTest) -> AppTest:
    """Run (or rerun) and fail on any exception the page raised."""
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


@pytest.fixture
def library(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[Services]:
    """The shared index as the pages see it; documents a test adds are deleted afterwards."""
    services = page_services(monkeypatch, seeded_data_dir(tmp_path_factory))
    before = {d.id for d in services.documents()}
    yield services
    current = app.state.services()
    for doc in current.documents():
        if doc.id not in before:
            current.delete_document(doc.id)
    assert {d.id for d in current.documents()} == before
    app.state.services.clear()  # later tests build their own services from their own settings
