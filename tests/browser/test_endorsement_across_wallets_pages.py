"""Endorsing from another wallet in real Chromium: the person's wallet is the stack's (A),
the colleague's is a second wallet server (B, its own database). The colleague, on B, signs
up, pastes A's link on "Endorse from another wallet", reads what is asked, signs; A holds
the endorsement. French and English, laptop and 360 px phone; every page is saved, passes
axe-core and does not scroll sideways on the phone. Nothing sleeps."""

from __future__ import annotations

import re
from typing import Any

import pytest

from musette.up import UpConfig
from tests.browser.conftest import LAPTOP, PHONE, Person
from tests.browser.test_endorsement_pages import sign_up_on_the_way
from tests.e2e.test_endorsements_across_wallets import _account, wallet_b  # noqa: F401

pytest.importorskip("playwright")
from playwright.sync_api import expect

WORDS = {
    "fr": {
        "signup": "Créer un compte",
        "remote": "Recommander depuis un autre portefeuille",
        "link": "Lien de recommandation",
        "open": "Ouvrir le lien",
        "endorse": "Recommander une expérience",
        "comment": "Votre recommandation",
        "name": "Votre nom, tel qu'il apparaîtra",
        "sign": "Signer la recommandation",
        "sent": "Recommandation envoyée",
    },
    "en": {
        "signup": "Create an account",
        "remote": "Endorse from another wallet",
        "link": "Endorsement link",
        "open": "Open the link",
        "endorse": "Endorse an experience",
        "comment": "Your endorsement",
        "name": "Your name, as it will appear",
        "sign": "Sign the endorsement",
        "sent": "Endorsement sent",
    },
}
CASES = [
    pytest.param("fr", LAPTOP, "fr-laptop", id="fr-laptop"),
    pytest.param("en", LAPTOP, "en-laptop", id="en-laptop"),
    pytest.param("fr", PHONE, "fr-phone", id="fr-phone"),
    pytest.param("en", PHONE, "en-phone", id="en-phone"),
]


@pytest.mark.parametrize(("lang", "viewport", "suffix"), CASES)
def test_a_colleague_endorses_from_another_wallet_in_the_browser(
    browser: Any,
    stack_config: UpConfig,
    wallet_b: str,  # noqa: F811
    contexts: list[Any],
    lang: str,
    viewport: dict[str, int],
    suffix: str,
) -> None:
    w = WORDS[lang]
    wallet_a = stack_config.base_url("wallet")
    # the person, on wallet A (API): an experience and a link
    with _account(wallet_a, f"remote-requester-{suffix}@example.org") as person:
        exp = person.post(
            "/api/experiences",
            json={
                "title": f"Trésorière {suffix}",
                "organisation": "Club Démo",
                "start_date": "2022-09-01",
            },
        )
        assert exp.status_code == 201, exp.text
        link = person.post(f"/api/experiences/{exp.json()['id']}/requests").json()["url"]

        # the colleague, on wallet B (browser)
        colleague = Person(browser, contexts, lang, viewport, suffix, "endorse-remote")
        page = colleague.page
        page.goto(f"{wallet_b}/endorse-remote")
        sign_up_on_the_way(colleague, WORDS[lang], f"remote-colleague-{suffix}@example.org")
        expect(page).to_have_url(f"{wallet_b}/endorse-remote")
        expect(page.get_by_role("heading", level=1)).to_have_text(w["remote"])
        colleague.look("paste")
        page.get_by_label(w["link"]).fill(link)
        with page.expect_navigation():
            page.get_by_role("button", name=w["open"]).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(w["endorse"])
        main = page.locator("main")
        expect(main).to_contain_text(f"Trésorière {suffix}")
        expect(main).to_contain_text(re.sub(r"^https?://", "", wallet_a))
        colleague.look("form")
        page.get_by_label(w["comment"]).fill("Des comptes toujours justes.")
        page.get_by_label(w["name"]).fill("Colin")
        with page.expect_navigation():
            page.get_by_role("button", name=w["sign"]).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(w["sent"])
        colleague.look("sent")

        got = person.get(f"/api/experiences/{exp.json()['id']}").json()["endorsements"]
        assert [e["comment"] for e in got] == ["Des comptes toujours justes."]
