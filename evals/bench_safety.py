"""Nothing lost, nothing duplicated: concurrent writers and kills, checked passage by passage.

Scenarios, each against a fresh data dir, each compared with a clean ingest of the same files:
1. two `dangjian ingest` of the same folder at once;
2. two `dangjian ingest` of different folders at once;
3. a `dangjian ingest` beside an upload through the web app's services (another process);
4. KILLS ingests killed (SIGKILL) at random moments, then one rerun.

A scenario passes when every stored passage appears once and has its vector, and every document has
exactly the passages of the clean ingest. Files: a copy of FILES law files from ../shared/bench
(lawrefbook) when present, else generated ones (said so). Usage:

    .venv/bin/python evals/bench_safety.py [--files 150] [--kills 5] [--work data/bench-safety]

Prints and writes evals/results/safety.json.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from app.services import build_services  # noqa: E402
from app.settings import load_settings  # noqa: E402
from evals.common import LAWS, ROOT, write_result  # noqa: E402

UPLOAD = "上传的通知.txt"
UPLOAD_TEXT = "各单位要落实“三会一课”制度，党支部每月至少召开一次支部委员会会议。\n" * 20


def corpus(work: Path, files: int) -> tuple[Path, Path, str]:
    """Two folders of `files` files each (halves of one selection), and where they came from."""
    laws = sorted(LAWS.rglob("*.md")) if LAWS.is_dir() else []
    source = "lawrefbook" if len(laws) >= 2 * files else "generated"
    if source == "generated":
        print(f"没有找到 {LAWS}（或文件不足），改用生成的文件。")
    halves = []
    for half in range(2):
        folder = work / f"docs{half}"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        for n in range(files):
            target = folder / f"{half}_{n:04d}.md"
            if source == "lawrefbook":
                shutil.copyfile(laws[half * files + n], target)
            else:
                body = "\n".join(f"第{k}条 第{half}-{n}号规定第{k}条：{UPLOAD_TEXT[:40]}" for k in range(40))
                target.write_text(f"# 第{half}-{n}号规定\n{body}\n", encoding="utf-8")
        halves.append(folder)
    return halves[0], halves[1], source


def ingest(data: Path, *paths: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DANGJIAN_DATA_DIR": str(data), "DANGJIAN_SEMANTIC_MODEL": ""}
    return subprocess.Popen(
        [sys.executable, "-m", "app", "ingest", *map(str, paths)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def upload(data: Path) -> subprocess.Popen[bytes]:
    """An upload as the web page makes it: Services.upload in its own process."""
    code = (
        "import sys; from pathlib import Path; from app.services import build_services; "
        "from app.settings import load_settings; "
        "s = build_services(load_settings(data_dir=Path(sys.argv[1]), semantic_model='')); "
        f"s.upload([({UPLOAD!r}, {UPLOAD_TEXT!r}.encode())])"
    )
    return subprocess.Popen([sys.executable, "-c", code, str(data)], cwd=ROOT, stdout=subprocess.DEVNULL)


def contents(data: Path) -> dict[str, int] | str:
    """doc id -> passages, or what is wrong: a passage twice or one without its vector."""
    store = build_services(load_settings(data_dir=data, semantic_model="")).store
    got = store._passages.get(include=["embeddings"])
    if len(got["ids"]) != len(set(got["ids"])):
        return "a passage is stored twice"
    missing = sum(1 for vector in got["embeddings"] if vector is None or not len(vector))
    if missing:
        return f"{missing} passages without a vector"
    return {d.id: d.passages for d in store.list_documents()}


def verdict(data: Path, clean: dict[str, int]) -> dict[str, Any]:
    found = contents(data)
    if isinstance(found, str):
        return {"ok": False, "why": found}
    lost = sorted(set(clean) - set(found))
    extra = sorted(set(found) - set(clean))
    wrong = sorted(d for d in set(clean) & set(found) if clean[d] != found[d])
    return {
        "ok": not (lost or extra or wrong),
        "documents": len(found),
        "lost": lost,
        "extra": extra,
        "wrong": wrong,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--files", type=int, default=150, help="files per folder")
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--work", type=Path, default=ROOT / "data" / "bench-safety")
    args = parser.parse_args()
    random.seed(7)
    args.work.mkdir(parents=True, exist_ok=True)
    first, second, source = corpus(args.work, args.files)

    def fresh(name: str) -> Path:
        data = args.work / name
        shutil.rmtree(data, ignore_errors=True)
        return data

    clean_both = fresh("clean")
    started = time.monotonic()
    ingest(clean_both, first, second).wait()
    clean_seconds = time.monotonic() - started
    both = contents(clean_both)
    assert isinstance(both, dict), both
    one = {d: n for d, n in both.items() if d.startswith(first.name)}
    results: dict[str, Any] = {
        "files": 2 * args.files,
        "source": source,
        "clean_ingest_s": round(clean_seconds, 1),
    }

    data = fresh("same-folder")
    for p in [ingest(data, first), ingest(data, first)]:
        p.wait()
    results["two ingests, same folder"] = verdict(data, one)

    data = fresh("two-folders")
    for p in [ingest(data, first), ingest(data, second)]:
        p.wait()
    results["two ingests, different folders"] = verdict(data, both)

    data = fresh("beside-upload")
    writers = [ingest(data, first)]
    time.sleep(2)
    writers.append(upload(data))
    for p in writers:
        p.wait()
    with_upload = contents(data)
    upload_id = f"uploads/{UPLOAD}"
    stored = with_upload.get(upload_id, 0) if isinstance(with_upload, dict) else 0
    results["ingest beside an upload"] = {
        **verdict(data, {**one, upload_id: stored}),
        "upload stored": bool(stored),
    }

    data = fresh("kills")
    moments = []
    for _ in range(args.kills):
        p = ingest(data, first, second)
        moment = random.uniform(2.0, max(3.0, clean_seconds))
        time.sleep(moment)
        p.send_signal(signal.SIGKILL)
        p.wait()
        moments.append(round(moment, 1))
    ingest(data, first, second).wait()
    results[f"{args.kills} kills, then a rerun"] = {**verdict(data, both), "killed_after_s": moments}

    for name, figures in results.items():
        print(f"{name}: {figures}")
    print(f"写入 {write_result('safety.json', results)}")


if __name__ == "__main__":
    main()
