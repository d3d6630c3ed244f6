"""The wallet in real Chromium, in French on a phone and in English on a laptop, against the
three services running with their demo data: sign up, import a badge file, see it in « ma
musette » and on its page, open an issuer's offer link and accept it, consent to a
recruiter's request; a screenshot and an axe-core check on every page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx2
import pytest

from musette.up import UpConfig
from tests.browser.conftest import (
    LAPTOP,
    PHONE,
    assert_accessible,
    keep_recovery_kit,
    new_page,
    screenshot,
)
from tests.demo_clients import demo_issuer_client

ORG = "demo-association"
PASSWORD = "un-mot-de-passe-solide"
WORDS = {
    "fr": {
        "signup": "Créer un compte",
        "home": "Ma musette",
        "empty": "Votre musette est vide",
        "import": "Importer",
        "verified": "Vérifié\u00a0: authentique et valide aujourd'hui.",
        "trusted": "Émetteur de confiance",
        "accept": "Accepter et le garder",
        "received": "Le badge est dans votre musette.",
        "timeline": "Frise chronologique",
        "continue": "Continuer",
        "consent": "J'accepte\u00a0: envoyer",
        "sent": "Le vérificateur a reçu votre réponse.",
        "history": "Montré à",
        "hours": "Heures de bénévolat",
    },
    "en": {
        "signup": "Create an account",
        "home": "My musette",
        "empty": "Your musette is empty",
        "import": "Import",
        "verified": "It verifies: authentic and valid today.",
        "trusted": "Trusted issuer",
        "accept": "Accept and keep it",
        "received": "The credential is in your musette.",
        "timeline": "Timeline",
        "continue": "Continue",
        "consent": "I agree: send",
        "sent": "The verifier received your answer.",
        "history": "Shown to",
        "hours": "Volunteer hours",
    },
}


@pytest.fixture(scope="module")
def issuer_api(stack_config: UpConfig) -> Iterator[httpx2.Client]:
    """The demo association's admin API, with an API key (as its console would use it)."""
    with demo_issuer_client(stack_config, "wallet pages") as client:
        yield client


@pytest.fixture(scope="module")
def verifier_api(stack_config: UpConfig) -> Iterator[httpx2.Client]:
    key = (stack_config.data_dir / "verifier" / "demo-recruiter-api-key.txt").read_text().strip()
    with httpx2.Client(
        base_url=stack_config.base_url("verifier"), headers={"Authorization": f"Bearer {key}"}
    ) as client:
        yield client


def badge_png(issuer_api: httpx2.Client, folder: Path, lang: str) -> Path:
    """A badge issued directly (no wallet) and downloaded as a baked PNG."""
    issued = issuer_api.post(
        f"/admin/orgs/{ORG}/credentials",
        json={
            "achievement": "volunteer",
            "recipient": {"name": "Camille Martin"},
            "subject": {"role": "Encadrante bénévole", "results": {"hours": "12"}},
            "format": "ldp_vc",
            "language": lang,
        },
    )
    assert issued.status_code == 201, issued.text
    png = issuer_api.get(
        f"/admin/orgs/{ORG}/credentials/{issued.json()['id']}/download", params={"as": "png"}
    )
    assert png.status_code == 200, png.text
    path = folder / f"badge-{lang}.png"
    path.write_bytes(png.content)
    return path


def offer_link(issuer_api: httpx2.Client, lang: str) -> str:
    """An offer the demo association makes; the link opens the wallet's /receive page."""
    resp = issuer_api.post(
        f"/admin/orgs/{ORG}/offers",
        json={
            "achievement": "volunteer",
            "recipient": {"name": "Camille Martin"},
            "subject": {"role": "Encadrante bénévole", "results": {"hours": "42"}},
            "formats": ["dc+sd-jwt"],
            "language": lang,
        },
    )
    assert resp.status_code == 201, resp.text
    link: str = resp.json()["wallet_link"]
    return link


def check(page: Any, name: str) -> None:
    screenshot(page, name)
    assert_accessible(page)


@pytest.mark.parametrize(
    ("lang", "viewport", "device"), [("fr", PHONE, "phone"), ("en", LAPTOP, "laptop")]
)
def test_wallet_journey_in_the_browser(
    browser: Any,
    stack_config: UpConfig,
    issuer_api: httpx2.Client,
    verifier_api: httpx2.Client,
    tmp_path: Path,
    lang: str,
    viewport: dict[str, int],
    device: str,
) -> None:
    words = WORDS[lang]
    # the URLs of the stack whose data folder the API fixtures read (stack_config, imported in
    # this module, is this module's own instance of the session fixture)
    stack = stack_config.base_urls()
    wallet = stack["wallet"]
    page = new_page(browser, lang=lang, viewport=viewport)
    shot = f"{lang}-{device}"

    # sign up (the sign-in page first: where a signed-out visitor lands)
    page.goto(wallet + "/")
    assert urlsplit(page.url).path == "/signin"
    check(page, f"wallet-signin-{shot}")
    page.get_by_role("link", name=words["signup"]).click()
    check(page, f"wallet-signup-{shot}")
    page.fill("#email", f"camille-{lang}@example.org")
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name=words["signup"]).click()
    check(page, f"wallet-recovery-kit-{shot}")
    keep_recovery_kit(page)
    page.wait_for_url(wallet + "/")
    assert words["empty"] in page.inner_text("main")
    check(page, f"wallet-home-empty-{shot}")

    # import a badge file (a baked PNG the association handed over)
    page.goto(wallet + "/receive")
    check(page, f"wallet-receive-{shot}")
    page.set_input_files("#file", str(badge_png(issuer_api, tmp_path, lang)))
    page.locator("#file-sphere").select_option("association")
    page.get_by_role("button", name=words["import"], exact=True).click()
    page.wait_for_url(re.compile(r".*/credentials/[0-9a-f]+.*"))
    main = page.inner_text("main")
    assert words["verified"] in main
    assert words["trusted"] in main
    assert words["hours"] in main
    check(page, f"wallet-credential-{shot}")

    # receive by opening an offer link, and accept
    page.goto(offer_link(issuer_api, lang))
    main = page.inner_text("main")
    assert "Association Démo" in main
    assert words["trusted"] in main
    check(page, f"wallet-offer-{shot}")
    page.get_by_role("button", name=words["accept"]).click()
    page.wait_for_url(re.compile(r".*/credentials/[0-9a-f]+.*"))
    assert words["received"] in page.inner_text("main")
    assert words["verified"] in page.inner_text("main")
    check(page, f"wallet-received-{shot}")

    # both are in « ma musette », grouped by sphere and on the timeline
    page.get_by_role("link", name=words["home"]).first.click()
    main = page.inner_text("main")
    assert main.count("Association Démo") >= 2
    assert words["timeline"] in main
    assert page.locator("li.card").count() == 2
    check(page, f"wallet-home-{shot}")

    # a recruiter asks: the consent screen, then send
    asked = verifier_api.post("/oid4vp/requests", json={"template": "any-badge"})
    assert asked.status_code == 201, asked.text
    request_link = asked.json()["request_uri"]
    page.goto(wallet + "/present?" + request_link.split("?", 1)[1])
    assert urlsplit(stack["verifier"]).netloc in page.inner_text("main")
    check(page, f"wallet-consent-{shot}")
    # the badge received by offer is bound to this wallet's key: send that one only
    page.locator("input[name='choice__0'][value^='badge_sd_jwt|']").first.check()
    page.get_by_role("button", name=re.compile("^" + words["continue"])).click()
    check(page, f"wallet-consent-summary-{shot}")
    page.get_by_role("button", name=words["consent"]).click()
    page.wait_for_load_state()
    assert words["sent"] in page.inner_text("main")
    check(page, f"wallet-presented-{shot}")

    page.goto(wallet + "/history")
    assert words["history"] in page.inner_text("main")
    check(page, f"wallet-history-{shot}")
    page.context.close()


def test_demo_holder_signs_in_and_switches_language(
    browser: Any,
    stack_config: UpConfig,
) -> None:
    stack = stack_config.base_urls()
    page = new_page(browser, lang="fr", viewport=PHONE)
    page.goto(stack["wallet"] + "/signin")
    page.fill("#email", "demo@musette.example")
    page.fill("#password", "musette-demo")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(stack["wallet"] + "/")
    assert "Ma musette" in page.inner_text("h1")
    page.get_by_role("link", name="English").click()
    assert "My musette" in page.inner_text("h1")
    page.goto(stack["wallet"] + "/present")
    assert "Present credentials" in page.inner_text("h1")  # the choice is kept
    check(page, "wallet-present-en-phone")
    page.keyboard.press("Tab")  # the first stop is the skip link, then the menu
    assert page.evaluate("document.activeElement.className") == "skip"
    page.context.close()
