"""evals/score_qa.py's pure parts: the figures by kind and the removal of the plain-words table."""

from __future__ import annotations

import argparse
import tomllib
from pathlib import Path
from typing import Any

import pytest

from evals import score_qa
from evals.score_qa import copy_without_plain_words, env_pair, score, score_sets, strip_plain_words

SIDECAR = """title = "清单"
date = "2025-05-31"

# Everyday descriptions: searched, never quoted.
[checklist_plain_words]
"1" = "拍脑袋定政策 [不调研]"
"2" = "朝令夕改"

[checklist_plain_words.extra]
"3" = "推诿"

[other]
kept = "yes"
"""


def question(qid: str, kind: str, quotes: list[str], item: list[str] | None = None) -> dict[str, Any]:
    q: dict[str, Any] = {"id": qid, "kind": kind, "question": qid, "gold": [{"quote": t} for t in quotes]}
    return q | ({"item": item} if item else {})


def answer(*passages: tuple[str, str | None]) -> dict[str, Any]:
    """Results in rank order, each (text, checklist item number)."""
    return {
        "results": [
            {"rank": rank, "score": 0.9 - rank / 10, "text": text, "item": item}
            for rank, (text, item) in enumerate(passages, start=1)
        ]
    }


QUESTIONS = [
    question("c1", "checklist", ["政策 解读"], ["2"]),
    question("c2", "checklist", ["流程繁琐"], ["7"]),
    question("l1", "lookup", ["三会一课"]),
    question("n1", "negative", []),
]
ANSWERS = [
    answer(("政策解读不及时", "2")),  # white space in the quote does not matter
    answer(("别的", "3"), ("无关", None), ("审批流程繁琐", "7")),
    answer(("无关", None)),
    answer(("无关", None)),
]


def test_figures_overall_and_by_kind() -> None:
    figures = score(QUESTIONS, ANSWERS)
    assert figures["questions"] == 3 and figures["negatives"] == 1
    assert figures["by_kind"] == {
        "checklist": {"n": 2, "hit@1": 0.5, "hit@5": 1.0, "item@1": 0.5},
        "lookup": {"n": 1, "hit@1": 0.0, "hit@5": 0.0},  # no item@1: its questions name no item
    }
    assert figures["hit@5_by_kind"] == {"checklist": 1.0, "lookup": 0.0}
    assert (figures["hit@1"], figures["hit@5"], figures["mrr"]) == (0.333, 0.667, 0.444)
    assert figures["checklist_item@1"] == 0.5
    assert [m["id"] for m in figures["misses@5"]] == ["l1"]
    assert figures["top_score"]["negative"] == [0.8]


def test_all_is_every_set_together() -> None:
    sets = {"a": QUESTIONS[:2], "b": QUESTIONS[2:]}
    scored = score_sets(sets, {"a": ANSWERS[:2], "b": ANSWERS[2:]})
    assert list(scored) == ["a", "b", "all"]
    assert scored["all"] == score(QUESTIONS, ANSWERS)
    assert scored["b"]["by_kind"] == {"lookup": {"n": 1, "hit@1": 0.0, "hit@5": 0.0}}


def test_search_sets_splits_one_batch_back_per_set(monkeypatch: pytest.MonkeyPatch) -> None:
    batches: list[list[str]] = []

    def fake_batch(data_dir: Path, questions: list[str], k: int, env: dict[str, str]) -> list[dict[str, Any]]:
        batches.append(questions)
        return [{"asked": q} for q in questions]

    monkeypatch.setattr(score_qa, "batch_search", fake_batch)
    split = score_qa.search_sets(Path("unused"), {"a": QUESTIONS[:3], "b": QUESTIONS[3:]}, 10, {})
    assert batches == [["c1", "c2", "l1", "n1"]]
    assert split == {"a": [{"asked": "c1"}, {"asked": "c2"}, {"asked": "l1"}], "b": [{"asked": "n1"}]}


def test_plain_words_table_removed_and_the_rest_kept() -> None:
    data = tomllib.loads(strip_plain_words(SIDECAR))
    assert data == {"title": "清单", "date": "2025-05-31", "other": {"kept": "yes"}}


def test_plain_words_table_at_the_end_and_absent() -> None:
    at_end = 'title = "x"\n\n[checklist_plain_words]\n"1" = "a"\n'
    assert tomllib.loads(strip_plain_words(at_end)) == {"title": "x"}
    assert strip_plain_words('title = "x"\n') == 'title = "x"\n'


def test_plain_words_not_written_as_a_table_is_refused() -> None:
    with pytest.raises(ValueError, match="checklist_plain_words"):
        strip_plain_words('title = "x"\nchecklist_plain_words = { "1" = "a" }\n')


def test_corpus_copy_keeps_its_folder_name_and_loses_only_plain_words(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "sub").mkdir(parents=True)
    (corpus / "sub" / "plan.txt").write_text("正文", encoding="utf-8")
    (corpus / "sub" / "plan.meta.toml").write_text(SIDECAR, encoding="utf-8")
    (corpus / "law.meta.toml").write_text('title = "法规"\n', encoding="utf-8")
    dest = tmp_path / "noplain" / "corpus"
    assert copy_without_plain_words(corpus, dest) == ["sub/plan.meta.toml"]
    assert (dest / "sub" / "plan.txt").read_text(encoding="utf-8") == "正文"
    assert "checklist_plain_words" not in tomllib.loads((dest / "sub" / "plan.meta.toml").read_text("utf-8"))
    assert (corpus / "sub" / "plan.meta.toml").read_text(
        encoding="utf-8"
    ) == SIDECAR  # the original untouched


def test_env_pairs_are_dangjian_settings_but_not_the_data_dir() -> None:
    assert env_pair("DANGJIAN_DENSE_WEIGHT=0") == ("DANGJIAN_DENSE_WEIGHT", "0")
    for bad in ("DENSE_WEIGHT=0", "DANGJIAN_DENSE_WEIGHT", "DANGJIAN_DATA_DIR=/tmp/x"):
        with pytest.raises(argparse.ArgumentTypeError):
            env_pair(bad)
