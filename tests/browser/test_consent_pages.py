"""The consent pages in real Chromium, in French and English, on a
360 px phone and a 1280 px laptop, on the session-wide stack (real HTTP, demo data).

The person holds the volunteer badge in the three formats; the recruiter asks for it once
(one credential set, three alternatives). The page offers ONE choice with one badge chosen,
names the verifier in words (its name, its logo, "in your list of known verifiers"), folds
its identifier away, and labels each tick box with a human label and its value. The person
picks the SD-JWT badge, shows only the hours, reads the summary, and sends; the summary read
on the page equals, fact for fact, what the verifier decoded from the vp_token (decrypted:
the laptop cases ask for direct_post.jwt).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

from musette.up import UpConfig
from tests.browser.conftest import LAPTOP, PHONE, Person
from tests.demo_clients import demo_issuer_client
from tests.e2e.test_consent_summary import PASSWORD, new_account, receive_badge, verifier_client
from wallet.disclosure import readable_facts
from wallet.i18n import translator

pytest.importorskip("playwright")
from playwright.sync_api import expect

CASES = [
    pytest.param("fr", LAPTOP, "fr-laptop", "direct_post.jwt", id="fr-laptop"),
    pytest.param("en", LAPTOP, "en-laptop", "direct_post.jwt", id="en-laptop"),
    pytest.param("fr", PHONE, "fr-phone", "direct_post", id="fr-phone"),
    pytest.param("en", PHONE, "en-phone", "direct_post", id="en-phone"),
]
WORDS = {
    "fr": {
        "sign_in": "Se connecter",
        "asks": "Un vérificateur demande à voir vos badges",
        "known": "Dans votre liste de vérificateurs connus",
        "goes_to": "Votre réponse part vers",
        "choose": "vous choisissez ce que vous montrez",
        "hours": "Heures de bénévolat\u00a0: 220",
        "continue": "Continuer",
        "check": "Vérifiez avant d'envoyer",
        "will_see": "Recrutement Démo verra exactement ceci",
        "consent": "J'accepte\u00a0: envoyer",
        "sent": "Le vérificateur a reçu votre réponse.",
        "shown_to": "Montré à",
    },
    "en": {
        "sign_in": "Sign in",
        "asks": "A verifier asks to see your credentials",
        "known": "In your list of known verifiers",
        "goes_to": "Your answer goes to",
        "choose": "you choose what to show",
        "hours": "Heures de bénévolat: 220",  # the badge's own words (issued in French)
        "continue": "Continue",
        "check": "Check before sending",
        "will_see": "Recrutement Démo will see exactly this",
        "consent": "I agree: send",
        "sent": "The verifier received your answer.",
        "shown_to": "Shown to",
    },
}


def words(text: str) -> str:
    """Whitespace (no-break spaces included) as single spaces."""
    return " ".join(text.split())


@pytest.fixture(scope="module")
def issuer(stack_config: UpConfig) -> Iterator[httpx2.Client]:
    with demo_issuer_client(stack_config, "browser-consent") as client:
        yield client


@pytest.mark.parametrize(("lang", "viewport", "suffix", "mode"), CASES)
def test_consent_summary_is_what_the_verifier_received(
    browser: Any,
    contexts: list[Any],
    stack_config: UpConfig,
    issuer: httpx2.Client,
    lang: str,
    viewport: dict[str, int],
    suffix: str,
    mode: str,
) -> None:
    w = WORDS[lang]
    wallet_url = stack_config.base_url("wallet")
    email = f"consent-{suffix}-{secrets.token_hex(3)}@example.org"
    with new_account(wallet_url, email) as api:
        badges = receive_badge(issuer, api, "volunteer")
    with verifier_client(stack_config) as verifier:
        created = verifier.post(
            "/oid4vp/requests", json={"template": "volunteering", "response_mode": mode}
        )
        assert created.status_code == 201, created.text
        links = created.json()

    person = Person(browser, contexts, lang, viewport, suffix, prefix="consent")
    page = person.page
    page.goto(f"{wallet_url}/signin")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name=w["sign_in"]).click()
    page.wait_for_url(f"{wallet_url}/")
    page.goto(f"{wallet_url}/present?" + links["request_uri"].split("?", 1)[1])
    expect(page.get_by_role("heading", level=1)).to_have_text(w["asks"])

    # who asks, in words: never the wallet's own name, the identifier folded away
    who = page.locator("section.who-asks")
    expect(who.locator(".verifier-name")).to_have_text("Recrutement Démo")
    expect(who.locator("img.logo")).to_be_visible()
    expect(who).to_contain_text(w["known"])
    expect(who).to_contain_text(w["goes_to"])
    assert "Musette" not in who.inner_text()
    expect(who.get_by_text(links["client_id"])).to_be_hidden()

    # one request, one choice: one group, three badges, exactly one chosen
    expect(page.locator("fieldset.ask")).to_have_count(1)
    radios = page.locator("fieldset.ask input[type=radio]")
    expect(radios).to_have_count(3)
    expect(page.locator("fieldset.ask input[type=radio]:checked")).to_have_count(1)
    person.look(f"wallet-consent-{mode}")

    # the person picks the SD-JWT badge and shows only the hours
    card = page.locator("fieldset.ask .card", has_text=w["choose"])
    expect(card).to_have_count(1)
    card.get_by_role("radio").check()
    boxes = card.locator("label.choice:has(input[type=checkbox])")
    labels = [words(t) for t in boxes.all_inner_texts()]
    assert labels
    assert not [t for t in labels if "\u203a" in t], labels  # words, not paths
    assert words(w["hours"]) in labels, labels
    for n, label in enumerate(labels):  # untick all but the hours
        box = boxes.nth(n).locator("input")
        box.set_checked(label == words(w["hours"]))
    page.get_by_role("button", name=re.compile("^" + w["continue"])).click()

    # the summary: what the verifier will read
    expect(page.get_by_role("heading", level=1)).to_have_text(w["check"])
    expect(page.locator("#sent-title")).to_have_text(w["will_see"])
    sent = page.locator(".card.sent")
    expect(sent).to_have_count(1)
    facts = sent.locator("dl.facts:not(.technical)")
    terms = [words(t) for t in facts.locator("dt").all_inner_texts()]
    values = [words(t) for t in facts.locator("dd").all_inner_texts()]
    summary = dict(zip(terms, values, strict=True))
    assert summary[words(w["hours"]).rsplit(":", 1)[0].strip()] == "220"
    assert "Camille Martin" not in sent.inner_text()  # the name was not ticked
    person.look(f"wallet-summary-{mode}")
    page.get_by_role("button", name=w["consent"]).click()
    expect(page.locator("main")).to_contain_text(w["sent"])
    person.look(f"wallet-sent-{mode}")

    # what the verifier decoded is, fact for fact, the summary the person read
    result = httpx2.get(links["result_url"], timeout=30).json()
    assert result["verified"] is True, result["result"]["problems"]
    assert result["response_mode"] == mode
    presentations = result["result"]["presentations"]
    assert list(presentations) == ["badge_sd_jwt"]  # one credential, not one per format
    (report,) = presentations["badge_sd_jwt"]
    (credential,) = report.get("credentials") or [report]
    decoded = readable_facts(credential["credential"], "dc+sd-jwt", lang, translator(lang))
    assert {words(f["label"]): words(f["value"]) for f in decoded} == summary
    assert badges["dc+sd-jwt"]

    # and the history says who was shown what, by name and in words
    page.goto(f"{wallet_url}/history")
    history = page.locator("table tbody tr").first
    expect(history).to_contain_text(w["shown_to"])
    expect(history).to_contain_text("Recrutement Démo")
    expect(history).to_contain_text("220")
    person.look(f"wallet-history-{mode}")
