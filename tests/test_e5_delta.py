"""The adapted teacher: the shipped delta applied to the wheel's model, the same in both engines."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from safetensors.numpy import save_file

from app.services import Services, build_services
from index.e5_delta import (
    ADAPTED_MODEL,
    DELTA_FILE,
    DELTA_FOLDER,
    apply_delta,
    cosine_scale,
    ensure_adapted_model,
    read_delta,
)
from index.e5_model import read_e5_file, wheel_model_file
from index.e5_onnx import E5Teacher
from index.embeddings import Embedder
from tests.conftest import FIXTURES, make_settings
from tests.test_e5_model import mixed_chinese_texts


def test_delta_is_small_and_names_only_wheel_tensors() -> None:
    """Shipped in git as fp16 (≤ 45 MB), every tensor one the wheel's file has, with its size; the
    250k-row word-embedding matrix is not among them (it stays frozen)."""
    path = DELTA_FOLDER / DELTA_FILE
    assert path.stat().st_size <= 45 * 2**20
    model = read_e5_file(wheel_model_file())
    delta = read_delta(path)
    assert delta and all(model.tensors[name].size == t.size for name, t in delta.items())
    assert not any(name.startswith("emb.") for name in delta)


def test_a_delta_for_another_model_is_refused(tmp_path: Path) -> None:
    model = read_e5_file(wheel_model_file())
    with pytest.raises(ValueError, match="大小"):
        apply_delta(model, {"l0.q.w": np.zeros((10, 10), dtype=np.float32)})
    with pytest.raises(ValueError, match="不在"):
        apply_delta(model, {"l99.q.w": np.zeros((384, 384), dtype=np.float32)})
    save_file({"l0.q.w": np.zeros((10, 10), dtype=np.float16)}, str(tmp_path / "bad.safetensors"))
    with pytest.raises(ValueError):
        ensure_adapted_model(tmp_path / "models", tmp_path / "bad.safetensors")
    assert not (tmp_path / "models" / ADAPTED_MODEL).exists()  # nothing half-built is left to load


@pytest.fixture(scope="module")
def adapted_teacher(e5_models_dir: Path) -> E5Teacher:
    return E5Teacher(e5_models_dir, ADAPTED_MODEL)


def test_adapted_teacher_pins_its_reference_vectors(adapted_teacher: E5Teacher, e5_models_dir: Path) -> None:
    """The product's adapted teacher (ONNX Runtime, questions and passages) gives the vectors recorded
    when the delta was trained, and they differ from the base model's (the delta does something)."""
    reference = json.loads((DELTA_FOLDER / "reference.json").read_text(encoding="utf-8"))
    base = E5Teacher(e5_models_dir)
    for text, expected in reference.items():
        prompt, body = text.split(": ", 1)
        if prompt == "query":
            got, before = adapted_teacher.embed_query(body), base.embed_query(body)
        else:
            got, before = adapted_teacher.embed_passages([body])[0], base.embed_passages([body])[0]
        assert float(np.dot(got, expected)) >= 0.999
        assert float(np.dot(got, before)) < 0.99


def test_adapted_model_is_the_same_in_both_engines(adapted_teacher: E5Teacher, e5_models_dir: Path) -> None:
    """ONNX Runtime (what the product runs) agrees with the sentence-transformers folder it was
    exported from (what `DANGJIAN_EMBED_MODEL=multilingual-e5-small-dangjian` loads): cosine ≥ 0.99."""
    texts = mixed_chinese_texts()[:40]
    adapted = Embedder.load(ADAPTED_MODEL, models_dir=e5_models_dir)
    assert (adapted.embed_passages(texts) * adapted_teacher.embed_passages(texts)).sum(axis=1).min() >= 0.99
    queries = np.asarray([adapted_teacher.embed_query(t) for t in texts[:10]])
    assert (queries * np.asarray([adapted.embed_query(t) for t in texts[:10]])).sum(axis=1).min() >= 0.99


@pytest.fixture(scope="module")
def adapted_services(tmp_path_factory: pytest.TempPathFactory, e5_models_dir: Path) -> Services:
    """Two regulations ingested with the adapted teacher as the semantic channel."""
    folder = tmp_path_factory.mktemp("adapted-docs")
    for name in ("中国共产党廉洁自律准则.md", "中共中央八项规定__全文.md"):
        shutil.copy(FIXTURES / "regulations" / name, folder / name)
    services = build_services(
        make_settings(tmp_path_factory.mktemp("adapted-data"), semantic_model=ADAPTED_MODEL, models_dir=e5_models_dir)
    )
    services.ingest([folder])
    return services


def test_adapted_teachers_passage_cosines_are_put_on_the_wheel_models_range(adapted_services: Services) -> None:
    """What reads a passage's cosine (measures, lecture material, answerability) was tuned on the wheel
    model's range: the adapted teacher's cosines reach it through the fitted map a·cos + b."""
    a, b = cosine_scale()
    assert (a, b) != (1.0, 0.0)  # fitted by evals/calibrate_teacher.py and shipped beside the delta
    library = adapted_services.library()
    question = "领导干部出差能不能住豪华酒店？"
    hits = library.search(question, 5)
    index = adapted_services.semantic_index()
    assert index is not None
    raw = index.similarity(adapted_services.teacher().embed_query(question), [h.passage.id for h in hits])
    assert np.allclose(library.meaning(question, hits), a * raw + b, atol=1e-5)


def test_short_texts_beside_the_adapted_teacher_are_read_by_the_wheels_e5(
    adapted_services: Services, e5_models_dir: Path
) -> None:
    """The behaviours an article names and checklist items are compared with a question by the model
    their thresholds were calibrated with, not by the adapted teacher."""
    texts = ["借用管理和服务对象的车辆", "违反规定出入私人会所"]
    question = "向他监管的公司借了辆车开"
    base = E5Teacher(e5_models_dir)
    expected = base.embed_passages(texts) @ np.asarray(base.embed_query(question), dtype=np.float32)
    assert np.allclose(adapted_services.library().text_meaning(question, texts), expected, atol=1e-4)
