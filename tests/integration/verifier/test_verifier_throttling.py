"""No throttling anywhere (issue "A hostile world"): the verifier's sign-in and
``POST /verifications`` are counted per address in its database, and the API reads 1 MB at
most."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.integration.verifier.conftest import NOW, Served, make_fetcher, make_settings
from tests.unit.verifier.builders import badge, vc_jwt
from verifier.demo import DEMO_EMAIL
from verifier.main import create_app


@pytest.fixture
def client(tmp_path: Path, served: Served) -> Iterator[TestClient]:
    settings = make_settings(
        tmp_path, rate_limit_signin="2/minute", rate_limit_verifications="3/minute"
    )
    app = create_app(settings, fetcher=make_fetcher(served), clock=lambda: NOW)
    with TestClient(app) as c:
        yield c


def _assert_429(response: Any) -> None:
    assert response.status_code == 429, response.text
    assert response.headers["retry-after"] == "60"  # the fixed clock sits on 12:00:00
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"].endswith("#rate-limited")


def test_regression_verifications_are_throttled_per_address(client: TestClient) -> None:
    token = vc_jwt(badge())
    for _ in range(3):
        assert client.post("/verifications", json={"credential": token}).status_code == 200
    _assert_429(client.post("/verifications", json={"credential": token}))
    # the console's check form shares the address's budget
    page = client.post(
        "/verify",
        data={"credential": token},
        headers={"Accept": "text/html", "Accept-Language": "fr"},
    )
    assert page.status_code == 429
    assert "Attendez 60 secondes, puis réessayez." in page.text


def test_challenges_are_throttled_per_address(client: TestClient) -> None:
    for _ in range(3):
        assert client.post("/challenges").status_code == 201
    _assert_429(client.post("/challenges"))


def test_regression_signin_is_throttled_per_account_and_address(client: TestClient) -> None:
    browser = {"Accept": "text/html,*/*;q=0.8", "Accept-Language": "en"}
    client.get("/signin")  # the sign-in form sets its double-submit token (login CSRF)
    token = client.cookies.get("musette_verifier_csrf") or ""
    form = {"email": DEMO_EMAIL, "password": "nope", "next": "/requests/new", "csrf_token": token}
    for _ in range(2):
        assert client.post("/signin", data=form, headers=browser).status_code == 401
    page = client.post("/signin", data=form, headers=browser)
    assert page.status_code == 429
    assert page.headers["retry-after"] == "60"
    assert "Too many attempts in a short time. Wait 60 seconds, then try again." in page.text
    other = client.post("/signin", data={**form, "email": "x@example.org"}, headers=browser)
    assert other.status_code == 401


def test_regression_the_verification_body_is_capped_at_one_megabyte(client: TestClient) -> None:
    padding = "x" * 1_000_001
    resp = client.post("/verifications", json={"credential": padding})
    assert resp.status_code == 413
    assert resp.headers["content-type"].startswith("application/problem+json")
    assert resp.json()["type"].endswith("#payload-too-large")


def test_the_openapi_document_announces_429_and_413(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    verifications = paths["/verifications"]["post"]["responses"]
    assert "Retry-After" in verifications["429"]["headers"]
    assert "413" in verifications
    assert "429" in paths["/challenges"]["post"]["responses"]
