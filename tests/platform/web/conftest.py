"""Browser tests of the web pages: Debian's Chromium driven by Playwright, against the real
platform on 127.0.0.1 (the ``live_server`` of ``tests/platform/conftest.py``, on SQLite
only here: the pages' SQL is the API's, which the platform tests run on PostgreSQL too).

One browser for the whole session; each test gets a fresh phone-sized context (390×844).
``MENTRA_WEB_SCREENSHOTS=DIR`` keeps each page's screenshot there (the README's pictures
come from ``resources/screenshots``); otherwise they go to the test's temporary folder.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, sync_playwright

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def database_url(sqlite_template: Path, tmp_path: Path) -> Iterator[str]:
    """A fresh copy of the seeded SQLite database (overrides the SQLite/PostgreSQL pair)."""
    target = tmp_path / "mentra.db"
    shutil.copyfile(sqlite_template, target)
    yield f"sqlite:///{target}"


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed (.ci/run installs Debian's chromium package)")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    ctx = browser.new_context(viewport=PHONE, locale="en-GB")
    ctx.set_default_timeout(10_000)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


class Shots:
    """``shots(page, "web-respond")`` saves a full-page PNG; with ``at=`` a locator, the
    phone's viewport scrolled to that element (a long list shows the part under test)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def __call__(self, page: Page, name: str, at: Locator | None = None) -> Path:
        path = self.folder / f"{name}.png"
        if at is None:
            page.screenshot(path=str(path), full_page=True)
        else:
            at.evaluate("el => el.scrollIntoView({block: 'start'})")
            page.screenshot(path=str(path))
        return path


@pytest.fixture
def shots(tmp_path: Path) -> Shots:
    folder = os.environ.get("MENTRA_WEB_SCREENSHOTS")
    return Shots(Path(folder) if folder else tmp_path / "screenshots")
