"""A unit's own small library (the seven documents in tests/fixtures/unit, 40-odd passages) answers and
refuses like the bundled one: a fact asked of something no passage mentions is refused whatever number
or name the nearest sentence holds; a document named by its own words is the one answering; no issue
date is guessed for a document the library does not have."""

from __future__ import annotations

import shutil

import pytest

from app.drafting.composer import compose_answer
from app.services import Services, build_services
from tests.conftest import FIXTURES, make_settings


@pytest.fixture(scope="module")
def unit(tmp_path_factory: pytest.TempPathFactory) -> Services:
    root = tmp_path_factory.mktemp("unit")
    shutil.copytree(FIXTURES / "unit", root / "unit")
    services = build_services(make_settings(root / "data"))
    services.ingest([root / "unit"])
    return services


@pytest.mark.parametrize(
    ("question", "why"),
    [
        ("红枫廉洁夜校的学费是多少？", "找到的段落没有写明所问的数目。"),  # 学费: in no passage; "90分钟" is no fee
        ("局机关下一年度的经费预算是多少？", "找到的段落没有写明所问的数目。"),
        ("夜校的主讲老师是谁？", "找到的段落没有写明所问的人。"),  # "联系人：王立" is no teacher
    ],
)
def test_a_fact_asked_of_what_no_passage_mentions_is_refused(unit: Services, question: str, why: str) -> None:
    answer = compose_answer(question, unit.library())
    assert not answer.supported and answer.text.startswith(why)


@pytest.mark.parametrize(
    ("question", "said"),
    [
        ("红枫廉洁夜校每次课多长时间？", "每次课程90分钟"),
        ("夜校的课在什么时候开？", "每月最后一个周二晚上开课"),  # 课: inside 课程 and 开课, so mentioned
        ("农业农村局的问题清单整改情况什么时候报？", "2026年5月底前报局办公室"),  # its own words pick it
    ],
)
def test_a_fact_the_library_states_is_answered(unit: Services, question: str, said: str) -> None:
    answer = compose_answer(question, unit.library())
    assert answer.supported and said in answer.text


def test_no_issue_date_is_guessed_for_a_document_the_library_lacks(unit: Services) -> None:
    answer = compose_answer("局里公务用车改革的方案是哪天印发的？", unit.library())
    assert "印发" not in answer.text.split("。")[0]
