"""No throttling anywhere (issue "A hostile world"): the issuer's sign-in, token endpoint and
tx_code guesses are counted in its database and answered 429 with Retry-After."""

from __future__ import annotations

import re
from typing import Any

from issuer.demo import DEMO_ADMIN
from tests.integration.issuer.conftest import Env, Wallet


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, html
    return found.group(1)


def _assert_429(response: Any) -> None:
    assert response.status_code == 429, response.text
    assert int(response.headers["retry-after"]) > 0
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"].endswith("#rate-limited")


def test_regression_signin_is_throttled_per_account_and_address(env: Env) -> None:
    env.settings.rate_limit_signin = "3/minute"
    for _ in range(3):
        wrong = env.client.post("/admin/login", json={"email": DEMO_ADMIN, "password": "nope"})
        assert wrong.status_code == 401
    _assert_429(env.client.post("/admin/login", json={"email": DEMO_ADMIN, "password": "x"}))
    # the same account written differently is the same counter
    _assert_429(
        env.client.post("/admin/login", json={"email": " Demo@Association.Example", "password": ""})
    )
    # another account from the same address still gets its tries
    other = env.client.post("/admin/login", json={"email": "other@example.org", "password": "x"})
    assert other.status_code == 401


def test_the_signin_form_answers_a_french_page(env: Env) -> None:
    env.settings.rate_limit_signin = "1/minute"
    client = env.client
    browser = {"Accept": "text/html,*/*;q=0.8", "Accept-Language": "fr-FR"}
    form = {"email": DEMO_ADMIN, "password": "nope", "next": "/console"}
    form["csrf_token"] = csrf_of(client.get("/signin").text)
    assert client.post("/signin", data=form, headers=browser).status_code == 401
    form["csrf_token"] = csrf_of(client.get("/signin").text)
    page = client.post("/signin", data=form, headers=browser)
    assert page.status_code == 429
    assert page.headers["content-type"].startswith("text/html")
    assert '<html lang="fr">' in page.text
    assert "Trop de tentatives en peu de temps." in page.text


def test_regression_token_endpoint_is_throttled_per_address(env: Env, wallet: Wallet) -> None:
    env.settings.rate_limit_token = "2/minute"
    offer = wallet.resolve(env.offer()["offer_uri"])
    assert wallet.token(offer).status_code == 200
    assert wallet.token(offer).status_code == 400  # the code is used up
    _assert_429(wallet.token(offer))
    env.clock.advance(minutes=1)
    assert wallet.token(offer).status_code == 400  # a new window: heard again


def test_regression_tx_code_guesses_are_throttled_across_offers(env: Env, wallet: Wallet) -> None:
    """Each offer dies after 5 wrong PINs; one address trying many offers is slowed too."""
    env.settings.rate_limit_tx_code = "4/minute"
    offers = [wallet.resolve(env.offer(tx_code=True)["offer_uri"]) for _ in range(2)]
    for offer in offers:
        for _ in range(2):
            assert wallet.token(offer, "000000x").status_code == 400
    _assert_429(wallet.token(offers[0], "000000x"))
    # a token request without a PIN is not a guess
    assert wallet.token(wallet.resolve(env.offer()["offer_uri"])).status_code == 200
