"""Integration: real files, real Chroma, the lexical index kept in step with it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from app.services import Services, build_services
from index.lexical import LexicalIndex, storage
from tests.conftest import CORPUS, ROOT, make_settings

SEED = CORPUS / "东莞市直机关" / "000_7485c2985d73583a.txt"
REGULATION = CORPUS / "党内法规" / "中国共产党问责条例.md"


def _folder(tmp_path: Path) -> Path:
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(SEED, docs / "plan.txt")
    shutil.copy(REGULATION, docs / "wenze.md")
    return docs


def test_unchanged_reingest_does_no_work(tmp_path: Path) -> None:
    docs = _folder(tmp_path)
    first = build_services(make_settings(tmp_path / "data")).ingest([docs])
    assert len(first.ingested) == 2 and not first.rejected
    meta = build_services(make_settings(tmp_path / "data")).lexical_folder / "meta.json"
    stamp = meta.stat().st_mtime_ns
    fresh = build_services(make_settings(tmp_path / "data"))  # as a new process would
    second = fresh.ingest([docs])
    assert second.ingested == [] and sorted(second.unchanged) == ["docs/plan.txt", "docs/wenze.md"]
    assert fresh._embedder is None  # no model loaded, nothing embedded
    assert meta.stat().st_mtime_ns == stamp  # nothing re-tokenised


def test_changed_file_replaces_and_prune_removes(tmp_path: Path) -> None:
    docs = _folder(tmp_path)
    services = build_services(make_settings(tmp_path / "data"))
    services.ingest([docs])
    before = services.store.count()
    (docs / "wenze.md").write_text("第一条 本条例新增一句独一无二的话：青松翠柏常青。\n", encoding="utf-8")
    report = services.ingest([docs])
    assert [d for d, _ in report.ingested] == ["docs/wenze.md"]
    hits = services.engine().search("青松翠柏常青", 3)
    assert hits and "青松翠柏" in hits[0].passage.text
    assert services.store.count() < before  # the old articles are gone, not duplicated
    (docs / "wenze.md").unlink()
    report = services.ingest([docs], prune=True)
    assert report.removed == ["docs/wenze.md"]
    assert all(h.passage.doc_id != "docs/wenze.md" for h in services.engine().search("青松翠柏常青", 5))


def test_broken_files_are_refused_and_the_rest_ingested(tmp_path: Path) -> None:
    docs = _folder(tmp_path)
    (docs / "empty.txt").write_bytes(b"")
    (docs / "garbage.txt").write_bytes(bytes(range(256)) * 16)
    (docs / "fake.pdf").write_text("这不是 PDF 文件。", encoding="utf-8")
    (docs / "fake.docx").write_text("not a zip", encoding="utf-8")
    with zipfile.ZipFile(docs / "half.docx", "w") as z:
        z.writestr("word/document.xml", "<w:document")
    (docs / "data.xyz").write_text("unknown", encoding="utf-8")
    services = build_services(make_settings(tmp_path / "data"))
    report = services.ingest([docs])
    refused = {Path(p).name: reason for p, reason in report.rejected}
    assert set(refused) == {"empty.txt", "garbage.txt", "fake.pdf", "fake.docx", "half.docx", "data.xyz"}
    assert all(reason and "\n" not in reason for reason in refused.values())
    assert sorted(d for d, _ in report.ingested) == ["docs/plan.txt", "docs/wenze.md"]
    # The index stays consistent: the lexical index matches the store it was derived from.
    assert storage.stored(services.lexical_folder, "fingerprint") == services.store.fingerprint()
    assert set(services.store.document_hashes()) == {"docs/plan.txt", "docs/wenze.md"}


def test_each_model_gets_its_own_collection(tmp_path: Path) -> None:
    a = build_services(make_settings(tmp_path / "data"))
    b = build_services(make_settings(tmp_path / "data", embed_model="some/other-model"))
    assert a.store.namespace != b.store.namespace


def test_parallel_tokenising_builds_the_same_index(monkeypatch: pytest.MonkeyPatch) -> None:
    """Worker processes and renumbered vocabularies rank exactly as one process does."""
    from index.lexical import tokens

    texts = [line for line in SEED.read_text(encoding="utf-8").splitlines() if line.strip()]
    ids = [f"p{i}" for i in range(len(texts))]
    monkeypatch.setattr(tokens, "_CHUNK", 7)  # many chunks, each with its own local vocabulary
    one = LexicalIndex.build(ids, texts, ["填表报数"], "f")
    monkeypatch.setattr(tokens, "PARALLEL_FROM", 1)
    two = LexicalIndex.build(ids, texts, ["填表报数"], "f")
    for question in ("重复填表报数", "台账式管理销号制落实", "文山会海"):
        assert one.search(question, 10) == two.search(question, 10)
        assert one.search(question, 10)["words"]


def test_write_generation_moves_with_every_write_and_only_then(tmp_path: Path) -> None:
    """Readers in other processes poll this instead of hashing every document record."""
    docs = _folder(tmp_path)
    services = build_services(make_settings(tmp_path / "data"))
    assert services.store.generation() == ""
    services.ingest([docs])
    after_ingest = services.store.generation()
    assert after_ingest
    services.ingest([docs])  # unchanged: nothing written
    assert services.store.generation() == after_ingest
    services.store.delete_document("docs/wenze.md")
    assert services.store.generation() not in ("", after_ingest)


def test_index_saved_by_an_older_version_is_rebuilt(tmp_path: Path) -> None:
    """A metadata file missing newer keys means stale, not a crash at start-up."""
    import json

    from index.updater import refresh_lexical

    services = build_services(make_settings(tmp_path / "data"))
    services.ingest([_folder(tmp_path)])
    saved = storage.load(services.lexical_folder)
    assert saved is not None and saved.generation == services.store.generation()
    item_ids = {saved.ids[i] for i in saved.items}
    assert item_ids == services.store.checklist_item_ids() and len(item_ids) == 20
    meta_file = services.lexical_folder / "meta.json"
    meta = json.loads(meta_file.read_text(encoding="utf-8"))
    meta["main"] = meta.pop("index")  # the bm25s layout named a main segment folder instead
    del meta["generation"]  # and the single-folder layout had no generation
    meta_file.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    assert storage.load(services.lexical_folder) is None
    rebuilt = refresh_lexical(services.store, services.lexical_folder)
    assert rebuilt.generation == services.store.generation()
    assert rebuilt.search("问责", 5)["words"]


def test_a_write_that_changes_no_document_costs_one_fingerprint_scan(tmp_path: Path) -> None:
    """The generation moves but the documents are the same: no rebuild, and the next start is cheap."""
    from index.updater import refresh_lexical

    services = build_services(make_settings(tmp_path / "data"))
    services.ingest([_folder(tmp_path)])
    services.store._bump_generation()
    built = storage.stored(services.lexical_folder, "index")
    refresh_lexical(services.store, services.lexical_folder)
    assert storage.stored(services.lexical_folder, "index") == built  # not rebuilt
    assert storage.stored(services.lexical_folder, "generation") == services.store.generation()


def test_same_question_same_ranking_in_every_process(corpus_services: Services) -> None:
    """Approximate nearest neighbours once varied between processes at the cut, moving answers."""
    data_dir = corpus_services.settings.data_dir
    script = (
        "import sys, json; from pathlib import Path\n"
        "from app.services import build_services; from app.settings import load_settings\n"
        "engine = build_services(load_settings(data_dir=Path(sys.argv[1]))).engine()\n"
        "print(json.dumps(engine.rankings(sys.argv[2], 100)))\n"
    )
    question = "海事局那边，支部书记干得不好、大家打分又低的，会怎么处理？"
    runs = {
        subprocess.run(
            [sys.executable, "-c", script, str(data_dir), question],
            env={**os.environ, "PYTHONHASHSEED": seed},
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2")
    }
    assert len(runs) == 1
