"""In the wallet: revoked or suspended badges are flagged in every list and
blocked from presentation, with the reason; each page revalidates the issuer's status list
(a 304 while it is unchanged), so a revocation shows at once."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import httpx2
import pytest
from fastapi.testclient import TestClient

from shared.net.fetch import HttpFetcher
from tests.integration.wallet.test_wallet_pages import page, sign_in
from tests.unit.verifier.builders import STATUS_URL, badge, ldp_vc, status_list
from tests.unit.wallet.fake_verifier import FakeVerifier, dcql
from tests.unit.wallet.testkit import Holder, serve

ISSUER_HOST = urlsplit(STATUS_URL).hostname


class StatusIssuer(httpx2.BaseTransport):
    """The issuer's status list (ETag, 304 to a matching If-None-Match) on a mock host;
    every other request (the fake verifier on 127.0.0.1) goes over the network."""

    def __init__(self) -> None:
        self.revoked: tuple[int, ...] = ()
        self.answers: list[int] = []
        self.down = False

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        if request.url.host != ISSUER_HOST:
            with httpx2.Client() as network:  # one connection, closed with the answer read
                answer = network.send(request)
                return httpx2.Response(
                    answer.status_code,
                    content=answer.content,
                    headers={"content-type": answer.headers.get("content-type", "")},
                )
        if self.down:
            self.answers.append(503)
            return httpx2.Response(503)
        body = json.dumps(status_list(self.revoked)).encode()
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if request.headers.get("if-none-match") == etag:
            self.answers.append(304)
            return httpx2.Response(304, headers={"ETag": etag})
        self.answers.append(200)
        return httpx2.Response(
            200, content=body, headers={"ETag": etag, "content-type": "application/json"}
        )


@pytest.fixture
def issuer() -> StatusIssuer:
    return StatusIssuer()


@pytest.fixture
def holder_wallet(make_wallet: Callable[..., TestClient], issuer: StatusIssuer) -> TestClient:
    fetcher = HttpFetcher(
        allow_loopback=True, resolve=lambda host, port: ["127.0.0.1"], transport=issuer
    )
    return make_wallet("status", fetcher=fetcher)


@pytest.fixture
def verifier() -> Any:
    fake = FakeVerifier()
    with serve(fake.app()) as base:
        fake.base = base
        yield fake


def _holder(client: TestClient) -> Holder:
    from tests.unit.wallet.testkit import sign_up

    return sign_up(client, "camille@example.org")


def test_a_revoked_badge_is_flagged_everywhere_at_once_and_not_presented(
    holder_wallet: TestClient, issuer: StatusIssuer, verifier: FakeVerifier
) -> None:
    camille = _holder(holder_wallet)
    cid = camille.import_credential(ldp_vc(badge(subject=camille.did, status_index=3)))["id"]
    sign_in(holder_wallet, camille)
    home = page(holder_wallet, "/")
    assert "data-status" not in home
    issuer.answers.clear()
    assert "data-status" not in page(holder_wallet, "/")
    assert issuer.answers == [304]  # unchanged: revalidating costs a 304
    issuer.revoked = (3,)  # the association revokes; nothing waits for a cache to expire
    fr = page(holder_wallet, "/")
    assert 'data-status="revoked"' in fr
    assert (
        "Révoqué</strong> — l'émetteur a retiré ce badge\u202f; il ne peut plus être présenté."
        in fr
    )
    en = page(holder_wallet, "/", "en")
    assert "Revoked</strong> — the issuer withdrew this credential" in en
    one = page(holder_wallet, f"/credentials/{cid}")
    assert "Révoqué\u00a0: l'émetteur a retiré ce badge." in one
    assert "Il ne peut pas être présenté." in one
    assert "Statut consulté le" in one
    # blocked from presentation, with the reason
    link = verifier.request_link(dcql("ldp_vc", [["credentialSubject", "achievement", "name"]]))
    opened = camille.post("/api/presentations", json={"request": link})
    assert opened.status_code == 201, opened.text
    pending = opened.json()
    (option,) = pending["queries"][0]["options"]
    assert option["blocked"] is True
    assert option["status"]["state"] == "revoked"
    assert pending["satisfied"] is False
    refused = camille.post(
        f"/api/presentations/{pending['id']}/consent",
        json={"selections": {"badge": {"credential_id": cid}}},
    )
    assert refused.status_code == 400
    assert refused.json()["type"].endswith("#credential-blocked")
    assert "revoked" in refused.json()["detail"]
    assert verifier.received == []


def test_a_badge_revoked_after_the_request_was_opened_is_not_sent(
    holder_wallet: TestClient, issuer: StatusIssuer, verifier: FakeVerifier
) -> None:
    camille = _holder(holder_wallet)
    cid = camille.import_credential(ldp_vc(badge(subject=camille.did, status_index=5)))["id"]
    link = verifier.request_link(dcql("ldp_vc", [["credentialSubject", "achievement", "name"]]))
    pending = camille.post("/api/presentations", json={"request": link}).json()
    (option,) = pending["queries"][0]["options"]
    assert option["blocked"] is False
    assert option["status"]["state"] == "clear"
    issuer.revoked = (5,)
    refused = camille.post(
        f"/api/presentations/{pending['id']}/consent",
        json={"selections": {"badge": {"credential_id": cid}}},
    )
    assert refused.status_code == 400
    assert refused.json()["state"] == "revoked"
    assert verifier.received == []


def test_the_present_page_scans_qr_codes_like_receive(holder_wallet: TestClient) -> None:
    """The camera scanner fills the request link and opens it (scan.js)."""
    camille = _holder(holder_wallet)
    sign_in(holder_wallet, camille)
    present = page(holder_wallet, "/present")
    assert 'id="scan" hidden data-field="link" data-form="present-form"' in present
    assert 'id="present-form"' in present
    assert 'id="link"' in present
    assert "/static/scan.js" in present
    receive = page(holder_wallet, "/receive")
    assert 'id="scan" hidden data-field="offer" data-form="offer-form"' in receive
    script = holder_wallet.get("/static/scan.js").text
    assert 'getAttribute("data-field")' in script


def test_a_status_that_cannot_be_read_is_said_and_does_not_block(
    holder_wallet: TestClient, issuer: StatusIssuer, verifier: FakeVerifier
) -> None:
    camille = _holder(holder_wallet)
    for index in (1, 2, 4):
        camille.import_credential(
            ldp_vc(badge(subject=camille.did, status_index=index, name=f"Badge {index}"))
        )
    sign_in(holder_wallet, camille)
    issuer.down = True
    issuer.answers.clear()
    home = page(holder_wallet, "/")
    assert home.count('data-status="unchecked"') == 3
    assert "Son statut n'a pas pu être vérifié à l'instant." in home
    assert 'data-status="revoked"' not in home
    assert issuer.answers == [503]  # one list, asked once for the whole page
    link = verifier.request_link(dcql("ldp_vc", [["credentialSubject", "achievement", "name"]]))
    pending = camille.post("/api/presentations", json={"request": link}).json()
    assert pending["satisfied"] is True  # the verifier will judge; the wallet does not block
    assert {o["status"]["state"] for o in pending["queries"][0]["options"]} == {"unchecked"}
