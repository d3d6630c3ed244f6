"""Self-declared experiences and the timeline (docs/decisions/timeline-spheres.md) in real Chromium:
a self-declared experience described on /experiences, then the timeline of « ma musette » tells the
truth about it: its bar sits on its dates (the SVG geometry matches the period on the page's scale),
its dates and its proof strength are in words, and the gap between two periods is listed.

In French and English, on a laptop and on a 360 px phone; every page passes axe-core and
does not scroll sideways on the phone. Nothing sleeps: every wait is on page content.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

import pytest

from musette.up import UpConfig
from tests.browser.conftest import LAPTOP, PHONE, Person, keep_recovery_kit

pytest.importorskip("playwright")
from playwright.sync_api import expect

PASSWORD = "un-mot-de-passe-solide"
GIG = ("2021-03-01", "2022-08-31")
VOLUNTEERING_START = "2023-05-01"
WORDS = {
    "fr": {
        "signup": "Créer un compte",
        "save": "Enregistrer l'expérience",
        "self_declared": "Auto-déclaré",
        "gig_dates": "du 1 mars 2021 au 31 août 2022",
        "open": "depuis le 1 mai 2023, en cours",
        "platform": "Indépendant et plateformes",
        "volunteering": "Bénévolat",
        "gap": "Rien du 31 août 2022 au 1 mai 2023",
        "gig": "Livreuse à vélo",
        "vol": "Bénévole au festival",
    },
    "en": {
        "signup": "Create an account",
        "save": "Save the experience",
        "self_declared": "Self-declared",
        "gig_dates": "from March 1, 2021 to August 31, 2022",
        "open": "since May 1, 2023, still going on",
        "platform": "Freelance and platforms",
        "volunteering": "Volunteering",
        "gap": "Nothing from August 31, 2022 to May 1, 2023",
        "gig": "Bike courier",
        "vol": "Festival volunteer",
    },
}
CASES = [
    pytest.param("fr", LAPTOP, "fr-laptop", id="fr-laptop"),
    pytest.param("en", LAPTOP, "en-laptop", id="en-laptop"),
    pytest.param("fr", PHONE, "fr-phone", id="fr-phone"),
    pytest.param("en", PHONE, "en-phone", id="en-phone"),
]


def _describe(page: Any, w: dict[str, str], kind: str, title: str, start: str, end: str) -> None:
    page.select_option("#kind", kind)
    page.fill("#title", title)
    page.fill("#organisation", "Coopérative Roule")
    page.fill("#start_date", start)
    page.fill("#end_date", end)
    page.fill("#description", "Livraisons, accueil.")
    page.fill("#skills", "orientation, relation client")
    with page.expect_navigation():
        page.get_by_role("button", name=w["save"]).click()
    expect(page).to_have_url(re.compile(r"/experiences/[^/]+$"))


def _pct(day: str, start: date, total: int) -> float:
    return (date.fromisoformat(day) - start).days / total * 100


@pytest.mark.parametrize(("lang", "viewport", "suffix"), CASES)
def test_the_timeline_tells_the_truth_about_a_self_declared_experience(
    browser: Any,
    stack_config: UpConfig,
    contexts: list[Any],
    lang: str,
    viewport: dict[str, int],
    suffix: str,
) -> None:
    w = WORDS[lang]
    wallet = stack_config.base_url("wallet")
    person = Person(browser, contexts, lang, viewport, suffix, "timeline")
    page = person.page
    page.goto(f"{wallet}/signup")
    page.fill("#email", f"timeline-{suffix}@example.org")
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name=w["signup"]).click()
    keep_recovery_kit(page)

    page.goto(f"{wallet}/experiences")
    person.look("experiences-form")
    _describe(page, w, "gig", w["gig"], *GIG)
    expect(page.locator("main")).to_contain_text(w["self_declared"])
    person.look("experience")
    page.goto(f"{wallet}/experiences")
    _describe(page, w, "volunteering", w["vol"], VOLUNTEERING_START, "")

    page.goto(f"{wallet}/")
    today = datetime.now(UTC).date()
    timeline = page.locator("section.periods")
    expect(timeline).to_be_visible()
    # grouped by sphere, in words
    expect(timeline.get_by_role("heading", name=w["platform"])).to_be_visible()
    expect(timeline.get_by_role("heading", name=w["volunteering"])).to_be_visible()

    gig = timeline.locator("li.period", has_text=w["gig"])
    expect(gig).to_have_count(1)
    expect(gig).to_have_attribute("data-start", GIG[0])
    expect(gig).to_have_attribute("data-end", GIG[1])
    expect(gig).to_contain_text(w["gig_dates"])
    expect(gig.locator(".strength")).to_have_text(w["self_declared"])

    vol = timeline.locator("li.period", has_text=w["vol"])
    expect(vol).to_have_attribute("data-end", "")
    expect(vol).to_contain_text(w["open"])
    expect(vol.locator(".strength")).to_have_text(w["self_declared"])
    expect(timeline.locator("ul.gaps")).to_contain_text(w["gap"])

    # the bars sit on the dates: the scale runs from the earliest start to today
    start = date.fromisoformat(GIG[0])
    total = (today - start).days
    for item, (first, last) in ((gig, GIG), (vol, (VOLUNTEERING_START, today.isoformat()))):
        fill = item.locator("rect.fill")
        x, width = float(fill.get_attribute("x")), float(fill.get_attribute("data-width"))
        assert x == pytest.approx(_pct(first, start, total), abs=0.05)
        assert x + width == pytest.approx(_pct(last, start, total), abs=0.05)
        # and the drawn geometry agrees with the numbers
        box, track = fill.bounding_box(), item.locator("svg.bar").bounding_box()
        assert (box["x"] - track["x"]) / track["width"] * 100 == pytest.approx(x, abs=1)
        assert box["width"] / track["width"] * 100 == pytest.approx(width, abs=1)
    person.look("home")

    with page.expect_navigation():
        gig.get_by_role("link", name=w["gig"]).click()
    expect(page.locator("main")).to_contain_text(w["self_declared"])
    person.look("credential")
