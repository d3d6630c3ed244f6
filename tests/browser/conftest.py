"""Real Chromium (Debian's, via Playwright's executable_path) against the running services.

Never `playwright install`: it downloads a browser and fails here. Screenshots go to
tests/output/screenshots/, and `assert_accessible(page)` runs axe-core in the page.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("MUSETTE_CHROMIUM", "/usr/bin/chromium")
AXE = Path(__file__).parents[1] / "interop" / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = Path(__file__).parents[1] / "output" / "screenshots"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 360, "height": 740}
LAPTOP = {"width": 1280, "height": 800}


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    if not AXE.exists():
        pytest.skip(
            "axe-core is missing: install npm, then `make test` runs `npm ci` in tests/interop"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        launched.close()


def new_page(browser: Any, *, lang: str = "fr", viewport: dict[str, int] | None = None) -> Any:
    """A fresh browser context (own cookies) speaking ``lang``."""
    context = browser.new_context(
        locale=lang, viewport=viewport or LAPTOP, extra_http_headers={"Accept-Language": lang}
    )
    context.set_default_timeout(20_000)
    return context.new_page()


def screenshot(page: Any, name: str) -> Path:
    """Save a full-page screenshot under tests/output/screenshots/<name>.png."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def assert_accessible(page: Any) -> None:
    """No axe-core violation of serious or critical impact on the current page."""
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `npm ci` in tests/interop")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v.get("impact") in {"serious", "critical"}
    ]
    assert bad == [], f"axe-core violations on {page.url}:\n" + "\n".join(bad)


@pytest.fixture
def contexts() -> Iterator[list[Any]]:
    """The pages a test opens (one browser context each), closed after it. Assertions wait
    for page content as long as actions do (a busy CI machine), then back to the default."""
    from playwright.sync_api import expect

    pages: list[Any] = []
    expect.set_options(timeout=20_000)
    try:
        yield pages
    finally:
        expect.set_options(timeout=5_000)
        for page in pages:
            page.context.close()


class Person:
    """One person's page in their own browser context, checked and saved at every step."""

    def __init__(
        self,
        browser: Any,
        opened: list[Any],
        lang: str,
        viewport: dict[str, int],
        suffix: str,
        prefix: str = "journey",
    ) -> None:
        self.page = new_page(browser, lang=lang, viewport=viewport)
        opened.append(self.page)
        self.suffix = suffix
        self.prefix = prefix
        self.phone = viewport == PHONE

    def look(self, name: str) -> None:
        """Screenshot, axe-core, and on the phone no sideways scrolling."""
        screenshot(self.page, f"{self.prefix}-{name}-{self.suffix}")
        assert_accessible(self.page)
        if self.phone:
            overflow = self.page.evaluate(
                "document.documentElement.scrollWidth - window.innerWidth"
            )
            assert overflow <= 0, f"{self.page.url} is {overflow}px wider than the phone"


def keep_recovery_kit(page: Any) -> str:
    """After « Create an account »: the recovery kit page (shown once); read the code and go on
    to where the sign-up was heading (docs/decisions/person-held-keys.md)."""
    code = page.locator("[data-recovery-code]")
    code.wait_for()
    text = str(code.inner_text())
    with page.expect_navigation():
        page.locator("a[data-continue]").click()
    return text
