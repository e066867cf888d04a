"""The CLI contract of DESIGN.md, through click's CliRunner against the session's index."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from click.testing import CliRunner

from app.cli import cli, port_free
from app.services import Services
from tests.server_support import free_port, wait_until_up

QUESTIONS = [
    "基层反映同一组数据要重复报好几次，属于清单里哪一条？",
    "机关里正式党员有几个人就能成立党支部？",
    "政务服务技能大赛的主题是什么？",
]


def _run(services: Services, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--data-dir", str(services.settings.data_dir), *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_batch_prints_one_json_object_per_question_in_order(
    corpus_services: Services, tmp_path: Path
) -> None:
    batch = tmp_path / "q.txt"
    batch.write_text("\n".join(QUESTIONS) + "\n\n", encoding="utf-8")
    lines = _run(corpus_services, "search", "--batch", str(batch), "--k", "4").splitlines()
    objects = [json.loads(line) for line in lines]
    assert [o["query"] for o in objects] == QUESTIONS
    for o in objects:
        assert 1 <= len(o["results"]) <= 4
        assert [r["rank"] for r in o["results"]] == list(range(1, len(o["results"]) + 1))
        scores = [r["score"] for r in o["results"]]
        assert scores == sorted(scores, reverse=True)
        for r in o["results"]:
            assert set(r) == {"rank", "score", "doc_id", "title", "section", "text", "item", "start", "end"}
            doc = corpus_services.store.get_document(r["doc_id"])
            assert doc is not None and doc.text[r["start"] : r["end"]] == r["text"]
    assert objects[0]["results"][0]["item"] in ("9", "14")


def test_json_search_and_human_output(corpus_services: Services) -> None:
    data = json.loads(_run(corpus_services, "search", QUESTIONS[1], "--json", "--k", "3"))
    assert data["query"] == QUESTIONS[1] and len(data["results"]) == 3
    human = _run(corpus_services, "search", QUESTIONS[1], "--k", "2")
    assert "[1] 《" in human and "正式党员" in human


def test_search_before_ingest_is_one_clear_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path / "empty"), "search", "党支部"])
    assert result.exit_code == 2
    assert "dangjian ingest" in result.output and len(result.output.strip().splitlines()) == 1


def test_ingest_reports_refused_files_and_exits_zero(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "good.txt").write_text(
        "一、总体要求\n各单位要落实“三会一课”制度，加强党支部建设。\n", encoding="utf-8"
    )
    (docs / "bad.docx").write_bytes(b"not a zip")
    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path / "data"), "ingest", str(docs)])
    assert result.exit_code == 0, result.output
    assert f"跳过 {docs / 'bad.docx'}：" in result.output
    assert "新增或更新 1 个文档" in result.output


def test_ingest_with_nothing_readable_fails(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pdf"
    bad.write_text("plain text", encoding="utf-8")
    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path / "data"), "ingest", str(bad)])
    assert result.exit_code == 1


def test_help_and_usage_errors_are_in_chinese() -> None:
    runner = CliRunner()
    shown = (
        runner.invoke(cli, ["-h"], prog_name="dangjian").output + runner.invoke(cli, ["ledger", "-h"]).output
    )
    assert (
        "用法： dangjian [选项] 命令 [参数]..." in shown and "显示本帮助并退出。" in shown and "选项" in shown
    )
    for english in ("Usage", "Options", "Commands", "Show this message", "[OPTIONS]", "required", "TEXT"):
        assert english not in shown
    wrong = CliRunner().invoke(cli, ["ask", "--bogus"])
    assert wrong.exit_code == 2 and "错误：没有 '--bogus' 这个选项。" in wrong.output
    assert "Error" not in wrong.output and "No such option" not in wrong.output


def serve(port: int, data_dir: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "DANGJIAN_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1"}
    command = [sys.executable, "-m", "app", "serve", "--port", str(port)]
    return subprocess.Popen(command, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_serve_on_a_busy_port_is_one_chinese_line_and_a_failure(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        server = serve(taken.getsockname()[1], tmp_path)
        out, err = server.communicate(timeout=60)
    assert server.returncode == 1 and out == ""
    assert err.count("\n") == 1 and "端口" in err and "已被占用" in err


def test_stopping_serve_frees_the_port_within_five_seconds(corpus_services: Services) -> None:
    port = free_port()
    server = serve(port, corpus_services.settings.data_dir)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/_stcore/health", server, "serve")  # type: ignore[arg-type]
        server.send_signal(signal.SIGTERM)
        stopped = time.monotonic()
        while not port_free("127.0.0.1", port) and time.monotonic() - stopped < 5:
            time.sleep(0.1)
        assert port_free("127.0.0.1", port), "the port is still served 5 s after serve was stopped"
    finally:
        server.kill()
        server.communicate()


def test_serve_comes_up_on_a_data_dir_with_nothing_ingested(tmp_path: Path) -> None:
    """Loading before ready (app/server.py) finds no index: the server still starts, and the page says
    what to do, rather than the server failing to start."""
    port = free_port()
    server = serve(port, tmp_path / "empty")
    try:
        wait_until_up(f"http://127.0.0.1:{port}/_stcore/health", server, "serve")  # type: ignore[arg-type]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/ask", timeout=10) as page:
            assert b'<html lang="zh-CN"' in page.read()
    finally:
        server.terminate()
        server.communicate(timeout=30)
