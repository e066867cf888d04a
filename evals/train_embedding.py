"""Train the bundled Chinese embedding model from text we have, offline and reproducibly.

No Chinese embedding model can be downloaded here, so the project makes its own:
a sentence-transformers `StaticEmbedding` (one vector per token, mean-pooled) over
a BPE tokenizer learned from the corpus, trained contrastively
(MultipleNegativesRankingLoss, in-batch negatives) on pairs mined from document
structure, never from questions:

- the document title and heading path ↔ the passage under it;
- the first clause of a passage ↔ the rest of it;
- a passage ↔ the next passage of the same section.

Text: the bundled corpus/ and, when present, ../shared/bench/lawrefbook (19 M
characters of laws). Everything is seeded; the artifact lands in
index/models/dangjian-zh-static/ and is committed, so a fresh machine never trains.
`--student` instead distils multilingual-e5-small (evals/distil_student.py) into
index/models/dangjian-zh-e5student/.

    .venv/bin/python evals/train_embedding.py [--epochs 2] [--out index/models/dangjian-zh-static]
    .venv/bin/python evals/train_embedding.py --student
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from evals.training_text import CLAUSE, DIM, LABEL, SEED, corpus_passages  # noqa: E402
from index.embeddings import BUNDLED_MODEL_DIR  # noqa: E402

LAWS = ROOT.parent / "shared" / "bench" / "lawrefbook"
VOCAB = 24_000  # 24k tokens x 256 dims x 4 bytes = 24.6 MB, under the 30 MB the repo allows


def mine_pairs(rows: list[tuple[str, str]], rng: random.Random) -> list[tuple[str, str]]:
    """Structure pairs: context ↔ body, first clause ↔ rest, passage ↔ next passage under the same context."""
    pairs: list[tuple[str, str]] = []
    for i, (context, text) in enumerate(rows):
        body = LABEL.sub("", text)
        if len(body) < 8:
            continue
        pairs.append((context, body))
        cut = CLAUSE.search(body, 6)
        if cut and 6 <= cut.start() < len(body) - 8:
            pairs.append((body[: cut.start()], body[cut.end() :]))
        if i + 1 < len(rows) and rows[i + 1][0] == context:
            pairs.append((body, LABEL.sub("", rows[i + 1][1])))
    rng.shuffle(pairs)
    return pairs


def train_tokenizer(texts: Iterator[str]) -> object:
    """Byte-free BPE over characters: merges become the corpus's frequent words (人民法院, 整改措施…)."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, trainers

    tokenizer = Tokenizer(models.BPE(unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Lowercase()])
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Whitespace(),
            pre_tokenizers.Punctuation(),
            pre_tokenizers.Digits(individual_digits=False),
        ]
    )
    trainer = trainers.BpeTrainer(
        vocab_size=VOCAB, min_frequency=5, special_tokens=["[UNK]", "[PAD]"], max_token_length=6
    )
    tokenizer.train_from_iterator(texts, trainer=trainer)
    return tokenizer


def train(pairs: list[tuple[str, str]], tokenizer: object, epochs: int, batch: int) -> object:
    """MultipleNegativesRankingLoss over in-batch negatives, plain PyTorch loop (no datasets/accelerate)."""
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss

    from index.static_model import StaticEmbedding

    torch.manual_seed(SEED)
    static = StaticEmbedding(tokenizer, embedding_dim=DIM)  # type: ignore[arg-type]
    torch.nn.init.normal_(static.embedding.weight, std=0.1)
    model = SentenceTransformer(modules=[static], device="cpu")
    loss = MultipleNegativesRankingLoss(model, scale=20.0)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    steps = epochs * (len(pairs) // batch)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: max(0.05, 1 - s / max(1, steps)))
    step = 0
    for epoch in range(epochs):
        random.Random(SEED + epoch).shuffle(pairs)
        total = 0.0
        for start in range(0, len(pairs) - batch + 1, batch):
            chunk = pairs[start : start + batch]
            features = [model.tokenize([a for a, _ in chunk]), model.tokenize([b for _, b in chunk])]
            value = loss(features, torch.empty(0))
            optimizer.zero_grad()
            value.backward()
            optimizer.step()
            schedule.step()
            total += float(value.detach())
            step += 1
            if step % 200 == 0:
                print(f"  epoch {epoch + 1} step {step}/{steps} loss {total / 200:.3f}", flush=True)
                total = 0.0
    return model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch", type=int, default=512)
    parser.add_argument("--out", type=Path, default=BUNDLED_MODEL_DIR)
    parser.add_argument("--no-laws", action="store_true", help="train on corpus/ only")
    parser.add_argument(
        "--student", action="store_true", help="distil multilingual-e5-small into a static model"
    )
    parser.add_argument(
        "--teacher-models",
        type=Path,
        default=None,
        help="--student: where e5 is rebuilt (default data/models)",
    )
    parser.add_argument(
        "--cache", type=Path, default=Path("/tmp/e5student-cache"), help="--student: teacher vectors"
    )
    parser.add_argument(
        "--word-prompt", default="none", help="--student: prompt name for vocabulary words, or none"
    )
    parser.add_argument("--no-sif", dest="sif", action="store_false", help="--student: no SIF weighting")
    parser.add_argument("--student-epochs", type=int, default=4)
    parser.add_argument("--lr", type=float, default=0.01)
    args = parser.parse_args()
    random.seed(SEED)
    np.random.seed(SEED)
    import torch

    torch.manual_seed(SEED)
    folders = [ROOT / "corpus"]
    if LAWS.is_dir() and not args.no_laws:
        folders.append(LAWS)
    else:
        print(f"未找到 {LAWS}：只用 corpus/ 训练（模型会弱很多）。")
    if args.student:
        from evals.distil_student import STUDENT_DIR, student_main

        if args.out == BUNDLED_MODEL_DIR:
            args.out = STUDENT_DIR
        student_main(args, folders)
        return
    started = time.perf_counter()
    rows = list(corpus_passages(folders))
    print(f"passages {len(rows)}  ({time.perf_counter() - started:.0f} s)", flush=True)
    tokenizer = train_tokenizer(t for _, t in rows)
    vocab = tokenizer.get_vocab_size()  # type: ignore[attr-defined]
    print(f"tokenizer vocab {vocab}  ({time.perf_counter() - started:.0f} s)", flush=True)
    pairs = mine_pairs(rows, random.Random(SEED))
    print(f"pairs {len(pairs)}", flush=True)
    model = train(pairs, tokenizer, args.epochs, args.batch)
    args.out.mkdir(parents=True, exist_ok=True)
    model.save(str(args.out))  # type: ignore[attr-defined]
    # sentence-transformers records its own base class; loading must build ours (finite max length)
    modules = json.loads((args.out / "modules.json").read_text(encoding="utf-8"))
    modules[0]["type"] = "index.static_model.StaticEmbedding"
    (args.out / "modules.json").write_text(json.dumps(modules, indent=2) + "\n", encoding="utf-8")
    card = {
        "trained_on": ["corpus/", *(["../shared/bench/lawrefbook/"] if len(folders) > 1 else [])],
        "passages": len(rows),
        "pairs": len(pairs),
        "epochs": args.epochs,
        "batch": args.batch,
        "dim": DIM,
        "vocab": VOCAB,
        "seed": SEED,
        "seconds": round(time.perf_counter() - started, 1),
    }
    (args.out / "training.json").write_text(
        json.dumps(card, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    print(json.dumps(card, ensure_ascii=False))


if __name__ == "__main__":
    main()
