"""The wallet's pages, in French and English: sign in, « ma musette », a credential, receive
(link, paste, tx_code, file), consent with a choice per claim, history, share links, export
and import; every form refuses to act without its CSRF token."""

from __future__ import annotations

import html
import html as htmllib
import io
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from servicekit.i18n import catalogue
from tests.unit.wallet.fake_issuer import FakeIssuer
from tests.unit.wallet.fake_verifier import FakeVerifier, dcql
from tests.unit.wallet.testkit import PASSWORD, Holder, IssuerKit, serve, sign_up
from wallet.i18n import LOCALES

TEMPLATES = Path(__file__).parents[3] / "wallet" / "templates"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def issuer() -> Iterator[FakeIssuer]:
    fake = FakeIssuer()
    with serve(fake.app()) as base:
        fake.base = base
        yield fake


def sign_in(client: TestClient, holder: Holder) -> None:
    """Sign in through the page (double-submit CSRF), as a browser does."""
    client.cookies.clear()
    client.get("/signin")
    token = client.cookies.get("musette_wallet_csrf")
    resp = client.post(
        "/signin",
        data={"email": holder.email, "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert resp.status_code == 303, resp.text


def page(client: TestClient, url: str, lang: str = "fr") -> str:
    resp = client.get(url, headers={"Accept": "text/html", "Accept-Language": lang})
    assert resp.status_code == 200, resp.text
    assert f'<html lang="{lang}">' in resp.text
    return htmllib.unescape(resp.text)


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def rich_credential(kit: IssuerKit, did: str) -> dict[str, object]:
    doc = kit.unsigned(did, name="Bénévole — encadrement")
    subject = doc["credentialSubject"]
    subject["role"] = "Encadrante bénévole"
    subject["activityStartDate"] = "2026-03-01T09:00:00Z"
    subject["achievement"]["description"] = "Encadrement d'une équipe."
    subject["achievement"]["alignment"] = [
        {
            "type": ["Alignment"],
            "targetName": "superviser une équipe",
            "targetUrl": "http://data.europa.eu/esco/skill/x",
        }
    ]
    from shared.proofs.data_integrity import JCS, add_proof

    return add_proof(doc, kit.key.sign, kit.kid, cryptosuite=JCS)


# --------------------------------------------------------------------------- languages


def test_every_page_message_is_in_both_catalogues() -> None:
    used: set[str] = set()
    for path in TEMPLATES.glob("*.html"):
        used |= set(re.findall(r'_\(\s*"((?:[^"\\]|\\.)*)"', path.read_text()))
    fr, en = catalogue(LOCALES, "fr"), catalogue(LOCALES, "en")
    assert used - set(fr) == set()
    assert used - set(en) == set()
    same = {m for m in used if fr[m] == m and m not in {"Format", "Description", "Signature"}}
    assert same <= {"Dates", "Image", "Association"}, same  # words that are the same in French


def test_signed_out_pages_and_redirect_in_both_languages(wallet: TestClient) -> None:
    first = wallet.get("/", follow_redirects=False)
    assert first.status_code == 303
    assert first.headers["location"] == "/signin?next=%2F"
    fr = page(wallet, "/signin", "fr")
    assert "Se connecter" in fr
    assert "Mot de passe" in fr
    wallet.cookies.clear()
    en = page(wallet, "/signup", "en")
    assert "Create an account" in en
    assert "Password (at least 8 characters)" in en
    # the language can be switched, and the choice is kept
    switched = wallet.get("/signin?lang=en", headers={"Accept-Language": "fr"})
    assert "Sign in" in switched.text
    assert 'href="/signin?lang=fr"' in switched.text
    assert "Sign in" in wallet.get("/signin", headers={"Accept-Language": "fr"}).text


def test_sign_up_and_sign_in_pages(wallet: TestClient) -> None:
    wallet.get("/signup")
    token = wallet.cookies.get("musette_wallet_csrf")
    created = wallet.post(
        "/signup",
        data={"email": "zoe@example.org", "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    # the recovery kit, shown once, before going on (docs/decisions/person-held-keys.md)
    assert created.status_code == 200
    assert re.search(r"data-recovery-code>[A-Z2-7]{4}(-[A-Z2-7]{4}){7}<", created.text)
    assert created.headers["cache-control"] == "no-store"
    assert "Votre musette est vide" in page(wallet, "/")
    again = wallet.post(
        "/signup",
        data={"email": "zoe@example.org", "password": PASSWORD, "csrf_token": token},
        headers={"Accept-Language": "fr"},
    )
    assert again.status_code == 409
    assert "Un compte existe déjà" in again.text
    wrong = wallet.post(
        "/signin",
        data={"email": "zoe@example.org", "password": "nope-nope", "csrf_token": token},
        headers={"Accept-Language": "en"},
    )
    assert wrong.status_code == 401
    assert "Wrong email address or password." in wrong.text


def test_a_link_opened_before_signing_up_is_kept_through_sign_up(wallet: TestClient) -> None:
    """Someone without an account opens an issuer's link: after creating one, they are back
    on that link, not on an empty musette (the offer was lost before)."""
    target = "/receive?credential_offer_uri=https%3A%2F%2Fissuer.example%2Foffers%2F1"
    opened = wallet.get(target, follow_redirects=False)
    assert opened.status_code == 303
    signin = page(wallet, opened.headers["location"])
    link = re.search(r'href="(/signup\?next=[^"]+)"', signin)
    assert link, "the sign-in page's sign-up link forgets where the person was going"
    signup = page(wallet, link.group(1))
    assert f'name="next" value="{target}"' in signup
    created = wallet.post(
        "/signup",
        data={
            "email": "nina@example.org",
            "password": PASSWORD,
            "next": target,
            "csrf_token": wallet.cookies.get("musette_wallet_csrf"),
        },
        follow_redirects=False,
    )
    assert created.status_code == 200  # the recovery kit first, then on to the link
    assert f'class="button" href="{html.escape(target)}"' in created.text
    # only a path on the wallet itself
    wallet.cookies.clear()
    wallet.get("/signup")
    elsewhere = wallet.post(
        "/signup",
        data={
            "email": "noa@example.org",
            "password": PASSWORD,
            "next": "//evil.example/",
            "csrf_token": wallet.cookies.get("musette_wallet_csrf"),
        },
        follow_redirects=False,
    )
    assert 'class="button" href="/"' in elsewhere.text


# --------------------------------------------------------------------------- home, credential


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_home_groups_by_sphere_with_a_timeline(
    wallet: TestClient, alice: Holder, kit: IssuerKit, lang: str
) -> None:
    alice.import_credential(rich_credential(kit, alice.did), sphere="association")
    alice.import_credential(kit.vc_jwt(alice.did, name="Cariste"), sphere="work")
    alice.import_credential(kit.sd_jwt(alice.did, name="Chorale"), sphere="chant")
    sign_in(wallet, alice)
    html = page(wallet, "/", lang)
    words = {
        "fr": ("Ma musette", "Travail", "Frise chronologique", "1 mars 2026", "Délivré par"),
        "en": ("My musette", "Work", "Timeline", "March 1, 2026", "Issued by"),
    }[lang]
    for word in words:
        assert word in html
    # standard spheres first, in their order, then the person's own
    assert html.index("Travail" if lang == "fr" else "Work") < html.index("Association")
    assert html.index("Association") < html.index("chant")
    assert html.count('class="card"') == 3
    assert "Association des Musiciens" in html
    search = page(wallet, "/?q=cariste", lang)
    assert search.count('class="card"') == 1


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_credential_page_says_what_who_and_whether_it_verifies(
    wallet: TestClient, alice: Holder, kit: IssuerKit, lang: str
) -> None:
    cid = alice.import_credential(rich_credential(kit, alice.did))["id"]
    sign_in(wallet, alice)
    html = page(wallet, f"/credentials/{cid}", lang)
    assert "Bénévole — encadrement" in html
    assert "Encadrante bénévole" in html
    assert "superviser une équipe" in html
    assert 'class="verdict ok"' in html
    assert 'class="check passed"' in html
    expected = {
        "fr": (
            "Ce qu'il atteste",
            "Vérifié\u00a0: authentique et valide aujourd'hui.",
            "La signature de l'émetteur est intacte",
            "Émetteur absent de votre liste",
            "depuis le 1 mars 2026",
        ),
        "en": (
            "What it certifies",
            "It verifies: authentic and valid today.",
            "The issuer's signature is intact",
            "Issuer not in your trust list",
            "since March 1, 2026",
        ),
    }[lang]
    for text in expected:
        assert text in html, text


def test_credential_page_trusted_issuer(make_wallet, kit: IssuerKit) -> None:  # type: ignore[no-untyped-def]
    wallet = make_wallet("trusting", trusted_issuers=[kit.did])
    holder = sign_up(wallet, "trust@example.org")
    cid = holder.import_credential(kit.ldp(holder.did))["id"]
    sign_in(wallet, holder)
    assert "Émetteur de confiance" in page(wallet, f"/credentials/{cid}")
    assert "Émetteur de confiance" in page(wallet, "/")


def test_credential_actions_file_share_download_delete(
    wallet: TestClient, alice: Holder, kit: IssuerKit
) -> None:
    cid = alice.import_credential(kit.vc_jwt(alice.did, name="Cariste"))["id"]
    sign_in(wallet, alice)
    token = csrf_of(page(wallet, f"/credentials/{cid}"))
    edited = wallet.post(
        f"/credentials/{cid}/edit",
        data={"csrf_token": token, "sphere": "work", "new_sphere": "Sport", "tags": "a, b"},
    )
    assert "Enregistré." in edited.text
    summary = alice.get(f"/api/credentials/{cid}").json()
    assert (summary["sphere"], summary["tags"]) == ("sport", ["a", "b"])
    published = wallet.post(f"/credentials/{cid}/publish", data={"csrf_token": token})
    assert published.status_code == 200
    url = re.search(r'value="(http://testserver/s/[^"]+)"', published.text)
    assert url
    assert "<svg" in published.text
    assert wallet.get(url.group(1).removeprefix("http://testserver")).status_code == 200
    history = page(wallet, "/history")
    assert "Liens de partage" in history
    assert "Cariste" in history
    share_id = alice.get("/api/shares").json()[0]["id"]
    wallet.post(f"/shares/{share_id}/unpublish", data={"csrf_token": token, "back": "/history"})
    assert alice.get("/api/shares").json() == []
    raw = wallet.get(f"/api/credentials/{cid}/raw")
    assert raw.status_code == 200
    assert "attachment" in raw.headers["content-disposition"]
    gone = wallet.post(f"/credentials/{cid}/delete", data={"csrf_token": token})
    assert gone.status_code == 200
    assert "Ma musette" in gone.text
    assert alice.get("/api/credentials").json()["credentials"] == []


def test_forms_refuse_without_their_csrf_token(
    wallet: TestClient, alice: Holder, kit: IssuerKit
) -> None:
    cid = alice.import_credential(kit.ldp(alice.did))["id"]
    sign_in(wallet, alice)
    html = {"Accept": "text/html", "Accept-Language": "fr"}
    for url, data in [
        (f"/credentials/{cid}/delete", {}),
        (f"/credentials/{cid}/edit", {"sphere": "work"}),
        (f"/credentials/{cid}/publish", {}),
        ("/receive", {"offer": "https://example.org/offer"}),
        ("/present", {"link": "openid4vp://?client_id=x"}),
        ("/signout", {}),
    ]:
        refused = wallet.post(url, data={**data, "csrf_token": "forged"}, headers=html)
        assert refused.status_code == 403, url
        assert "Formulaire expiré ou non valide" in refused.text
    upload = wallet.post(
        "/import", files={"file": ("b.json", b"{}", "application/json")}, headers=html
    )
    assert upload.status_code == 403
    archive = wallet.post(
        "/archive/import", files={"file": ("a.zip", b"PK", "application/zip")}, headers=html
    )
    assert archive.status_code == 403
    assert len(alice.get("/api/credentials").json()["credentials"]) == 1
    assert alice.get("/api/shares").json() == []


# --------------------------------------------------------------------------- receiving


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_receive_link_preview_tx_code_then_accept(
    wallet: TestClient, alice: Holder, issuer: FakeIssuer, lang: str
) -> None:
    sign_in(wallet, alice)
    uri = issuer.offer("volunteer_ldp", tx_code="493536")
    html = page(wallet, f"/receive?credential_offer_uri={quote(uri, safe='')}", lang)
    assert "Association des Musiciens" in html
    assert (
        "Code que l'émetteur vous a envoyé" if lang == "fr" else "Code the issuer sent you"
    ) in html
    assert issuer.token_requests == []  # nothing redeemed before the person accepts
    offer_id = re.search(r'action="/receive/([^/]+)/accept"', html)
    assert offer_id
    token = csrf_of(html)
    wrong = wallet.post(
        f"/receive/{offer_id.group(1)}/accept",
        data={"csrf_token": token, "tx_code": "000000"},
        headers={"Accept-Language": lang},
    )
    assert wrong.status_code == 400
    assert ("Vérifiez le code" if lang == "fr" else "Check the code") in wrong.text
    ok = wallet.post(
        f"/receive/{offer_id.group(1)}/accept",
        data={"csrf_token": token, "tx_code": "493536", "sphere": "association"},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    assert ok.headers["location"].startswith("/credentials/")
    landed = page(wallet, ok.headers["location"], lang)
    assert ("Le badge est dans votre musette." if lang == "fr" else "in your musette") in landed
    assert "Bénévole — encadrement" in page(wallet, "/", lang)


def test_receive_by_pasting_then_decline_and_bad_links(
    wallet: TestClient, alice: Holder, issuer: FakeIssuer
) -> None:
    sign_in(wallet, alice)
    form = page(wallet, "/receive")
    assert 'id="scan" hidden' in form  # the camera appears only where the browser can scan
    token = csrf_of(form)
    link = f"openid-credential-offer://?credential_offer_uri={quote(issuer.offer('volunteer_sd'))}"
    preview = wallet.post("/receive", data={"csrf_token": token, "offer": link})
    assert preview.status_code == 200
    assert "Bénévole (volunteer_sd)" in preview.text
    assert "Émetteur absent de votre liste de confiance" in preview.text
    offer_id = re.search(r'action="/receive/([^/]+)/decline"', preview.text)
    assert offer_id
    declined = wallet.post(f"/receive/{offer_id.group(1)}/decline", data={"csrf_token": token})
    assert declined.status_code == 200
    assert issuer.token_requests == []
    bad = wallet.post("/receive", data={"csrf_token": token, "offer": "pas un lien"})
    assert bad.status_code == 400
    assert "Cette offre n'a pas pu être ouverte" in htmllib.unescape(bad.text)
    assert "pas un lien" in htmllib.unescape(bad.text)  # what was pasted stays in the field


def test_import_a_file_from_the_receive_page(
    wallet: TestClient, alice: Holder, kit: IssuerKit
) -> None:
    sign_in(wallet, alice)
    token = csrf_of(page(wallet, "/receive"))
    good = json.dumps(kit.ldp(alice.did, name="Trésorière")).encode()
    kept = wallet.post(
        "/import",
        data={"csrf_token": token, "sphere": "association"},
        files={"file": ("badge.json", good, "application/json")},
        follow_redirects=False,
    )
    assert kept.status_code == 303
    assert "Trésorière" in page(wallet, kept.headers["location"])
    tampered = json.loads(good)
    tampered["credentialSubject"]["achievement"]["name"] = "Présidente"
    refused = wallet.post(
        "/import",
        data={"csrf_token": token},
        files={"file": ("badge.json", json.dumps(tampered).encode(), "application/json")},
        headers={"Accept-Language": "en"},
    )
    assert refused.status_code == 422 or refused.status_code == 400
    assert "This file was not kept" in refused.text
    assert len(alice.get("/api/credentials").json()["credentials"]) == 1


# --------------------------------------------------------------------------- presenting


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_consent_screen_with_a_choice_per_claim(
    wallet: TestClient, alice: Holder, kit: IssuerKit, verifier: FakeVerifier, lang: str
) -> None:
    cid = alice.import_credential(kit.sd_jwt(alice.did, name="Note 4,8/5"))["id"]
    sign_in(wallet, alice)
    link = verifier.request_link(dcql("dc+sd-jwt", [["achievement", "name"]]))
    html = page(wallet, "/present?" + link.split("?", 1)[1], lang)
    assert "Recruteur Démo" in html
    assert "127.0.0.1" in html  # where the answer goes
    assert verifier.received == []  # nothing sent before consent
    boxes = re.findall(rf'name="disclose__badge__{cid}" value="([^"]+)"', html)
    assert "credentialSubject" in boxes
    assert ("Toujours montré" if lang == "fr" else "Always shown:") in html
    request_id = re.search(r'action="/present/([^/]+)/review"', html)
    assert request_id
    sent = wallet.post(
        f"/present/{request_id.group(1)}/consent",
        data={"csrf_token": csrf_of(html), "credential__badge": cid},
        headers={"Accept-Language": lang},
    )
    assert sent.status_code == 200, sent.text
    assert 'class="verdict ok"' in sent.text
    report = verifier.reports[-1]
    shown = report.get("credential") or report["credentials"][0]["credential"]
    assert "credentialSubject" not in shown  # not ticked, not revealed
    history = page(wallet, "/history", lang)
    assert "Recruteur Démo" in history
    assert ("Montré à" if lang == "fr" else "Shown to") in history


def test_consent_refuse_sends_nothing(
    wallet: TestClient, alice: Holder, kit: IssuerKit, verifier: FakeVerifier
) -> None:
    alice.import_credential(kit.ldp(alice.did))
    sign_in(wallet, alice)
    token = csrf_of(page(wallet, "/present"))
    link = verifier.request_link(dcql("ldp_vc", [["credentialSubject", "achievement", "name"]]))
    html = wallet.post("/present", data={"csrf_token": token, "link": link}).text
    # a whole-format badge: the page says it cannot be cut (reveal-less wording, per format)
    text = htmllib.unescape(html)
    assert "ce badge envoie tout son contenu" in text
    assert "vous ne pouvez en masquer aucune partie" in text
    request_id = re.search(r'action="/present/([^/]+)/decline"', html)
    assert request_id
    nothing = wallet.post(
        f"/present/{request_id.group(1)}/consent",
        data={"csrf_token": token, "credential__badge": ""},  # "send nothing for this"
    )
    assert nothing.status_code == 400
    assert "Choisissez un badge pour chaque demande" in htmllib.unescape(nothing.text)
    wallet.post(f"/present/{request_id.group(1)}/decline", data={"csrf_token": token})
    # OpenID4VP 1.0 §8.5: the verifier is told "access_denied", and nothing else is sent
    (refusal,) = verifier.received
    assert refusal["error"] == "access_denied"
    assert "vp_token" not in refusal
    assert "response" not in refusal
    assert refusal["state"]
    bad = wallet.post("/present", data={"csrf_token": token, "link": "openid4vp://?x=1"})
    assert bad.status_code == 400
    assert "rien n'a été envoyé" in htmllib.unescape(bad.text)


# --------------------------------------------------------------------------- history, data


def test_export_then_import_the_archive_from_the_history_page(
    wallet: TestClient, alice: Holder, bob: Holder, kit: IssuerKit
) -> None:
    alice.import_credential(kit.ldp(alice.did, name="Trésorière"))
    sign_in(wallet, alice)
    html = page(wallet, "/history", "en")
    assert "Export and import" in html
    assert 'href="/api/export"' in html
    archive = wallet.get("/api/export")
    assert archive.status_code == 200
    assert zipfile.ZipFile(io.BytesIO(archive.content)).namelist()
    sign_in(wallet, bob)
    token = csrf_of(page(wallet, "/history"))
    done = wallet.post(
        "/archive/import",
        data={"csrf_token": token},
        files={"file": ("musette.zip", archive.content, "application/zip")},
        headers={"Accept-Language": "fr"},
    )
    assert done.status_code == 200
    assert "Importé\u00a0: 1 badge," in done.text
    assert "Trésorière" in page(wallet, "/")
    broken = wallet.post(
        "/archive/import",
        data={"csrf_token": token},
        files={"file": ("x.zip", b"not a zip", "application/zip")},
        headers={"Accept-Language": "fr"},
    )
    assert broken.status_code == 400
    assert "n'est pas un export Musette" in htmllib.unescape(broken.text)


def test_stylesheet_is_the_shared_one(wallet: TestClient) -> None:
    from shared.ui import STYLESHEET

    css = wallet.get("/static/musette.css")
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")
    assert css.text == STYLESHEET.read_text()
    assert wallet.get("/static/scan.js").status_code == 200
