"""Which documents a question names, and search answering from them first."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.drafting.question import LibraryDocument, named_documents
from app.services import Services, build_services
from index.library import DOCUMENTS_FILE
from ingest.models import document_of
from tests.conftest import CORPUS, make_settings

LIBRARY = [
    LibraryDocument(
        "plan", "市直机关强作风提效率塑形象深化模范机关创建三年行动计划（2025-2027年）", "2025-05-31", "方案"
    ),
    LibraryDocument("points", "2025年市直机关党的建设要点", "2025-03-27", "要点"),
    LibraryDocument("effective", "市直机关开展“执行有效”模范机关创建活动实施方案", "2023", "方案"),
    LibraryDocument("rectify", "2020年深化机关作风整顿活动实施方案", "2020", "方案"),
    LibraryDocument("magazine", "东莞机关党建（2015年第二期）", "2015", "刊物"),
    LibraryDocument("charter", "中国共产党章程", "2022-10-22", "章程"),
    LibraryDocument("discipline", "中国共产党纪律处分条例", "2023-12-19", "条例"),
    LibraryDocument("accountability", "中国共产党问责条例", "2016-07-08", "条例"),
    LibraryDocument("rules", "中央八项规定实施细则", "2012-12-04", "细则"),
    LibraryDocument("grassroots", "中国共产党党和国家机关基层组织工作条例", "2019-11-29", "条例"),
]


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("收受购物卡，按纪律处分条例怎么处分？", ["discipline"]),
        ("窗口干部态度恶劣被拍视频，要怎么处分？", ["discipline"]),  # 处分 alone means the disciplinary rules
        ("党章对预备期是怎么规定的？", ["charter"]),
        ("三年行动里对支部课堂有什么要求？", ["plan"]),
        ("2025年党建要点里提到的青年联谊活动叫什么？", ["points"]),  # 党的建设 is said 党建
        ("2020年方案里干事档案拿来做什么？", ["rectify"]),  # a year and a kind
        ("2015年那期杂志说服务型示范点怎么考核？", ["magazine"]),
        ("“执行有效”方案和2025年党建要点分别怎么安排家教家风？", ["points", "effective"]),
        ("按问责条例能对软弱涣散的党组织怎么处理？", ["accountability"]),
        ("按八项规定实施细则，全国性会议最多开几天？", ["rules"]),
    ],
)
def test_documents_named_by_title_part_short_name_or_year_and_kind(question: str, named: list[str]) -> None:
    assert named_documents(question, LIBRARY) == named


@pytest.mark.parametrize(
    "question",
    [
        "机关干部只有接到投诉才露面，这对应2025年清单中的哪一条？",  # a year alone names nothing
        "市直机关的党员有哪些长处可以发挥？",  # words every title shares name nothing
        "预备党员的预备期是多长？",
    ],
)
def test_a_question_naming_no_document_is_not_scoped(question: str) -> None:
    assert named_documents(question, LIBRARY) == []


def test_search_answers_from_the_named_document_first(corpus_services: Services) -> None:
    """A colloquial penalty question: the disciplinary regulation's articles come before anything else."""
    hits = corpus_services.engine().search(
        "有同事把单位的电脑拿回家自己用了大半年，纪律处分条例怎么规定？", 5
    )
    assert hits and all("纪律处分条例" in document_of(h.passage.id) for h in hits)


def test_a_comparison_quotes_each_named_document(corpus_services: Services) -> None:
    hits = corpus_services.engine().search("家教家风方面，“执行有效”方案和2025年党建要点分别安排了什么？", 4)
    titles = {h.meta.title for h in hits[:2]}
    assert titles == {"2025年市直机关党的建设要点", "市直机关开展“执行有效”模范机关创建活动实施方案"}


LAWS = [
    LibraryDocument("contract", "中华人民共和国劳动合同法", "2012-12-28", "法律"),
    LibraryDocument("case", "加班费的仲裁时效应当如何认定", "2020-06-01", "案例"),
    LibraryDocument(
        "lending", "最高人民法院关于审理民间借贷案件适用法律若干问题的规定", "2020-12-29", "司法解释"
    ),
]


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("劳动者提前几天可以解除劳动合同？", []),  # the law's words inside a sentence name nothing
        ("工伤赔偿的时效应当如何认定？", []),  # nor does a case digest's question-like title
        ("按劳动合同法，试用期最长多久？", ["contract"]),
        ("《劳动合同法》对竞业限制怎么规定？", ["contract"]),
    ],
)
def test_everyday_words_in_a_law_library_name_no_document(question: str, named: list[str]) -> None:
    assert named_documents(question, LAWS) == named


def test_the_name_table_is_kept_for_the_next_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the first process after a change reads every document record (a second at 3,500 documents)."""
    docs = tmp_path / "docs"
    docs.mkdir()
    for name in ("中国共产党问责条例.md", "中国共产党廉洁自律准则.md"):
        shutil.copy(CORPUS / "党内法规" / name, docs / name)
    first = build_services(make_settings(tmp_path / "data"))
    first.ingest([docs])
    question = "按问责条例，对软弱涣散的党组织怎么处理？"
    assert all("问责条例" in h.passage.doc_id for h in first.engine().search(question, 3))
    assert (first.lexical_folder / DOCUMENTS_FILE).is_file()

    later = build_services(make_settings(tmp_path / "data"))
    monkeypatch.setattr(later.store, "list_documents", lambda: pytest.fail("the records were read again"))
    hits = later.engine().search(question, 3)
    assert hits and all("问责条例" in h.passage.doc_id for h in hits)
