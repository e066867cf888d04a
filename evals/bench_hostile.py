"""Hostile files, one at a time beside a good document: refused with one line, or read, fast and small.

The target (issue 14): for each hostile case, one Chinese line naming the file and the reason within
30 s, peak memory (RSS) at most 1 GB, the rest ingested, exit 0. Each case gets a folder holding the
hostile file and one good document, and a fresh data dir; the real CLI (`python -m app ingest`)
ingests the folder, its wall time and peak RSS taken from wait4(); then `dangjian search` must find
the good document. A case the loaders can read instead (a GB18030 text, a long name) passes when it
is searchable under its own name with no line about it. `--boundary` adds the largest files the
default limits let through, to see whether the limits themselves meet the target; a run past 180 s or
4 GB is killed. Usage:

    .venv/bin/python evals/bench_hostile.py [--work data/bench-hostile] [--only 名称 ...] [--boundary]

Prints a table and writes evals/results/hostile.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import threading
import time
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from evals.common import ROOT, write_result  # noqa: E402
from ingest.limits import DEFAULT_LIMITS  # noqa: E402

MB = 1024 * 1024
LIMIT_S = 30.0
LIMIT_RSS_MB = 1024.0
KILL_AFTER_S = 180  # a case that hangs is stopped here and reported (exit -9)
KILL_ABOVE_MB = 4 * LIMIT_RSS_MB  # likewise a case whose memory runs away
GOOD = "好文件.md"
GOOD_TEXT = "# 关于开展主题党日活动的通知\n一、活动安排\n各党支部于每月第一周开展主题党日活动，重温入党誓词，学习党章党规。\n"
GOOD_QUERY = "主题党日活动 重温入党誓词"
READABLE = "各党支部要认真落实民主评议党员制度，每年开展一次民主评议党员工作。\n"
READABLE_QUERY = "民主评议党员制度"
LINE = "全面从严治党，党支部按期换届，严格落实“三会一课”制度。\n"  # 26 characters, 78 bytes of UTF-8
DOCX_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
)
DOCX_PARTS = {
    "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/'
    'document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>",
    "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
    'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
    '2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
}


def paragraphs(lines: list[str]) -> bytes:
    return "".join(f"<w:p><w:r><w:t>{line}</w:t></w:r></w:p>" for line in lines).encode()


BOMB = paragraphs([LINE.strip()] * 1000)  # packs about 290:1


# 20,000 different lines of random CJK characters: they pack under 2:1, so no ratio bound applies
_RNG = random.Random(14)
PLAIN_LINES = ["".join(_RNG.choices([chr(c) for c in range(0x4E00, 0x5A00)], k=60)) for _ in range(2_000)]


def docx(path: Path, unpacked_mb: float, block: bytes = BOMB) -> None:
    """A .docx whose document.xml is `block` repeated to `unpacked_mb`."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in DOCX_PARTS.items():
            archive.writestr(name, text)
        with archive.open("word/document.xml", "w", force_zip64=True) as xml:
            xml.write(DOCX_HEAD.encode())
            written = 0
            while written + len(block) <= unpacked_mb * MB:  # whole blocks: the XML stays well-formed
                xml.write(block)
                written += len(block)
            xml.write(b"</w:body></w:document>")


def text_of(mb: float) -> bytes:
    return (LINE * int(mb * MB / len(LINE.encode()) + 1)).encode()


def sized_text(path: Path, mb: float) -> None:
    chunk = text_of(16)
    with path.open("wb") as f:
        for _ in range(int(mb // 16)):
            f.write(chunk)
        f.write(text_of(mb % 16)[: int(mb % 16 * MB)].decode("utf-8", "ignore").encode())  # whole characters


@dataclass(frozen=True)
class Case:
    """One hostile file: its name in the folder and how to make it there."""

    name: str
    file: str | bytes
    make: Callable[[Path], object]
    query: str = ""  # finds it if a loader may read it instead (then it must be searchable)


def pdf(path: Path, contents: list[bytes]) -> None:
    """A minimal PDF, one page per content stream (already encoded, Flate): catalog, page tree, pages."""
    pages = len(contents)
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode(),
    ]
    for i, stream in enumerate(contents):
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents {4 + 2 * i} 0 R >>".encode()
        )
        objects.append(
            f"<< /Length {len(stream)} /Filter /FlateDecode >>\nstream\n".encode() + stream + b"\nendstream"
        )
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    path.write_bytes(bytes(out))


def pdf_bomb(path: Path, unpacked_mb: int) -> None:
    """A PDF whose one page's content stream is `unpacked_mb` of spaces, packed a thousandfold."""
    packer = zlib.compressobj(9)
    blank = b" " * MB
    stream = b"".join(packer.compress(blank) for _ in range(unpacked_mb)) + packer.flush()
    pdf(path, [stream])


def _write(data: bytes) -> Callable[[Path], object]:
    return lambda path: path.write_bytes(data)


def _long_stem(folder: Path) -> str:
    """100 Chinese characters are 300 bytes of UTF-8, past the 255 a name may have on ext4 and most
    file systems: the longest name that fits stands in (83 characters and `.txt`)."""
    stem = ("关于进一步加强和改进新时代基层党组织建设工作的实施意见" * 5)[:100]
    while len(f"{stem}.txt".encode()) > os.pathconf(folder, "PC_NAME_MAX"):
        stem = stem[:-1]
    return stem


CASES = [
    Case("压缩炸弹 .docx（解压 250 MB）", "炸弹.docx", lambda p: docx(p, 250)),
    Case("PDF 炸弹（一个内容流解压 1 GB）", "炸弹.pdf", lambda p: pdf_bomb(p, 1024)),
    Case(".docx（解压 1.2 GB）", "巨大.docx", lambda p: docx(p, 1200)),
    Case("300 MB .txt", "巨大.txt", lambda p: sized_text(p, 300)),
    Case("30 MB .txt", "较大.txt", lambda p: sized_text(p, 30), "三会一课 党支部按期换届"),
    Case("文件名不是 UTF-8", "党员名单".encode("gbk") + b".txt", _write(READABLE.encode())),
    Case("指向 /etc/passwd 的链接", "外部.txt", lambda p: p.symlink_to("/etc/passwd")),
    Case("命名管道（FIFO）", "管道.txt", lambda p: os.mkfifo(p)),
    Case("隐藏文件", ".隐藏.txt", _write(READABLE.encode())),
    Case("空文件", "空文件.txt", _write(b"")),
    Case(
        "损坏的 .pdf",
        "损坏.pdf",
        _write(b"%PDF-1.7\n1 0 obj <</Type /Catalog /Pages 2 0 R\n" + os.urandom(4096)),
    ),
    Case("GB18030 文本（无标记）", "国标编码.txt", _write(READABLE.encode("gb18030")), READABLE_QUERY),
]
LONG = _long_stem(ROOT)
CASES.append(Case(f"{len(LONG)} 个汉字的文件名", f"{LONG}.txt", _write(READABLE.encode()), READABLE_QUERY))
# --boundary: the largest files the default limits let through, to see whether the limits meet the target
TEXT_EDGE = 0.95 * DEFAULT_LIMITS.text_mb
XML_EDGE = 0.95 * DEFAULT_LIMITS.xml_mb
BOUNDARY = [
    Case(
        f"限内的 {TEXT_EDGE:g} MB .txt",
        "限内.txt",
        lambda p: sized_text(p, TEXT_EDGE),
        "三会一课 党支部按期换届",
    ),
    Case(
        f"限内的 .docx（解压 {XML_EDGE:g} MB）",
        "限内.docx",
        lambda p: docx(p, XML_EDGE, paragraphs(PLAIN_LINES)),
        PLAIN_LINES[0][:12],
    ),
]


def shown(name: str | bytes) -> str:
    """The name as a line prints it (undecodable bytes as replacement characters)."""
    return os.fsencode(name).decode("utf-8", "replace")


def _watch(child: subprocess.Popen[bytes], done: threading.Event) -> None:
    """Kill the child past KILL_AFTER_S or KILL_ABOVE_MB: it has missed the target by then, and a
    runaway parse can take all the memory of the machine."""
    deadline = time.monotonic() + KILL_AFTER_S
    status = Path(f"/proc/{child.pid}/status")
    while not done.wait(0.2):
        try:
            rss_mb = int(re.findall(r"VmRSS:\s+(\d+)", status.read_text())[0]) / 1024
        except (OSError, IndexError):
            rss_mb = 0
        if time.monotonic() > deadline or rss_mb > KILL_ABOVE_MB:
            child.kill()
            return


def run(args: list[str], data: Path, log: Path) -> tuple[int, float, float]:
    """Run the CLI with stdout and stderr into `log`: exit code, seconds, peak RSS in MB."""
    env = {**os.environ, "DANGJIAN_DATA_DIR": str(data), "DANGJIAN_SEMANTIC_MODEL": "", "HF_HUB_OFFLINE": "1"}
    started = time.monotonic()
    with log.open("wb") as out:
        child = subprocess.Popen(
            [sys.executable, "-m", "app", *args], cwd=ROOT, env=env, stdout=out, stderr=out
        )
        done = threading.Event()
        watcher = threading.Thread(target=_watch, args=(child, done))
        watcher.start()
        _, status, usage = os.wait4(child.pid, 0)  # the child's own peak RSS, unlike getrusage
        child.returncode = code = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        done.set()
        watcher.join()
    return code, time.monotonic() - started, usage.ru_maxrss / 1024


def found(data: Path, query: str, work: Path) -> list[str]:
    """Doc ids `dangjian search` returns for `query`."""
    log = work / "search.txt"
    code, _, _ = run(["search", query, "--k", "3", "--json"], data, log)
    if code:
        return []
    return [hit["doc_id"] for hit in json.loads(log.read_text(encoding="utf-8"))["results"]]


def measure(case: Case, work: Path) -> dict[str, Any]:
    folder, data = work / "folder", work / "data"
    for old in (folder, data):
        shutil.rmtree(old, ignore_errors=True)
    folder.mkdir(parents=True)
    (folder / GOOD).write_text(GOOD_TEXT, encoding="utf-8")
    target = os.path.join(os.fsencode(folder), os.fsencode(case.file))
    case.make(Path(os.fsdecode(target)))
    size = os.lstat(target).st_size
    code, seconds, rss = run(["ingest", str(folder)], data, work / "ingest.txt")
    output = (work / "ingest.txt").read_text(encoding="utf-8", errors="replace")
    name = shown(case.file)
    lines = [line.strip() for line in re.split(r"[\r\n]", output) if name in line]
    good = any(d.endswith(GOOD) for d in found(data, GOOD_QUERY, work))
    read = bool(case.query) and not lines and any(d.endswith(name) for d in found(data, case.query, work))
    outcome = (
        "读入" if read else ("拒绝" if len(lines) == 1 else "被终止" if code == -9 else f"{len(lines)} 行")
    )
    ok = code == 0 and seconds <= LIMIT_S and rss <= LIMIT_RSS_MB and good and (read or len(lines) == 1)
    return {
        "file": name,
        "bytes": size,
        "exit": code,
        "seconds": round(seconds, 1),
        "peak_rss_mb": round(rss),
        "outcome": outcome,
        "lines": lines,
        "good_document_searchable": good,
        "ok": ok,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--work", type=Path, default=ROOT / "data" / "bench-hostile")  # same fs as ROOT
    parser.add_argument("--only", nargs="*", default=[], help="cases whose name contains one of these")
    parser.add_argument("--boundary", action="store_true", help="also the largest files within the limits")
    args = parser.parse_args()
    results: dict[str, Any] = {"limits": {"seconds": LIMIT_S, "peak_rss_mb": LIMIT_RSS_MB}, "cases": {}}
    groups = [("cases", CASES)] + ([("boundary", BOUNDARY)] if args.boundary else [])
    print(f"{'情形':<24}{'大小':>10}{'退出码':>6}{'秒':>7}{'峰值MB':>8}  {'结果':<6}{'好文件':<5}达标")
    for group, case in ((group, case) for group, cases in groups for case in cases):
        if args.only and not any(word in case.name for word in args.only):
            continue
        figures = measure(case, args.work)
        results.setdefault(group, {})[case.name] = figures
        print(
            f"{case.name:<24}{figures['bytes'] / MB:>9.2f}M{figures['exit']:>6}{figures['seconds']:>7}"
            f"{figures['peak_rss_mb']:>8}  {figures['outcome']:<6}{'是' if figures['good_document_searchable'] else '否':<5}"
            f"{'是' if figures['ok'] else '否'}"
        )
        for line in figures["lines"]:
            print(f"    {line}")
    shutil.rmtree(args.work, ignore_errors=True)
    results["all_ok"] = all(figures["ok"] for figures in results["cases"].values())  # the cases
    if not args.only:
        print(f"写入 {write_result('hostile.json', results)}")


if __name__ == "__main__":
    main()
