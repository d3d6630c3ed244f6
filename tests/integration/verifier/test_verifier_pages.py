"""The recruiter's pages in French and English."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.unit.verifier.builders import badge, vc_jwt
from verifier.demo import DEMO_EMAIL, DEMO_PASSWORD


def test_verify_page_in_both_languages(client: TestClient) -> None:
    fr = client.get("/", headers={"Accept-Language": "fr-FR"})
    assert "Vérifier un justificatif" in fr.text
    en = client.get("/?lang=en")
    assert "Check a credential" in en.text
    assert client.cookies.get("musette_lang") == "en"


def test_drop_a_credential_and_read_every_check(client: TestClient) -> None:
    page = client.post(
        "/verify?lang=fr",
        files={"file": ("badge.jwt", vc_jwt(badge()).encode(), "application/jwt")},
    )
    assert page.status_code == 200
    assert "Vérifié" in page.text
    for label in ("Signature", "Période de validité", "Confiance"):
        assert label in page.text
    assert "déclaré par l&#39;émetteur lui-même" in page.text


def test_unusable_input_is_explained(client: TestClient) -> None:
    page = client.post("/verify?lang=en", data={})
    assert page.status_code == 400
    assert "Not verified" in page.text


def test_login_create_request_and_poll(client: TestClient, api_key: str) -> None:
    assert client.get("/requests/new", follow_redirects=False).status_code == 303
    bad = client.post("/login", data={"email": DEMO_EMAIL, "password": "nope-nope-nope"})
    assert bad.status_code == 401
    ok = client.post(
        "/login", data={"email": DEMO_EMAIL, "password": DEMO_PASSWORD}, follow_redirects=False
    )
    assert ok.status_code == 303
    cookie = ok.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "Secure" in cookie  # the verifier is served over https
    # the test client speaks http: hand the Secure cookie over explicitly
    client.cookies.set("musette_verifier_session", cookie.split(";")[0].split("=", 1)[1])
    form = client.get("/requests/new?lang=en")
    assert "Volunteering from a trusted association" in form.text
    csrf = form.text.split('name="csrf_token" value="')[1].split('"')[0]
    refused = client.post("/requests", data={"template": "any-badge", "csrf_token": "x"})
    assert refused.status_code == 403
    created = client.post(
        "/requests", data={"template": "any-badge", "csrf_token": csrf}, follow_redirects=False
    )
    assert created.status_code == 303
    page = client.get(created.headers["location"] + "?lang=fr")
    assert "openid4vp://" in page.text
    assert "qr.svg" in page.text
    assert "/static/poll.js" in page.text
    # the session cookie works on the JSON API with the CSRF header
    api = client.post(
        "/oid4vp/requests", json={"template": "rating"}, headers={"x-csrf-token": csrf}
    )
    assert api.status_code == 201
    assert client.post("/oid4vp/requests", json={"template": "rating"}).status_code == 403
