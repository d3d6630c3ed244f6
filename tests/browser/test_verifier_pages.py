"""The verifier console in real Chromium, in French and English, on a phone and a laptop:
sign in, paste or drop a credential, ask with a QR code and watch the answer arrive, the
trust registry. axe-core runs on every page; each page is saved as a screenshot."""

from __future__ import annotations

import json
import re
import urllib.parse
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from shared.protocols.oid4vp import decode_request_object
from tests.browser.conftest import LAPTOP, PHONE, assert_accessible, new_page, screenshot
from tests.conftest import data_path
from tests.integration.verifier.test_verifier_oid4vp import _present
from tests.unit.verifier.builders import badge
from verifier.demo import DEMO_EMAIL, DEMO_PASSWORD

pytest.importorskip("playwright")
from playwright.sync_api import expect

#: (language, viewport, name in screenshots): French and English, phone and laptop
CASES = [
    pytest.param("fr", PHONE, "fr-phone", id="fr-phone"),
    pytest.param("en", PHONE, "en-phone", id="en-phone"),
    pytest.param("en", LAPTOP, "en-laptop", id="en-laptop"),
]
WORDS = {
    "fr": {
        "email": "Adresse e-mail",
        "password": "Mot de passe",
        "sign in": "Se connecter",
        "paste": "Ou collez-le ici",
        "file": "Un fichier",
        "check": "Vérifier",
        "verified": "Vérifié",
        "not verified": "Non vérifié",
        "create": "Créer la demande",
        "any badge": "N'importe quel badge Open Badges 3.0",
        "waiting": "En attente du portefeuille…",
        "qr": "QR code de la demande",
        "name": "Nom",
        "value": "DID ou nom de domaine",
        "add": "Ajouter",
        "rename": "Renommer",
        "remove": "Retirer",
        "added": "Émetteur ajouté au registre.",
        "renamed": "Émetteur renommé.",
        "removed": "Émetteur retiré du registre.",
        "domain": "Par son nom de domaine",
        "details": "Détails",
    },
    "en": {
        "email": "Email",
        "password": "Password",
        "sign in": "Sign in",
        "paste": "Or paste it here",
        "file": "A file",
        "check": "Check",
        "verified": "Verified",
        "not verified": "Not verified",
        "create": "Create the request",
        "any badge": "Any Open Badges 3.0 badge",
        "waiting": "Waiting for the wallet…",
        "qr": "QR code of the request",
        "name": "Name",
        "value": "DID or domain",
        "add": "Add",
        "rename": "Rename",
        "remove": "Remove",
        "added": "Issuer added to the registry.",
        "renamed": "Issuer renamed.",
        "removed": "Issuer removed from the registry.",
        "domain": "By its domain name",
        "details": "Details",
    },
}


@pytest.fixture
def opened(browser: Any) -> Iterator[list[Any]]:
    """Pages opened by a test, closed after it."""
    pages: list[Any] = []
    yield pages
    for page in pages:
        page.context.close()


def open_page(browser: Any, opened: list[Any], lang: str, viewport: dict[str, int]) -> Any:
    page = new_page(browser, lang=lang, viewport=viewport)
    opened.append(page)
    return page


def look(page: Any, name: str) -> None:
    """Every page: fits the screen (no sideways scrolling), passes axe, is saved."""
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} is {width}px wide"
    assert_accessible(page)
    screenshot(page, name)


def sign_in(page: Any, base: str, lang: str) -> None:
    w = WORDS[lang]
    page.goto(f"{base}/signin")
    page.get_by_label(w["email"]).fill(DEMO_EMAIL)
    page.get_by_label(w["password"]).fill(DEMO_PASSWORD)
    page.get_by_label(w["password"]).press("Enter")  # the keyboard is enough
    page.wait_for_url(re.compile(r"/requests/new"))


def checks_on(page: Any) -> dict[str, str]:
    found = page.eval_on_selector_all(
        "li.check", "items => items.map(i => [i.dataset.check, i.classList[1]])"
    )
    return dict(found)


@pytest.mark.parametrize(("lang", "viewport", "device"), CASES)
def test_sign_in(
    browser: Any, stack: dict[str, str], opened: list[Any], lang: str, viewport: Any, device: str
) -> None:
    page = open_page(browser, opened, lang, viewport)
    page.goto(f"{stack['verifier']}/signin")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    look(page, f"verifier-signin-{device}")
    page.get_by_label(WORDS[lang]["email"]).fill(DEMO_EMAIL)
    page.get_by_label(WORDS[lang]["password"]).fill("not the password")
    page.get_by_role("button", name=WORDS[lang]["sign in"]).click()
    expect(page.get_by_role("alert")).to_be_visible()
    look(page, f"verifier-signin-error-{device}")
    sign_in(page, stack["verifier"], lang)
    expect(page.get_by_role("button", name=WORDS[lang]["create"])).to_be_visible()


@pytest.mark.parametrize(("lang", "viewport", "device"), CASES)
def test_paste_a_credential_and_see_every_check(
    browser: Any, stack: dict[str, str], opened: list[Any], lang: str, viewport: Any, device: str
) -> None:
    w = WORDS[lang]
    page = open_page(browser, opened, lang, viewport)
    page.goto(stack["verifier"] + "/")
    look(page, f"verifier-check-{device}")
    text = data_path("peers", "ob3-di-eddsa-rdfc-2022.json").read_text()
    page.get_by_label(w["paste"]).fill(text)
    page.get_by_role("button", name=w["check"], exact=True).click()
    page.wait_for_url(re.compile(r"/results/"))
    expect(page.locator(".verdict")).to_have_text(f"✔ {w['verified']}")
    found = checks_on(page)
    for name in ("format", "issuer_key", "proof", "schema", "validity", "status", "trust"):
        assert name in found
    assert found["proof"] == "passed"
    assert "failed" not in found.values()
    expect(page.get_by_text("Interop 101").first).to_be_visible()
    expect(page.locator(".issuer.unknown")).to_contain_text("Peer Harness Test Issuer")
    # the technical reason is one keyboard press away
    summary = page.locator("li.check[data-check=proof] summary")
    summary.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("the proof verifies (eddsa-rdfc-2022)")).to_be_visible()
    look(page, f"verifier-result-{device}")


DROP = """([name, text]) => {
  const transfer = new DataTransfer();
  transfer.items.add(new File([text], name, {type: "application/json"}));
  const zone = document.querySelector("[data-drop]");
  zone.dispatchEvent(new DragEvent("dragover", {dataTransfer: transfer, bubbles: true}));
  zone.dispatchEvent(new DragEvent("drop", {dataTransfer: transfer, bubbles: true}));
}"""


@pytest.mark.parametrize(("lang", "viewport", "device"), CASES)
def test_drop_a_tampered_credential_and_see_not_verified(
    browser: Any, stack: dict[str, str], opened: list[Any], lang: str, viewport: Any, device: str
) -> None:
    w = WORDS[lang]
    page = open_page(browser, opened, lang, viewport)
    page.goto(stack["verifier"] + "/")
    text = data_path("peers", "neg-di-tampered-claim.json").read_text()
    page.evaluate(DROP, ["tampered.json", text])
    expect(page.locator("[data-drop-name]")).to_have_text("tampered.json")
    page.get_by_role("button", name=w["check"], exact=True).click()
    page.wait_for_url(re.compile(r"/results/"))
    expect(page.locator(".verdict")).to_have_text(f"✘ {w['not verified']}")
    assert checks_on(page)["proof"] == "failed"
    look(page, f"verifier-result-tampered-{device}")


def _answer_with_a_badge(request_link: str) -> None:
    """Play the wallet: fetch the request object, post a presentation to response_uri."""
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(request_link).query)
    with urllib.request.urlopen(query["request_uri"][0]) as resp:  # noqa: S310 - test stack
        _header, obj = decode_request_object(resp.read().decode())
    qid, presentation = _present("jwt_vc_json", badge(), obj)
    body = urllib.parse.urlencode(
        {"vp_token": json.dumps({qid: [presentation]}), "state": obj["state"]}
    ).encode()
    with urllib.request.urlopen(obj["response_uri"], data=body) as resp:  # noqa: S310
        assert resp.status == 200


@pytest.mark.parametrize(("lang", "viewport", "device"), CASES)
def test_create_a_request_see_the_qr_and_the_answer_arrive(
    browser: Any, stack: dict[str, str], opened: list[Any], lang: str, viewport: Any, device: str
) -> None:
    w = WORDS[lang]
    page = open_page(browser, opened, lang, viewport)
    sign_in(page, stack["verifier"], lang)
    look(page, f"verifier-request-new-{device}")
    page.get_by_label(w["any badge"]).check()
    page.get_by_role("button", name=w["create"]).click()
    page.wait_for_url(re.compile(r"/requests/[\w-]+"))
    qr = page.get_by_role("img", name=re.compile(w["qr"]))
    expect(qr).to_be_visible()
    assert page.evaluate("img => img.naturalWidth > 0", qr.element_handle())
    live = page.locator("#answer[aria-live=polite]")
    expect(live).to_contain_text(w["waiting"])
    look(page, f"verifier-request-qr-{device}")
    # the QR code's openid4vp:// link for any wallet, and an https link into the Musette wallet
    href = page.locator('a[href^="openid4vp://"]').get_attribute("href")
    assert href
    musette = page.locator("a[data-wallet-link]").get_attribute("href")
    assert musette
    assert musette.endswith("/present?" + href.split("?", 1)[1])
    _answer_with_a_badge(href)
    # the page asks for the answer by itself: the verdict appears without a reload
    expect(live.locator(".verdict").first).to_have_text(f"✔ {w['verified']}", timeout=30_000)
    expect(live.locator("li.check[data-check=challenge]")).to_have_class(re.compile("passed"))
    expect(live.locator("li.check[data-check=proof]").first).to_have_class(re.compile("passed"))
    look(page, f"verifier-request-answered-{device}")


@pytest.mark.parametrize(("lang", "viewport", "device"), CASES)
def test_trust_registry_add_rename_remove(
    browser: Any, stack: dict[str, str], opened: list[Any], lang: str, viewport: Any, device: str
) -> None:
    w = WORDS[lang]
    page = open_page(browser, opened, lang, viewport)
    sign_in(page, stack["verifier"], lang)
    page.goto(stack["verifier"] + "/registry")
    look(page, f"verifier-registry-{device}")
    host = f"{device}.association.example"
    page.get_by_label(w["name"], exact=True).fill(f"Asso {device}")
    page.get_by_label(re.compile(w["domain"])).check()
    page.get_by_label(w["value"]).fill(host)
    page.get_by_role("button", name=w["add"], exact=True).click()
    expect(page.get_by_role("status")).to_have_text(w["added"])
    card = page.locator(f'[data-entry="{host}"]')
    expect(card).to_be_visible()
    card.get_by_role("textbox").fill(f"Association {device}")
    card.get_by_role("button", name=f"{w['rename']} Asso {device}").click()
    expect(page.get_by_role("status")).to_have_text(w["renamed"])
    expect(page.get_by_role("heading", name=f"Association {device}")).to_be_visible()
    look(page, f"verifier-registry-added-{device}")
    page.get_by_role("button", name=f"{w['remove']} Association {device}").click()
    expect(page.get_by_role("status")).to_have_text(w["removed"])
    expect(page.locator(f'[data-entry="{host}"]')).to_have_count(0)


def test_without_javascript_the_refresh_link_shows_the_answer(
    browser: Any, stack: dict[str, str], opened: list[Any]
) -> None:
    context = browser.new_context(
        locale="fr",
        viewport=PHONE,
        java_script_enabled=False,
        extra_http_headers={"Accept-Language": "fr"},
    )
    context.set_default_timeout(20_000)
    page = context.new_page()
    opened.append(page)
    sign_in(page, stack["verifier"], "fr")
    page.get_by_label(WORDS["fr"]["any badge"]).check()
    page.get_by_role("button", name=WORDS["fr"]["create"]).click()
    page.wait_for_url(re.compile(r"/requests/[\w-]+"))
    refresh = page.get_by_role("link", name="Actualiser pour voir la réponse")
    expect(refresh).to_be_visible()
    href = page.get_by_role(
        "link", name="Ouvrir dans une application de portefeuille"
    ).get_attribute("href")
    _answer_with_a_badge(href)
    refresh.click()
    expect(page.locator("#answer .verdict").first).to_have_text("✔ Vérifié")
    # axe needs JavaScript: the same page is checked with it in the tests above
    screenshot(page, "verifier-request-answered-nojs-fr-phone")
