from dataclasses import dataclass

from index.library import superseded_by
from ingest.models import DocumentMeta


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
