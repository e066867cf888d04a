"""Discovery: only the folder's ordinary files are read; every other entry gets one line and a reason."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest

from app.services import build_services
from ingest import discovery
from ingest.discovery import discover, shown
from ingest.pipeline import document_passages
from tests.conftest import make_settings

TEXT = "各单位要落实“三会一课”制度，党支部每月至少召开一次支部委员会会议。"


@pytest.fixture
def odd_folder(tmp_path: Path) -> Path:
    docs = tmp_path / "docs"
    (docs / "sub").mkdir(parents=True)
    (docs / ".git").mkdir()
    (docs / "good.txt").write_text(TEXT, encoding="utf-8")
    (docs / "sub" / "also.md").write_text(TEXT, encoding="utf-8")
    (docs / "good.meta.toml").write_text('title = "好文件"\n', encoding="utf-8")  # a sidecar: silent
    (docs / ".hidden.txt").write_text(TEXT, encoding="utf-8")
    (docs / ".git" / "config.txt").write_text(TEXT, encoding="utf-8")  # inside a hidden folder: not entered
    (docs / "~$draft.docx").write_bytes(b"lock")
    (docs / "notes.xyz").write_text(TEXT, encoding="utf-8")
    os.symlink("/etc/passwd", docs / "outside.txt")
    os.symlink(tmp_path, docs / "loop")  # a link to a folder above: never walked
    os.mkfifo(docs / "pipe.txt")
    (docs / os.fsdecode(b"\xff\xfe\xe4bad.txt")).write_text(TEXT, encoding="utf-8")
    return docs


def test_only_ordinary_files_are_found_and_every_other_entry_gets_its_reason(odd_folder: Path) -> None:
    found, refused = discover([odd_folder])
    assert sorted(f.doc_id for f in found) == ["docs/good.txt", "docs/sub/also.md"]
    reasons = {shown(p.relative_to(odd_folder)): r for p, r in refused}
    assert reasons == {
        ".git": discovery.HIDDEN,
        ".hidden.txt": discovery.HIDDEN,
        "~$draft.docx": discovery.LOCK_FILE,
        "notes.xyz": "不支持的文件类型“.xyz”",
        "outside.txt": discovery.LINK,
        "loop": discovery.LINK,
        "pipe.txt": discovery.SPECIAL,
        "\ufffd\ufffd\ufffdbad.txt": discovery.NOT_UTF8,
    }


def test_a_special_file_or_missing_path_given_by_name_is_refused_plainly(odd_folder: Path) -> None:
    assert discover([odd_folder / "pipe.txt"]) == ([], [(odd_folder / "pipe.txt", discovery.SPECIAL)])
    assert discover([odd_folder / "none.txt"])[1] == [(odd_folder / "none.txt", discovery.MISSING)]


def test_an_odd_folder_ingests_the_rest_with_one_line_each(odd_folder: Path, tmp_path: Path) -> None:
    report = build_services(make_settings(tmp_path / "data")).ingest([odd_folder])
    assert sorted(doc for doc, _ in report.ingested) == ["docs/good.txt", "docs/sub/also.md"]
    assert len(report.rejected) == 8
    assert all(path.encode("utf-8") for path, _ in report.rejected)  # printable: no lone surrogates


def _notice(folder: Path, name: str, text: str = TEXT) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


def test_two_folders_with_the_same_inner_path_keep_both_documents(tmp_path: Path) -> None:
    _notice(tmp_path / "A" / "通知", "a.md", TEXT)
    _notice(tmp_path / "B" / "通知", "a.md", "机关党组织每年至少召开一次党员大会，听取工作报告。")
    services = build_services(make_settings(tmp_path / "data"))
    services.ingest([tmp_path / "A" / "通知"])
    report = services.ingest([tmp_path / "B" / "通知"])
    assert [doc for doc, _ in report.ingested] == ["B/通知/a.md"]
    assert sorted(d.id for d in services.documents()) == ["B/通知/a.md", "通知/a.md"]


def test_a_folder_and_its_subfolder_never_store_a_file_twice(tmp_path: Path) -> None:
    _notice(tmp_path / "corpus" / "党内法规", "x.md")
    services = build_services(make_settings(tmp_path / "data"))
    services.ingest([tmp_path / "corpus"])
    count = services.store.count()
    report = services.ingest([tmp_path / "corpus" / "党内法规"])
    assert report.unchanged == ["corpus/党内法规/x.md"] and not report.ingested
    assert services.store.count() == count and [d.id for d in services.documents()] == [
        "corpus/党内法规/x.md"
    ]


def test_a_file_stored_twice_by_an_older_version_is_kept_once(tmp_path: Path) -> None:
    _notice(tmp_path / "corpus" / "党内法规", "x.md")
    services = build_services(make_settings(tmp_path / "data"))
    services.ingest([tmp_path / "corpus"])
    stored = services.store.get_document("corpus/党内法规/x.md")
    assert stored is not None
    twin = replace(stored, id="党内法规/x.md")  # what ingesting the subfolder used to add
    passages = [replace(p, doc_id=twin.id) for p in document_passages(twin, 0)]
    services.store.put_documents(
        [(twin, passages)], [[0.1] * 256 for _ in passages], new=frozenset({twin.id})
    )
    assert len(services.documents()) == 2
    report = services.ingest([tmp_path / "corpus"])
    assert report.removed == ["党内法规/x.md"] and [d.id for d in services.documents()] == [
        "corpus/党内法规/x.md"
    ]
