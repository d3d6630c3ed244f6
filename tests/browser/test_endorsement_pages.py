"""Journey 3 in real Chromium: a colleague certifies an experience (docs/endorsements.md).

Two wallet accounts, each in its own browser context, on the session-wide stack (demo data,
real HTTP):

1. the requester signs up, describes an experience on /experiences, opens its page and
   creates an endorsement link (shown once);
2. the colleague opens the link signed out, is sent to sign in, creates an account on the
   way and lands back on /endorse/{token}; they write a comment, pick a proof of the
   relationship (on the laptop: a badge the demo association offered them, accepted first;
   on the phone: no proof) and sign; the "endorsed" page confirms it;
3. the requester's experience page shows the endorsement received, and the link as used.

In French and English, on a laptop and on a 360 px phone. Every page visited is saved as a
screenshot (endorse-<page>-<lang>-<device>), passes axe-core (no serious or critical
violation) and, on the phone, does not scroll sideways. Nothing sleeps: every wait is on
page content.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx2
import pytest

from musette.up import UpConfig
from tests.browser.conftest import LAPTOP, PHONE, Person, keep_recovery_kit
from tests.demo_clients import demo_issuer_client

pytest.importorskip("playwright")
from playwright.sync_api import expect

ORG = "demo-association"
PASSWORD = "un-mot-de-passe-solide"
ISSUER_NAME = "Association Démo"

#: (language, viewport, suffix of the screenshots and of the accounts, attach a proof?)
CASES = [
    pytest.param("fr", LAPTOP, "fr-laptop", True, id="fr-laptop-proof"),
    pytest.param("en", LAPTOP, "en-laptop", True, id="en-laptop-proof"),
    pytest.param("fr", PHONE, "fr-phone", False, id="fr-phone"),
    pytest.param("en", PHONE, "en-phone", False, id="en-phone"),
]
EXPERIENCE = {
    "fr": {
        "title": "Coordinatrice des bénévoles",
        "organisation": "Association Démo",
        "description": "Accueil et planning de quarante bénévoles.",
        "comment": "Elle a coordonné quarante bénévoles avec moi, avec rigueur et gentillesse.",
        "name": "Bruno Colin",
    },
    "en": {
        "title": "Volunteer coordinator",
        "organisation": "Demo Association",
        "description": "Welcomed and scheduled forty volunteers.",
        "comment": "She coordinated forty volunteers with me, carefully and kindly.",
        "name": "Brenda Collins",
    },
}
WORDS = {
    "fr": {
        "signup": "Créer un compte",
        "experiences": "Expériences",
        "my_experiences": "Mes expériences",
        "none_yet": "Aucune expérience pour l'instant.",
        "title": "Intitulé (par exemple votre poste)",
        "organisation": "Organisme",
        "start": "Date de début",
        "end": "Date de fin (vide si elle continue)",
        "did": "Ce que vous avez fait",
        "save": "Enregistrer l'expérience",
        "received_heading": "Recommandations reçues",
        "no_endorsement": "Aucune recommandation pour l'instant.",
        "create_link": "Créer un lien de recommandation",
        "link_heading": "Lien de recommandation",
        "link": "Lien",
        "back": "Retour à l'expérience",
        "open": "ouvert",
        "used": "utilisé",
        "endorse": "Recommander une expérience",
        "asks": "vous demande de confirmer cette expérience",
        "comment": "Votre recommandation",
        "name": "Votre nom, tel qu'il apparaîtra",
        "proof_group": "Preuve de la relation (facultatif)",
        "no_proof": "Pas de preuve",
        "sign": "Signer la recommandation",
        "sent": "Recommandation envoyée",
        "sent_flash": "Votre recommandation signée est maintenant dans la musette",
        "proof_published": "Votre preuve de la relation est publiée à ce lien",
        "own_key": "Signée avec sa propre clé",
        "with_proof": "Preuve de la relation jointe",
        "without_proof": "Aucune preuve de la relation jointe.",
        "open_endorsement": "Ouvrir la recommandation",
        "accept": "Accepter et le garder",
        "kept": "Le badge est dans votre musette.",
        "verified": "Vérifié\u00a0: authentique et valide aujourd'hui.",
    },
    "en": {
        "signup": "Create an account",
        "experiences": "Experiences",
        "my_experiences": "My experiences",
        "none_yet": "No experience yet.",
        "title": "Title (for example your role)",
        "organisation": "Organisation",
        "start": "Start date",
        "end": "End date (leave empty if it goes on)",
        "did": "What you did",
        "save": "Save the experience",
        "received_heading": "Endorsements received",
        "no_endorsement": "No endorsement yet.",
        "create_link": "Create an endorsement link",
        "link_heading": "Endorsement link",
        "link": "Link",
        "back": "Back to the experience",
        "open": "open",
        "used": "used",
        "endorse": "Endorse an experience",
        "asks": "asks you to confirm this experience",
        "comment": "Your endorsement",
        "name": "Your name, as it will appear",
        "proof_group": "Proof of the relationship (optional)",
        "no_proof": "No proof",
        "sign": "Sign the endorsement",
        "sent": "Endorsement sent",
        "sent_flash": "Your signed endorsement is now in the other person's musette.",
        "proof_published": "Your proof of the relationship is published at this link",
        "own_key": "Signed with their own key",
        "with_proof": "Proof of the relationship attached",
        "without_proof": "No proof of the relationship attached.",
        "open_endorsement": "Open the endorsement",
        "accept": "Accept and keep it",
        "kept": "The credential is in your musette.",
        "verified": "It verifies: authentic and valid today.",
    },
}


@pytest.fixture(scope="module")
def issuer_api(stack_config: UpConfig) -> Iterator[httpx2.Client]:
    """The demo association's admin API, with an API key (to offer the colleague a badge)."""
    with demo_issuer_client(stack_config, "endorsement pages") as client:
        yield client


def offer_link(issuer_api: httpx2.Client, lang: str, person: str) -> str:
    """A badge the demo association offers (ldp_vc: issued to the accepting wallet's DID,
    so it can prove the relationship); the link opens the wallet's /receive page."""
    resp = issuer_api.post(
        f"/admin/orgs/{ORG}/offers",
        json={
            "achievement": "volunteer",
            "recipient": {"name": person},
            "subject": {"role": "Bénévole", "results": {"hours": "20"}},
            "formats": ["ldp_vc"],
            "language": lang,
        },
    )
    assert resp.status_code == 201, resp.text
    link: str = resp.json()["wallet_link"]
    return link


def sign_up_on_the_way(person: Person, w: dict[str, str], email: str) -> None:
    """Signed out, a link sends the person to sign in; create an account from there instead:
    the wallet then goes straight back to the page the link opened."""
    page = person.page
    expect(page).to_have_url(re.compile(r"/signin\?next="))
    page.get_by_role("link", name=w["signup"]).click()
    expect(page).to_have_url(re.compile(r"/signup\?next="))
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name=w["signup"]).click()
    keep_recovery_kit(page)


@pytest.mark.parametrize(("lang", "viewport", "suffix", "with_proof"), CASES)
def test_a_colleague_endorses_an_experience_in_the_browser(
    browser: Any,
    stack_config: UpConfig,
    issuer_api: httpx2.Client,
    contexts: list[Any],
    lang: str,
    viewport: dict[str, int],
    suffix: str,
    with_proof: bool,
) -> None:
    w, exp = WORDS[lang], EXPERIENCE[lang]
    wallet = stack_config.base_url("wallet")

    # 1. the requester: a fresh account, an experience, a link
    requester = Person(browser, contexts, lang, viewport, suffix, "endorse")
    page = requester.page
    page.goto(f"{wallet}/experiences")
    sign_up_on_the_way(requester, w, f"endorse-requester-{suffix}@example.org")
    expect(page).to_have_url(f"{wallet}/experiences")
    expect(page.get_by_role("heading", level=1)).to_have_text(w["my_experiences"])
    expect(page.locator("main")).to_contain_text(w["none_yet"])
    # the menu leads here too
    nav = page.get_by_role("navigation")
    expect(nav.get_by_role("link", name=w["experiences"], exact=True)).to_be_visible()
    requester.look("experiences-empty")

    page.get_by_label(w["title"]).fill(exp["title"])
    page.get_by_label(w["organisation"], exact=True).fill(exp["organisation"])
    page.get_by_label(w["start"]).fill("2023-09-01")
    page.get_by_label(w["end"]).fill("2025-06-30")
    page.get_by_label(w["did"]).fill(exp["description"])
    with page.expect_navigation():
        page.get_by_role("button", name=w["save"]).click()
    expect(page).to_have_url(re.compile(r"/experiences/[^/]+$"))
    experience_url = page.url
    expect(page.get_by_role("heading", level=1)).to_have_text(exp["title"])
    main = page.locator("main")
    expect(main).to_contain_text(exp["organisation"])
    expect(main).to_contain_text(exp["description"])
    expect(main).to_contain_text("2023")
    expect(main).to_contain_text(w["no_endorsement"])
    requester.look("experience-new")

    page.goto(f"{wallet}/experiences")
    card = page.locator("li.card", has_text=exp["title"])
    expect(card).to_have_count(1)
    requester.look("experiences")
    with page.expect_navigation():
        card.get_by_role("link", name=exp["title"]).click()
    expect(page).to_have_url(experience_url)

    with page.expect_navigation():
        page.get_by_role("button", name=w["create_link"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(w["link_heading"])
    link_box = page.get_by_label(w["link"], exact=True)
    link = link_box.input_value()
    assert re.fullmatch(re.escape(wallet) + r"/endorse/[A-Za-z0-9_-]{43}", link), link
    expect(page.locator("main")).to_contain_text(exp["title"])
    requester.look("link")
    with page.expect_navigation():
        page.get_by_role("link", name=w["back"]).click()
    expect(page).to_have_url(experience_url)
    expect(page.locator("main [data-state='open']")).to_have_text(w["open"])
    requester.look("experience-waiting")

    # 2. the colleague: another account, signed up on the way
    colleague = Person(browser, contexts, lang, viewport, suffix, "endorse")
    them = colleague.page
    email = f"endorse-colleague-{suffix}@example.org"
    if with_proof:
        # first a badge of their own, from the demo association, to prove the relationship
        them.goto(offer_link(issuer_api, lang, exp["name"]))
        sign_up_on_the_way(colleague, w, email)
        assert urlsplit(them.url).path == "/receive"
        them.get_by_role("button", name=w["accept"]).click()
        expect(them.locator("main")).to_contain_text(w["kept"])
        them.goto(link)
    else:
        them.goto(link)
        colleague.look("signin")
        sign_up_on_the_way(colleague, w, email)
    expect(them).to_have_url(link)
    expect(them.get_by_role("heading", level=1)).to_have_text(w["endorse"])
    main = them.locator("main")
    expect(main).to_contain_text(f"endorse-requester-{suffix}@example.org")
    expect(main).to_contain_text(w["asks"])
    expect(main).to_contain_text(exp["title"])
    expect(main).to_contain_text(exp["organisation"])
    proofs = them.get_by_role("group", name=w["proof_group"])
    expect(proofs.get_by_label(w["no_proof"])).to_be_checked()
    expect(proofs.get_by_role("radio")).to_have_count(2 if with_proof else 1)
    colleague.look("form")

    them.get_by_label(w["comment"]).fill(exp["comment"])
    them.get_by_label(w["name"]).fill(exp["name"])
    if with_proof:
        proofs.get_by_label(ISSUER_NAME).check()
    with them.expect_navigation():
        them.get_by_role("button", name=w["sign"]).click()
    expect(them.get_by_role("heading", level=1)).to_have_text(w["sent"])
    main = them.locator("main")
    expect(them.get_by_role("status")).to_contain_text(w["sent_flash"])
    if with_proof:
        expect(main).to_contain_text(w["proof_published"])
        expect(main.locator("code")).to_have_text(re.compile(r"/s/[^/]+/raw$"))
    else:
        expect(main).not_to_contain_text(w["proof_published"])
    colleague.look("sent")

    # 3. the requester sees the endorsement on the experience, and the link used
    page.reload()
    section = page.get_by_role("region", name=w["received_heading"])
    received = section.locator(".endorsement")
    expect(received).to_have_count(1)
    expect(received).to_contain_text(exp["name"])
    expect(received).to_contain_text(exp["comment"])
    expect(received).to_contain_text(w["own_key"])
    expect(received).to_contain_text(w["with_proof"] if with_proof else w["without_proof"])
    expect(received.locator("code")).to_have_text(re.compile(r"^did:"))
    expect(page.locator("main [data-state='used']")).to_have_text(w["used"])
    expect(page.get_by_role("button", name=re.compile(w["create_link"]))).to_be_visible()
    requester.look("experience-endorsed")

    # and holds it as an ordinary credential, which verifies
    with page.expect_navigation():
        received.get_by_role("link", name=w["open_endorsement"]).click()
    expect(page).to_have_url(re.compile(r"/credentials/[^/]+"))
    expect(page.locator("main")).to_contain_text(w["verified"])
    requester.look("credential")
