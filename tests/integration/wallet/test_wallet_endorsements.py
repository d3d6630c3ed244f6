"""Journey 3 in the wallet: Alice describes an experience and sends a link; Bob, signed in to
his own account, endorses it with a proof of the relationship; the endorsement lands in
Alice's musette. Closed links (used, expired, withdrawn, her own) answer problem+json and
leave nothing half-written."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from shared.verify.context import VerifyContext
from shared.verify.credential import verify_credential
from tests.unit.wallet.testkit import Holder, IssuerKit
from wallet.db.models import EndorsementRequest, Share
from wallet.service.accounts import now

EXPERIENCE = {
    "title": "Développeuse principale",
    "organisation": "ACME",
    "start_date": "2022-01-03",
    "end_date": "2024-06-30",
    "description": "Équipe de six personnes.",
}


def problem(resp: Any, status: int, code: str) -> None:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
    assert resp.json()["type"].endswith(f"#{code}"), resp.json()


def experience(alice: Holder) -> dict[str, Any]:
    resp = alice.post("/api/experiences", json=EXPERIENCE)
    assert resp.status_code == 201, resp.text
    return dict(resp.json())


def link(alice: Holder, experience_id: str) -> tuple[str, str]:
    resp = alice.post(f"/api/experiences/{experience_id}/requests")
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert body["state"] == "open"
    token = body["url"].rsplit("/endorse/", 1)[1]
    return body["id"], token


def db(wallet: TestClient) -> Any:
    return wallet.app.state.resources.sessions  # type: ignore[attr-defined]


def state(wallet: TestClient) -> tuple[int, int, list[Any]]:
    """(endorsement links used, shares, link rows): what a failed endorsement must not change."""
    with db(wallet).begin() as session:
        rows = list(session.scalars(select(EndorsementRequest)))
        used = sum(1 for r in rows if r.used_at is not None or r.credential_id is not None)
        shares = len(list(session.scalars(select(Share))))
        return used, shares, [(r.id, r.used_at, r.revoked_at, r.credential_id) for r in rows]


@pytest.fixture
def bob_badge(bob: Holder, kit: IssuerKit) -> dict[str, Any]:
    return bob.import_credential(kit.ldp(bob.did, name="Salarié ACME"))


def test_bob_endorses_alices_experience_with_a_relationship_proof(
    wallet: TestClient, alice: Holder, bob: Holder, kit: IssuerKit, bob_badge: dict[str, Any]
) -> None:
    exp = experience(alice)
    assert exp["holder_did"] == alice.did
    request_id, token = link(alice, exp["id"])
    assert len(token) >= 43  # 256 random bits
    with db(wallet).begin() as session:  # only the hash is kept
        row = session.get(EndorsementRequest, request_id)
        assert row is not None
        assert token not in row.token_hash
        assert (row.expires_at - row.created_at) == timedelta(days=30)

    seen = bob.get(f"/api/endorse/{token}")
    assert seen.status_code == 200, seen.text
    assert seen.json()["experience"]["title"] == EXPERIENCE["title"]
    assert seen.json()["experience"]["requester_email"] == alice.email

    done = bob.post(
        f"/api/endorse/{token}",
        json={
            "comment": "Une collègue remarquable.",
            "name": "Bob Martin",
            "proof_credential_id": bob_badge["id"],
        },
    )
    assert done.status_code == 201, done.text
    cred = done.json()["endorsement"]
    assert cred["type"] == ["VerifiableCredential", "EndorsementCredential"]
    assert cred["issuer"] == {"id": bob.did, "type": ["Profile"], "name": "Bob Martin"}
    assert cred["credentialSubject"]["id"] == alice.did
    assert cred["credentialSubject"]["type"] == ["EndorsementSubject"]
    assert cred["credentialSubject"]["endorsementComment"] == "Une collègue remarquable."
    assert cred["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    (evidence,) = cred["evidence"]
    assert evidence["type"] == ["Evidence"]
    assert evidence["id"] == done.json()["evidence_url"]
    report = verify_credential(cred, VerifyContext())
    assert report.verified, [c.to_json() for c in report.checks]
    assert report.check("schema").status.value == "passed"  # type: ignore[union-attr]

    # the evidence URL serves Bob's own badge, publicly
    raw = wallet.get(evidence["id"].replace("http://testserver", ""))
    assert raw.status_code == 200
    assert json.loads(raw.content)["credentialSubject"]["id"] == bob.did

    # Alice sees it on the experience, and holds it like any credential (sphere "work")
    got = alice.get(f"/api/experiences/{exp['id']}").json()
    (endorsement,) = got["endorsements"]
    assert endorsement["endorser"] == bob.did
    assert endorsement["endorser_name"] == "Bob Martin"
    assert endorsement["comment"] == "Une collègue remarquable."
    assert [r["state"] for r in got["requests"]] == ["used"]
    stored = alice.get(f"/api/credentials/{endorsement['credential_id']}").json()
    assert stored["sphere"] == "work"
    assert stored["issuer"] == bob.did
    assert stored["experience_id"] == exp["id"]
    assert bob.get(f"/api/credentials/{endorsement['credential_id']}").status_code == 404

    # single use
    again = bob.post(f"/api/endorse/{token}", json={"comment": "encore", "name": "Bob"})
    problem(again, 410, "endorsement-link-used")
    problem(bob.get(f"/api/endorse/{token}"), 410, "endorsement-link-used")


def test_without_proof_the_default_identity_signs(
    wallet: TestClient, alice: Holder, bob: Holder
) -> None:
    _, token = link(alice, experience(alice)["id"])
    done = bob.post(f"/api/endorse/{token}", json={"comment": "Très bien.", "name": "Bob"})
    assert done.status_code == 201, done.text
    assert done.json()["endorser"] == bob.did
    assert "evidence" not in done.json()["endorsement"]


def test_alice_cannot_endorse_her_own_experience(wallet: TestClient, alice: Holder) -> None:
    _, token = link(alice, experience(alice)["id"])
    before = state(wallet)
    problem(alice.get(f"/api/endorse/{token}"), 403, "own-endorsement-request")
    resp = alice.post(f"/api/endorse/{token}", json={"comment": "moi", "name": "Alice"})
    problem(resp, 403, "own-endorsement-request")
    assert state(wallet) == before
    # only her own experience, as a self-declared credential: no endorsement was stored
    stored = alice.get("/api/credentials").json()["credentials"]
    assert [c["source"] for c in stored] == ["self-declared"]


def test_an_expired_link_is_refused(wallet: TestClient, alice: Holder, bob: Holder) -> None:
    request_id, token = link(alice, experience(alice)["id"])
    with db(wallet).begin() as session:
        row = session.get(EndorsementRequest, request_id)
        row.expires_at = now() - timedelta(seconds=1)
    problem(bob.get(f"/api/endorse/{token}"), 410, "endorsement-link-expired")
    resp = bob.post(f"/api/endorse/{token}", json={"comment": "ok", "name": "Bob"})
    problem(resp, 410, "endorsement-link-expired")
    assert alice.get(f"/api/experiences/{row.experience_id}").json()["requests"][0]["state"] == (
        "expired"
    )


def test_a_withdrawn_link_is_refused(wallet: TestClient, alice: Holder, bob: Holder) -> None:
    exp = experience(alice)
    request_id, token = link(alice, exp["id"])
    assert (
        bob.client.delete(f"/api/endorsement-requests/{request_id}", headers=bob.auth).status_code
        == 404
    )  # not his to withdraw
    resp = alice.client.delete(f"/api/endorsement-requests/{request_id}", headers=alice.auth)
    assert resp.status_code == 204
    problem(
        bob.post(f"/api/endorse/{token}", json={"comment": "x", "name": "B"}),
        410,
        "endorsement-link-revoked",
    )
    assert alice.get(f"/api/experiences/{exp['id']}").json()["requests"][0]["state"] == "revoked"


def test_unknown_tokens_and_anonymous_callers(wallet: TestClient, bob: Holder) -> None:
    problem(bob.get("/api/endorse/not-a-token"), 404, "not-found")
    problem(
        bob.post("/api/endorse/not-a-token", json={"comment": "x", "name": "B"}), 404, "not-found"
    )
    problem(wallet.get("/api/experiences"), 401, "unauthorized")
    problem(wallet.post("/api/experiences", json=EXPERIENCE), 401, "unauthorized")


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"proof_credential_id": "ALICE"}, 404, "not-found"),  # someone else's credential
        ({"identity_id": "SECOND"}, 400, "invalid-input"),  # proof issued to another identity
        ({"identity_id": "P256"}, 400, "invalid-input"),  # cannot sign eddsa
        ({"comment": "   "}, 400, "invalid-input"),
        ({"comment": "x" * 5000}, 400, "invalid-input"),
    ],
    ids=["not-his-proof", "other-identity", "p256", "empty-comment", "long-comment"],
)
def test_a_failed_endorsement_writes_nothing(
    wallet: TestClient,
    alice: Holder,
    bob: Holder,
    kit: IssuerKit,
    bob_badge: dict[str, Any],
    change: dict[str, str],
    status: int,
    code: str,
) -> None:
    alices = alice.import_credential(kit.ldp(alice.did))
    second = bob.post("/api/identities", json={"method": "key"}).json()
    p256 = bob.post("/api/identities", json={"key_type": "P-256"}).json()
    exp = experience(alice)
    _, token = link(alice, exp["id"])
    names = {"ALICE": alices["id"], "SECOND": second["id"], "P256": p256["id"]}
    body: dict[str, Any] = {
        "comment": "Bien.",
        "name": "Bob",
        "proof_credential_id": bob_badge["id"],
    }
    body.update({k: names.get(v, v) for k, v in change.items()})
    before = state(wallet)
    problem(bob.post(f"/api/endorse/{token}", json=body), status, code)
    assert state(wallet) == before
    assert alice.get(f"/api/experiences/{exp['id']}").json()["endorsements"] == []
    # and the link still works
    body.update(identity_id=None, proof_credential_id=bob_badge["id"], comment="Bien.")
    assert bob.post(f"/api/endorse/{token}", json=body).status_code == 201


def test_experiences_are_validated_encrypted_and_private(
    wallet: TestClient, alice: Holder, bob: Holder
) -> None:
    problem(
        alice.post("/api/experiences", json={**EXPERIENCE, "start_date": "hier"}),
        400,
        "invalid-input",
    )
    problem(
        alice.post("/api/experiences", json={**EXPERIENCE, "end_date": "2021-01-01"}),
        400,
        "invalid-input",
    )
    problem(alice.post("/api/experiences", json={**EXPERIENCE, "title": ""}), 400, "invalid-input")
    exp = experience(alice)
    with db(wallet).begin() as session:
        from wallet.db.models import Experience

        row = session.get(Experience, exp["id"])
        assert row is not None
        assert b"ACME" not in row.ct
    assert [e["id"] for e in alice.get("/api/experiences").json()] == [exp["id"]]
    assert bob.get("/api/experiences").json() == []
    problem(bob.get(f"/api/experiences/{exp['id']}"), 404, "not-found")
    assert (
        alice.client.delete(f"/api/experiences/{exp['id']}", headers=alice.auth).status_code == 204
    )
    assert alice.get("/api/experiences").json() == []


def test_a_failure_after_signing_rolls_everything_back(
    wallet: TestClient,
    alice: Holder,
    bob: Holder,
    bob_badge: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The link is claimed and the proof published before the endorsement is stored: if
    storing fails, neither the claim nor the share survives."""
    from shared.errors import VerificationError
    from wallet.service import importing

    def refuse(*_args: Any, **_kw: Any) -> Any:
        raise VerificationError("refused for the test")

    exp = experience(alice)
    _, token = link(alice, exp["id"])
    before = state(wallet)
    monkeypatch.setattr(importing, "verify_for_storage", refuse)
    body = {"comment": "Bien.", "name": "Bob", "proof_credential_id": bob_badge["id"]}
    problem(bob.post(f"/api/endorse/{token}", json=body), 422, "verification-failed")
    assert state(wallet) == before
    monkeypatch.undo()
    assert bob.post(f"/api/endorse/{token}", json=body).status_code == 201
    assert state(wallet) != before


# --------------------------------------------------------------------------- pages


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_journey_through_the_pages(
    wallet: TestClient, alice: Holder, bob: Holder, bob_badge: dict[str, Any], lang: str
) -> None:
    from tests.integration.wallet.test_wallet_pages import csrf_of, page, sign_in

    words = {
        "fr": (
            "Mes expériences",
            "Lien de recommandation",
            "Recommander une expérience",
            "Recommandation envoyée",
            "Recommandations reçues",
        ),
        "en": (
            "My experiences",
            "Endorsement link",
            "Endorse an experience",
            "Endorsement sent",
            "Endorsements received",
        ),
    }[lang]
    headers = {"Accept": "text/html", "Accept-Language": lang}
    sign_in(wallet, alice)
    listing = page(wallet, "/experiences", lang)
    assert words[0] in listing
    # a form without its CSRF token does nothing
    refused = wallet.post("/experiences", data=EXPERIENCE, headers=headers)
    assert refused.status_code == 403
    assert alice.get("/api/experiences").json() == []
    bad = wallet.post(
        "/experiences",
        data={**EXPERIENCE, "start_date": "", "csrf_token": csrf_of(listing)},
        headers=headers,
    )
    assert bad.status_code == 400
    created = wallet.post(
        "/experiences",
        data={**EXPERIENCE, "csrf_token": csrf_of(listing)},
        headers=headers,
        follow_redirects=False,
    )
    assert created.status_code == 303, created.text
    exp_url = created.headers["location"]
    exp_page = page(wallet, exp_url, lang)
    assert EXPERIENCE["title"] in exp_page
    shown = wallet.post(
        f"{exp_url}/requests", data={"csrf_token": csrf_of(exp_page)}, headers=headers
    )
    assert shown.status_code == 200
    assert words[1] in shown.text
    url = re.search(r'id="endorse-url" readonly value="([^"]+)"', shown.text)
    assert url, shown.text
    path = url.group(1).replace("http://testserver", "")

    # Bob, signed out, opens the link: sign in first, then back on the link
    wallet.cookies.clear()
    opened = wallet.get(path, headers=headers, follow_redirects=False)
    assert opened.status_code == 303
    assert opened.headers["location"] == f"/signin?next={quote(path, safe='')}"
    sign_in(wallet, bob)
    form = page(wallet, path, lang)
    assert words[2] in form
    assert alice.email in form
    assert bob_badge["title"] in form
    assert (
        wallet.post(path, data={"comment": "x", "name": "Bob"}, headers=headers).status_code == 403
    )
    done = wallet.post(
        path,
        headers=headers,
        data={
            "csrf_token": csrf_of(form),
            "comment": "Remarquable.",
            "name": "Bob Martin",
            "identity_id": "",
            "proof_credential_id": bob_badge["id"],
        },
    )
    assert done.status_code == 200, done.text
    assert words[3] in done.text
    again = wallet.get(path, headers=headers)
    assert again.status_code == 410
    assert "<html" in again.text

    # Alice sees Bob's endorsement on the experience
    sign_in(wallet, alice)
    exp_page = page(wallet, exp_url, lang)
    assert words[4] in exp_page
    assert "Remarquable." in exp_page
    assert "Bob Martin" in exp_page
