"""Receiving over OpenID4VCI 1.0 from an issuer served over real HTTP on 127.0.0.1, and the
offers that must be refused with nothing stored."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from tests.unit.wallet.fake_issuer import FakeIssuer
from tests.unit.wallet.testkit import Holder, serve


@pytest.fixture
def issuer() -> Iterator[FakeIssuer]:
    fake = FakeIssuer()
    with serve(fake.app()) as base:
        fake.base = base
        yield fake


def _nothing_stored(holder: Holder) -> None:
    assert holder.get("/api/credentials").json()["credentials"] == []


@pytest.mark.parametrize(
    ("config", "fmt"),
    [("volunteer_ldp", "ldp_vc"), ("volunteer_jwt", "vc+jwt"), ("volunteer_sd", "dc+sd-jwt")],
)
def test_receive_each_format_over_http(
    issuer: FakeIssuer, alice: Holder, config: str, fmt: str
) -> None:
    uri = issuer.offer(config)
    opened = alice.post(
        "/api/offers",
        json={"offer": f"openid-credential-offer://?credential_offer_uri={quote(uri, safe='')}"},
    )
    assert opened.status_code == 201, opened.text
    preview = opened.json()
    assert preview["issuer_name"] == "Association des Musiciens"
    assert preview["trusted"] is False
    assert preview["credentials"][0]["name"] == f"Bénévole ({config})"
    assert issuer.token_requests == []  # nothing redeemed before the person accepts
    accepted = alice.post(f"/api/offers/{preview['id']}/accept", json={"sphere": "association"})
    assert accepted.status_code == 201, accepted.text
    stored = accepted.json()["credentials"]
    assert [c["format"] for c in stored] == [fmt]
    assert stored[0]["holder_identity"] is not None
    assert stored[0]["sphere"] == "association"
    form = issuer.token_requests[0]
    assert form["resource"] == issuer.issuer_id
    assert "client_id" not in form
    received = alice.get("/api/history", params={"kind": "received"}).json()["entries"]
    assert received[0]["credential_ids"] == [stored[0]["id"]]


def test_tx_code_is_asked_and_sent(issuer: FakeIssuer, alice: Holder) -> None:
    uri = issuer.offer("volunteer_ldp", tx_code="493536")
    preview = alice.post(
        "/api/offers",
        json={"offer": f"https://wallet.example/receive?credential_offer_uri={quote(uri)}"},
    ).json()
    assert preview["tx_code"]["length"] == 6
    missing = alice.post(f"/api/offers/{preview['id']}/accept", json={})
    assert missing.status_code == 400
    ok = alice.post(f"/api/offers/{preview['id']}/accept", json={"tx_code": "493536"})
    assert ok.status_code == 201, ok.text


def test_wrong_tx_code_is_a_clear_error(issuer: FakeIssuer, alice: Holder) -> None:
    uri = issuer.offer("volunteer_ldp", tx_code="1234")
    preview = alice.post("/api/offers", json={"offer": uri}).json()
    resp = alice.post(f"/api/offers/{preview['id']}/accept", json={"tx_code": "9999"})
    assert resp.status_code == 400
    assert "invalid_grant" in resp.json()["detail"]
    _nothing_stored(alice)


def test_decline_removes_the_offer(issuer: FakeIssuer, alice: Holder) -> None:
    preview = alice.post("/api/offers", json={"offer": issuer.offer("volunteer_ldp")}).json()
    assert alice.post(f"/api/offers/{preview['id']}/decline").status_code == 204
    assert alice.get(f"/api/offers/{preview['id']}").status_code == 404
    assert issuer.token_requests == []


def test_trusted_issuer_is_flagged(make_wallet, issuer: FakeIssuer) -> None:  # type: ignore[no-untyped-def]
    from tests.unit.wallet.testkit import sign_up

    client = make_wallet("trusting", trusted_issuers=[issuer.issuer_id])
    holder = sign_up(client, "t@example.org")
    preview = holder.post("/api/offers", json={"offer": issuer.offer("volunteer_jwt")}).json()
    assert preview["trusted"] is True


def test_metadata_for_another_issuer_is_refused(issuer: FakeIssuer, alice: Holder) -> None:
    issuer.modes.add("wrong_issuer")
    resp = alice.post("/api/offers", json={"offer": issuer.offer("volunteer_ldp")})
    assert resp.status_code == 400
    assert "credential_issuer" in resp.json()["detail"]


def test_a_credential_failing_verification_is_not_stored(issuer: FakeIssuer, alice: Holder) -> None:
    issuer.modes.add("tampered")
    preview = alice.post("/api/offers", json={"offer": issuer.offer("volunteer_ldp")}).json()
    resp = alice.post(f"/api/offers/{preview['id']}/accept", json={})
    assert resp.status_code == 422
    assert "does not verify" in resp.json()["detail"]
    _nothing_stored(alice)


def test_a_20_mb_credential_is_refused(issuer: FakeIssuer, alice: Holder) -> None:
    issuer.modes.add("huge")
    preview = alice.post("/api/offers", json={"offer": issuer.offer("volunteer_ldp")}).json()
    resp = alice.post(f"/api/offers/{preview['id']}/accept", json={})
    assert resp.status_code in {413, 502}
    assert "limit" in resp.json()["detail"] or "at most" in resp.json()["detail"]
    _nothing_stored(alice)


@pytest.mark.parametrize(
    "uri",
    [
        "https://10.0.0.1/offer",
        "http://169.254.169.254/latest/meta-data/",
        "file:///etc/passwd",
    ],
)
def test_offer_uri_at_a_private_address_or_file_is_refused(alice: Holder, uri: str) -> None:
    link = f"openid-credential-offer://?credential_offer_uri={quote(uri, safe='')}"
    resp = alice.post("/api/offers", json={"offer": link})
    assert resp.status_code == 502
    assert resp.json()["type"].endswith("#fetch-refused")
    assert "refusing to fetch" in resp.json()["detail"]
    _nothing_stored(alice)
    assert alice.get("/api/history").json()["entries"] == []


def test_a_20_mb_file_import_is_refused(alice: Holder) -> None:
    resp = alice.post(
        "/api/credentials/upload",
        files={"file": ("big.json", b"{" + b" " * 20_000_000 + b"}", "application/json")},
    )
    assert resp.status_code == 413
    _nothing_stored(alice)


def test_a_file_failing_verification_is_refused(alice: Holder, wallet: TestClient) -> None:
    from tests.conftest import data_path

    bad = data_path("peers", "neg-di-tampered-claim.json").read_bytes()
    resp = alice.post(
        "/api/credentials/upload", files={"file": ("bad.json", bad, "application/json")}
    )
    assert resp.status_code == 422
    assert resp.json()["checks"]
    _nothing_stored(alice)
