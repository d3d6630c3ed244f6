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
