"""A verdict a person reads revalidates the status list first; API verifications
reuse a list revalidated within ``status_revalidate_seconds``.

The issuer side is a mock transport that serves the list with a strong ETag and answers 304
to a matching If-None-Match, as our issuer does; the clock is injected and moved by hand.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import httpx2
import pytest
from fastapi.testclient import TestClient

from tests.integration.verifier.conftest import NOW, Served, make_fetcher, make_settings
from tests.unit.verifier.builders import STATUS_URL, badge, status_list, vc_jwt
from verifier.main import create_app


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


class Issuer:
    """A status list whose bits can change; serves ETag and 304 like issuer/api/oid4vci.py."""

    def __init__(self, served: Served) -> None:
        self.revoked: tuple[int, ...] = ()
        self.answers: list[int] = []
        served.routes[STATUS_URL] = self.answer

    def answer(self, request: httpx2.Request) -> httpx2.Response:
        body = json.dumps(status_list(self.revoked, ttl_ms=3_600_000)).encode()
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        headers = {"ETag": etag, "Cache-Control": "public, max-age=300"}
        if request.headers.get("if-none-match") == etag:
            self.answers.append(304)
            return httpx2.Response(304, headers=headers)
        self.answers.append(200)
        return httpx2.Response(
            200, content=body, headers={**headers, "content-type": "application/json"}
        )


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def issuer(served: Served) -> Issuer:
    return Issuer(served)


@pytest.fixture
def app_client(tmp_path: Path, served: Served, clock: Clock) -> Iterator[TestClient]:
    settings = make_settings(tmp_path, status_revalidate_seconds=2.0)
    with TestClient(create_app(settings, fetcher=make_fetcher(served), clock=clock)) as c:
        yield c


TOKEN = vc_jwt(badge(status_index=3))


def _api_status(client: TestClient) -> dict[str, str]:
    resp = client.post("/verifications", json={"credential": TOKEN})
    assert resp.status_code == 200, resp.text
    (check,) = [c for c in resp.json()["checks"] if c["name"] == "status"]
    return {"status": check["status"], "reason": check["reason"], **check.get("details", {})}


def _page(client: TestClient, lang: str) -> str:
    resp = client.post(f"/verify?lang={lang}", data={"credential": TOKEN})
    assert resp.status_code == 200, resp.text
    return resp.text


def test_api_sees_a_revocation_once_the_window_has_passed(
    app_client: TestClient, issuer: Issuer, clock: Clock
) -> None:
    assert _api_status(app_client)["status"] == "passed"
    issuer.revoked = (3,)
    clock.now += timedelta(seconds=1)
    within = _api_status(app_client)
    assert within["status"] == "passed"  # reused: revalidated less than 2 s ago
    assert within["checked_at"] == NOW.isoformat()
    assert issuer.answers == [200]
    clock.now += timedelta(seconds=1)
    after = _api_status(app_client)
    assert after["status"] == "failed"
    assert "revoked" in after["reason"]
    assert after["checked_at"] == clock.now.isoformat()
    assert issuer.answers == [200, 200]


def test_the_recruiters_page_revalidates_first_and_says_when(
    app_client: TestClient, issuer: Issuer, clock: Clock
) -> None:
    assert _api_status(app_client)["status"] == "passed"
    clock.now += timedelta(minutes=1)
    first = _page(app_client, "fr")
    assert 'data-verdict="verified"' in first
    assert issuer.answers == [200, 304]  # unchanged: the page cost a 304
    assert "Statut consulté le 21 nov. 2026, 13:01:00" in first
    issuer.revoked = (3,)  # within the API's window, yet the page must see it
    fr = _page(app_client, "fr")
    assert 'data-verdict="revoked"' in fr
    assert "✘ Révoqué" in fr
    assert re.search(r"data-checked-at>Statut consulté le [^<]+<", fr)
    en = _page(app_client, "en")
    assert "✘ Revoked" in en
    assert "Status checked on Nov 21, 2026, 1:01:00" in en
    assert issuer.answers == [200, 304, 200, 304]
    # in the reader's own zone once their browser has said it (base template → cookie)
    app_client.cookies.set("musette_tz", "America/Montreal")
    assert "Statut consulté le 21 nov. 2026, 07:01:00" in _page(app_client, "fr")
    app_client.cookies.set("musette_tz", "../../etc/passwd")
    assert "Statut consulté le 21 nov. 2026, 13:01:00" in _page(app_client, "fr")
    app_client.cookies.delete("musette_tz")
