"""Local servers for tests (Streamlit, Chroma): a free loopback port and waiting until one answers."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

# The server comes from the chromadb package installed beside this interpreter.
CHROMA = Path(sys.executable).with_name("chroma")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_up(url: str, server: subprocess.Popen[bytes], what: str, seconds: float = 60) -> None:
    """Poll `url` until it answers 200; fail early if the server process exits."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"{what} exited with {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"{what} did not come up at {url}")


@contextmanager
def serving(
    command: Sequence[str], health: str, what: str, seconds: float = 60, **popen: Any
) -> Iterator[subprocess.Popen[bytes]]:
    """Start a server process, wait until `health` answers, and stop it (kill if it lingers) after."""
    server = subprocess.Popen(list(command), **popen)
    try:
        wait_until_up(health, server, what, seconds)
        yield server
    finally:
        server.terminate()
        stop(server, 10)


def stop(process: subprocess.Popen[Any], seconds: float) -> None:
    """Wait up to `seconds` for a process to end (after asking it to), then kill it."""
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def chroma_server(folder: Path) -> Iterator[str]:
    """A fresh `chroma run` on a free loopback port, storing and logging under `folder`; its URL."""
    if not CHROMA.exists():
        pytest.skip(f"the chroma CLI is missing ({CHROMA}): install the chromadb package into the venv")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [str(CHROMA), "run", "--path", str(folder / "chroma-server"), "--host", "127.0.0.1"]
    with (
        (folder / "chroma-server.log").open("wb") as log,
        serving(
            command + ["--port", str(port)],
            url + "/api/v2/heartbeat",
            "chroma run",
            30,
            stdout=log,
            stderr=subprocess.STDOUT,
        ),
    ):
        yield url
