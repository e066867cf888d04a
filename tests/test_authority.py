"""The citation prior: counted from 《…》 citations, saved with the lexical index, reordering search."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from app.services import build_services
from index.authority import authority_scores, citation_counts, short_title
from index.lexical import storage
from tests.conftest import make_settings


@pytest.mark.parametrize(
    ("title", "short"),
    [
        ("中华人民共和国民法典", "民法典"),
        ("拍卖法(2015-04-24)", "拍卖法"),
        ("中国共产党纪律处分条例（2023年修订）", "中国共产党纪律处分条例"),
        ("中华人民共和国劳动合同法（2012年修正）(2012-12-28)", "劳动合同法"),
    ],
)
def test_short_title_is_what_citations_use(title: str, short: str) -> None:
    assert short_title(title) == short


def test_citations_are_counted_under_the_short_title() -> None:
    counts = citation_counts(["依照《中华人民共和国民法典》和《民法典》的规定", "根据《拍卖法》"])
    assert counts == Counter({"民法典": 2, "拍卖法": 1})


def test_scores_are_log_scaled_and_saturate() -> None:
    counts = Counter({"民法典": 5000, "拍卖法": 30, "某条例": 3})
    scores = authority_scores(["民法典", "拍卖法", "某条例", "某县细则"], counts)
    assert scores[0] == pytest.approx(1.0) and 0 < scores[2] < scores[1] < 0.6 and scores[3] == 0
    assert len(authority_scores([], counts)) == 0


def _laws(folder: Path) -> Path:
    """Two documents with the same article; a third cites only the first by name."""
    folder.mkdir()
    article = "第一条 出租人应当按照约定将租赁物交付承租人，并在租赁期限内保持租赁物符合约定的用途。\n"
    (folder / "a.md").write_text("# 甲省租赁条例\n\n" + article, encoding="utf-8")
    (folder / "b.md").write_text("# 乙市租赁办法\n\n" + article, encoding="utf-8")
    cites = "".join(f"第{n}条 依照《乙市租赁办法》处理第{n}类事项。\n\n" for n in "一二三四")
    (folder / "c.md").write_text("# 丙县实施细则\n\n" + cites, encoding="utf-8")
    return folder


def test_prior_lifts_the_cited_document_and_is_saved_with_the_index(tmp_path: Path) -> None:
    folder = _laws(tmp_path / "docs")
    question = "出租人要在租赁期限内保持租赁物符合约定用途吗"
    cited = build_services(make_settings(tmp_path / "data", authority_weight=8.0, dense_weight=0.0))
    cited.ingest([folder])
    top = cited.engine().search(question, 2)
    assert top[0].passage.doc_id == "docs/b.md"
    off = build_services(make_settings(tmp_path / "data", authority_weight=0.0, dense_weight=0.0))
    assert off.engine().search(question, 2)[0].passage.doc_id == "docs/a.md"  # a tie, broken by id
    loaded = storage.load(cited.lexical_folder)
    assert loaded is not None
    prior = loaded.authority_of([h.passage.id for h in top])
    assert prior[top[0].passage.id] > 0 and prior[top[1].passage.id] == 0.0


def test_prior_never_overrules_a_quoted_sentence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An exact quote from an uncited notice comes first, however cited the near matches are."""
    from index import search

    folder = _laws(tmp_path / "docs")
    quote = "第一条 出租人应当在麒麟踏雪夜巡北岭古渡之后交付租赁物。"
    (folder / "d.md").write_text("# 丁区通知\n\n" + quote + "\n", encoding="utf-8")
    services = build_services(make_settings(tmp_path / "data", authority_weight=8.0, dense_weight=0.0))
    services.ingest([folder])
    engine = services.engine()
    lexical = engine.lexical.search(quote, 10)
    assert search.decisive_match(lexical) == "docs/d.md#0"
    top = engine.search(quote, 3)
    assert top[0].passage.doc_id == "docs/d.md"
    assert top[0].score >= top[1].score  # scores still read best first
    monkeypatch.setattr(search, "DECISIVE", float("inf"))
    assert engine.search(quote, 3)[0].passage.doc_id == "docs/b.md"  # what the prior alone would do


@pytest.mark.parametrize(
    ("hits", "expected"),
    [
        ({"words": [("a", 9.0), ("b", 3.0)], "bigrams": [("a", 20.0), ("c", 5.0)]}, "a"),
        ({"words": [("a", 9.0), ("b", 6.0)], "bigrams": [("a", 20.0), ("c", 5.0)]}, None),  # close call
        ({"words": [("a", 9.0)], "bigrams": [("c", 20.0)]}, None),  # channels disagree
        ({"words": [], "bigrams": [("a", 20.0)]}, None),
        ({}, None),
    ],
)
def test_decisive_match_needs_every_channel_and_a_wide_margin(
    hits: dict[str, list[tuple[str, float]]], expected: str | None
) -> None:
    from index.search import decisive_match

    assert decisive_match(hits) == expected
