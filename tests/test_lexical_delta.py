"""Small changes to a large corpus go into a delta segment that ranks like a full rebuild."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.services import build_services
from index import updater
from index.lexical import LexicalIndex, policy, storage
from index.lexical.segment import Segment
from index.updater import refresh_lexical
from tests.conftest import CORPUS, make_settings

REGULATIONS = CORPUS / "党内法规"
NEW_ARTICLE = "第九十九条 机关食堂应当公示每周菜谱并接受干部职工监督。"
QUESTIONS = ("食堂菜谱公示", "问责情形", "廉洁自律", "党组织书记职责", "违反中央八项规定精神")


@pytest.fixture()
def incremental(monkeypatch: pytest.MonkeyPatch) -> None:
    """Treat the nine regulations as a large corpus, and let a delta grow to any size."""
    monkeypatch.setattr(policy, "INCREMENTAL_FROM", 0)
    monkeypatch.setattr(policy, "DELTA_SHARE", 1.0)


def _edit(docs: Path) -> None:
    """One document changed, one removed, one added."""
    changed = docs / "中国共产党问责条例.md"
    changed.write_text(changed.read_text(encoding="utf-8") + f"\n\n{NEW_ARTICLE}\n", encoding="utf-8")
    (docs / "中国共产党廉洁自律准则.md").unlink()
    (docs / "中国共产党廉洁自律准则.meta.toml").unlink()
    (docs / "新规定.md").write_text(
        "# 机关作风规定\n\n第一条 党组织书记履行第一责任人职责。\n", encoding="utf-8"
    )


def test_delta_hides_old_passages_and_ranks_like_a_full_build(tmp_path: Path, incremental: None) -> None:
    docs = tmp_path / "docs"
    shutil.copytree(REGULATIONS, docs)
    services = build_services(make_settings(tmp_path / "data"))
    services.ingest([docs], prune=True)
    main_before = storage.stored(services.lexical_folder, "main")

    _edit(docs)
    services.ingest([docs], prune=True)
    updated = storage.load(services.lexical_folder)
    assert updated is not None and updated.delta is not None
    assert updated.main.name == main_before  # the main segment was not rebuilt
    assert updated.fingerprint == services.store.fingerprint()
    assert updated.passages == services.store.count() < len(updated.ids)  # old versions hidden, not counted

    reopened = build_services(make_settings(tmp_path / "data")).engine()  # another process, from disk
    assert reopened.lexical.delta is not None
    top = reopened.search(NEW_ARTICLE, 1)[0]
    assert "公示每周菜谱" in top.passage.text
    live = set(services.store.get_passages(sorted(set(updated.ids))).keys())
    for hits in updated.search("廉洁自律准则 问责条例", 50).values():
        assert all(pid in live for pid, _ in hits)  # nothing of the old or removed versions comes back

    rows = updater._Passages.of(services.store.iter_passages(), services.store.document_hashes())
    full = LexicalIndex.build(rows.ids, rows.texts, updated.tokenizer.terms, "full")
    # Dead passages still count in main's document frequencies, so scores differ a little
    # (here much more than in a large corpus: one document in nine is dead); rankings must not.
    for question in QUESTIONS:
        for channel, hits in updated.search(question, 5).items():
            expected = full.search(question, 5)[channel]
            assert hits[0][0] == expected[0][0], (question, channel)
            assert hits[0][1] == pytest.approx(expected[0][1], rel=0.3), (question, channel)


def test_delta_outgrowing_its_share_means_a_full_build(
    tmp_path: Path, incremental: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs = tmp_path / "docs"
    shutil.copytree(REGULATIONS, docs)
    services = build_services(make_settings(tmp_path / "data"))
    services.ingest([docs], prune=True)
    main_before = storage.stored(services.lexical_folder, "main")
    monkeypatch.setattr(policy, "DELTA_SHARE", 0.01)  # three changed documents of nine is too many
    _edit(docs)
    services.ingest([docs], prune=True)
    rebuilt = storage.load(services.lexical_folder)
    assert rebuilt is not None and rebuilt.delta is None and not len(rebuilt.dead)
    assert rebuilt.main.name != main_before
    assert [p.name for p in services.lexical_folder.iterdir() if p.is_dir()] == [rebuilt.main.name]
    assert refresh_lexical(services.store, services.lexical_folder).main.name == rebuilt.main.name


def test_save_leaves_another_process_s_segment_alone(tmp_path: Path) -> None:
    """Only segments the previous metadata named, or a crashed save's old leftovers, are removed."""
    import os
    import time

    texts = ["第一条 党组织书记履行第一责任人职责。", "第二条 机关食堂应当公示每周菜谱。"]
    folder = tmp_path / "lexical"
    storage.save(LexicalIndex.build(["a#0", "b#0"], texts, [], "one"), folder)
    in_flight = folder / "main-someoneelse"  # another process, between writing it and naming it
    in_flight.mkdir()
    crashed = folder / "delta-crashed"
    crashed.mkdir()
    old = time.time() - 2 * 3600
    os.utime(crashed, (old, old))
    second = LexicalIndex.build(["a#0", "b#0"], texts, [], "two")
    storage.save(second, folder)
    names = {p.name for p in folder.iterdir() if p.is_dir()}
    assert names == {second.main.name, "main-someoneelse"}
    loaded = storage.load(folder)
    assert loaded is not None and loaded.fingerprint == "two"


def test_load_retries_once_when_the_segments_move_underneath(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "lexical"
    storage.save(LexicalIndex.build(["a#0"], ["第一条 党组织书记履行第一责任人职责。"], [], "one"), folder)
    real = Segment.load
    calls = {"n": 0}

    def gone_once(path: Path) -> Segment:
        calls["n"] += 1
        if calls["n"] == 1:
            raise FileNotFoundError(path)  # removed by another process's save just now
        return real(path)

    monkeypatch.setattr(Segment, "load", staticmethod(gone_once))
    loaded = storage.load(folder)
    assert loaded is not None and calls["n"] == 2
