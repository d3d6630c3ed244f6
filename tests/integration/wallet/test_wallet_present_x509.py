"""Verifiers identified by X.509 certificates (OpenID4VP 1.0 §5.9.3 ``x509_san_dns:`` and
``x509_hash:``): answered when the chain leads to a configured anchor and the leaf names the
client; refused, with nothing sent, otherwise (and always when no anchor is configured)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shared.keys import PrivateKey
from shared.keys.x509 import certificate_hash
from tests.unit.wallet.fake_verifier import FakeVerifier, dcql
from tests.unit.wallet.testkit import Holder, IssuerKit, sign_up
from tests.x509_certs import Authority, make_ca, make_leaf, pem, x5c

NOW = datetime.now(UTC)  # the wallet checks certificates against the real clock


@pytest.fixture(scope="module")
def root() -> Authority:
    return make_ca("Musette test root", NOW)


@pytest.fixture
def anchored(make_wallet: Callable[..., TestClient], tmp_path: Path, root: Authority) -> Holder:
    """A wallet that trusts ``root``, with a credential to present."""
    anchors = tmp_path / "anchors.pem"
    anchors.write_bytes(pem(root.cert))
    holder = sign_up(make_wallet("anchored", x509_trust_anchors=[str(anchors)]), "x@example.org")
    holder.import_credential(IssuerKit().vc_jwt(holder.did))
    return holder


@pytest.fixture
def local_verifier(verifier: FakeVerifier) -> FakeVerifier:
    """The fake verifier addressed as ``localhost``, the DNS name its certificate carries."""
    verifier.base = verifier.base.replace("127.0.0.1", "localhost")
    return verifier


def signed_link(
    verifier: FakeVerifier, client_id: str, key: PrivateKey, chain: list[str], **kw: Any
) -> str:
    return verifier.request_link(dcql("jwt_vc_json"), client_id=client_id, x5c=(key, chain), **kw)


def refused(holder: Holder, link: str, needle: str) -> None:
    resp = holder.post("/api/presentations", json={"request": link})
    assert resp.status_code == 400, resp.text
    assert resp.json()["type"].endswith("#request-refused")
    assert needle in resp.json()["detail"]


def test_x509_san_dns_request_is_answered(
    local_verifier: FakeVerifier, anchored: Holder, root: Authority
) -> None:
    inter = make_ca("Musette test intermediate", NOW, parent=root)
    leaf, key = make_leaf(inter, NOW, dns=("localhost",))
    client_id = "x509_san_dns:localhost"
    link = signed_link(local_verifier, client_id, key, x5c(leaf, inter.cert))
    opened = anchored.post("/api/presentations", json={"request": link})
    assert opened.status_code == 201, opened.text
    assert opened.json()["verifier"]["signed"] is True
    answer = anchored.post(f"/api/presentations/{opened.json()['id']}/consent", json={})
    assert answer.status_code == 200, answer.text
    # bound to the full client_id, prefix included (§8.6)
    assert answer.json()["response"]["verified"] is True, local_verifier.reports


def test_x509_hash_request_is_answered(
    verifier: FakeVerifier, anchored: Holder, root: Authority
) -> None:
    leaf, key = make_leaf(root, NOW)  # x509_hash needs no name in the certificate
    client_id = f"x509_hash:{certificate_hash(leaf)}"
    opened = anchored.post(
        "/api/presentations", json={"request": signed_link(verifier, client_id, key, x5c(leaf))}
    )
    assert opened.status_code == 201, opened.text
    answer = anchored.post(f"/api/presentations/{opened.json()['id']}/consent", json={})
    assert answer.json()["response"]["verified"] is True, verifier.reports


def test_without_anchors_x509_requests_are_refused(
    local_verifier: FakeVerifier, alice: Holder, root: Authority
) -> None:
    leaf, key = make_leaf(root, NOW, dns=("localhost",))
    link = signed_link(local_verifier, "x509_san_dns:localhost", key, x5c(leaf, root.cert))
    refused(alice, link, "trusts no certificate authority")
    assert local_verifier.received == []


def test_self_signed_chain_is_refused(local_verifier: FakeVerifier, anchored: Holder) -> None:
    mine = make_ca("Self-made", NOW)
    leaf, key = make_leaf(mine, NOW, dns=("localhost",))
    link = signed_link(local_verifier, "x509_san_dns:localhost", key, x5c(leaf, mine.cert))
    refused(anchored, link, "not trusted")
    assert local_verifier.received == []


def test_san_dns_name_not_in_the_certificate_is_refused(
    local_verifier: FakeVerifier, anchored: Holder, root: Authority
) -> None:
    leaf, key = make_leaf(root, NOW, dns=("verifier.example",))
    link = signed_link(local_verifier, "x509_san_dns:localhost", key, x5c(leaf))
    refused(anchored, link, "does not name localhost")


def test_san_dns_response_uri_on_another_host_is_refused(
    verifier: FakeVerifier, anchored: Holder, root: Authority
) -> None:
    leaf, key = make_leaf(root, NOW, dns=("verifier.example",))
    link = signed_link(verifier, "x509_san_dns:verifier.example", key, x5c(leaf))
    refused(anchored, link, "response_uri")  # it goes to 127.0.0.1, not verifier.example


def test_hash_of_another_certificate_is_refused(
    verifier: FakeVerifier, anchored: Holder, root: Authority
) -> None:
    leaf, key = make_leaf(root, NOW)
    other, _ = make_leaf(root, NOW)
    link = signed_link(verifier, f"x509_hash:{certificate_hash(other)}", key, x5c(leaf))
    refused(anchored, link, "x509_hash")


def test_request_signed_by_another_key_is_refused(
    local_verifier: FakeVerifier, anchored: Holder, root: Authority
) -> None:
    leaf, _ = make_leaf(root, NOW, dns=("localhost",))
    link = signed_link(
        local_verifier, "x509_san_dns:localhost", PrivateKey.generate("P-256"), x5c(leaf)
    )
    refused(anchored, link, "signature")


def test_unsigned_x509_request_is_refused(verifier: FakeVerifier, anchored: Holder) -> None:
    link = verifier.request_link(dcql("jwt_vc_json"), client_id="x509_san_dns:localhost")
    refused(anchored, link, "must sign")


@pytest.mark.parametrize("chain", [["not base64!"], ["aGVsbG8="], [], ["aGVsbG8="] * 9])
def test_hostile_x5c_is_refused(
    local_verifier: FakeVerifier, anchored: Holder, chain: list[str]
) -> None:
    link = signed_link(
        local_verifier, "x509_san_dns:localhost", PrivateKey.generate("P-256"), chain
    )
    refused(anchored, link, "unusable")
