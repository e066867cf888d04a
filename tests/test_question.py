"""Which documents a question names, and search answering from them first."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.drafting.question import (
    DocumentNames,
    Kind,
    LibraryDocument,
    answer_kind,
    fact_asked,
    lecture_theme,
    missing_checklist,
    named_documents,
    search_as_asked,
    understand,
    year_kinds,
)
from app.drafting.text import number_of
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


UNIT_LISTS = [
    LibraryDocument("farm", "青溪县农业农村局2026年形式主义官僚主义问题清单", "2026-03-01", "清单"),
    LibraryDocument("health", "临湖区卫生健康局2026年作风问题清单", "2026-03-05", "清单"),
]


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("农业农村局的问题清单整改情况什么时候报？", ["farm"]),  # its own words pick one of the alike
        ("问题清单的整改情况什么时候报？", ["farm", "health"]),  # alike: both
    ],
)
def test_of_documents_a_question_names_alike_those_it_names_by_their_own_words(
    question: str, named: list[str]
) -> None:
    assert named_documents(question, UNIT_LISTS) == named


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
    hits = search_as_asked(
        corpus_services.library(), "有同事把单位的电脑拿回家自己用了大半年，纪律处分条例怎么规定？", 5
    )
    assert hits and all("纪律处分条例" in document_of(h.passage.id) for h in hits)


def test_a_comparison_quotes_each_named_document(corpus_services: Services) -> None:
    hits = search_as_asked(
        corpus_services.library(), "家教家风方面，“执行有效”方案和2025年党建要点分别安排了什么？", 4
    )
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
    assert all("问责条例" in h.passage.doc_id for h in search_as_asked(first.library(), question, 3))
    assert (first.lexical_folder / DOCUMENTS_FILE).is_file()

    later = build_services(make_settings(tmp_path / "data"))
    monkeypatch.setattr(later.store, "list_documents", lambda: pytest.fail("the records were read again"))
    hits = search_as_asked(later.library(), question, 3)
    assert hits and all("问责条例" in h.passage.doc_id for h in hits)


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("基层反映同一组数据要重复报好几次，属于清单里哪一条？", Kind.ITEM),
        ("2020年作风整顿方案的七个问题里算哪个？", Kind.ITEM),
        ("2020年方案里，“觉得自己跟老百姓没区别”这种表现被归到哪类问题？", Kind.ITEM),  # not 区别: quoted
        ("清单里关于调研的问题是哪一条？", Kind.ITEM),
        ("单位的问题清单里，检查只翻材料不看效果，是第几条？", Kind.ITEM),  # a description between them
        ("问题清单的整改情况什么时候报？", Kind.FACT),  # about the checklist, not an item of it
        ("收受礼品礼金怎么处分", Kind.PENALTY),
        ("找熟人打招呼，纪律上有什么后果？", Kind.PENALTY),
        ("党员受到留党察看处分期间有什么权利限制？", Kind.GENERAL),  # what follows a sanction, not which one
        ("党员受到警告处分后多久不得在党内提升职务？", Kind.FACT),
        ("党组织对党员的纪律处分决定多久内宣布？", Kind.FACT),
        ("三年行动计划的主要内容分成哪几大块？", Kind.LIST),
        ("2025年作风问题清单按哪几个方面归类？", Kind.LIST),  # about the checklist, not an item of it
        ("纪律处分有哪几种？", Kind.LIST),  # the kinds of sanction, not one behaviour's penalty
        ("问责条例里对党组织的问责方式有哪些？", Kind.LIST),
        ("2020年作风整顿方案要解决哪7个问题？", Kind.LIST),
        ("“先锋杯”大赛，2023年方案和今年党建要点各提了什么要求？", Kind.COMPARE),
        ("会太多太长，中央的规定里有哪些具体压会的办法？", Kind.MEASURES),
        ("想讲一堂“密切联系群众”的党课，能引哪些话？", Kind.LECTURE),
        ("三年行动计划是哪天印发的？", Kind.FACT),
        ("作风评价排在前面的单位，三年行动里给什么激励？", Kind.GENERAL),
    ],
)
def test_the_kind_of_answer_asked_for(question: str, kind: Kind) -> None:
    assert answer_kind(question) is kind


@pytest.mark.parametrize(
    ("question", "theme"),
    [
        ("想讲一堂“密切联系群众”的党课，党章和本地文件里能引哪些话？", "密切联系群众"),
        ("准备一堂关于党员经常性学习教育的党课，有哪些说法可以引？", "党员经常性学习教育"),
        ("给支委们上一课，讲怎么让党员感受到组织温暖，有哪些材料可以用？", "怎么让党员感受到组织温暖"),
        ("党课素材有哪些", "党课素材有哪些"),  # no form of theme: the whole question
    ],
)
def test_a_lecture_question_is_searched_by_its_theme(question: str, theme: str) -> None:
    assert lecture_theme(question) == theme


@pytest.mark.parametrize(
    ("question", "fact"),
    [
        ("收人家红包，多少钱以上算情节严重？", "金额"),
        ("自查自纠阶段是到几月几号结束？", "日期"),
        ("党龄从什么时候算起？", "时间"),
        ("廉洁自律准则是哪一年印发的？", "年份"),
        ("党小组会一般多久开一次？", "频次"),
        ("党支部多久换届一次？", "任期"),  # a term of office, which 每届任期3年 answers
        ("党的支部委员会每届任期几年？", "任期"),
        ("积极分子至少要培养考察多久？", "期限"),
        ("办公室的主任是哪位同志？", "人"),
        ("市直机关工委书记叫什么名字？", "人"),  # a post's holder asked: a name must be stated
        ("这个线上平台叫什么名字？", ""),  # a thing's name, not a person's
        ("年度考核优秀等次的比例是多少？", "比例"),  # a share, which a count or an article number does not give
        ("决赛现场设在哪里？", "地点"),
        ("题库大约有多少道题？", "数目"),
        ("政务服务技能大赛的主题是什么？", ""),
    ],
)
def test_the_fact_a_question_wants(question: str, fact: str) -> None:
    assert fact_asked(question) == fact


def test_years_said_with_a_kind_name_that_year_s_document_only() -> None:
    assert year_kinds("2023年方案和今年党建要点各提了什么？") == [("2023", "方案", "方案")]
    assert year_kinds("2015年那期杂志说了什么") == [("2015", "刊物", "那期")]
    assert year_kinds("2014年建立的协作组分成几组？") == []


@pytest.mark.parametrize(
    ("question", "said"),
    [
        (
            "《整治形式主义为基层减负若干规定》对督查次数有什么上限？",
            "库里没有《整治形式主义为基层减负若干规定》。",
        ),
        (
            "2024年党建要点提了什么？",
            "库里没有2024年的要点；最近的是2025年的《2025年市直机关党的建设要点》。",
        ),
        (
            "2019年修订的问责条例新增了哪些情形？",
            "库里的《中国共产党问责条例》是2016年的版本，没有2019年的。",
        ),
        (
            "《东莞机关党建》2015年第三期登了哪些文章？",
            "库里没有所问的第三期。库里的是《东莞机关党建（2015年第二期）》。",
        ),
        ("“先锋杯”大赛，2023年方案和今年党建要点各提了什么要求？", ""),
        ("三年行动计划里2026年的主题是什么？", ""),  # a year inside the plan's span is not a missing document
    ],
)
def test_a_document_or_year_the_library_lacks_is_said_plainly(question: str, said: str) -> None:
    library = [*LIBRARY, LibraryDocument("magazine2", "东莞机关党建（2015年第二期）", "2015", "刊物")]
    library = [d for d in library if d.id != "magazine"]
    assert understand(question, DocumentNames(library)).missing == said


def test_a_checklist_year_the_library_lacks_names_the_nearest() -> None:
    names = ["2025年市直机关作风建设重点问题清单"]
    said = missing_checklist("2026年市直机关作风建设重点问题清单都有哪些条目？", names)
    assert said == "库里没有2026年的问题清单；最近的是《2025年市直机关作风建设重点问题清单》。"
    assert missing_checklist("2025年市直机关作风建设重点问题清单有哪些条目？", names) == ""


def test_a_checklist_named_in_book_title_marks_is_the_plan_that_holds_it() -> None:
    with_parts = [
        LibraryDocument(
            d.id, d.title, d.date, d.kind, ("2025年市直机关作风建设重点问题清单",) if d.id == "plan" else ()
        )
        for d in LIBRARY
    ]
    names = DocumentNames(with_parts)
    question = "《2025年市直机关作风建设重点问题清单》里第14条说的是什么？"
    assert names.named(question) == ["plan"] and names.missing(question, ["plan"]) == ""
    assert DocumentNames(LIBRARY).missing(question, []) == "库里没有《2025年市直机关作风建设重点问题清单》。"


def test_two_named_documents_compared_is_a_comparison_even_when_one_is_named_for_sanctions() -> None:
    names = DocumentNames(LIBRARY)
    assert understand("党章和纪律处分条例对党员的要求有什么区别？", names).kind is Kind.COMPARE
    assert understand("收受礼品礼金，纪律处分条例怎么处分？", names).kind is Kind.PENALTY
    assert (
        understand("2023年执行有效方案和2025年党建要点对“先锋杯”各有什么要求？", names).kind is Kind.COMPARE
    )


@pytest.mark.parametrize(
    ("text", "number"),
    [("14", 14), ("十四", 14), ("二十", 20), ("两", 2), ("一百一十二", 112), ("条", None), ("0", None)],
)
def test_numbers_are_read_in_either_script(text: str, number: int | None) -> None:
    """"清单第十四条", "第一百一十二条": the numerals a question or a heading uses (cn2an)."""
    assert number_of(text) == number


@pytest.mark.parametrize(
    ("question", "line"),
    [
        ("廉洁自律准则对党员提出了哪些要求？", "库里没有《廉洁自律准则》。"),  # a rule the library lacks, by its name
        ("按政治生活准则，批评与自我批评怎么开展？", "库里没有《政治生活准则》。"),
        ("纪律处分条例对收受礼金怎么规定？", ""),  # held as 中国共产党纪律处分条例
        ("按八项规定实施细则，出差能住什么房间？", ""),
        ("这个条例对党员有什么要求？", ""),  # no name: a pronoun
        ("文件里有啥具体破解办法？", ""),  # 办法, 规定, 方案: everyday words as often as names
    ],
)
def test_a_rule_named_that_the_library_lacks_is_said_to_be_missing(question: str, line: str) -> None:
    names = DocumentNames(LIBRARY)
    assert names.missing(question, names.named(question)) == line


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("基层反映同一组数据要重复报好几次，属于清单里哪一条？", True),
        ("单位的问题清单里，检查只翻材料不看效果，是第几条？", True),
        ("农业农村局的问题清单整改情况什么时候报？", False),  # when, not which item
    ],
)
def test_which_questions_search_the_checklist_items_first(question: str, asks: bool) -> None:
    from app.drafting.question import asks_item

    assert asks_item(question) is asks
