"""The three journeys as one across the three services, in real Chromium.

Three browser contexts, one per person, on the session-wide stack (demo data, real HTTP):

1. the association's admin creates a badge and issues it (issuer console); the holder opens
   the link in the wallet, creates an account on the way, accepts, and finds the badge in
   « ma musette »;
2. a recruiter creates a request (verifier console); the holder opens it in the wallet, sees
   exactly what will be revealed and consents; the recruiter's page shows "verified", with
   each check;
3. the admin revokes the badge: « ma musette » flags it at once; the recruiter asks again,
   the wallet shows the badge as revoked and will not send it, the holder refuses, and the
   recruiter's page turns to "refused" by itself, long before the request
   would expire;
4. the recruiter asks once more and a wallet that does not check status answers: the
   recruiter's page says "revoked" at once, and when the status was checked;
   the list of past requests shows the three results.

In French and English, on a laptop and on a 360 px phone. Every page visited is saved as a
screenshot (journey-<step>-<page>-<lang>-<device>), passes axe-core (no serious or critical
violation) and, on the phone, does not scroll sideways. Nothing sleeps: every wait is on
page content.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest

from musette.up import UpConfig
from tests.browser.conftest import LAPTOP, PHONE, Person, keep_recovery_kit
from tests.other_wallet import build_answer, open_wallet

pytest.importorskip("playwright")
from playwright.sync_api import expect

ADMIN_EMAIL = "demo@association.example"
RECRUITER_EMAIL = "recruteur@demo.musette.example"
RECRUITER_PASSWORD = "musette-recruteur-demo"  # the demo recruiter `musette up` prints
HOLDER_PASSWORD = "un-mot-de-passe-solide"
ISSUER_NAME = "Association Démo"

#: (language, viewport, suffix of the screenshots and of the test data)
CASES = [
    pytest.param("fr", LAPTOP, "fr-laptop", id="fr-laptop"),
    pytest.param("en", LAPTOP, "en-laptop", id="en-laptop"),
    pytest.param("fr", PHONE, "fr-phone", id="fr-phone"),
    pytest.param("en", PHONE, "en-phone", id="en-phone"),
]
PEOPLE = {
    "fr-laptop": "Chloé Bernard",
    "en-laptop": "Alex Jordan",
    "fr-phone": "Yanis Girard",
    "en-phone": "Robin Evans",
}
BADGE = {
    "fr": "Accueil des bénévoles",
    "en": "Welcoming volunteers",
}
WORDS = {
    "fr": {
        # issuer console
        "email": "Adresse e-mail",
        "password": "Mot de passe",
        "badges": "Badges",
        "create": "Créer un badge",
        "id": "Identifiant",
        "in_fr": "En français",
        "in_en": "En anglais",
        "type": "Type de badge",
        "create_submit": "Créer le badge",
        "created": "Le badge a été créé.",
        "issue": "Délivrer",
        "person": "Nom de la personne",
        "hours": "Heures (facultatif)",
        "create_offer": "Créer l'offre",
        "ready": "Prêt à être récupéré",
        "open_wallet": "Ouvrir dans le portefeuille Musette",
        "collected": "Récupéré",
        "issued": "Délivrés",
        "active": "actif",
        "revoke": "Révoquer (définitif)",
        "reason": "Motif (conservé dans l'historique)",
        "confirm": "Confirmer",
        "revoked_flash": "Le badge a été révoqué.",
        "revoked_row": "révoqué",
        "revocation_reason": "Badge délivré par erreur",
        # wallet
        "signup": "Créer un compte",
        "offers": "Association Démo vous propose",
        "trusted": "Émetteur de confiance",
        "accept": "Accepter et le garder",
        "received": "Le badge est dans votre musette.",
        "wallet_verified": "Vérifié\u00a0: authentique et valide aujourd'hui.",
        "home": "Ma musette",
        "present": "Présenter",
        "request_link": "Lien de la demande (openid4vp://… ou https://…)",
        "open": "Ouvrir",
        "asks": "Un vérificateur demande à voir vos badges",
        "continue": "Continuer",
        "check": "Vérifiez avant d'envoyer",
        "hashed": "identité hachée",
        "consent": "J'accepte\u00a0: envoyer",
        "sent": "Le vérificateur a reçu votre réponse.",
        "refused": "Le vérificateur a refusé la réponse.",
        "flag_revoked": "Révoqué",
        "cannot_present": "il ne peut plus être présenté",
        "refuse": "Refuser",
        # verifier console
        "sign_in": "Se connecter",
        "any_badge": "N'importe quel badge Open Badges 3.0",
        "create_request": "Créer la demande",
        "open_in_wallet": "Ouvrir dans une application de portefeuille",
        "open_in_musette": "Ouvrir dans le portefeuille Musette",
        "person_refused": "Refusé",
        "refused_summary": "La personne a refusé de montrer ses badges.",
        "status_checked": "Statut consulté le",
        "past": "Demandes passées",
        "waiting": "En attente du portefeuille…",
        "verified": "Vérifié",
        "revoked": "Révoqué",
        "every_check": "Chaque vérification",
        "ask_again": "Redemander avec la même demande",
        "hours_value": "12",
    },
    "en": {
        "email": "Email",
        "password": "Password",
        "badges": "Badges",
        "create": "Create a badge",
        "id": "Identifier",
        "in_fr": "In French",
        "in_en": "In English",
        "type": "Type of badge",
        "create_submit": "Create the badge",
        "created": "The badge has been created.",
        "issue": "Issue",
        "person": "Name of the person",
        "hours": "Hours (optional)",
        "create_offer": "Create the offer",
        "ready": "Ready to collect",
        "open_wallet": "Open in the Musette wallet",
        "collected": "Collected",
        "issued": "Issued",
        "active": "active",
        "revoke": "Revoke (final)",
        "reason": "Reason (kept in the history)",
        "confirm": "Confirm",
        "revoked_flash": "The credential has been revoked.",
        "revoked_row": "revoked",
        "revocation_reason": "Issued by mistake",
        "signup": "Create an account",
        "offers": "Association Démo offers you",
        "trusted": "Trusted issuer",
        "accept": "Accept and keep it",
        "received": "The credential is in your musette.",
        "wallet_verified": "It verifies: authentic and valid today.",
        "home": "My musette",
        "present": "Present",
        "request_link": "Request link (openid4vp://… or https://…)",
        "open": "Open",
        "asks": "A verifier asks to see your credentials",
        "continue": "Continue",
        "check": "Check before sending",
        "hashed": "identity hashed",
        "consent": "I agree: send",
        "sent": "The verifier received your answer.",
        "refused": "The verifier refused the answer.",
        "flag_revoked": "Revoked",
        "cannot_present": "it can no longer be presented",
        "refuse": "Refuse",
        "sign_in": "Sign in",
        "any_badge": "Any Open Badges 3.0 badge",
        "create_request": "Create the request",
        "open_in_wallet": "Open in a wallet app",
        "open_in_musette": "Open in the Musette wallet",
        "person_refused": "Refused",
        "refused_summary": "The person refused to share their credentials.",
        "status_checked": "Status checked on",
        "past": "Past requests",
        "waiting": "Waiting for the wallet…",
        "verified": "Verified",
        "revoked": "Revoked",
        "every_check": "Every check",
        "ask_again": "Ask again with the same request",
        "hours_value": "12",
    },
}
#: checks the recruiter's page must list for an answered request, each of them passed
CHECKS = ("challenge", "proof", "status", "trust")


def admin_password(config: UpConfig) -> str:
    """The demo admin's password (`musette up` prints it; dev mode fixes it)."""
    return (config.data_dir / "issuer" / "demo-admin.txt").read_text().strip()


# ----------------------------------------------------------------------------- the people


def admin_signs_in(admin: Person, base: str, w: dict[str, str], password: str) -> None:
    page = admin.page
    page.goto(f"{base}/console")
    expect(page).to_have_url(re.compile(r"/signin"))
    admin.look("1-issuer-signin")
    page.get_by_label(w["email"], exact=True).fill(ADMIN_EMAIL)
    page.get_by_label(w["password"], exact=True).fill(password)
    with page.expect_navigation():
        page.get_by_label(w["password"], exact=True).press("Enter")
    # the console opens on its main task; the organisation is one link away
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Délivrer un badge"
        if page.locator("html").get_attribute("lang") == "fr"
        else "Issue a badge"
    )
    admin.look("1-issuer-home")
    page.get_by_role("link", name="Organisation", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ISSUER_NAME)
    admin.look("1-issuer-profile")


def admin_creates_a_badge(admin: Person, w: dict[str, str], slug: str) -> None:
    page = admin.page
    page.get_by_role("link", name=w["badges"], exact=True).click()
    page.wait_for_url(re.compile(r"/console/achievements$"))
    admin.look("1-issuer-achievements")
    page.get_by_role("link", name=w["create"]).first.click()
    page.wait_for_url(re.compile(r"/console/achievements/new$"))
    admin.look("1-issuer-achievement-new")
    page.get_by_label(w["id"], exact=True).fill(slug)
    names = page.get_by_role("group", name=re.compile(r"^(Nom|Name)$"))
    names.get_by_label(w["in_fr"]).fill(BADGE["fr"])
    names.get_by_label(w["in_en"]).fill(BADGE["en"])
    descriptions = page.get_by_role("group", name="Description")
    descriptions.get_by_label(w["in_fr"]).fill("A accueilli et guidé les nouveaux bénévoles.")
    descriptions.get_by_label(w["in_en"]).fill("Welcomed and guided new volunteers.")
    criteria = page.get_by_role("group", name=re.compile(r"^(Critères|Criteria)"))
    criteria.get_by_label(w["in_fr"]).fill("Au moins trois permanences d'accueil.")
    criteria.get_by_label(w["in_en"]).fill("At least three welcome shifts.")
    page.get_by_label(w["type"]).select_option("CommunityService")
    with page.expect_navigation():
        page.get_by_role("button", name=w["create_submit"]).click()
    expect(page.locator(".flash")).to_contain_text(w["created"])
    admin.look("1-issuer-achievement-created")


def admin_issues_it(admin: Person, w: dict[str, str], slug: str, person: str) -> str:
    """Issue the badge to ``person``; the link the admin gives them (opens the wallet)."""
    page = admin.page
    card = page.locator("li.card", has_text=slug)
    with page.expect_navigation():
        card.get_by_role("link", name=re.compile(f"^{w['issue']}")).click()
    expect(page).to_have_url(re.compile(f"/console/achievements/{slug}/issue$"))
    admin.look("1-issuer-issue")
    page.get_by_label(w["person"]).fill(person)
    page.get_by_label(w["hours"]).fill(w["hours_value"])
    with page.expect_navigation():
        page.get_by_role("button", name=w["create_offer"]).click()
    expect(page).to_have_url(re.compile(r"/console/offers/"))
    expect(page.get_by_text(w["ready"]).first).to_be_visible()
    admin.look("1-issuer-offer")
    link: str | None = page.get_by_role("link", name=w["open_wallet"]).get_attribute("href")
    assert link
    return link


def holder_accepts(
    holder: Person, wallet: str, w: dict[str, str], link: str, email: str, lang: str
) -> None:
    """Open the issuer's link; no account yet, so create one on the way, then accept."""
    page = holder.page
    page.goto(link)
    expect(page).to_have_url(re.compile(r"/signin\?next="))
    holder.look("1-wallet-signin")
    page.get_by_role("link", name=w["signup"]).click()
    expect(page).to_have_url(re.compile(r"/signup"))
    holder.look("1-wallet-signup")
    page.fill("#email", email)
    page.fill("#password", HOLDER_PASSWORD)
    page.get_by_role("button", name=w["signup"]).click()
    holder.look("1-wallet-recovery-kit")
    keep_recovery_kit(page)  # then straight back to the offer the link opened
    expect(page.get_by_role("heading", name=w["offers"])).to_be_visible()
    assert urlsplit(page.url).path == "/receive"
    main = page.locator("main")
    expect(main).to_contain_text(w["trusted"])
    expect(main).to_contain_text(BADGE[lang])
    holder.look("1-wallet-offer")
    page.get_by_role("button", name=w["accept"]).click()
    expect(main).to_contain_text(w["received"])
    expect(main).to_contain_text(w["wallet_verified"])
    expect(main).to_contain_text(BADGE[lang])
    holder.look("1-wallet-received")
    page.get_by_role("link", name=w["home"]).first.click()
    expect(page).to_have_url(f"{wallet}/")
    card = page.locator("li.card", has_text=BADGE[lang])
    expect(card).to_have_count(1)  # one badge issued, one badge kept
    expect(card).to_contain_text(ISSUER_NAME)
    expect(page.locator("ol.timeline")).to_contain_text(BADGE[lang])
    holder.look("1-wallet-home")


def admin_sees_it_collected(admin: Person, w: dict[str, str]) -> None:
    admin.page.reload()
    expect(admin.page.get_by_text(w["collected"]).first).to_be_visible()
    admin.look("1-issuer-offer-collected")


def recruiter_signs_in(recruiter: Person, base: str, w: dict[str, str]) -> None:
    page = recruiter.page
    page.goto(f"{base}/signin")
    recruiter.look("2-verifier-signin")
    page.get_by_label(w["email"]).fill(RECRUITER_EMAIL)
    page.get_by_label(w["password"]).fill(RECRUITER_PASSWORD)
    page.get_by_role("button", name=w["sign_in"]).click()
    page.wait_for_url(re.compile(r"/requests/new"))
    recruiter.look("2-verifier-request-new")


def recruiter_asks(recruiter: Person, w: dict[str, str], step: str) -> str:
    """On the request page: the link the holder opens in their wallet."""
    page = recruiter.page
    page.wait_for_url(re.compile(r"/requests/[\w-]+$"))
    expect(page.locator("#answer")).to_contain_text(w["waiting"])
    recruiter.look(f"{step}-verifier-request")
    href: str | None = page.get_by_role("link", name=w["open_in_wallet"]).get_attribute("href")
    assert href
    assert href.startswith("openid4vp://?")
    # beside the QR code, the same request as an https link into the Musette wallet
    musette = page.get_by_role("link", name=w["open_in_musette"]).get_attribute("href")
    assert musette
    assert musette.startswith("http")
    assert musette.endswith("/present?" + href.split("?", 1)[1])
    return href


def holder_consents(
    holder: Person,
    w: dict[str, str],
    link: str,
    verifier: str,
    lang: str,
    person: str,
    step: str,
    outcome: str,
) -> None:
    """Paste the recruiter's link in the wallet, see what will be revealed, and send;
    ``outcome`` is what the wallet then says ("sent", or "refused" for a revoked badge)."""
    page = holder.page
    page.get_by_role("link", name=w["present"], exact=True).first.click()
    page.get_by_label(w["request_link"]).fill(link)
    page.get_by_role("button", name=w["open"], exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(w["asks"])
    main = page.locator("main")
    expect(main).to_contain_text(urlsplit(verifier).netloc)  # where the answer goes
    # the badge is the one credential offered to answer, and it is chosen
    option = page.locator("fieldset .card")
    expect(option).to_have_count(1)
    expect(option).to_contain_text(BADGE[lang])
    expect(option).to_contain_text(ISSUER_NAME)
    expect(option.get_by_role("radio")).to_be_checked()
    # what will be revealed, in words (the technical details folded away): the name is issued
    # hashed by default (OB 3.0 IdentityObject), so the page says so and never shows it
    facts = option.locator("dl.facts").first
    expect(facts).to_contain_text(w["hashed"])
    expect(facts).not_to_contain_text(person)
    holder.look(f"{step}-wallet-consent")
    page.get_by_role("button", name=re.compile("^" + w["continue"])).click()
    # the summary: exactly what the verifier will read, then send
    expect(page.get_by_role("heading", level=1)).to_have_text(w["check"])
    sent = page.locator(".card.sent")
    expect(sent).to_have_count(1)
    expect(sent).to_contain_text(BADGE[lang])
    expect(sent).to_contain_text(ISSUER_NAME)
    expect(sent).to_contain_text(w["hashed"])
    expect(sent).not_to_contain_text(person)
    holder.look(f"{step}-wallet-summary")
    page.get_by_role("button", name=w["consent"]).click()
    expect(main).to_contain_text(w[outcome])
    if outcome == "refused":  # and why, in the verifier's words
        expect(main).to_contain_text("revoked by its issuer")
    holder.look(f"{step}-wallet-presented")


def recruiter_sees(
    recruiter: Person, w: dict[str, str], lang: str, verdict: str, step: str
) -> None:
    """The answer arrives on the request page by itself: the verdict and every check."""
    answer = recruiter.page.locator("#answer[aria-live=polite]")
    mark = "✔" if verdict == "verified" else "✘"
    expect(answer.locator(".verdict").first).to_have_text(f"{mark} {w[verdict]}", timeout=30_000)
    expect(answer).to_contain_text(w["every_check"])
    expect(answer).to_contain_text(BADGE[lang])
    checks = dict(
        answer.locator("li.check").evaluate_all(
            "items => items.map(i => [i.dataset.check, i.classList[1]])"
        )
    )
    for name in CHECKS:
        assert name in checks, f"no {name!r} check on the page: {checks}"
    if verdict == "verified":
        assert set(checks.values()) == {"passed"}, checks
    else:
        assert checks["status"] == "failed", checks
        assert {v for k, v in checks.items() if k != "status"} == {"passed"}, checks
    recruiter.look(f"{step}-verifier-{verdict}")


def holder_sees_it_flagged(holder: Person, w: dict[str, str]) -> None:
    """« Ma musette » revalidates the status list: the revoked badge is flagged at once."""
    page = holder.page
    page.get_by_role("link", name=w["home"], exact=True).first.click()
    flag = page.locator(".card [data-status=revoked]")
    expect(flag).to_have_count(1)
    expect(flag).to_contain_text(w["flag_revoked"])
    expect(flag).to_contain_text(w["cannot_present"])
    holder.look("3-wallet-home-revoked")


def holder_refuses(holder: Person, w: dict[str, str], link: str) -> None:
    """The wallet shows the badge as revoked and does not let it be chosen; the holder
    refuses, and the wallet tells the verifier (access_denied)."""
    page = holder.page
    page.get_by_role("link", name=w["present"], exact=True).first.click()
    page.get_by_label(w["request_link"]).fill(link)
    page.get_by_role("button", name=w["open"], exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(w["asks"])
    option = page.locator("fieldset .card")
    expect(option).to_have_count(1)
    expect(option.locator("[data-status=revoked]")).to_contain_text(w["flag_revoked"])
    expect(option.get_by_role("radio")).to_be_disabled()
    expect(page.get_by_role("button", name=re.compile("^" + w["continue"]))).to_be_disabled()
    holder.look("3-wallet-consent-revoked")
    page.get_by_role("button", name=w["refuse"], exact=True).click()
    page.wait_for_url(re.compile(r"/$"))


def recruiter_sees_refused(recruiter: Person, w: dict[str, str], step: str) -> None:
    """The page turns to "refused" by itself (it polls), and the dead QR code goes away."""
    page = recruiter.page
    answer = page.locator("#answer[aria-live=polite]")
    expect(answer.locator(".verdict").first).to_have_text(f"✘ {w['person_refused']}")
    expect(answer).to_contain_text(w["refused_summary"])
    expect(page.locator("[data-qr]")).to_be_hidden()
    recruiter.look(f"{step}-verifier-refused")


def recruiter_lists_past_requests(
    recruiter: Person, w: dict[str, str], ids: list[str], verdicts: list[str]
) -> None:
    page = recruiter.page
    page.get_by_role("link", name=w["past"], exact=True).click()
    page.wait_for_url(re.compile(r"/requests$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(w["past"])
    for request_id, verdict in zip(ids, verdicts, strict=True):
        expect(page.locator(f'[data-request="{request_id}"]')).to_have_attribute(
            "data-verdict", verdict
        )
    recruiter.look("4-verifier-past-requests")


def admin_revokes(admin: Person, w: dict[str, str], person: str) -> None:
    page = admin.page
    page.get_by_role("link", name=w["issued"], exact=True).click()
    page.wait_for_url(re.compile(r"/console/credentials$"))
    row = page.locator(".table-wrap").first.locator("tr", has_text=person)
    expect(row).to_have_count(1)  # one issuance, one badge
    expect(row).to_contain_text(w["active"])
    admin.look("3-issuer-credentials")
    with page.expect_navigation():
        row.get_by_role("link", name=person).click()
    admin.look("3-issuer-credential")
    page.get_by_label(w["revoke"]).check()
    page.get_by_label(w["reason"]).fill(w["revocation_reason"])
    with page.expect_navigation():
        page.get_by_role("button", name=w["confirm"]).click()
    expect(page.locator(".flash")).to_contain_text(w["revoked_flash"])
    expect(page.locator("table")).to_contain_text(w["revocation_reason"])
    admin.look("3-issuer-revoked")
    page.get_by_role("link", name=w["issued"], exact=True).click()
    page.wait_for_url(re.compile(r"/console/credentials$"))
    expect(row).to_contain_text(w["revoked_row"])


# ----------------------------------------------------------------------------- the journey


@pytest.mark.parametrize(("lang", "viewport", "suffix"), CASES)
def test_issue_accept_verify_revoke(
    browser: Any,
    stack: dict[str, str],
    stack_config: UpConfig,
    contexts: list[Any],
    lang: str,
    viewport: dict[str, int],
    suffix: str,
) -> None:
    w = WORDS[lang]
    person = PEOPLE[suffix]
    slug = f"journey-{suffix}"
    admin = Person(browser, contexts, lang, viewport, suffix)
    holder = Person(browser, contexts, lang, viewport, suffix)
    recruiter = Person(browser, contexts, lang, viewport, suffix)

    # 1. the admin creates a badge and issues it; the holder accepts it in the wallet
    admin_signs_in(admin, stack["issuer"], w, admin_password(stack_config))
    admin_creates_a_badge(admin, w, slug)
    link = admin_issues_it(admin, w, slug, person)
    assert link.startswith(f"{stack['wallet']}/receive?credential_offer_uri=")
    holder_accepts(holder, stack["wallet"], w, link, f"{slug}@example.org", lang)
    admin_sees_it_collected(admin, w)

    # 2. the recruiter asks; the holder sees what will be revealed and consents
    recruiter_signs_in(recruiter, stack["verifier"], w)
    recruiter.page.get_by_label(w["any_badge"]).check()
    recruiter.page.get_by_role("button", name=w["create_request"]).click()
    request = recruiter_asks(recruiter, w, "2")
    holder_consents(holder, w, request, stack["verifier"], lang, person, "2", "sent")
    recruiter_sees(recruiter, w, lang, "verified", "2")

    first_id = request_id_of(recruiter)

    # 3. the admin revokes it: flagged in the wallet at once; asked again, the holder refuses
    admin_revokes(admin, w, person)
    holder_sees_it_flagged(holder, w)
    recruiter.page.get_by_role("button", name=w["ask_again"]).click()
    again = recruiter_asks(recruiter, w, "3")
    assert again != request
    refused_id = request_id_of(recruiter)
    holder_refuses(holder, w, again)
    recruiter_sees_refused(recruiter, w, "3")

    # 4. asked once more, a wallet that does not check answers: "revoked", with no waiting
    recruiter.page.get_by_role("button", name=w["ask_again"]).click()
    third = recruiter_asks(recruiter, w, "4")
    revoked_id = request_id_of(recruiter)
    with open_wallet(stack_config) as other:
        build_answer(other, f"{slug}@example.org", third).post()
    recruiter_sees(recruiter, w, lang, "revoked", "4")
    expect(recruiter.page.locator("#answer [data-checked-at]").first).to_contain_text(
        w["status_checked"]
    )
    recruiter_lists_past_requests(
        recruiter, w, [first_id, refused_id, revoked_id], ["verified", "refused", "revoked"]
    )


def request_id_of(recruiter: Person) -> str:
    url: str = recruiter.page.url
    return url.rsplit("/requests/", 1)[1].split("?")[0]
