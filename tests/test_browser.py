"""End to end in a real browser: `dangjian serve`'s app on 127.0.0.1, driven by headless Chromium.

Debian's chromium and chromium-driver come from `scripts/install.sh --dev`.
The screenshot is kept under evals/results/ for a person to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from app.services import Services
from tests.browser_support import CHROMEDRIVER, CHROMIUM, ROOT, headless_chromium, page_text, served_app

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not (CHROMIUM and CHROMEDRIVER), reason="chromium/chromedriver missing: bash scripts/install.sh --dev"
    ),
]

SCREENSHOT = ROOT / "evals" / "results" / "browser_ask.png"
QUESTION = "基层反映同一组数据要重复报好几次，属于清单里哪一条？"


@pytest.fixture(scope="module")
def app_url(corpus_services: Services) -> Iterator[str]:
    with served_app(corpus_services.settings.data_dir) as url:
        yield url


def test_question_link_shows_answer_and_citation(app_url: str, tmp_path: Path) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    with headless_chromium(tmp_path / "profile") as driver:
        driver.get(f"{app_url}/?q={quote(QUESTION)}")
        WebDriverWait(driver, 90).until(lambda d: "查看原文" in page_text(d))
        body = page_text(driver)
        assert "出处" in body
        assert "重点问题清单" in body and ("第9条" in body or "第14条" in body)
        assert "相同数据重复填报" in body or "重复填表报数" in body
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(SCREENSHOT))


def test_direct_link_to_a_page_keeps_the_navigation(app_url: str, tmp_path: Path) -> None:
    """A bookmarked /library opens the library inside the app, with every page in the sidebar."""
    from selenium.webdriver.support.ui import WebDriverWait

    with headless_chromium(tmp_path / "profile") as driver:
        driver.get(f"{app_url}/library")
        WebDriverWait(driver, 90).until(lambda d: "文件列表" in page_text(d))
        body = page_text(driver)
        assert "个文件" in body and "文件库是空的" not in body
        for title in ("问答", "文件库", "问题清单", "党课备课", "整改台账"):
            assert title in body
