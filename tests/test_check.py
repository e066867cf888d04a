"""`dangjian check`: a library left broken by a crash, a full disk or another program is found and
mended, against real embedded Chroma and a real lexical index (the damage is done with Chroma's own
client, as another program would)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import chromadb
import pytest
from chromadb.config import Settings as ChromaSettings
from click.testing import CliRunner

from app.cli import cli
from app.services import Services, build_services
from tests.conftest import FIXTURES, make_settings

PLAN = "机关党委_工作要点.txt"
OPINION = "廉政意见_无红头.txt"


@pytest.fixture
def library(tmp_path: Path) -> Services:
    folder = tmp_path / "docs"
    folder.mkdir()
    for name in (PLAN, OPINION):
        shutil.copy(FIXTURES / "unit" / name, folder / name)
    services = build_services(make_settings(tmp_path / "data"))
    services.ingest([folder])
    return services


def _collection(services: Services, what: str) -> Any:
    client = chromadb.PersistentClient(
        path=str(services.settings.data_dir / "chroma"), settings=ChromaSettings(anonymized_telemetry=False)
    )
    return client.get_collection(f"{services.store.namespace}-{what}")


def _doc(services: Services, name: str) -> str:
    return next(d.id for d in services.documents() if d.id.endswith(name))


def _check(services: Services, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--data-dir", str(services.settings.data_dir), "check", *args])
    return result.exit_code, result.output


def test_an_untouched_library_is_whole(library: Services) -> None:
    assert _check(library) == (0, "知识库完整，没有发现问题。\n")


def test_passages_left_without_their_document_record_are_found_and_removed(library: Services) -> None:
    """An ingest stopped between a document's passages and its record leaves passages search ignores."""
    _collection(library, "documents").delete(ids=[_doc(library, OPINION)])
    code, out = _check(library)
    assert code == 1 and "个段落不属于任何已登记的文件" in out and "dangjian check --repair" in out
    code, out = _check(library, "--repair")
    assert code == 0 and out.endswith("已修复。\n")
    assert _check(library)[0] == 0
    assert {doc for _, doc, _ in library.store.passage_health()} == {_doc(library, PLAN)}


def test_a_document_missing_a_passage_or_a_vector_is_read_again_from_its_file(library: Services) -> None:
    plan, opinion = _doc(library, PLAN), _doc(library, OPINION)
    passages = _collection(library, "passages")
    passages.delete(ids=[f"{plan}#1"])
    vector = passages.get(ids=[f"{opinion}#0"], include=["embeddings"])["embeddings"][0]
    passages.update(ids=[f"{opinion}#0"], embeddings=[[0.0] * len(vector)])
    code, out = _check(library)
    assert code == 1 and f"文件 {plan} 缺了 1 个段落" in out and f"文件 {opinion} 有 1 个段落没有可用的向量" in out
    code, out = _check(library, "--repair")
    assert code == 0 and out.count("已从原文件重新导入") == 2
    assert _check(library)[0] == 0
    hits = library.library().search("第一议题 全年不少于20次", 3)
    assert hits and hits[0].passage.doc_id == plan


def test_a_lexical_index_out_of_step_with_the_passages_is_rebuilt(library: Services) -> None:
    shutil.rmtree(library.lexical_folder)
    code, out = _check(library)
    assert code == 1 and "关键词索引与段落库不一致" in out
    assert _check(library, "--repair")[0] == 0
    assert _check(library) == (0, "知识库完整，没有发现问题。\n")


def test_a_removed_documents_file_that_is_gone_is_named(library: Services) -> None:
    opinion = _doc(library, OPINION)
    _collection(library, "passages").delete(ids=[f"{opinion}#0"])
    Path(library.document(opinion).source_path).unlink()  # type: ignore[union-attr]
    code, out = _check(library, "--repair")
    assert code == 0 and "原文件已不在，未能重新导入" in out and OPINION in out
    assert opinion not in {d.id for d in library.documents()}
