"""The recruiter's pages in French and English: check, result in plain words, sign in, ask
with a QR code and read the answer, the trust registry; forms refuse a missing CSRF token."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shared.model.identity import hashed_identity
from shared.ui import STYLESHEET
from tests.conftest import data_path
from tests.integration.verifier.conftest import STATUS_URL as PEERS_STATUS_URL
from tests.integration.verifier.conftest import Served
from tests.integration.verifier.test_verifier_oid4vp import _answer, _present, _request_object
from tests.unit.verifier.builders import (
    ISSUER,
    STATUS_URL,
    badge,
    did,
    sd_jwt_vc,
    status_list,
    vc_jwt,
)
from verifier.api import page_checks, page_claims, page_views
from verifier.demo import DEMO_EMAIL, DEMO_PASSWORD
from verifier.i18n import LOCALES
from verifier.service import accounts
from verifier.service.trust import ISSUER_KINDS

SESSION = "musette_verifier_session"


@pytest.fixture(autouse=True)
def _status(served: Served) -> None:
    served.json(STATUS_URL, json.dumps(status_list((7,))).encode())


def csrf_of(html: str) -> str:
    return html.split('name="csrf_token" value="')[1].split('"')[0]


def login_token(client: TestClient) -> dict[str, str]:
    """The sign-in form's hidden token, as the page gives it (its cookie is kept)."""
    client.get("/signin")
    return {"csrf_token": client.cookies.get("musette_verifier_csrf") or ""}


def sign_in(client: TestClient, email: str = DEMO_EMAIL, password: str = DEMO_PASSWORD) -> str:
    """Sign in through the form (double-submit cookie); returns the session's CSRF token."""
    ok = client.post(
        "/signin",
        data={"email": email, "password": password, "next": "/registry", **login_token(client)},
        follow_redirects=False,
    )
    assert ok.status_code == 303, ok.text
    assert ok.headers["location"] == "/registry"
    # the verifier is served over https: the test client (http) gets the Secure cookie by hand
    client.cookies.set(SESSION, ok.headers["set-cookie"].split(";")[0].split("=", 1)[1])
    return csrf_of(client.get("/registry").text)


@pytest.fixture
def csrf(client: TestClient, api_key: str) -> str:
    return sign_in(client)


def check(client: TestClient, lang: str, **files_or_data: Any) -> Any:
    page = client.post(f"/verify?lang={lang}", **files_or_data)
    return page


def upload(client: TestClient, lang: str, name: str, body: bytes, kind: str) -> Any:
    return check(client, lang, files={"file": (name, body, kind)})


def checks_of(html: str) -> dict[str, str]:
    """check name -> status (passed / failed / skipped) as the page shows them."""
    return {
        name: status for status, name in re.findall(r'class="check (\w+)" data-check="(\w+)"', html)
    }


def verdict_of(html: str) -> str:
    found = re.search(r'data-verdict="(\w+)"', html)
    assert found, html
    return found.group(1)


# --------------------------------------------------------------------------- check


def test_check_page_in_both_languages_with_the_shared_stylesheet(client: TestClient) -> None:
    fr = client.get("/", headers={"Accept-Language": "fr-FR"})
    assert '<html lang="fr">' in fr.text
    assert "Vérifier un justificatif" in fr.text
    assert '<label for="file">Un fichier</label>' in fr.text
    assert 'href="/static/musette.css"' in fr.text
    en = client.get("/?lang=en")
    assert '<html lang="en">' in en.text
    assert "Check a credential" in en.text
    assert 'href="/?lang=fr"' in en.text  # the switch keeps the page
    assert client.cookies.get("musette_lang") == "en"
    assert "Check a credential" in client.get("/").text  # the cookie remembers
    css = client.get("/static/musette.css")
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")
    assert css.content == STYLESHEET.read_bytes()
    assert client.get("/static/drop.js").status_code == 200


def test_a_good_credential_reads_verified_with_every_check_in_plain_french(
    client: TestClient,
) -> None:
    page = upload(client, "fr", "badge.jwt", vc_jwt(badge()).encode(), "application/jwt")
    assert page.status_code == 200
    assert "/results/" in str(page.url)
    assert verdict_of(page.text) == "verified"
    assert "✔ Vérifié" in page.text
    found = checks_of(page.text)
    assert found["proof"] == "passed"
    assert found["validity"] == "passed"
    assert found["trust"] == "skipped"
    for title in ("Signature", "Période de validité", "Confiance", "Révocation"):
        assert f"<strong>{title}</strong>" in page.text
    assert "La signature de l&#39;émetteur est valide" in page.text
    assert "Émetteur inconnu, qui se présente comme Association Démo (auto-déclarée)" in page.text
    assert "Bénévole — encadrement" in page.text
    assert "bénévolat" in page.text  # CommunityService, in plain words
    assert "<summary>Détails" in page.text  # the report's reason stays available
    assert "the EdDSA signature verifies" in page.text


def test_the_same_result_in_english(client: TestClient) -> None:
    page = upload(client, "en", "badge.jwt", vc_jwt(badge()).encode(), "application/jwt")
    assert "✔ Verified" in page.text
    assert "Unknown issuer, calls itself Association Démo (auto-déclarée)" in page.text
    assert "The issuer&#39;s signature is valid" in page.text
    assert "<strong>Validity period</strong>" in page.text
    assert "volunteering" in page.text
    # the result has its own address: switching language keeps it
    fr = client.get(str(page.url).replace("lang=en", "lang=fr"))
    assert "✔ Vérifié" in fr.text


def test_paste_a_data_integrity_credential(client: TestClient) -> None:
    text = data_path("peers", "ob3-di-eddsa-rdfc-2022.json").read_text()
    page = check(client, "en", data={"credential": text})
    assert verdict_of(page.text) == "verified"
    assert "Interop 101" in page.text
    assert "Issued on" in page.text
    assert "January 1, 2025" in page.text
    assert checks_of(page.text)["schema"] == "passed"


def test_paste_an_sd_jwt_shows_the_holder_name(client: TestClient) -> None:
    token = data_path("peers", "ob3-sd-jwt-vc.sdjwt").read_text().strip()
    page = check(client, "fr", data={"credential": token})
    assert verdict_of(page.text) == "verified"
    assert "Attribué à" in page.text
    assert "Ada Lovelace" in page.text
    assert "SD-JWT" in page.text


@pytest.mark.parametrize(
    ("lang", "words"),
    [("fr", "identité hachée (vérifiable"), ("en", "identity hashed (can be checked")],
)
def test_a_hashed_name_is_said_not_shown(client: TestClient, lang: str, words: str) -> None:
    """docs/decisions/reveal-less.md: an OB 3.0 salted name hash reads as such, never as
    ``sha256$…``."""
    hashed = {
        "type": "IdentityObject",
        "identityType": "name",
        "hashed": True,
        "identityHash": "sha256$" + "ab" * 32,
        "salt": "cd",
    }
    doc = badge(subject_extra={"identifier": [hashed]})
    page = upload(client, lang, "badge.jwt", vc_jwt(doc).encode(), "application/jwt")
    assert verdict_of(page.text) == "verified"
    assert words in page.text.replace("&#39;", "'").replace("&#x27;", "'")
    assert "sha256$" + "ab" * 32 not in page.text


@pytest.mark.parametrize(
    ("given", "answer"), [("Léa Dubois", True), ("Léa Durand", False), ("", None)]
)
def test_the_api_checks_a_name_against_the_hash(
    client: TestClient, given: str, answer: bool | None
) -> None:
    """docs/decisions/reveal-less.md: ``POST /verifications?recipient=NAME`` says whether the hashed
    name is NAME, and echoes nothing of the name given."""
    obj = hashed_identity("Léa Dubois", "name")
    hashed = {
        "type": "IdentityObject",
        "identityType": "name",
        "hashed": True,
        "identityHash": obj["identity_hash"],
        "salt": obj["salt"],
    }
    token = vc_jwt(badge(subject_extra={"identifier": [hashed]}))
    resp = client.post(
        "/verifications",
        params={"recipient": given},
        content=token,
        headers={"content-type": "application/jwt"},
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["verified"] is True
    assert resp.json()["recipient"] == {"name": answer}
    assert given == "" or given not in resp.text


def test_a_baked_png_badge(client: TestClient) -> None:
    png = data_path("validator-ob30", "simple-jwt.png").read_bytes()
    page = upload(client, "fr", "badge.png", png, "image/png")
    assert page.status_code == 200
    assert "Lecture" in page.text
    assert verdict_of(page.text) in {"verified", "not_verified"}


def test_a_tampered_credential_reads_not_verified(client: TestClient) -> None:
    body = data_path("peers", "neg-di-tampered-claim.json").read_bytes()
    fr = upload(client, "fr", "tampered.json", body, "application/json")
    assert verdict_of(fr.text) == "not_verified"
    assert "✘ Non vérifié" in fr.text
    assert checks_of(fr.text)["proof"] == "failed"
    assert "La signature ne correspond pas" in fr.text
    en = upload(client, "en", "tampered.json", body, "application/json")
    assert "✘ Not verified" in en.text
    assert "The signature does not match" in en.text


def test_a_revoked_credential_reads_revoked(client: TestClient, served: Served) -> None:
    served.json(PEERS_STATUS_URL, data_path("peers", "status-list-1.json").read_bytes())
    body = data_path("peers", "neg-di-status-revoked.json").read_bytes()
    fr = upload(client, "fr", "revoked.json", body, "application/json")
    assert verdict_of(fr.text) == "revoked"
    assert "✘ Révoqué" in fr.text
    assert "L&#39;émetteur l&#39;a révoqué." in fr.text
    en = upload(client, "en", "revoked.json", body, "application/json")
    assert "✘ Revoked" in en.text


def test_an_expired_credential_says_when(client: TestClient) -> None:
    token = vc_jwt(badge(valid_until="2026-02-01T00:00:00Z"))
    fr = check(client, "fr", data={"credential": token})
    assert "Il a expiré le 1 février 2026." in fr.text
    en = check(client, "en", data={"credential": token})
    assert "It expired on February 1, 2026." in en.text


def test_a_known_issuer_shows_the_registry_name(client: TestClient, csrf: str) -> None:
    added = client.post(
        "/registry/add",
        data={"csrf_token": csrf, "kind": "did", "value": did(ISSUER), "name": "Les Restos"},
    )
    assert added.status_code == 200
    page = upload(client, "fr", "b.sdjwt", sd_jwt_vc(badge()).encode(), "application/dc+sd-jwt")
    assert "Émetteur connu\u00a0: Les Restos" in page.text
    assert "inscrit au registre de confiance sous le nom Les Restos" in page.text
    assert checks_of(page.text)["trust"] == "passed"


def test_nothing_given_or_unreadable_is_explained(client: TestClient) -> None:
    empty = check(client, "fr", data={})
    assert empty.status_code == 400
    assert 'role="alert"' in empty.text
    assert "Donnez un fichier, collez un justificatif" in empty.text
    junk = check(client, "en", data={"credential": "this is no credential"})
    assert verdict_of(junk.text) == "not_verified"
    assert "This could not be read as a credential" in junk.text


def test_a_signed_in_result_is_not_shown_to_others(client: TestClient, csrf: str) -> None:
    page = check(
        client,
        "en",
        files={"file": ("badge.jwt", vc_jwt(badge()).encode(), "application/jwt")},
        data={"csrf_token": csrf},  # the check form carries the session's token
    )
    address = str(page.url)
    client.cookies.delete(SESSION)
    assert client.get(address).status_code == 404


# --------------------------------------------------------------------------- sign in


def test_sign_in_page_and_wrong_password(client: TestClient, api_key: str) -> None:
    page = client.get("/signin?lang=fr")
    assert '<label for="email">Adresse e-mail</label>' in page.text
    assert 'autocomplete="current-password"' in page.text
    form = {"email": DEMO_EMAIL, **login_token(client)}
    bad = client.post("/signin?lang=fr", data={**form, "password": "nope-nope-nope"})
    assert bad.status_code == 401
    assert "Adresse ou mot de passe incorrect." in bad.text
    bad_en = client.post("/signin?lang=en", data={**form, "password": "nope"})
    assert "Wrong email or password." in bad_en.text


def test_pages_that_need_a_session_send_to_sign_in(client: TestClient) -> None:
    for path in ("/requests/new", "/registry", "/requests/abc"):
        resp = client.get(path, follow_redirects=False)
        assert resp.status_code == 303
        assert resp.headers["location"].startswith("/signin?next=")


def test_the_old_login_address_moved_to_signin_for_good(client: TestClient, api_key: str) -> None:
    page = client.get("/login?next=%2Fregistry&lang=en", follow_redirects=False)
    assert page.status_code == 301
    assert page.headers["location"] == "/signin?next=%2Fregistry&lang=en"
    form = {"email": DEMO_EMAIL, "password": DEMO_PASSWORD, "next": "/registry"}
    form.update(login_token(client))
    posted = client.post("/login", data=form, follow_redirects=False)
    assert posted.status_code == 308  # a form post stays a post
    assert posted.headers["location"] == "/signin"
    signed_in = client.post(posted.headers["location"], data=form, follow_redirects=False)
    assert signed_in.status_code == 303
    assert signed_in.headers["location"] == "/registry"


def test_sign_in_goes_back_only_to_a_local_page(client: TestClient, api_key: str) -> None:
    resp = client.post(
        "/signin",
        data={
            "email": DEMO_EMAIL,
            "password": DEMO_PASSWORD,
            "next": "//evil.example/",
            **login_token(client),
        },
        follow_redirects=False,
    )
    assert resp.headers["location"] == "/requests/new"
    assert "HttpOnly" in resp.headers["set-cookie"]
    assert "Secure" in resp.headers["set-cookie"]


def test_sign_in_needs_the_forms_token(client: TestClient, api_key: str) -> None:
    """Login CSRF: a page elsewhere cannot sign this browser in to its own account."""
    data = {"email": DEMO_EMAIL, "password": DEMO_PASSWORD}
    for extra in ({}, {"csrf_token": "forged"}):
        refused = client.post("/signin?lang=fr", data={**data, **extra}, follow_redirects=False)
        assert refused.status_code == 403
        assert "set-cookie" not in refused.headers or SESSION not in refused.headers["set-cookie"]


def test_a_result_without_the_form_token_is_not_kept_to_the_account(
    client: TestClient, csrf: str
) -> None:
    """A forged cross-site check is stored as an anonymous verification, not in the history."""
    page = check(client, "en", data={"credential": vc_jwt(badge())})
    address = str(page.url)
    client.cookies.delete(SESSION)
    assert client.get(address).status_code == 200


def test_sign_out_needs_the_csrf_token(client: TestClient, csrf: str) -> None:
    refused = client.post("/logout?lang=fr", data={"csrf_token": "wrong"})
    assert refused.status_code == 403
    assert "Formulaire refusé" in refused.text
    assert client.get("/registry", follow_redirects=False).status_code == 200
    out = client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert out.status_code == 303
    assert client.get("/registry", follow_redirects=False).status_code == 303


# --------------------------------------------------------------------------- requests


def test_request_templates_are_described_in_plain_words(client: TestClient, csrf: str) -> None:
    fr = client.get("/requests/new?lang=fr")
    assert "Bénévolat dans une association de confiance" in fr.text
    assert "On demandera à la personne\u00a0:" in fr.text
    assert "le type de badge, qui doit être\u00a0: bénévolat" in fr.text
    assert "une note d&#39;au moins 4,5" in fr.text
    assert "le badge doit venir d&#39;un émetteur du registre de confiance" in fr.text
    en = client.get("/requests/new?lang=en")
    assert "Work experience" in en.text
    assert "the kind of badge, which must be: work experience, apprenticeship, fieldwork" in (
        en.text
    )
    assert "a rating of at least 4.5" in en.text
    assert "<legend>What do you want to check?</legend>" in en.text


def test_creating_a_request_needs_the_csrf_token(client: TestClient, csrf: str) -> None:
    refused = client.post("/requests?lang=fr", data={"template": "any-badge", "csrf_token": "x"})
    assert refused.status_code == 403
    assert "Formulaire refusé" in refused.text
    assert "text/html" in refused.headers["content-type"]
    refused_en = client.post("/requests?lang=en", data={"template": "any-badge"})
    assert refused_en.status_code == 403
    assert "Form refused" in refused_en.text
    unknown = client.post("/requests?lang=en", data={"template": "nope", "csrf_token": csrf})
    assert unknown.status_code == 400
    assert "Choose one of the proposed requests." in unknown.text


def _create(
    client: TestClient, csrf: str, template: str, lang: str = "fr", signed: bool = True
) -> tuple[str, Any]:
    """The console's form as it comes (*Sign the request* ticked), or unticked."""
    data = {"template": template, "csrf_token": csrf}
    if signed:
        data["signed"] = "on"
    created = client.post(f"/requests?lang={lang}", data=data, follow_redirects=False)
    assert created.status_code == 303, created.text
    location = created.headers["location"]
    request_id = location.split("/requests/")[1].split("?")[0]
    return request_id, client.get(location)


def test_a_request_can_ask_for_an_encrypted_answer(client: TestClient, csrf: str) -> None:
    form = client.get("/requests/new?lang=en").text
    assert 'name="encrypted"' in form
    assert "Ask the wallet to encrypt its answer (direct_post.jwt)" in form
    created = client.post(
        "/requests?lang=en",
        data={"template": "any-badge", "csrf_token": csrf, "encrypted": "on"},
        follow_redirects=False,
    )
    assert created.status_code == 303, created.text
    request_id = created.headers["location"].split("/requests/")[1].split("?")[0]
    status = client.get(f"/oid4vp/requests/{request_id}").json()
    assert status["response_mode"] == "direct_post.jwt"


def test_the_request_page_shows_the_qr_code_link_and_waits(client: TestClient, csrf: str) -> None:
    request_id, page = _create(client, csrf, "volunteering")
    assert page.status_code == 200
    html = page.text
    assert "<h1>Bénévolat dans une association de confiance</h1>" in html
    assert f'src="https://verifier.example/oid4vp/requests/{request_id}/qr.svg"' in html
    assert 'alt="QR code de la demande « Bénévolat dans une association' in html
    assert 'href="openid4vp://?' in html
    assert 'aria-live="polite"' in html
    assert f'data-poll="/requests/{request_id}/answer"' in html
    assert f'href="/requests/{request_id}">Actualiser pour voir la réponse' in html
    assert "En attente du portefeuille…" in html
    assert "/static/poll.js" in html
    part = client.get(f"/requests/{request_id}/answer?lang=en")
    assert part.headers["cache-control"] == "no-store"
    assert 'data-state="pending"' in part.text
    assert "<html" not in part.text
    en = client.get(f"/requests/{request_id}?lang=en")
    assert "Volunteering from a trusted association" in en.text
    assert 'alt="QR code of the request “Volunteering' in en.text


def test_the_console_signs_requests_by_default(client: TestClient, csrf: str) -> None:
    form = client.get("/requests/new?lang=en").text
    assert '<input type="checkbox" name="signed" checked>' in form
    request_id, page = _create(client, csrf, "any-badge")
    assert 'href="openid4vp://?client_id=decentralized_identifier%3Adid%3Aweb%3A' in page.text
    assert f'src="https://verifier.example/oid4vp/requests/{request_id}/qr.svg"' in page.text


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_an_unsigned_request_too_long_for_a_qr_code_says_so(
    client: TestClient, csrf: str, lang: str
) -> None:
    """By value, the volunteer-hours request's link is longer than a QR code holds (version 40,
    level M: 2331 bytes): the page says so and offers the link instead of a broken image."""
    request_id, page = _create(client, csrf, "volunteer-hours", lang=lang, signed=False)
    assert page.status_code == 200
    assert f"/oid4vp/requests/{request_id}/qr.svg" not in page.text
    assert "data-no-qr" in page.text
    words = {"fr": "trop longue pour un code QR", "en": "too long for a QR code"}
    assert words[lang] in page.text
    assert 'href="openid4vp://?' in page.text
    qr = client.get(f"/oid4vp/requests/{request_id}/qr.svg")
    assert qr.status_code == 409
    assert qr.headers["content-type"].startswith("application/problem+json")
    assert "signed" in qr.json()["detail"]


def _answer_request(client: TestClient, request_id: str, credential: dict[str, Any]) -> None:
    links = client.get(f"/oid4vp/requests/{request_id}").json()
    assert links["status"] == "pending"
    page = client.get(f"/requests/{request_id}")
    uri = page.text.split('href="openid4vp://?')[1].split('"')[0].replace("&amp;", "&")
    obj = _request_object(client, {"request_uri": "openid4vp://?" + uri})
    qid, presentation = _present("jwt_vc_json", credential, obj)
    _answer(client, obj, {qid: [presentation]})


def test_a_verified_answer_arrives_with_each_check(client: TestClient, csrf: str) -> None:
    request_id, _page = _create(client, csrf, "any-badge")
    _answer_request(client, request_id, badge(status_index=3))
    part = client.get(f"/requests/{request_id}/answer?lang=fr").text
    assert 'data-state="answered"' in part
    assert verdict_of(part) == "verified"
    assert "La personne a partagé ce que vous demandiez" in part
    assert "Liaison à la demande" in part  # the presentation's own checks
    assert "Lien avec le détenteur" in part
    assert "Bénévole — encadrement" in part
    en = client.get(f"/requests/{request_id}?lang=en").text
    assert "✔ Verified" in en
    assert "Bound to the request" in en
    assert "Ask again with the same request" in en


def test_a_revoked_answer_reads_revoked(client: TestClient, csrf: str) -> None:
    request_id, _page = _create(client, csrf, "any-badge")
    _answer_request(client, request_id, badge(status_index=7))
    fr = client.get(f"/requests/{request_id}?lang=fr").text
    assert verdict_of(fr) == "revoked"
    assert "✘ Révoqué" in fr
    assert "son émetteur l&#39;a révoqué" in fr
    assert "<summary>Pourquoi, en termes techniques</summary>" in fr
    en = client.get(f"/requests/{request_id}?lang=en").text
    assert "✘ Revoked" in en


def test_a_request_is_only_shown_to_its_account(client: TestClient, csrf: str) -> None:
    request_id, _page = _create(client, csrf, "rating")
    res = client.app.state.resources  # type: ignore[attr-defined]
    with res.sessions.begin() as session:
        accounts.create_account(
            session, "autre@rh.example", "un-autre-mot-de-passe", res.hasher, res.clock()
        )
    sign_in(client, "autre@rh.example", "un-autre-mot-de-passe")
    assert client.get(f"/requests/{request_id}?lang=en").status_code == 404
    assert client.get(f"/requests/{request_id}/answer").status_code == 404


# --------------------------------------------------------------------------- registry


def _entries(html: str) -> list[str]:
    return re.findall(r'data-entry="([^"]+)"', html)


def _entry_id(html: str, value: str) -> str:
    found = re.search(rf'data-entry="{re.escape(value)}">.*?action="/registry/(\w+)/', html, re.S)
    assert found, value
    return found.group(1)


def test_registry_add_rename_remove_in_french(client: TestClient, csrf: str) -> None:
    page = client.get("/registry?lang=fr")
    assert "Registre de confiance" in page.text
    assert "did:web:issuer.example:orgs:demo-association" in _entries(page.text)
    added = client.post(
        "/registry/add?lang=fr",
        data={
            "csrf_token": csrf,
            "kind": "domain",
            "value": "Secours.example",
            "name": "Secours Populaire",
            "url": "https://secours.example",
        },
    )
    assert "Émetteur ajouté au registre." in added.text
    assert "secours.example" in _entries(added.text)
    entry_id = _entry_id(added.text, "secours.example")
    renamed = client.post(
        f"/registry/{entry_id}/rename?lang=fr", data={"csrf_token": csrf, "name": "SPF"}
    )
    assert "Émetteur renommé." in renamed.text
    assert "<h3>SPF</h3>" in renamed.text
    assert "<h3>Association Démo</h3>" in renamed.text
    removed = client.post(f"/registry/{entry_id}/delete?lang=fr", data={"csrf_token": csrf})
    assert "Émetteur retiré du registre." in removed.text
    assert _entries(removed.text) == [
        "did:web:issuer.example:orgs:demo-association",
        "did:web:issuer.example:orgs:demo-platform",
    ]


def test_registry_mistakes_are_explained_in_english(client: TestClient, csrf: str) -> None:
    bad = client.post(
        "/registry/add?lang=en",
        data={"csrf_token": csrf, "kind": "did", "value": "not-a-did", "name": "X"},
    )
    assert bad.status_code == 400
    assert "This was not accepted: check what you typed." in bad.text
    assert "is not a DID" not in bad.text  # the English detail stays in API answers
    assert 'value="not-a-did"' in bad.text  # what was typed is kept
    demo = "did:web:issuer.example:orgs:demo-association"
    again = client.post(
        "/registry/add?lang=en",
        data={"csrf_token": csrf, "kind": "did", "value": demo, "name": "Twice"},
    )
    assert again.status_code == 409
    assert "This issuer is already in the registry." in again.text
    gone = client.post("/registry/nope/delete?lang=en", data={"csrf_token": csrf})
    assert gone.status_code == 404
    assert "This issuer is no longer in the registry." in gone.text


def test_registry_forms_refuse_a_missing_csrf_token(client: TestClient, csrf: str) -> None:
    entry_id = client.get("/registry").text.split('action="/registry/')[1].split("/")[0]
    for path, data in (
        ("/registry/add", {"kind": "did", "value": "did:web:x.example", "name": "X"}),
        (f"/registry/{entry_id}/rename", {"name": "Y"}),
        (f"/registry/{entry_id}/delete", {}),
    ):
        resp = client.post(path + "?lang=fr", data=data)
        assert resp.status_code == 403, path
        assert "Formulaire refusé" in resp.text
    imported = client.post(
        "/registry/import?lang=en", files={"file": ("r.json", b"{}", "application/json")}
    )
    assert imported.status_code == 403
    assert "Form refused" in imported.text
    assert len(_entries(client.get("/registry").text)) == 2  # the demo association, platform


def test_registry_import_of_a_dcc_file(client: TestClient, csrf: str) -> None:
    registry = {
        "meta": {"created": "2024-01-01"},
        "registry": {
            "did:web:a.example": {"name": "Université A", "url": "https://a.example"},
            "did:key:z6MkoEzer67i71t3aNMa2gyqqjb6e97bEGNYUxGbfCYyhpGh": {"name": "Peer"},
            "did:web:issuer.example:orgs:demo-association": {"name": "Already"},
        },
    }
    body = json.dumps(registry).encode()
    fr = client.post(
        "/registry/import?lang=fr",
        data={"csrf_token": csrf},
        files={"file": ("registry.json", body, "application/json")},
    )
    assert "Registre importé\u00a0: 2 émetteur(s) ajouté(s), 1 déjà connu(s)." in fr.text
    assert "did:web:a.example" in _entries(fr.text)
    assert "importé depuis registry.json" in fr.text
    broken = client.post(
        "/registry/import?lang=en",
        data={"csrf_token": csrf},
        files={"file": ("registry.json", b'{"nothing": 1}', "application/json")},
    )
    assert broken.status_code == 400
    assert "This file is not an issuer registry in the expected format." in broken.text


# --------------------------------------------------------------------------- catalogues


def _catalogue(lang: str) -> dict[str, str]:
    text = (LOCALES / lang / "LC_MESSAGES" / "messages.po").read_text()
    pairs = re.findall(r'msgid "((?:[^"\\]|\\.)*)"\nmsgstr "((?:[^"\\]|\\.)*)"', text)
    return {ast.literal_eval(f'"{k}"'): ast.literal_eval(f'"{v}"') for k, v in pairs if k}


def _used_messages() -> set[str]:
    used: set[str] = set()
    for template in (Path(page_views.__file__).parents[1] / "templates").glob("*.html"):
        used |= {m[1] for m in re.findall(r'_\(\s*(["\'])(.*?)\1', template.read_text())}
    for module in sorted(Path(page_views.__file__).parent.glob("*page*.py")):
        tree = ast.parse(module.read_text())
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
                continue
            texts = [a.value for a in node.args if isinstance(a, ast.Constant)]
            if node.func.id == "_" and texts:
                assert isinstance(texts[0], str), ast.dump(node)
                used.add(texts[0])
            if node.func.id == "error_page":  # heading and message, translated inside
                used |= {t for t in texts if isinstance(t, str)}
    used |= set(page_checks.PLAIN.values()) | set(page_checks.CHECK_TITLES.values())
    used |= set(page_claims.EVIDENCE_WORDS.values())
    used |= {"type:" + v for v in page_claims.ACHIEVEMENT_TYPES.values()}
    used |= {"status:" + s for s in ("passed", "failed", "skipped", "unknown")}
    used |= {"kind:did", "kind:domain"}
    used |= {"issuer_kind:" + k for k in ("none", *ISSUER_KINDS)}
    used.discard("kind:")
    used.discard("issuer_kind:")
    return used


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_message_of_the_pages_is_translated(lang: str) -> None:
    messages = _catalogue(lang)
    missing = sorted(m for m in _used_messages() if not messages.get(m))
    assert missing == []
    if lang == "fr":
        same = [m for m in page_checks.PLAIN.values() if messages[m] == m]
        assert same == []


def test_an_overlong_recipient_is_a_problem_not_a_crash(client: TestClient) -> None:
    token = vc_jwt(badge())
    resp = client.post(
        "/verifications",
        params={"recipient": "x" * 201},
        content=token,
        headers={"content-type": "application/jwt"},
    )
    assert resp.status_code in (400, 422), resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
