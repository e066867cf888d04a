"""Verdicts on answers: appended to the data dir, read back whole, turned into dev questions."""

from __future__ import annotations

from pathlib import Path

from app.feedback import FILE, GOOD, WRONG, Verdict, record, verdicts
from evals.feedback_questions import as_questions


def test_verdicts_are_appended_read_back_and_a_torn_line_is_skipped(tmp_path: Path) -> None:
    record(tmp_path, Verdict("问一", "答一[1]", ["[1] 《甲》"], GOOD))
    with (tmp_path / FILE).open("a", encoding="utf-8") as out:
        out.write('{"question": "写到一半')  # a crash in the middle of a line
    record(tmp_path, Verdict("问二", "答二", [], WRONG, "应该是丙"))
    found = verdicts(tmp_path)
    assert [(v.question, v.verdict, v.correction) for v in found] == [
        ("问一", GOOD, ""),
        ("问二", WRONG, "应该是丙"),
    ]
    assert found[0].citations == ["[1] 《甲》"] and found[0].time


def test_wrong_answers_become_dev_questions_once_each_with_the_latest_correction(tmp_path: Path) -> None:
    found = [
        Verdict("问二", "答二", [], WRONG, "应该是乙", "2026-12-01T10:00:00"),
        Verdict("问一", "答一", [], GOOD),
        Verdict("问二", "答二", [], WRONG, "应该是丙", "2026-12-01T11:00:00"),
    ]
    (question,) = as_questions(found)
    assert (
        question["question"] == "问二" and question["answer"] == "应该是丙" and question["kind"] == "feedback"
    )
    assert question["gold"] == [] and question["wrong_answer"] == "答二"
