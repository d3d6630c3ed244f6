"""`musette wallet local` in real Chromium: the hosted wallet's pages, for one person.

A fresh folder: the issuer's link opens the sign-up page (no account yet), the person
creates the wallet's one account and lands back on the offer, accepts, then answers a
recruiter's request by pasting its link; the recruiter's result is verified. Signed out,
the sign-in page says the wallet serves one person and offers no sign-up. In French on a
laptop and in English on a phone; every page is saved and passes axe-core.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx2
import pytest

from musette.up import UpConfig
from tests.browser.conftest import LAPTOP, PHONE, Person, keep_recovery_kit
from tests.browser.test_journeys import HOLDER_PASSWORD, WORDS
from tests.demo_clients import demo_issuer_client
from tests.e2e.test_journeys import _verifier_client
from tests.local_wallet import LocalWallet, running_local_wallet

pytest.importorskip("playwright")
from playwright.sync_api import expect

ONE_PERSON = {
    "fr": "Ce portefeuille sert une seule personne",
    "en": "This wallet runs for one person",
}
SIGN_OUT = {"fr": "Se déconnecter", "en": "Sign out"}


@pytest.fixture
def local(tmp_path: Path) -> Iterator[LocalWallet]:
    with running_local_wallet(tmp_path) as wallet:
        yield wallet


def _offer_link(config: UpConfig, local: LocalWallet) -> str:
    """An offer of the demo association, as a link into the local wallet's /receive."""
    with demo_issuer_client(config, "local-browser") as issuer:
        body = {
            "achievement": "volunteer",
            "recipient": {"name": "Inès Robert"},
            "subject": {"role": "Trésorière", "results": {"hours": "12"}},
            "formats": ["ldp_vc"],
        }
        made = issuer.post("/admin/orgs/demo-association/offers", json=body)
        assert made.status_code == 201, made.text
    return f"{local.base}/receive?{urlsplit(made.json()['offer_uri']).query}"


@pytest.mark.parametrize(
    ("lang", "viewport", "suffix"),
    [("fr", LAPTOP, "fr-laptop"), ("en", PHONE, "en-phone")],
    ids=["fr-laptop", "en-phone"],
)
def test_the_local_wallet_pages_receive_and_present(
    browser: Any,
    contexts: list[Any],
    stack_config: UpConfig,
    local: LocalWallet,
    lang: str,
    viewport: dict[str, int],
    suffix: str,
) -> None:
    w = WORDS[lang]
    holder = Person(browser, contexts, lang, viewport, suffix, prefix="local")
    page = holder.page
    page.goto(_offer_link(stack_config, local))
    expect(page).to_have_url(re.compile(r"/signup\?next="))  # a fresh folder: sign up
    holder.look("1-signup")
    page.fill("#email", f"{suffix}@chez-moi.example")
    page.fill("#password", HOLDER_PASSWORD)
    page.get_by_role("button", name=w["signup"]).click()
    holder.look("1b-recovery-kit")
    assert len(keep_recovery_kit(page)) >= 32  # the kit is shown once, then on to the offer
    expect(page.get_by_role("heading", name=w["offers"])).to_be_visible()
    assert urlsplit(page.url).path == "/receive"
    holder.look("2-offer")
    page.get_by_role("button", name=w["accept"]).click()
    main = page.locator("main")
    expect(main).to_contain_text(w["received"])
    expect(main).to_contain_text(w["wallet_verified"])
    holder.look("3-received")

    with _verifier_client(stack_config) as verifier:
        asked = verifier.post("/oid4vp/requests", json={"template": "any-badge"})
        assert asked.status_code == 201, asked.text
        links = asked.json()
        page.get_by_role("link", name=w["present"], exact=True).first.click()
        page.get_by_label(w["request_link"]).fill(links["request_uri"])
        page.get_by_role("button", name=w["open"], exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(w["asks"])
        holder.look("4-consent")
        page.get_by_role("button", name=re.compile("^" + w["continue"])).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(w["check"])
        page.get_by_role("button", name=w["consent"]).click()
        expect(main).to_contain_text(w["sent"])
        holder.look("5-presented")
        result = httpx2.get(links["result_url"]).json()
        assert result["verified"] is True, result

    page.get_by_role("button", name=SIGN_OUT[lang]).first.click()
    page.goto(f"{local.base}/signin")
    expect(page.locator("main")).to_contain_text(ONE_PERSON[lang])
    expect(page.get_by_role("link", name=w["signup"])).to_have_count(0)
    holder.look("6-signin-one-person")
