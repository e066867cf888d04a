from dataclasses import dataclass
from pathlib import Path

from app.render import safe
from app.services import MAX_NAME_BYTES, UPLOADS, build_services, safe_upload_name
from index.library import superseded_by
from ingest.models import DocumentMeta
from tests.conftest import make_settings


@dataclass
class Doc:
    id: str
    meta: DocumentMeta


def test_newest_of_a_series_supersedes_the_rest() -> None:
    docs = [
        Doc("a", DocumentMeta("2023要点", date="2023-03-01", series="要点")),
        Doc("b", DocumentMeta("2025要点", date="2025-03-27", series="要点")),
        Doc("c", DocumentMeta("2024要点", date="2024-02-01", series="要点")),
        Doc("d", DocumentMeta("条例", date="2019-01-01")),
    ]
    assert superseded_by(docs) == {"a": "b", "c": "b"}


def test_a_very_long_upload_name_is_cut_to_fit_the_disk_keeping_its_suffix(tmp_path: Path) -> None:
    name = "关于进一步加强机关党建工作" * 10 + ".txt"  # 130 Chinese characters: 390 bytes
    safe = safe_upload_name(name)
    assert safe.endswith(".txt") and len(safe.encode()) <= MAX_NAME_BYTES and name.startswith(safe[:-4])
    services = build_services(make_settings(tmp_path / "data"))
    report = services.upload(
        [(name, "各单位要落实“三会一课”制度，党支部每月至少召开一次支部委员会会议。".encode())]
    )
    assert not report.rejected and report.ingested
    assert not list((tmp_path / "data" / UPLOADS).glob(".incoming-*"))  # nothing left behind


def test_text_from_documents_shows_quotes_as_they_are() -> None:
    assert safe("王某说：“这是‘老规矩’”，He's <b>") == "王某说：“这是‘老规矩’”，He's &lt;b&gt;"
