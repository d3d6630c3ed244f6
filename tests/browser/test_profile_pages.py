"""An application profile in real Chromium, in French on a phone and in English on a laptop,
against the running services: a person imports two badges of the demo association, makes a
profile of both, and a recruiter opens its public page. The association revokes one badge:
the page reads "revoked" for it and "verifies" for the other, at once. The person withdraws
the profile: the link answers 410 with a plain page. Screenshot and axe-core at every step."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
from playwright.sync_api import expect

from musette.up import UpConfig
from tests.browser.conftest import LAPTOP, PHONE, Person, keep_recovery_kit
from tests.browser.test_wallet_pages import ORG, PASSWORD, badge_png, offer_link
from tests.demo_clients import demo_issuer_client

WORDS = {
    "fr": {
        "signup": "Créer un compte",
        "import": "Importer",
        "make": "Créer le profil",
        "verified": "Vérifié\u00a0: authentique et valide aujourd'hui.",
        "revoked": "Révoqué\u00a0: l'émetteur a retiré ce badge.",
        "withdraw": "Retirer ce profil",
        "gone": "Profil retiré",
        "accept": "Accepter et le garder",
    },
    "en": {
        "signup": "Create an account",
        "import": "Import",
        "make": "Make the profile",
        "verified": "It verifies: authentic and valid today.",
        "revoked": "Revoked: the issuer withdrew this credential.",
        "withdraw": "Withdraw this profile",
        "gone": "Profile withdrawn",
        "accept": "Accept and keep it",
    },
}


@pytest.fixture(scope="module")
def issuer_api(stack_config: UpConfig) -> Iterator[httpx2.Client]:
    with demo_issuer_client(stack_config, "profile pages") as client:
        yield client


#: 42 volunteer hours as the page shows them: not digits of a date or a time
HOURS = re.compile(r"(?<![\d:])42(?![\d:])")


def _import(holder: Person, wallet: str, png: Path, import_words: str) -> str:
    page = holder.page
    page.goto(wallet + "/receive")
    page.set_input_files("#file", str(png))
    page.get_by_role("button", name=import_words, exact=True).click()
    page.wait_for_url(re.compile(r".*/credentials/[0-9a-f]+.*"))
    found = re.search(r"/credentials/([0-9a-f]+)", page.url)
    assert found
    return found.group(1)


@pytest.mark.parametrize(
    ("lang", "viewport", "device"), [("fr", PHONE, "phone"), ("en", LAPTOP, "laptop")]
)
def test_the_public_profile_tells_the_truth(
    browser: Any,
    contexts: list[Any],
    stack_config: UpConfig,
    issuer_api: httpx2.Client,
    tmp_path: Path,
    lang: str,
    viewport: dict[str, int],
    device: str,
) -> None:
    w = WORDS[lang]
    wallet = stack_config.base_urls()["wallet"]
    shot = f"{lang}-{device}"
    holder = Person(browser, contexts, lang, viewport, shot, prefix="profile")
    page = holder.page
    page.goto(wallet + "/signup")
    page.fill("#email", f"profile-{lang}-{device}@example.org")
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name=w["signup"]).click()
    keep_recovery_kit(page)
    page.wait_for_url(wallet + "/")

    # two badges of the association, one of which it will revoke
    issued = []
    for n in range(2):
        folder = tmp_path / str(n)
        folder.mkdir()
        png = badge_png(issuer_api, folder, lang)
        issued.append(issuer_api.get(f"/admin/orgs/{ORG}/credentials").json()[0]["id"])
        _import(holder, wallet, png, w["import"])

    page.goto(wallet + "/profiles")
    holder.look("1-new")
    page.fill("#profile-title", "Candidature — Orchestre de chambre")
    for box in page.locator("input[name=credential]").all():
        box.check()
    page.get_by_role("button", name=w["make"]).click()
    page.wait_for_url(re.compile(r".*/profiles/[0-9a-f]{32}$"))
    holder.look("2-made")
    url = page.input_value("#profile-url")
    assert "/p/" in url

    recruiter = Person(browser, contexts, lang, viewport, shot, prefix="profile-public")
    recruiter.page.goto(url)
    main = recruiter.page.locator("main")
    expect(main.locator(".card[data-verdict=ok]")).to_have_count(2)
    expect(main).to_contain_text(w["verified"])
    recruiter.look("1-verified")

    revoked = issuer_api.post(
        f"/admin/orgs/{ORG}/credentials/{issued[0]}/status",
        json={"action": "revoke", "reason": "erreur de saisie"},
    )
    assert revoked.status_code == 200, revoked.text
    recruiter.page.reload()
    expect(main.locator(".card[data-verdict=revoked]")).to_have_count(1)
    expect(main.locator(".card[data-verdict=revoked]")).to_contain_text(w["revoked"])
    expect(main.locator(".card[data-verdict=ok]")).to_have_count(1)
    assert "{" not in main.inner_text()  # words, never raw JSON
    recruiter.look("2-one-revoked")

    page.get_by_role("button", name=w["withdraw"]).click()
    page.wait_for_url(re.compile(r".*/profiles/[0-9a-f]{32}$"))
    holder.look("3-withdrawn")
    answer = recruiter.page.goto(url)
    assert answer is not None
    assert answer.status == 410
    expect(recruiter.page.locator("main")).to_contain_text(w["gone"])
    recruiter.look("3-gone")


def test_an_sd_jwt_part_not_ticked_is_nowhere_on_the_public_page(
    browser: Any, contexts: list[Any], stack_config: UpConfig, issuer_api: httpx2.Client
) -> None:
    """A badge received in SD-JWT VC (42 volunteer hours): with no part ticked, the hours are
    neither on the page nor in the badge it links to; ticking them shows them."""
    w, lang = WORDS["fr"], "fr"
    wallet = stack_config.base_urls()["wallet"]
    holder = Person(browser, contexts, lang, PHONE, "fr-phone", prefix="profile-sd")
    page = holder.page
    page.goto(wallet + "/signup")
    page.fill("#email", "profile-sd@example.org")
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name=w["signup"]).click()
    keep_recovery_kit(page)
    page.wait_for_url(wallet + "/")
    page.goto(offer_link(issuer_api, lang))
    page.get_by_role("button", name=w["accept"]).click()
    page.wait_for_url(re.compile(r".*/credentials/[0-9a-f]+.*"))

    def publish(tick_hours: bool) -> str:
        page.goto(wallet + "/profiles")
        page.fill("#profile-title", "Candidature")
        page.locator("input[name=credential]").first.check()
        parts = page.locator("label.choice", has=page.locator("input[name^=part-]"))
        assert parts.count() > 0
        if tick_hours:
            parts.filter(has_text="42").locator("input").check()
        holder.look("1-parts")
        page.get_by_role("button", name=w["make"]).click()
        page.wait_for_url(re.compile(r".*/profiles/[0-9a-f]{32}$"))
        return str(page.input_value("#profile-url"))

    recruiter = Person(browser, contexts, lang, PHONE, "fr-phone", prefix="profile-sd-public")
    recruiter.page.goto(publish(tick_hours=False))
    expect(recruiter.page.locator(".card[data-verdict=ok]")).to_have_count(1)
    # the hours as a value, not the seconds of a time on the page ("18:31:42")
    assert HOURS.search(recruiter.page.locator("main").inner_text()) is None
    recruiter.look("1-hidden")
    raw = recruiter.page.locator("main a[href$='/raw']").get_attribute("href")
    published = recruiter.page.request.get(stack_config.base_urls()["wallet"] + raw).text()
    from shared.proofs.sd_jwt import parse_disclosure, parse_sd_jwt

    assert all(
        "42" not in str(parse_disclosure(d).value) for d in parse_sd_jwt(published).disclosures
    )
    recruiter.page.goto(publish(tick_hours=True))
    expect(recruiter.page.locator("main")).to_contain_text(HOURS)
    recruiter.look("2-shown")
