"""Serving the real app on loopback and driving Debian's headless Chromium (tests and evals/bench_ask.py)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.server_support import free_port, serving

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
WIDTH, HEIGHT = 1366, 900  # the office laptop screen the page is made for
# The text a person sees: visible elements only, Material icon names skipped (they draw as icons),
# placeholders included, a zero-size font read as its ::before/::after content (how the app puts Chinese over Streamlit's
# English).
VISIBLE_TEXT = """
const out = [];
const walk = (el) => {
  if (el.nodeType === 3) { out.push(el.textContent); return; }
  if (el.nodeType !== 1 || ['NOSCRIPT', 'SCRIPT', 'STYLE', 'TEMPLATE'].includes(el.tagName)) return;
  if (el.getClientRects().length === 0 || el.getAttribute('data-testid') === 'stIconMaterial') return;
  if (el.placeholder) out.push(el.placeholder);
  const style = getComputedStyle(el);
  if (style.visibility === 'hidden') return;
  if (parseFloat(style.fontSize) > 0) { for (const child of el.childNodes) walk(child); }
  for (const pseudo of ['::before', '::after']) {
    const content = getComputedStyle(el, pseudo).content;
    if (content && content !== 'none' && content !== 'normal') out.push(content);
  }
};
walk(document.body);
return out.join(' ');
"""


@contextmanager
def served_app(data_dir: Path, **settings: str) -> Iterator[str]:
    """`dangjian serve` on a free loopback port over `data_dir` (and DANGJIAN_<NAME> `settings`); yields its
    URL, stops it after."""
    port = free_port()
    env = {**os.environ, "DANGJIAN_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1"}
    env.update({f"DANGJIAN_{name.upper()}": value for name, value in settings.items()})
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "app", "serve", "--host", "127.0.0.1", "--port", str(port)]
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    with serving(
        command, url + "/_stcore/health", "streamlit", env=env, cwd=ROOT, start_new_session=True, **quiet
    ):
        yield url


@contextmanager
def headless_chromium(profile: Path) -> Iterator[Any]:
    """A Selenium driver for Debian's chromium; no network besides loopback, nothing downloaded."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
        f"--window-size={WIDTH},{HEIGHT}",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def visible_text(driver: Any) -> str:
    return str(driver.execute_script(VISIBLE_TEXT))


def page_text(driver: Any) -> str:
    from selenium.webdriver.common.by import By

    return str(driver.find_element(By.TAG_NAME, "body").text)
