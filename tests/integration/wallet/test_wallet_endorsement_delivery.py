"""Endorsements across wallets: Alice's wallet (A) publishes what to endorse and a single-use
delivery URL; Bob, on another wallet server (B), signs and delivers over real HTTP. The
delivery endpoint is public, so every hostile delivery is refused with problem+json and
leaves the link open."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from shared.model.builder import build_endorsement_credential
from shared.model.ob3 import EndorsementSubject, Profile
from shared.net.fetch import HttpFetcher
from shared.proofs.data_integrity import RDFC, add_proof
from shared.proofs.vc_jwt import sign_vc_jwt
from tests.integration.wallet.test_wallet_endorsements import (
    EXPERIENCE,
    db,
    experience,
    link,
    problem,
    state,
)
from tests.stack import free_port
from tests.unit.wallet.testkit import Holder, IssuerKit, serve, sign_up
from wallet.db.models import EndorsementRequest


@pytest.fixture
def two_wallets(
    make_wallet: Callable[..., TestClient],
) -> Iterator[tuple[TestClient, str, TestClient]]:
    """Wallet A served over real HTTP at its own base URL, and wallet B that fetches from it."""
    port = free_port()
    base_a = f"http://127.0.0.1:{port}"
    wallet_a = make_wallet("a", base_url=base_a)
    wallet_b = make_wallet("b", fetcher=HttpFetcher(allow_loopback=True))
    with serve(wallet_a.app, port):
        yield wallet_a, base_a, wallet_b


def endorsement(kit: IssuerKit, subject: str, **changes: Any) -> dict[str, Any]:
    """An EndorsementCredential signed by ``kit`` (a third-party wallet's key)."""
    doc = build_endorsement_credential(
        Profile(id=kit.did, name="Chloé Tiers"),
        EndorsementSubject(id=subject, endorsement_comment="Travail remarquable."),
        credential_id=f"urn:uuid:{uuid.uuid4()}",
        valid_from=datetime.now(UTC).replace(microsecond=0),
        name="Développeuse principale — ACME",
    )
    doc.update(changes)
    return dict(add_proof(doc, kit.key.sign, kit.kid, cryptosuite=RDFC))


def test_bob_on_another_wallet_endorses_and_alice_holds_it(
    two_wallets: tuple[TestClient, str, TestClient],
) -> None:
    wallet_a, base_a, wallet_b = two_wallets
    alice, bob = sign_up(wallet_a, "alice@a.example"), sign_up(wallet_b, "bob@b.example")
    exp = experience(alice)
    _, token = link(alice, exp["id"])
    url = f"{base_a}/endorse/{token}"

    done = bob.post(
        "/api/endorse-remote",
        json={"link": url, "comment": "Une collègue remarquable.", "name": "Bob Martin"},
    )
    assert done.status_code == 201, done.text
    cred = done.json()["endorsement"]
    assert cred["issuer"]["id"] == bob.did
    assert cred["credentialSubject"]["id"] == alice.did
    assert done.json()["delivered_to"] == f"{base_a}/api/endorse/{token}/deliver"

    (got,) = alice.get(f"/api/experiences/{exp['id']}").json()["endorsements"]
    assert got["endorser"] == bob.did
    assert got["endorser_name"] == "Bob Martin"
    assert got["comment"] == "Une collègue remarquable."
    stored = alice.get(f"/api/credentials/{got['credential_id']}")
    assert stored.status_code == 200, stored.text

    # the token is single use: a second delivery is refused, on B and on A
    again = bob.post("/api/endorse-remote", json={"link": url, "comment": "bis", "name": "B"})
    problem(again, 410, "endorsement-link-used")
    replay = wallet_a.post(f"/api/endorse/{token}/deliver", json={"credential": cred})
    problem(replay, 410, "endorsement-link-used")


def test_the_request_document_is_public_and_hides_the_email(
    wallet: TestClient, alice: Holder
) -> None:
    exp = experience(alice)
    _, token = link(alice, exp["id"])
    doc = wallet.get(f"/api/endorse/{token}/request")  # no session
    assert doc.status_code == 200, doc.text
    body = doc.json()
    assert body["type"] == "EndorsementRequest"
    assert body["endorsementSubject"] == {"id": alice.did, "type": ["EndorsementSubject"]}
    assert body["about"] == f"urn:musette:experience:{exp['id']}"
    assert body["summary"]["title"] == EXPERIENCE["title"]
    assert body["deliver_to"] == f"http://testserver/api/endorse/{token}/deliver"
    assert alice.email not in doc.text
    problem(wallet.get(f"/api/endorse/{'x' * 43}/request"), 404, "not-found")


@pytest.mark.parametrize("form", ["wrapped", "vc+ld+json", "vc+jwt"])
def test_a_third_party_wallet_delivers_in_each_documented_form(
    wallet: TestClient, alice: Holder, kit: IssuerKit, form: str
) -> None:
    exp = experience(alice)
    _, token = link(alice, exp["id"])
    signed = endorsement(kit, alice.did)
    if form == "wrapped":
        resp = wallet.post(f"/api/endorse/{token}/deliver", json={"credential": signed})
    elif form == "vc+ld+json":
        resp = wallet.post(
            f"/api/endorse/{token}/deliver",
            content=json.dumps(signed),
            headers={"Content-Type": "application/vc+ld+json"},
        )
    else:
        unsigned = {k: v for k, v in signed.items() if k != "proof"}
        jwt = sign_vc_jwt(unsigned, kit.key, kit.kid, profile="vc+jwt")
        resp = wallet.post(
            f"/api/endorse/{token}/deliver",
            content=jwt,
            headers={"Content-Type": "application/vc+jwt"},
        )
    assert resp.status_code == 201, resp.text
    assert resp.json()["endorser"] == kit.did
    (got,) = alice.get(f"/api/experiences/{exp['id']}").json()["endorsements"]
    assert got["endorser"] == kit.did


def _tampered(kit: IssuerKit, subject: str) -> dict[str, Any]:
    signed = endorsement(kit, subject)
    signed["credentialSubject"]["endorsementComment"] = "Autre chose."
    return signed


HOSTILE: dict[str, tuple[Callable[[IssuerKit, Holder], Any], int | None, str | None]] = {
    "not an endorsement": (
        lambda kit, a: {"credential": kit.ldp(a.did)},
        422,
        "not-an-endorsement",
    ),
    "other subject": (
        lambda kit, a: {"credential": endorsement(kit, "did:example:other")},
        422,
        "endorsement-other-subject",
    ),
    "wrong signature": (lambda kit, a: {"credential": _tampered(kit, a.did)}, 422, None),
    "extra keys": (
        lambda kit, a: {"credential": endorsement(kit, a.did), "x": 1},
        400,
        "invalid-input",
    ),
    "not an object": (lambda kit, a: {"credential": 3}, 400, "invalid-input"),
    "garbage jwt": (lambda kit, a: {"credential": "a.b.c"}, None, None),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_deliveries_are_refused_and_leave_the_link_open(
    wallet: TestClient, alice: Holder, kit: IssuerKit, case: str
) -> None:
    exp = experience(alice)
    _, token = link(alice, exp["id"])
    before = state(wallet)
    make, status, code = HOSTILE[case]
    resp = wallet.post(f"/api/endorse/{token}/deliver", json=make(kit, alice))
    assert resp.headers["content-type"].startswith("application/problem+json"), resp.text
    if status is None:
        assert 400 <= resp.status_code < 500, resp.text
    elif code is None:
        assert resp.status_code == status, resp.text
    else:
        problem(resp, status, code)
    assert state(wallet) == before
    assert alice.get(f"/api/experiences/{exp['id']}").json()["endorsements"] == []


def test_raw_bodies_oversized_unknown_and_expired_links(
    wallet: TestClient, alice: Holder, kit: IssuerKit
) -> None:
    exp = experience(alice)
    request_id, token = link(alice, exp["id"])
    deliver = f"/api/endorse/{token}/deliver"
    problem(
        wallet.post(deliver, content=b"\xff\x00", headers={"Content-Type": "application/json"}),
        400,
        "malformed-credential",
    )
    deep = b"[" * 5000 + b"]" * 5000
    problem(
        wallet.post(deliver, content=deep, headers={"Content-Type": "application/json"}),
        400,
        "malformed-credential",
    )
    problem(
        wallet.post(deliver, content=b"{}", headers={"Content-Type": "text/plain"}),
        400,
        "invalid-input",
    )
    huge = json.dumps({"credential": {"x": "y" * 2_000_000}})
    problem(
        wallet.post(deliver, content=huge, headers={"Content-Type": "application/json"}),
        413,
        "payload-too-large",
    )
    problem(
        wallet.post(
            f"/api/endorse/{'x' * 43}/deliver", json={"credential": endorsement(kit, alice.did)}
        ),
        404,
        "not-found",
    )
    with db(wallet).begin() as session:
        session.execute(
            update(EndorsementRequest)
            .where(EndorsementRequest.id == request_id)
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    problem(
        wallet.post(deliver, json={"credential": endorsement(kit, alice.did)}),
        410,
        "endorsement-link-expired",
    )
    problem(wallet.get(f"/api/endorse/{token}/request"), 410, "endorsement-link-expired")


def test_a_withdrawn_link_refuses_delivery(
    wallet: TestClient, alice: Holder, kit: IssuerKit
) -> None:
    exp = experience(alice)
    request_id, token = link(alice, exp["id"])
    revoked = wallet.delete(f"/api/endorsement-requests/{request_id}", headers=alice.auth)
    assert revoked.status_code == 204, revoked.text
    resp = wallet.post(
        f"/api/endorse/{token}/deliver", json={"credential": endorsement(kit, alice.did)}
    )
    problem(resp, 410, "endorsement-link-revoked")


def test_the_colleagues_wallet_refuses_links_it_cannot_use(
    two_wallets: tuple[TestClient, str, TestClient],
) -> None:
    wallet_a, base_a, wallet_b = two_wallets
    bob = sign_up(wallet_b, "bob@b.example")
    for bad in ("not a link", f"{base_a}/s/abc", "file:///endorse/" + "a" * 43):
        resp = bob.post("/api/endorse-remote", json={"link": bad, "comment": "c", "name": "n"})
        problem(resp, 400, "invalid-input")
    resp = bob.post(
        "/api/endorse-remote",
        json={"link": f"{base_a}/endorse/{'x' * 43}", "comment": "c", "name": "n"},
    )
    problem(resp, 404, "not-found")
    assert wallet_a is not None


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_colleague_endorses_through_the_pages_of_wallet_b(
    two_wallets: tuple[TestClient, str, TestClient], lang: str
) -> None:
    from tests.integration.wallet.test_wallet_pages import csrf_of, page, sign_in

    words = {
        "fr": (
            "Recommander depuis un autre portefeuille",
            "Recommander une expérience",
            "Recommandation envoyée",
            "Lien déjà utilisé",
        ),
        "en": (
            "Endorse from another wallet",
            "Endorse an experience",
            "Endorsement sent",
            "Link already used",
        ),
    }[lang]
    wallet_a, base_a, wallet_b = two_wallets
    alice, bob = sign_up(wallet_a, "alice@a.example"), sign_up(wallet_b, "bob@b.example")
    exp = experience(alice)
    _, token = link(alice, exp["id"])
    url = f"{base_a}/endorse/{token}"
    headers = {"Accept": "text/html", "Accept-Language": lang}

    sign_in(wallet_b, bob)
    assert words[0] in page(wallet_b, "/experiences", lang)  # the way in
    empty = page(wallet_b, "/endorse-remote", lang)
    assert words[0] in empty
    bad = wallet_b.get("/endorse-remote", params={"link": "nope"}, headers=headers)
    assert bad.status_code == 400
    assert 'role="alert"' in bad.text
    form = page(wallet_b, f"/endorse-remote?link={quote(url, safe='')}", lang)
    assert words[1] in form
    assert EXPERIENCE["title"] in form
    assert "127.0.0.1" in form  # who asks: the other wallet's address, not an email
    assert alice.email not in form
    missing = wallet_b.post(
        "/endorse-remote",
        headers=headers,
        data={"csrf_token": csrf_of(form), "link": url, "comment": "", "name": ""},
    )
    assert missing.status_code == 400
    assert (
        wallet_b.post(
            "/endorse-remote", headers=headers, data={"link": url, "comment": "x", "name": "B"}
        ).status_code
        == 403
    )
    done = wallet_b.post(
        "/endorse-remote",
        headers=headers,
        data={
            "csrf_token": csrf_of(form),
            "link": url,
            "comment": "Remarquable.",
            "name": "Bob",
            "identity_id": "",
            "proof_credential_id": "",
        },
    )
    assert done.status_code == 200, done.text
    assert words[2] in done.text
    again = wallet_b.post(
        "/endorse-remote",
        headers=headers,
        data={"csrf_token": csrf_of(form), "link": url, "comment": "bis", "name": "Bob"},
    )
    assert again.status_code == 410
    assert words[3] in again.text
    (got,) = alice.get(f"/api/experiences/{exp['id']}").json()["endorsements"]
    assert got["comment"] == "Remarquable."


@pytest.mark.parametrize(
    ("lang", "words"),
    [("fr", "Recommander depuis un autre portefeuille"), ("en", "Endorse from another wallet")],
)
def test_a_signed_out_colleague_is_told_about_their_own_wallet(
    wallet: TestClient, alice: Holder, lang: str, words: str
) -> None:
    exp = experience(alice)
    _, token = link(alice, exp["id"])
    headers = {"Accept": "text/html", "Accept-Language": lang}
    signin = wallet.get(f"/endorse/{token}", headers=headers)  # follows to the sign-in page
    assert signin.status_code == 200
    assert words in signin.text.replace("\u00a0", " ").replace("&#160;", " ")
    plain = wallet.get("/signin", headers=headers)
    assert words not in plain.text.replace("\u00a0", " ")


def test_guessing_tokens_on_the_public_endpoints_is_throttled(
    make_wallet: Callable[..., TestClient], kit: IssuerKit
) -> None:
    wallet = make_wallet(rate_limit_links="3/minute")
    alice = sign_up(wallet, "alice@example.org")
    exp = experience(alice)
    _, token = link(alice, exp["id"])
    guess = "z" * 43
    problem(wallet.get(f"/api/endorse/{guess}/request"), 404, "not-found")
    problem(wallet.post(f"/api/endorse/{guess}/deliver", json={"credential": {}}), 404, "not-found")
    assert wallet.get(f"/api/endorse/{token}/request").status_code == 200
    # the real token is refused too once the address is over its limit: nothing is attached
    late = wallet.post(
        f"/api/endorse/{token}/deliver", json={"credential": endorsement(kit, alice.did)}
    )
    problem(late, 429, "rate-limited")
    assert alice.get(f"/api/experiences/{exp['id']}").json()["endorsements"] == []
