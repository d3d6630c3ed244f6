"""Words and pages in real Chromium, fr and en, 360 and 1280 px: error pages of the three
services in the reader's language (no English on a French page), used and unknown offers
told apart on the wallet and the issuer, the verifier's /login moved to /signin."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import httpx2
import pytest
from playwright.sync_api import expect

from musette.up import UpConfig
from shared.did import verification_method_id
from shared.proofs.data_integrity import RDFC, add_proof
from shared.ui.problem_text import problem_message, problem_title
from tests.browser.conftest import (
    LAPTOP,
    PHONE,
    assert_accessible,
    keep_recovery_kit,
    new_page,
    screenshot,
)
from tests.browser.test_wallet_pages import offer_link
from tests.demo_clients import demo_issuer_client
from tests.unit.shared.test_problem_text import ENGLISH
from tests.unit.shared.verify.test_attestation import Colleague

CASES = [
    ("fr", PHONE, "phone"),
    ("fr", LAPTOP, "laptop"),
    ("en", PHONE, "phone"),
    ("en", LAPTOP, "laptop"),
]
VERIFIED = {
    "fr": "Vérifié\u00a0: authentique et valide aujourd'hui.",
    "en": "It verifies: authentic and valid today.",
}
ACCEPT = {"fr": "Accepter et le garder", "en": "Accept and keep it"}


@pytest.fixture(scope="module")
def issuer_api(stack_config: UpConfig) -> Iterator[httpx2.Client]:
    with demo_issuer_client(stack_config, "words pages") as client:
        yield client


def look(page: Any, name: str) -> None:
    """Fits the screen (no sideways scrolling), passes axe, is saved."""
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} is {width}px wide"
    assert_accessible(page)
    screenshot(page, name)


def assert_said(page: Any, code: str, lang: str, where: str = "main") -> None:
    """The page (or its ``where`` part) says the problem's message in ``lang``, and nothing
    English on a French page."""
    main = page.inner_text(where)
    assert problem_message(code, lang) in main, main
    if lang == "fr":
        assert ENGLISH.search(main) is None, main


@pytest.mark.parametrize(("lang", "viewport", "device"), CASES)
def test_error_pages_speak_the_readers_language(
    browser: Any, stack: dict[str, str], contexts: list[Any], lang: str, viewport: Any, device: str
) -> None:
    page = new_page(browser, lang=lang, viewport=viewport)
    contexts.append(page)
    for service in ("issuer", "wallet", "verifier"):
        answer = page.goto(f"{stack[service]}/nothing/here")
        assert answer is not None
        assert answer.status == 404
        assert answer.headers["content-type"].startswith("text/html")
        expect(page.locator("html")).to_have_attribute("lang", lang)
        expect(page.locator("h1")).to_have_text(problem_title("not-found", lang))
        assert_said(page, "not-found", lang)
        # every page remembers the browser's time zone for the times the next pages show
        zone = page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone")
        assert f"musette_tz={quote(zone, safe='')}" in page.evaluate("document.cookie")
        look(page, f"{service}-404-{lang}-{device}")


@pytest.mark.parametrize(("lang", "viewport", "device"), CASES)
def test_used_and_unknown_offers_have_their_own_message(
    browser: Any,
    stack_config: UpConfig,
    issuer_api: httpx2.Client,
    contexts: list[Any],
    lang: str,
    viewport: Any,
    device: str,
) -> None:
    stack = stack_config.base_urls()
    wallet = stack["wallet"]
    page = new_page(browser, lang=lang, viewport=viewport)
    contexts.append(page)
    page.goto(wallet + "/signup")
    page.fill("#email", f"words-{lang}-{device}@example.org")
    page.fill("#password", "un-mot-de-passe-solide")
    page.locator("main form button[type=submit]").click()
    keep_recovery_kit(page)
    page.wait_for_url(wallet + "/")

    link = offer_link(issuer_api, lang)
    page.goto(link)
    page.get_by_role("button", name=ACCEPT[lang]).click()
    page.wait_for_url(re.compile(r".*/credentials/[0-9a-f]+.*"))

    # the public share page of that badge: a verdict checked at this visit, not raw JSON
    page.locator("form[action$='/publish'] button").click()
    share_url = page.locator("#share-url").input_value()
    visitor = new_page(browser, lang=lang, viewport=viewport)
    contexts.append(visitor)
    visitor.goto(share_url)
    expect(visitor.locator(".verdict.ok")).to_have_text(VERIFIED[lang])
    look(visitor, f"wallet-share-{lang}-{device}")

    page.goto(link)  # the same offer again: already used
    assert_said(page, "offer-used", lang, ".flash.error")
    assert problem_message("offer-unknown", lang) not in page.inner_text("main")
    look(page, f"wallet-offer-used-{lang}-{device}")

    # the issuer's own offer address, opened in a browser, says the same
    offer_uri = parse_qs(urlsplit(link).query)["credential_offer_uri"][0]
    answer = page.goto(offer_uri)
    assert answer is not None
    assert answer.status == 410
    expect(page.locator("h1")).to_have_text(problem_title("offer-used", lang))
    assert_said(page, "offer-used", lang)
    look(page, f"issuer-offer-used-{lang}-{device}")

    unknown = offer_uri.rsplit("/", 1)[0] + "/no-such-offer"
    page.goto(link.replace(quote(offer_uri, safe=""), quote(unknown, safe="")))
    assert_said(page, "offer-unknown", lang, ".flash.error")
    assert problem_message("offer-used", lang) not in page.inner_text("main")
    look(page, f"wallet-offer-unknown-{lang}-{device}")


@pytest.mark.parametrize(("lang", "viewport", "device"), CASES[::3])
def test_the_verifier_signs_in_at_signin(
    browser: Any, stack: dict[str, str], contexts: list[Any], lang: str, viewport: Any, device: str
) -> None:
    page = new_page(browser, lang=lang, viewport=viewport)
    contexts.append(page)
    page.goto(f"{stack['verifier']}/login")
    assert urlsplit(page.url).path == "/signin"
    page.goto(f"{stack['verifier']}/requests/new")
    assert urlsplit(page.url).path == "/signin"
    expect(page.locator("form[action='/signin']")).to_be_visible()
    look(page, f"verifier-signin-moved-{lang}-{device}")


COMMENT = (
    "Camille a encadré l'équipe des bénévoles pendant deux ans avec beaucoup de soin : "
    "plannings, accueil des nouveaux, et une attention constante à chacun."
)


@pytest.mark.parametrize(("lang", "viewport", "device"), CASES)
def test_an_endorsement_text_keeps_its_width(
    browser: Any, stack: dict[str, str], contexts: list[Any], lang: str, viewport: Any, device: str
) -> None:
    colleague = Colleague()
    endorsement = colleague.endorse()
    endorsement["credentialSubject"]["endorsementComment"] = COMMENT
    del endorsement["proof"]
    signed = add_proof(
        endorsement, colleague.key.sign, verification_method_id(colleague.did), cryptosuite=RDFC
    )
    page = new_page(browser, lang=lang, viewport=viewport)
    contexts.append(page)
    page.goto(stack["verifier"] + "/")
    page.locator("textarea").first.fill(json.dumps(signed))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/results/"))
    quote_box = page.locator(".attestation blockquote")
    expect(quote_box).to_have_text(COMMENT)
    width = quote_box.evaluate("e => e.getBoundingClientRect().width")
    main = page.locator("main").evaluate("e => e.getBoundingClientRect().width")
    # one or two letters per line was ~20 px; the text must use most of the card's width
    assert width >= 0.6 * main - 80, (width, main)
    lines = quote_box.evaluate(
        "e => Math.round(e.getBoundingClientRect().height / parseFloat(getComputedStyle(e).lineHeight))"
    )
    assert lines <= (6 if viewport == PHONE else 3), lines
    look(page, f"verifier-endorsement-{lang}-{device}")
