"""The issuer console in real Chromium, in French and English, on a laptop and a 360 px phone:
sign in, see the organisation, create a badge with an image, issue it (QR code, links, code),
record the email, see it collected, revoke it with a reason. A screenshot and an axe-core
check on every page; no page scrolls sideways on the phone."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest

from issuer.service.images import badge_png
from musette.up import UpConfig
from shared.did import did_key_from_public
from shared.keys import PrivateKey
from shared.protocols.oid4vci import PRE_AUTHORIZED_GRANT, build_proof_jwt
from tests.browser.conftest import LAPTOP, PHONE, assert_accessible, new_page, screenshot

ADMIN = "demo@association.example"
WORDS = {
    "fr": {
        "signin": "Se connecter",
        "email": "Adresse e-mail",
        "email_address": "Adresse e-mail",
        "password": "Mot de passe",
        "badges": "Badges",
        "create": "Créer un badge",
        "id": "Identifiant",
        "in_fr": "En français",
        "in_en": "En anglais",
        "type": "Type de badge",
        "new_image": "Nouvelle image (facultatif)",
        "skill_url": "Adresse web de la compétence 1",
        "skill_name": "Nom de la compétence 1",
        "create_submit": "Créer le badge",
        "created": "Le badge a été créé.",
        "issue": "Délivrer",
        "person": "Nom de la personne",
        "their_email": "Son adresse e-mail (facultatif)",
        "from": "Du",
        "to": "Au",
        "hours": "Heures (facultatif)",
        "narrative": "Ce qu'elle a fait, en quelques mots (facultatif)",
        "advanced": "Options avancées",
        "tx": "Protéger par un code",
        "create_offer": "Créer l'offre",
        "ready": "Prêt à être récupéré",
        "qr_alt": "QR code pour récupérer le badge",
        "wallet": "Ouvrir dans le portefeuille Musette",
        "record": "Enregistrer l'e-mail",
        "outbox": "L'e-mail a été écrit dans le dossier d'envoi",
        "collected": "Récupéré",
        "issued": "Délivrés",
        "active": "actif",
        "revoke": "Révoquer (définitif)",
        "reason": "Motif (conservé dans l'historique)",
        "confirm": "Confirmer",
        "revoked_flash": "Le badge a été révoqué.",
        "revoked": "révoqué",
        "sign_out": "Se déconnecter",
        "signed_out": "Vous êtes déconnecté·e.",
        "hours_value": "7,5",
        "date_value": "1 mars 2026",
    },
    "en": {
        "signin": "Sign in",
        "email": "Email",
        "email_address": "Email address",
        "password": "Password",
        "badges": "Badges",
        "create": "Create a badge",
        "id": "Identifier",
        "in_fr": "In French",
        "in_en": "In English",
        "type": "Type of badge",
        "new_image": "New image (optional)",
        "skill_url": "Skill web address 1",
        "skill_name": "Skill name 1",
        "create_submit": "Create the badge",
        "created": "The badge has been created.",
        "issue": "Issue",
        "person": "Name of the person",
        "their_email": "Their email (optional)",
        "from": "From",
        "to": "To",
        "hours": "Hours (optional)",
        "narrative": "What they did, in a few words (optional)",
        "advanced": "Advanced options",
        "tx": "Protect with a code",
        "create_offer": "Create the offer",
        "ready": "Ready to collect",
        "qr_alt": "QR code to collect the badge",
        "wallet": "Open in the Musette wallet",
        "record": "Record the email",
        "outbox": "The email has been written to the outbox.",
        "collected": "Collected",
        "issued": "Issued",
        "active": "active",
        "revoke": "Revoke (final)",
        "reason": "Reason (kept in the history)",
        "confirm": "Confirm",
        "revoked_flash": "The credential has been revoked.",
        "revoked": "revoked",
        "sign_out": "Sign out",
        "signed_out": "You are signed out.",
        "hours_value": "7.5",
        "date_value": "March 1, 2026",
    },
}
PEOPLE = {
    "fr": "Léa Dubois",
    "en": "Sam Taylor",
    "fr-phone": "Inès Moreau",
    "en-phone": "Noah Martin",
}


def demo_password(config: UpConfig) -> str:
    """The demo admin's password (`musette up` prints it; dev mode fixes it)."""
    return (config.data_dir / "issuer" / "demo-admin.txt").read_text().strip()


def redeem(offer_link: str, tx_code: str | None) -> None:
    """A minimal OpenID4VCI wallet: resolve the offer, get a token, fetch one credential."""
    uri = parse_qs(urlsplit(offer_link).query)["credential_offer_uri"][0]
    key = PrivateKey.generate("Ed25519")
    did = did_key_from_public(key.public_key)
    with httpx2.Client(timeout=20) as http:
        offer = http.get(uri).json()
        issuer = offer["credential_issuer"]
        form = {
            "grant_type": PRE_AUTHORIZED_GRANT,
            "pre-authorized_code": offer["grants"][PRE_AUTHORIZED_GRANT]["pre-authorized_code"],
        }
        if tx_code is not None:
            form["tx_code"] = tx_code
        token = http.post(f"{issuer}/token", data=form)
        assert token.status_code == 200, token.text
        nonce = http.post(f"{issuer}/nonce").json()["c_nonce"]
        proof = build_proof_jwt(
            key,
            audience=issuer,
            nonce=nonce,
            issued_at=datetime.now(UTC),
            kid=f"{did}#{did.removeprefix('did:key:')}",
        )
        response = http.post(
            f"{issuer}/credential",
            json={
                "credential_configuration_id": offer["credential_configuration_ids"][0],
                "proofs": {"jwt": [proof]},
            },
            headers={"Authorization": f"Bearer {token.json()['access_token']}"},
        )
        assert response.status_code == 200, response.text


def check_page(page: Any, name: str, *, phone: bool) -> None:
    """Screenshot, axe-core, and (on a phone) no sideways scrolling."""
    screenshot(page, name)
    assert_accessible(page)
    if phone:
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{page.url} is {overflow}px wider than the phone"


@pytest.mark.parametrize(
    ("lang", "viewport", "suffix"),
    [
        ("fr", LAPTOP, "fr"),
        ("en", LAPTOP, "en"),
        ("fr", PHONE, "fr-phone"),
        ("en", PHONE, "en-phone"),
    ],
)
def test_create_issue_and_revoke_a_badge(
    browser: Any,
    stack: dict[str, str],
    stack_config: UpConfig,
    tmp_path: Path,
    lang: str,
    viewport: dict[str, int],
    suffix: str,
) -> None:
    w = WORDS[lang]
    phone = viewport == PHONE
    person = PEOPLE[suffix]
    slug = f"repair-cafe-{suffix}"
    # this module's instance of the session stack: its URLs and its data folder agree
    stack = stack_config.base_urls()
    issuer = stack["issuer"]
    page = new_page(browser, lang=lang, viewport=viewport)

    # sign in (the console redirects there), pressing Enter in the password field
    page.goto(f"{issuer}/console")
    assert "/signin" in page.url
    assert page.get_attribute("html", "lang") == lang
    assert page.get_by_role("heading", level=1).is_visible()
    check_page(page, f"issuer-signin-{suffix}", phone=phone)
    page.get_by_label(w["email"], exact=True).fill(ADMIN)
    page.get_by_label(w["password"], exact=True).fill(demo_password(stack_config))
    with page.expect_navigation():
        page.get_by_label(w["password"], exact=True).press("Enter")

    # the console opens on its main task; the organisation's DIDs and keys are one link away
    assert page.url.endswith("/console")
    task = "Délivrer un badge" if lang == "fr" else "Issue a badge"
    assert page.get_by_role("heading", level=1).inner_text() == task
    assert "did:web:" not in page.inner_text("main")
    check_page(page, f"issuer-home-{suffix}", phone=phone)
    page.get_by_role("link", name="Organisation", exact=True).click()
    page.wait_for_url(re.compile(r"/console/organisation$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Association Démo"
    assert "did:web:127.0.0.1" in page.content()
    did_link = page.locator("a[href$='/orgs/demo-association/did.json']")
    assert did_link.count() == 1
    check_page(page, f"issuer-profile-{suffix}", phone=phone)

    # create a badge with an image, skills and hours
    page.get_by_role("link", name=w["badges"], exact=True).click()
    page.wait_for_url(re.compile(r"/console/achievements$"))
    check_page(page, f"issuer-achievements-{suffix}", phone=phone)
    page.get_by_role("link", name=w["create"]).first.click()
    page.wait_for_url(re.compile(r"/console/achievements/new$"))
    check_page(page, f"issuer-achievement-new-{suffix}", phone=phone)
    page.get_by_label(w["id"], exact=True).fill(slug)
    names = page.get_by_role("group", name=re.compile(r"^(Nom|Name)$"))
    names.get_by_label(w["in_fr"]).fill("Animation d'un repair café")
    names.get_by_label(w["in_en"]).fill("Running a repair café")
    descriptions = page.get_by_role("group", name="Description")
    descriptions.get_by_label(w["in_fr"]).fill("A animé des ateliers de réparation.")
    descriptions.get_by_label(w["in_en"]).fill("Ran repair workshops.")
    criteria = page.get_by_role("group", name=re.compile(r"^(Critères|Criteria)"))
    criteria.get_by_label(w["in_fr"]).fill("Au moins cinq ateliers.")
    criteria.get_by_label(w["in_en"]).fill("At least five workshops.")
    page.get_by_label(w["type"]).select_option("CommunityService")
    image = tmp_path / "badge.png"
    image.write_bytes(badge_png(64))
    page.get_by_label(w["new_image"]).set_input_files(str(image))
    page.get_by_label(w["skill_url"]).fill("http://data.europa.eu/esco/skill/abc")
    page.get_by_label(w["skill_name"]).fill("réparer des appareils")
    with page.expect_navigation():
        page.get_by_role("button", name=w["create_submit"]).click()
    assert w["created"] in page.locator(".flash").inner_text()
    card = page.locator("li.card", has_text=slug)
    assert card.locator("img").evaluate("img => img.complete && img.naturalWidth > 0")
    check_page(page, f"issuer-achievements-created-{suffix}", phone=phone)

    # issue it to one person, protected by a code
    with page.expect_navigation():
        card.get_by_role("link", name=re.compile(f"^{w['issue']}")).click()
    assert page.url.endswith(f"/console/achievements/{slug}/issue")
    check_page(page, f"issuer-issue-{suffix}", phone=phone)
    page.get_by_label(w["person"]).fill(person)
    page.get_by_label(w["their_email"]).fill("person@example.org")
    page.get_by_label(w["from"], exact=True).fill("2026-03-01")
    page.get_by_label(w["to"], exact=True).fill("2026-06-30")
    page.get_by_label(w["hours"]).fill(w["hours_value"])
    page.get_by_label(w["narrative"]).fill(
        "Ateliers du samedi." if lang == "fr" else "Saturday workshops."
    )
    page.get_by_text(w["advanced"]).click()
    page.get_by_label(re.compile(w["tx"])).check()
    with page.expect_navigation():
        page.get_by_role("button", name=w["create_offer"]).click()

    # the offer: QR code (with alt text), both links, the code, localised facts
    assert "/console/offers/" in page.url
    assert w["ready"] in page.content()
    qr = page.get_by_role("img", name=re.compile(w["qr_alt"]))
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")
    link = page.locator("a[href^='openid-credential-offer://']").get_attribute("href")
    assert link
    wallet = page.get_by_role("link", name=w["wallet"]).get_attribute("href")
    assert wallet
    assert wallet.startswith(f"{stack['wallet']}/receive?credential_offer_uri=")
    code = page.locator(".tx-code .code").inner_text().strip()
    assert re.fullmatch(r"\d{6}", code)
    facts = page.locator("dl.facts").inner_text()
    assert w["hours_value"] in facts
    assert w["date_value"] in facts
    check_page(page, f"issuer-offer-{suffix}", phone=phone)
    page.get_by_label(w["email_address"], exact=True).fill("person@example.org")
    with page.expect_navigation():
        page.get_by_role("button", name=w["record"]).click()
    assert w["outbox"] in page.locator(".flash").inner_text()
    assert list((stack_config.data_dir / "issuer" / "outbox").glob("*.eml"))

    # a wallet collects it; the offer page says so
    redeem(link, code)
    page.reload()
    assert w["collected"] in page.content()

    # the issued list, then revoke with a reason
    page.get_by_role("link", name=w["issued"], exact=True).click()
    page.wait_for_url(re.compile(r"/console/credentials$"))
    row = page.locator(".table-wrap").first.locator("tr", has_text=person)
    assert w["active"] in row.inner_text()
    check_page(page, f"issuer-credentials-{suffix}", phone=phone)
    with page.expect_navigation():
        row.get_by_role("link", name=person).click()
    check_page(page, f"issuer-credential-{suffix}", phone=phone)
    page.get_by_label(w["revoke"]).check()
    reason = "Erreur de saisie du nom" if lang == "fr" else "The name was mistyped"
    page.get_by_label(w["reason"]).fill(reason)
    with page.expect_navigation():
        page.get_by_role("button", name=w["confirm"]).click()
    assert w["revoked_flash"] in page.locator(".flash").inner_text()
    assert reason in page.locator("table").inner_text()
    check_page(page, f"issuer-revoked-{suffix}", phone=phone)

    # sign out
    with page.expect_navigation():
        page.get_by_role("button", name=w["sign_out"]).click()
    assert w["signed_out"] in page.content()
    page.context.close()


def test_language_switch_and_keyboard(browser: Any, stack_config: UpConfig) -> None:
    """The FR/EN link switches and remembers; the skip link is the first Tab stop."""
    stack = stack_config.base_urls()
    page = new_page(browser, lang="fr", viewport=PHONE)
    page.goto(f"{stack['issuer']}/signin")
    assert page.get_attribute("html", "lang") == "fr"
    with page.expect_navigation():
        page.get_by_role("link", name="English").click()
    assert page.get_attribute("html", "lang") == "en"
    page.goto(f"{stack['issuer']}/signin")  # the cookie remembers
    assert page.get_attribute("html", "lang") == "en"
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == "#main"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Musette · issuer"
    page.context.close()
