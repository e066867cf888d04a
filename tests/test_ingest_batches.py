"""Bulk ingest in batches: an interrupted run keeps what it wrote and the next run resumes there."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from app.services import build_services
from index import updater
from index.lexical import storage
from tests.conftest import make_settings


def _many(folder: Path, n: int) -> Path:
    folder.mkdir()
    for i in range(n):
        body = "\n\n".join(
            f"第{n}条 第{i}号文件第{n}条规定：编号{i}-{k}的事项由专人负责办理。"
            for k, n in enumerate("一二三四五", 1)
        )
        (folder / f"doc{i:02d}.md").write_text(f"# 第{i}号文件\n\n{body}\n", encoding="utf-8")
    return folder


def test_interrupted_ingest_resumes_where_it_stopped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _many(tmp_path / "docs", 12)
    monkeypatch.setattr(updater, "BATCH_PASSAGES", 10)  # two documents a batch
    services = build_services(make_settings(tmp_path / "data"))
    real_embed = services._embed
    calls = {"n": 0}

    def embed_then_interrupt(texts: list[str]) -> np.ndarray:
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt  # Ctrl-C during the third batch
        return real_embed(texts)

    monkeypatch.setattr(services, "_embed", embed_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        services.ingest([folder])
    written = services.store.document_hashes()
    assert len(written) == 4  # two whole batches, nothing of the third
    assert all(
        services.store.get_document(d) is not None and services.store.get_document(d).text for d in written
    )

    resumed = build_services(make_settings(tmp_path / "data")).ingest([folder])
    assert sorted(resumed.unchanged) == sorted(written)  # not redone
    assert len(resumed.ingested) == 8 and resumed.passages == 8 * 5
    fresh = build_services(make_settings(tmp_path / "data"))
    assert fresh.store.count() == 12 * 5
    assert storage.stored(fresh.lexical_folder, "fingerprint") == fresh.store.fingerprint()
    hit = fresh.engine().search("编号11-3的事项", 1)[0]
    assert "编号11-3" in hit.passage.text


def test_report_times_every_stage(tmp_path: Path) -> None:
    report = build_services(make_settings(tmp_path / "data")).ingest([_many(tmp_path / "docs", 3)])
    assert set(report.stages) == set(updater.STAGES)
    assert all(report.stages[s] > 0 for s in ("read", "chunk", "embed", "write", "lexical"))
    assert report.characters > 0


def test_passages_written_without_their_record_are_still_deleted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killed between a batch's passages and its records: deleting the document finds the strays."""
    folder = _many(tmp_path / "docs", 2)
    services = build_services(make_settings(tmp_path / "data"))

    def killed(**_: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(services.store._documents, "upsert", killed)
    with pytest.raises(KeyboardInterrupt):
        services.ingest([folder])
    monkeypatch.undo()
    assert services.store.count() == 10 and not services.store.document_hashes()
    for doc_id in ("docs/doc00.md", "docs/doc01.md"):
        services.store.delete_document(doc_id)
    assert services.store.count() == 0
