"""The learned answerability decision and the registry of answer kinds."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pytest

from app.drafting.answerability import MODEL_FILE
from app.drafting.answers import ANSWERERS
from app.drafting.composer import compose_answer, judge
from app.drafting.learned import load_model
from app.drafting.question import Kind
from app.services import Services, build_services
from tests.conftest import FIXTURES, make_settings


def test_model_is_fitted_by_its_script_with_cross_validated_figures() -> None:
    saved = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    assert saved["fitted_by"] == "evals/fit_answerability.py"
    assert saved["cross_validated"] and saved["held_out"]  # figures kept beside the weights
    assert 0 < saved["threshold"] < 1 and len(saved["weights"]) == len(saved["features"])


def test_features_the_composer_reads_are_the_ones_the_model_was_fitted_on(corpus_services: Services) -> None:
    model = load_model(MODEL_FILE)
    assert model is not None
    decided = judge("党支部书记每届任期几年？", corpus_services.library())
    assert set(decided.features) == set(model.names)  # the bundled corpus has teacher vectors: all present
    assert decided.answered and model.threshold <= decided.score <= 1


def test_an_absent_feature_counts_as_its_training_mean() -> None:
    """A library without teacher vectors (a large one) is read as average, not as unlike the question."""
    model = load_model(MODEL_FILE)
    assert model is not None
    expected = 1 / (1 + math.exp(-model.intercept))
    assert model.probability({}) == pytest.approx(expected)


def test_evidence_the_channels_agree_on_weighs_for_an_answer() -> None:
    model = load_model(MODEL_FILE)
    assert model is not None
    base = dict(zip(model.names, model.mean.tolist(), strict=True))
    assert model.probability({**base, "channels_agree": 1.0}) > model.probability(
        {**base, "channels_agree": 0.0}
    )
    assert model.probability({**base, "shaped": 1.0}) > model.probability({**base, "shaped": 0.0})


def test_a_deleted_documents_question_is_judged_far_less_answerable(tmp_path: Path) -> None:
    """Asked again after the document that answered it is deleted, what is left answers it far less
    surely (the synthetic negatives the model is fitted on are exactly such questions)."""
    folder = tmp_path / "docs"
    folder.mkdir()
    for name in (
        "中国共产党廉洁自律准则.md",
        "中共中央八项规定__全文.md",
        "中国共产党党和国家机关基层组织工作条例_2019.txt",
    ):
        shutil.copy(FIXTURES / "regulations" / name, folder / name)
    services = build_services(make_settings(tmp_path / "data"))
    services.ingest([folder])
    question = "廉洁自律准则对党员提出了哪些要求？"
    before = compose_answer(question, services.library())
    assert before.supported and before.verdict.kind == "list"
    doc = next(d.id for d in services.documents() if "廉洁自律准则" in d.id)
    services.delete_document(doc)
    after = compose_answer(question, services.library())
    assert before.verdict.answerability is not None and after.verdict.answerability is not None
    assert after.verdict.answerability < before.verdict.answerability - 0.2


def test_every_kind_has_an_answerer_and_the_deep_kinds_search_deeper() -> None:
    assert set(ANSWERERS) == set(Kind)
    assert ANSWERERS[Kind.PENALTY].depth and ANSWERERS[Kind.PENALTY].depth > 8
    assert not ANSWERERS[Kind.MEASURES].shapes and not ANSWERERS[Kind.LECTURE].shapes  # judged by the model
