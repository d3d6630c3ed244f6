"""A browser-based wallet can call the issuer's public protocol endpoints (CORS, any origin,
no credentials); the admin API and the console stay same-origin (no CORS header at all)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.integration.issuer.conftest import Env, Wallet
from tests.unit.servicekit.test_cors import ORIGIN, preflight

ORG = "/orgs/demo-association"


@pytest.mark.parametrize(
    ("path", "method", "headers"),
    [
        (f"{ORG}/token", "POST", "content-type"),
        (f"{ORG}/nonce", "POST", "content-type"),
        (f"{ORG}/credential", "POST", "authorization, content-type, dpop"),
        (f"/.well-known/openid-credential-issuer{ORG}", "GET", "accept-language"),
        (f"/.well-known/oauth-authorization-server{ORG}", "GET", "accept"),
        (f"{ORG}/.well-known/openid-credential-issuer", "GET", "accept"),
        (f"{ORG}/offers/some-offer", "GET", "accept"),
        (f"{ORG}/status/revocation/0", "GET", "if-none-match"),
        (f"{ORG}/did.json", "GET", "accept"),
    ],
)
def test_preflight_on_protocol_endpoints(env: Env, path: str, method: str, headers: str) -> None:
    resp = preflight(env.client, path, method, headers)
    assert resp.status_code == 200, resp.text
    assert resp.headers["access-control-allow-origin"] == "*"
    assert method in resp.headers["access-control-allow-methods"]
    assert "access-control-allow-credentials" not in resp.headers


def test_a_whole_issuance_answers_cross_origin(env: Env, wallet: Wallet) -> None:
    """Metadata, offer, token, nonce: each answer (errors included) is readable by the wallet's
    origin, and none allows credentials."""
    origin = {"Origin": ORIGIN}
    created = env.offer()
    metadata = env.client.get(f"/.well-known/openid-credential-issuer{ORG}", headers=origin)
    offer_path = urlsplit(
        parse_qs(urlsplit(created["offer_uri"]).query)["credential_offer_uri"][0]
    ).path
    offer = env.client.get(offer_path, headers=origin)
    grant = offer.json()["grants"]["urn:ietf:params:oauth:grant-type:pre-authorized_code"]
    form = {
        "grant_type": "urn:ietf:params:oauth:grant-type:pre-authorized_code",
        "pre-authorized_code": grant["pre-authorized_code"],
    }
    token = env.client.post(f"{ORG}/token", data=form, headers=origin)
    again = env.client.post(f"{ORG}/token", data=form, headers=origin)  # used: an OAuth error
    nonce = env.client.post(f"{ORG}/nonce", headers=origin)
    for resp in (metadata, offer, token, again, nonce):
        assert resp.headers["access-control-allow-origin"] == "*", resp.request.url
        assert "access-control-allow-credentials" not in resp.headers
    assert token.status_code == 200
    assert again.status_code == 400


@pytest.mark.parametrize(
    ("path", "method"),
    [
        ("/admin/login", "POST"),
        ("/admin/offers", "POST"),
        (f"/admin{ORG}", "GET"),
        ("/", "GET"),
        (f"{ORG}/offers/some-offer/qr.png", "GET"),
    ],
)
def test_admin_and_console_get_no_cors_headers(env: Env, path: str, method: str) -> None:
    answer = preflight(env.client, path, method)
    assert "access-control-allow-origin" not in answer.headers
    plain = env.client.request(method, path, headers={"Origin": ORIGIN})
    assert "access-control-allow-origin" not in plain.headers
    assert "access-control-allow-credentials" not in plain.headers
