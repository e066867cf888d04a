"""Small changes to a large corpus are made in place (tantivy deletes and adds), safely beside
other processes: readers never see a mix, and a killed refresh leaves the previous index."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from app.services import Services, build_services
from index import updater
from index.lexical import LexicalIndex, policy, storage
from index.lexical.tantivy_index import TantivyIndex
from index.updater import refresh_lexical
from tests.conftest import CORPUS, ROOT, SHARED_MODELS, make_settings

REGULATIONS = CORPUS / "党内法规"
NEW_ARTICLE = "第九十九条 机关食堂应当公示每周菜谱并接受干部职工监督。"
QUESTIONS = ("食堂菜谱公示", "问责情形", "廉洁自律", "党组织书记职责", "违反中央八项规定精神")
# Another process refreshing the lexical index of a data dir, with every change made in place;
# `kill_at` names a function that kills the process (SIGKILL) when it is called.
REFRESH = """
import os, signal, sys
from pathlib import Path
from app.services import Services, build_services
from app.settings import Settings
from index.lexical import policy, storage
from index.lexical.tantivy_index import TantivyIndex
from index.updater import refresh_lexical

policy.INCREMENTAL_FROM, policy.UPDATE_SHARE = 0, 1.0
data, models, kill_at = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
def killed(*_, **__):
    os.kill(os.getpid(), signal.SIGKILL)
if kill_at == "write":  # its folder linked, nothing committed in it
    TantivyIndex.write = killed
elif kill_at == "meta":  # its folder complete, not named yet
    storage._write_meta = killed
services = build_services(Settings(data_dir=data, semantic_model="", models_dir=models))
refresh_lexical(services.store, services.lexical_folder)
"""


@pytest.fixture()
def incremental(monkeypatch: pytest.MonkeyPatch) -> None:
    """Treat the nine regulations as a large corpus, and let updates grow to any size."""
    monkeypatch.setattr(policy, "INCREMENTAL_FROM", 0)
    monkeypatch.setattr(policy, "UPDATE_SHARE", 1.0)


def _edit(docs: Path) -> None:
    """One document changed, one removed, one added."""
    changed = docs / "中国共产党问责条例.md"
    changed.write_text(changed.read_text(encoding="utf-8") + f"\n\n{NEW_ARTICLE}\n", encoding="utf-8")
    (docs / "中国共产党廉洁自律准则.md").unlink()
    (docs / "中国共产党廉洁自律准则.meta.toml").unlink()
    (docs / "新规定.md").write_text(
        "# 机关作风规定\n\n第一条 党组织书记履行第一责任人职责。\n", encoding="utf-8"
    )


def _live_ids(index: LexicalIndex) -> set[str]:
    return {pid for pid in index.ids if pid}


def _refresh_elsewhere(data: Path, kill_at: str = "") -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", REFRESH, str(data), str(SHARED_MODELS), kill_at],
        cwd=ROOT,
        text=True,
        stderr=subprocess.PIPE,
    )


def _ingested(tmp_path: Path) -> tuple[Services, Path, LexicalIndex]:
    """A copy of the regulations ingested: the services, the copy, and the saved lexical index."""
    docs = tmp_path / "docs"
    shutil.copytree(REGULATIONS, docs)
    services = build_services(make_settings(tmp_path / "data"))
    services.ingest([docs], prune=True)
    saved = storage.load(services.lexical_folder)
    assert saved is not None
    return services, docs, saved


def _ingested_then_edited(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, LexicalIndex]:
    """The regulations ingested, then edited and written to the store without refreshing the lexical index."""
    services, docs, before = _ingested(tmp_path)
    _edit(docs)
    with monkeypatch.context() as m:
        m.setattr(updater, "refresh_lexical", lambda *_: None)
        assert services.ingest([docs], prune=True).changed
    return services.lexical_folder, before


def test_update_replaces_a_document_s_passages_and_ranks_like_a_full_build(
    tmp_path: Path, incremental: None
) -> None:
    services, docs, before = _ingested(tmp_path)
    _edit(docs)
    services.ingest([docs], prune=True)
    updated = storage.load(services.lexical_folder)
    assert updated is not None and updated.folder is not None and before.folder is not None
    assert updated.built == before.built < len(updated.ids)  # updated in place, not rebuilt
    assert not before.folder.exists()  # the previous version is gone once the new one is named
    assert [p.name for p in services.lexical_folder.iterdir() if p.is_dir()] == [updated.folder.name]
    assert updated.fingerprint == services.store.fingerprint()
    live = set(services.store.get_passages(sorted(_live_ids(updated))).keys())
    assert _live_ids(updated) == live and updated.passages == services.store.count() == len(live)

    reopened = build_services(make_settings(tmp_path / "data")).engine()  # another process, from disk
    top = reopened.search(NEW_ARTICLE, 1)[0]
    assert "公示每周菜谱" in top.passage.text
    for hits in updated.search("廉洁自律准则 问责条例", 50).values():
        assert hits and all(pid in live for pid, _ in hits)  # nothing of the old or removed versions
    items = {updated.ids[i] for i in updated.items}
    assert items == services.store.checklist_item_ids() & live

    rows = updater._Passages.of(services.store.iter_passages(), services.store.document_hashes())
    full = LexicalIndex.build(rows.ids, rows.texts, updated.tokenizer.terms, "full")
    # Deleted passages count in tantivy's statistics until merged away, so scores differ a little;
    # rankings must not.
    for question in QUESTIONS:
        for channel, hits in updated.search(question, 5).items():
            expected = full.search(question, 5)[channel]
            assert hits[0][0] == expected[0][0], (question, channel)
            assert hits[0][1] == pytest.approx(expected[0][1], rel=0.3), (question, channel)


def test_an_update_outgrowing_its_share_means_a_full_build(
    tmp_path: Path, incremental: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    services, docs, _ = _ingested(tmp_path)
    monkeypatch.setattr(policy, "UPDATE_SHARE", 0.01)  # three changed documents of nine is too many
    _edit(docs)
    services.ingest([docs], prune=True)
    rebuilt = storage.load(services.lexical_folder)
    assert rebuilt is not None and rebuilt.folder is not None
    assert rebuilt.built == len(rebuilt.ids) == rebuilt.passages == services.store.count()
    assert [p.name for p in services.lexical_folder.iterdir() if p.is_dir()] == [rebuilt.folder.name]
    assert refresh_lexical(services.store, services.lexical_folder).folder == rebuilt.folder


def test_two_processes_refreshing_at_once_leave_the_index_matching_the_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, before = _ingested_then_edited(tmp_path, monkeypatch)
    runs = [_refresh_elsewhere(tmp_path / "data") for _ in range(2)]
    for run in runs:
        assert run.wait(timeout=300) == 0, run.stderr.read() if run.stderr else ""
    services = build_services(make_settings(tmp_path / "data"))
    after = storage.load(folder)
    assert after is not None and after.fingerprint == services.store.fingerprint()
    # each updates in place, or rebuilds whole when the other's save retired its source folder mid-link:
    # either way the index ends up matching the store
    assert after.built in (before.built, services.store.count())
    assert _live_ids(after) == set(services.store.get_passages(sorted(_live_ids(after))).keys())
    assert after.passages == services.store.count()
    assert "公示每周菜谱" in services.engine().search(NEW_ARTICLE, 1)[0].passage.text


@pytest.mark.parametrize("kill_at", ["write", "meta"])
def test_a_killed_refresh_leaves_the_previous_index_and_a_rerun_the_clean_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kill_at: str
) -> None:
    folder, before = _ingested_then_edited(tmp_path, monkeypatch)
    killed = _refresh_elsewhere(tmp_path / "data", kill_at)
    assert killed.wait(timeout=300) == -9
    still = storage.load(folder)
    assert still is not None and still.fingerprint == before.fingerprint
    assert still.search("廉洁自律", 5) == before.search("廉洁自律", 5)

    rerun = _refresh_elsewhere(tmp_path / "data")
    assert rerun.wait(timeout=300) == 0, rerun.stderr.read() if rerun.stderr else ""
    services = build_services(make_settings(tmp_path / "data"))
    after = storage.load(folder)
    assert after is not None and after.fingerprint == services.store.fingerprint()
    assert _live_ids(after) == set(services.store.get_passages(sorted(_live_ids(after))).keys())
    assert after.passages == services.store.count()


def test_save_leaves_another_process_s_folder_alone(tmp_path: Path) -> None:
    """Only the folder the previous metadata named, or a crashed save's old leftovers, are removed."""
    texts = ["第一条 党组织书记履行第一责任人职责。", "第二条 机关食堂应当公示每周菜谱。"]
    folder = tmp_path / "lexical"
    with storage.new_folder(folder) as first:
        storage.save(LexicalIndex.build(["a#0", "b#0"], texts, [], "one", folder=first), folder)
    in_flight = folder / "index-someoneelse"  # another process, between writing it and naming it
    in_flight.mkdir()
    crashed = folder / "index-crashed"
    crashed.mkdir()
    old = time.time() - 2 * 3600
    os.utime(crashed, (old, old))
    with storage.new_folder(folder) as second:
        storage.save(LexicalIndex.build(["a#0", "b#0"], texts, [], "two", folder=second), folder)
    assert {p.name for p in folder.iterdir() if p.is_dir()} == {second.name, "index-someoneelse"}
    loaded = storage.load(folder)
    assert loaded is not None and loaded.fingerprint == "two"


def test_load_retries_once_when_the_folder_moves_underneath(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "lexical"
    with storage.new_folder(folder) as saved:
        storage.save(
            LexicalIndex.build(["a#0"], ["第一条 党组织书记履行第一责任人职责。"], [], "one", folder=saved),
            folder,
        )
    real = TantivyIndex.open
    calls = {"n": 0}

    def gone_once(path: Path) -> TantivyIndex:
        calls["n"] += 1
        if calls["n"] == 1:
            raise FileNotFoundError(path)  # removed by another process's save just now
        return real(path)

    monkeypatch.setattr(TantivyIndex, "open", staticmethod(gone_once))
    loaded = storage.load(folder)
    assert loaded is not None and calls["n"] == 2


def test_among_limits_to_those_rows_and_leaves_their_scores() -> None:
    texts = [
        "第一条 党组织书记履行第一责任人职责。",
        "第二条 机关食堂应当公示每周菜谱。",
        "第三条 党组织定期开展廉洁教育。",
    ]
    index = LexicalIndex.build(["a#0", "b#0", "c#0"], texts, [], "f")
    everywhere = index.search("党组织书记", 10)
    assert [pid for pid, _ in everywhere["words"]] == ["a#0", "c#0"]
    among = index.search("党组织书记", 10, among=np.asarray([1, 2]))
    assert among == {channel: [h for h in hits if h[0] == "c#0"] for channel, hits in everywhere.items()}
    assert index.search("党组织书记", 10, among=np.zeros(0, dtype=np.int64)) == {"words": [], "bigrams": []}
