"""No throttling anywhere (issue "A hostile world"): the wallet's sign-in and its public
links (shares, endorsement requests) are counted per address in its database."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from tests.unit.wallet.testkit import PASSWORD, Holder, IssuerKit, sign_up


def _assert_429(response: Any) -> None:
    assert response.status_code == 429, response.text
    assert int(response.headers["retry-after"]) > 0
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"].endswith("#rate-limited")


def test_regression_signin_is_throttled_per_account_and_address(
    make_wallet: Callable[..., TestClient],
) -> None:
    wallet = make_wallet(rate_limit_signin="3/minute")
    sign_up(wallet, "alice@example.org")  # one sign-in
    for _ in range(2):
        wrong = wallet.post("/api/session", json={"email": "alice@example.org", "password": "x"})
        assert wrong.status_code == 401
    right = {"email": "alice@example.org", "password": PASSWORD}
    _assert_429(wallet.post("/api/session", json=right))  # even the right password waits
    other = wallet.post("/api/session", json={"email": "bob@example.org", "password": "x"})
    assert other.status_code == 401


def test_the_signin_form_answers_an_english_page(make_wallet: Callable[..., TestClient]) -> None:
    wallet = make_wallet(rate_limit_signin="1/minute")
    browser = {"Accept": "text/html,*/*;q=0.8", "Accept-Language": "en-GB"}
    page = wallet.get("/signin", headers=browser)
    csrf = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    form = {"email": "alice@example.org", "password": "x", "csrf_token": csrf}
    assert wallet.post("/signin", data=form, headers=browser).status_code == 401
    limited = wallet.post("/signin", data=form, headers=browser)
    assert limited.status_code == 429
    assert '<html lang="en">' in limited.text
    assert "Too many attempts in a short time. Wait" in limited.text


def test_regression_share_links_are_throttled_per_address(
    make_wallet: Callable[..., TestClient], kit: IssuerKit
) -> None:
    wallet = make_wallet(rate_limit_links="3/minute")
    alice: Holder = sign_up(wallet, "alice@example.org")
    cid = alice.import_credential(kit.vc_jwt(alice.did, name="Partagé"))["id"]
    token = alice.post(f"/api/credentials/{cid}/shares").json()["url"].rsplit("/", 1)[1]
    assert wallet.get(f"/s/{token}").status_code == 200
    assert wallet.get("/s/" + "x" * 43).status_code == 404  # a guess counts too
    assert wallet.get(f"/s/{token}/raw").status_code == 200
    _assert_429(wallet.get(f"/s/{token}/raw"))
    page = wallet.get(f"/s/{token}", headers={"Accept": "text/html", "Accept-Language": "fr"})
    assert page.status_code == 429
    assert "Trop de tentatives" in page.text


def test_regression_endorsement_links_are_throttled_per_address(
    make_wallet: Callable[..., TestClient],
) -> None:
    wallet = make_wallet(rate_limit_links="2/minute")
    bob = sign_up(wallet, "bob@example.org")
    for _ in range(2):
        assert bob.get("/api/endorse/" + "y" * 43).status_code in {404, 410}
    _assert_429(bob.get("/api/endorse/" + "y" * 43))
    _assert_429(wallet.get("/endorse/" + "y" * 43))
