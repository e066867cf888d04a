"""Several processes sharing one Chroma server (`chroma run`), as in DESIGN.md "Scale-out".

One process ingests while another searches: the searcher must never return a passage of
a document that is not whole, and must find the new documents once the ingest is done.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.libraries import create_library, library_settings
from app.services import Services, build_services
from index.lexical import WORDS
from tests.conftest import FIXTURES, ROOT, make_settings
from tests.server_support import chroma_server

SEEDS = [FIXTURES / "seeds" / "000_7485c2985d73583a.txt", FIXTURES / "seeds" / "001_a4f6c2c5b5ed566a.txt"]
REGULATIONS = FIXTURES / "regulations"
QUERIES = ["纪律处分", "八项规定", "党支部委员会任期", "作风建设", "党内政治生活", "廉洁自律"]
INGEST_LIMIT_S = 40


@pytest.fixture
def chroma_url(tmp_path: Path) -> Iterator[str]:
    """A fresh `chroma run` on a free loopback port with its own folder; stopped after the test."""
    with chroma_server(tmp_path) as url:
        yield url


class Auditor:
    """Reads the server directly, as a third party, to check what a search returned is whole."""

    def __init__(self, url: str, namespace: str) -> None:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        port = int(url.rsplit(":", 1)[1])
        client = chromadb.HttpClient(
            host="127.0.0.1", port=port, settings=ChromaSettings(anonymized_telemetry=False)
        )
        self.passages: Any = client.get_collection(f"{namespace}-passages")
        self.documents: Any = client.get_collection(f"{namespace}-documents")
        self.whole: set[str] = set()  # documents only get added here, so once whole stays whole

    def assert_whole(self, doc_id: str) -> None:
        if doc_id in self.whole:
            return
        record = self.documents.get(ids=[doc_id], include=["metadatas"])
        assert record["ids"] == [doc_id], f"hit from {doc_id}, which has no document record"
        stored = len(self.passages.get(where={"doc_id": doc_id}, include=[])["ids"])
        expected = int(record["metadatas"][0]["passages"])
        assert stored == expected, f"hit from {doc_id}: {stored} of its {expected} passages stored"
        self.whole.add(doc_id)


def _searcher(tmp_path: Path, url: str) -> Services:
    """A process's services over its own data dir and the shared server, with two documents in it."""
    services = build_services(make_settings(tmp_path / "searcher-data", chroma_url=url))
    report = services.ingest(SEEDS)
    assert len(report.ingested) == len(SEEDS), report.rejected
    return services


def _ingest_env(services: Services, data_dir: Path) -> dict[str, str]:
    """The other process's environment: same server and model, its own data dir, nothing else of ours."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DANGJIAN_")}
    s = services.settings
    return env | {
        "DANGJIAN_CHROMA_URL": s.chroma_url,
        "DANGJIAN_EMBED_MODEL": s.embed_model,
        "DANGJIAN_SEMANTIC_MODEL": s.semantic_model,
        "DANGJIAN_DATA_DIR": str(data_dir),
        "HF_HUB_OFFLINE": "1",
    }


def test_search_while_another_process_ingests_sees_only_whole_documents(
    chroma_url: str, tmp_path: Path
) -> None:
    searcher = _searcher(tmp_path, chroma_url)
    searcher.store_check_seconds = 0.5  # notice the other process's batches while it runs
    auditor = Auditor(chroma_url, searcher.store.namespace)
    before = {d.id for d in searcher.documents()}

    ingester = subprocess.Popen(
        [sys.executable, "-m", "app", "ingest", str(REGULATIONS)],
        env=_ingest_env(searcher, tmp_path / "ingester-data"),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    searches = 0
    try:
        deadline = time.monotonic() + INGEST_LIMIT_S
        while ingester.poll() is None:
            assert time.monotonic() < deadline, "dangjian ingest took too long"
            for hit in searcher.engine().search(QUERIES[searches % len(QUERIES)], k=10):
                auditor.assert_whole(hit.passage.doc_id)
            searches += 1
    finally:
        if ingester.poll() is None:
            ingester.kill()
        output = ingester.communicate()[0].decode("utf-8", "replace")
    assert ingester.returncode == 0, output
    assert searches > 0

    # After the ingest the searcher picks the change up by itself, lexical index included.
    added = {d.id for d in searcher.documents()} - before
    assert len(added) == len(list(REGULATIONS.iterdir())), output
    deadline = time.monotonic() + searcher.store_check_seconds + 15
    while True:
        hits = searcher.engine().search("纪律处分条例 党纪处分", k=10)
        for hit in hits:
            auditor.assert_whole(hit.passage.doc_id)
        if any(h.passage.doc_id in added and WORDS in h.channels for h in hits):
            break
        assert time.monotonic() < deadline, "the searcher never saw the new documents' words"
        time.sleep(0.2)
    assert searcher.engine().lexical.fingerprint == searcher.store.fingerprint()


def test_passages_without_a_document_record_are_never_returned(chroma_url: str, tmp_path: Path) -> None:
    """The moment in the middle of another process's delete or replace: passages without a record."""
    searcher = _searcher(tmp_path, chroma_url)
    query = "作风建设"
    first = searcher.engine().search(query, k=5)
    assert len(first) == 5
    gone = first[0].passage.doc_id
    (kept,) = {d.id for d in searcher.documents()} - {gone}
    # Another process removes the record first; its passages would go next.
    Auditor(chroma_url, searcher.store.namespace).documents.delete(ids=[gone])
    assert searcher.store.recorded([gone, kept, kept, "no/such/doc"]) == {kept}

    searcher.store_check_seconds = 3600  # the cached engine, whose lexical index still has them
    stale = searcher.engine().search(query, k=5)
    assert all(h.passage.doc_id != gone for h in stale)
    # The other process finishes the delete (passages, then a new write generation).
    other = build_services(make_settings(tmp_path / "other", chroma_url=chroma_url))
    other.store.delete_document(gone)
    searcher.store_check_seconds = 0
    searcher.engine()  # sees the generation move
    fresh = searcher.engine().search(query, k=5)  # finds it settled: rebuilt from the passages left
    for hits in (stale, fresh):
        assert len(hits) == 5  # filled from deeper in the ranking
        assert all(h.passage.doc_id != gone for h in hits)
    assert searcher.engine().lexical.fingerprint == searcher.store.fingerprint()


def test_libraries_on_one_server_keep_to_their_own_collections(chroma_url: str, tmp_path: Path) -> None:
    """Each library's passages live in collections of its own on the shared server: no search of one
    finds another's, and the shared library sees neither."""
    settings = make_settings(tmp_path / "data", chroma_url=chroma_url)
    texts = {
        "组织部": "第一条 蝴蝶兰评比定于周五在三楼会议室举行。",
        "宣传部": "第一条 向日葵摄影展征集到月底截止。",
    }
    found = {}
    for name, text in texts.items():
        create_library(settings, name)
        source = tmp_path / f"{name}.txt"
        source.write_text(text + "\n", encoding="utf-8")
        services = build_services(library_settings(settings, name))
        assert services.ingest([source]).ingested
        found[name] = {
            h.passage.text for q in ("蝴蝶兰评比", "向日葵摄影展") for h in services.engine().search(q, 5)
        }
    assert found["组织部"] == {texts["组织部"]} and found["宣传部"] == {texts["宣传部"]}
    assert build_services(settings).documents() == []


def test_the_server_as_the_readme_starts_it_answers_on_loopback_only(chroma_url: str) -> None:
    """The installed chromadb's server has no authentication of its own, so it must not be reachable
    from other machines: started as the README says (--host 127.0.0.1), another address is refused."""
    import socket

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "chroma run --path /srv/dangjian-chroma --host 127.0.0.1" in readme
    port = int(chroma_url.rsplit(":", 1)[1])
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as route:  # no packet is sent
        try:
            route.connect(("10.254.254.254", 1))
            outside = route.getsockname()[0]
        except OSError:
            outside = "127.0.0.1"
    if outside.startswith("127."):
        pytest.skip("this machine has no address but loopback")
    with socket.create_connection(("127.0.0.1", port), timeout=3):
        pass  # the server is up on loopback
    with socket.socket() as probe, pytest.raises(OSError):
        probe.settimeout(3)
        probe.connect((outside, port))
