"""Ingest at scale: the 19-million-character law corpus into a fresh data dir, stage by stage.

Three runs, each in its own process so each peak RSS is its own:
1. full ingest of ../shared/bench/lawrefbook (a working copy) with the default settings;
2. the same, unchanged (the skip path);
3. after editing 10 files and deleting 5 (`--prune`), checking that the edited text
   is found and the deleted documents are not.

Prints and writes evals/results/ingest.json: files, passages, characters per second,
seconds per stage (hash, read = load+clean+structure, chunk, embed, write, lexical),
peak RSS, index size on disk.

    .venv/bin/python evals/bench_ingest.py [--work data/bench-ingest]

Says so and exits 0 when ../shared/bench is absent.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from evals.common import LAWS, ROOT, write_result  # noqa: E402

EDITED = 10
DELETED = 5
# one sentence per edited file, sharing no wording with the others, so each probe has exactly
# one right answer (a shared template made the ten edited passages outrank each other)
MARKS = (
    "麒麟踏雪夜巡北岭古渡。",
    "凤凰栖梧晨鸣南山竹林。",
    "玄武负碑静卧东湖石桥。",
    "朱雀衔灯飞越西市城楼。",
    "白虎啸月守望云岭关隘。",
    "青龙戏水盘旋洞庭湖心。",
    "貔貅镇宅端坐钱塘旧巷。",
    "饕餮铜鼎陈列太庙偏殿。",
    "鲲鹏振翅扶摇九万里云。",
    "獬豸独角明辨是非曲直。",
)


def child(data_dir: Path, corpus: Path, prune: bool, probes: list[str], gone: list[str]) -> None:
    """One ingest in this process; prints its report, peak RSS and the edit/delete checks, as JSON."""
    from app.services import build_services
    from app.settings import load_settings

    services = build_services(load_settings(data_dir=data_dir))
    started = time.perf_counter()
    report = services.ingest([corpus], prune=prune)
    seconds = time.perf_counter() - started
    engine = services.engine() if probes else None
    found = sum(any(q in h.passage.text for h in engine.search(q, 3)) for q in probes) if engine else 0
    still = set(gone) & set(services.store.document_hashes())
    print(
        json.dumps(
            {
                "seconds": round(seconds, 1),
                "files_ingested": len(report.ingested),
                "files_unchanged": len(report.unchanged),
                "files_rejected": len(report.rejected),
                "files_removed": len(report.removed),
                "passages": report.passages,
                "characters": report.characters,
                "chars_per_s": round(report.characters / seconds) if seconds else 0,
                "stages_s": {k: round(v, 1) for k, v in report.stages.items()},
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                "edited_found": f"{found}/{len(probes)}",
                "deleted_still_indexed": len(still),
            },
            ensure_ascii=False,
        )
    )


def run_child(
    data_dir: Path,
    corpus: Path,
    prune: bool = False,
    probes: tuple[str, ...] = (),
    gone: tuple[str, ...] = (),
) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--child", str(data_dir), str(corpus)]
    cmd += ["--prune"] if prune else []
    for probe in probes:
        cmd += ["--probe", probe]
    for doc_id in gone:
        cmd += ["--gone", doc_id]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(done.stderr[-3000:])
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def size_mb(folder: Path) -> float:
    return round(sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20, 1)


def edit_and_delete(corpus: Path) -> tuple[list[str], list[str]]:
    """Append a unique sentence to 10 laws and delete 5 others; returns (probes, deleted doc ids)."""
    laws = sorted(p for p in corpus.rglob("*.md") if p.name != "_index.md" and p.stat().st_size > 2000)
    probes = []
    for path, line in zip(laws[:EDITED], MARKS, strict=False):
        path.write_text(path.read_text(encoding="utf-8") + f"\n\n{line}\n", encoding="utf-8")
        probes.append(line)
    deleted = []
    for path in laws[-DELETED:]:
        deleted.append(f"{corpus.name}/{path.relative_to(corpus).as_posix()}")
        path.unlink()
    return probes, deleted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=ROOT / "data" / "bench-ingest")
    parser.add_argument("--child", nargs=2, type=Path, metavar=("DATA_DIR", "CORPUS"))
    parser.add_argument("--prune", action="store_true")
    parser.add_argument("--probe", action="append", default=[])
    parser.add_argument("--gone", action="append", default=[])
    args = parser.parse_args()
    if args.child:
        child(*args.child, args.prune, args.probe, args.gone)
        return
    if not LAWS.is_dir():
        print(f"law corpus not found at {LAWS}: it lives in ../shared/bench, not in a user's clone.")
        return
    shutil.rmtree(args.work, ignore_errors=True)
    corpus, data = args.work / "lawrefbook", args.work / "data"
    shutil.copytree(LAWS, corpus)
    full = run_child(data, corpus)
    full["index_size_mb"] = size_mb(data)
    unchanged = run_child(data, corpus)
    probes, deleted = edit_and_delete(corpus)
    update = run_child(data, corpus, prune=True, probes=tuple(probes), gone=tuple(deleted))
    figures = {"full": full, "unchanged": unchanged, "update_10_edits_5_deletes": update}
    for name, values in figures.items():
        print(f"{name}: {json.dumps(values, ensure_ascii=False)}")
    print(f"written to {write_result('ingest.json', figures)}")


if __name__ == "__main__":
    main()
