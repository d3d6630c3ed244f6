"""docs/decisions/timeline-spheres.md in the wallet: an experience is a self-declared credential
(API, pages, migration of older experiences, export), and « ma musette » draws a timeline of
periods."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shared.verify.context import VerifyContext
from shared.verify.credential import verify_credential
from tests.integration.wallet.test_wallet_pages import page, sign_in
from tests.unit.wallet.fake_verifier import FakeVerifier, dcql
from tests.unit.wallet.testkit import Holder, IssuerKit, principal_of, sign_up
from wallet.db.models import Experience
from wallet.service import identities
from wallet.service.accounts import new_id, now

GIG = {
    "title": "Livreuse à vélo",
    "organisation": "Coopérative Roule",
    "start_date": "2023-01-15",
    "end_date": "2024-06-30",
    "description": "Livraisons en centre-ville.",
    "kind": "gig",
    "skills": ["orientation", "relation client"],
}


def _create(holder: Holder, **changes: Any) -> dict[str, Any]:
    resp = holder.post("/api/experiences", json={**GIG, **changes})
    assert resp.status_code == 201, resp.text
    return dict(resp.json())


def _credentials(holder: Holder) -> list[dict[str, Any]]:
    return list(holder.get("/api/credentials").json()["credentials"])


def test_an_experience_is_a_self_declared_credential(alice: Holder) -> None:
    exp = _create(alice)
    (stored,) = _credentials(alice)
    assert stored["id"] == exp["credential_id"]
    assert stored["source"] == "self-declared"
    assert stored["self_declared"] is True
    assert stored["issuer"] == stored["subject"] == exp["holder_did"]
    assert stored["experience_id"] == exp["id"]
    assert stored["dcql_format"] == "ldp_vc"
    full = alice.get(f"/api/credentials/{stored['id']}").json()["credential"]
    assert full["credentialSubject"]["activityEndDate"] == "2024-06-30T00:00:00Z"
    assert full["credentialSubject"]["achievement"]["tag"] == GIG["skills"]
    report = verify_credential(full, VerifyContext())
    assert report.verified, report.to_json()
    assert report.self_declared


@pytest.mark.parametrize(
    "changes",
    [
        {"kind": "boss"},
        {"start_date": "2023-13-45"},
        {"end_date": "2020-01-01"},
        {"title": " "},
        {"skills": [str(i) for i in range(40)]},
    ],
)
def test_a_bad_experience_stores_nothing(alice: Holder, changes: dict[str, Any]) -> None:
    resp = alice.post("/api/experiences", json={**GIG, **changes})
    assert resp.status_code == 400, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
    assert _credentials(alice) == []
    assert alice.get("/api/experiences").json() == []


def test_an_experience_kept_before_is_signed_once_and_not_lost(
    wallet: TestClient, alice: Holder
) -> None:
    """Rows written before experiences were credentials (no kind, skills nor credential id)."""
    resources = wallet.app.state.resources  # type: ignore[attr-defined]
    with resources.sessions.begin() as session:
        who = principal_of(alice, session)
        did = identities.default_identity(session, who).did
        row = Experience(id=new_id(), account_id=who.account_id, created_at=now(), ct=b"")
        old = {
            "title": "Caissière",
            "organisation": "Supermarché",
            "start_date": "2019-02-01",
            "end_date": "2019-08-31",
            "description": "",
            "holder_did": did,
        }
        row.ct = who.vault.seal_json("experience", row.id, old)
        session.add(row)
        old_id = row.id
    assert _credentials(alice) == []
    (exp,) = alice.get("/api/experiences").json()
    assert exp["id"] == old_id
    assert exp["title"] == "Caissière"
    assert exp["credential_id"]
    (stored,) = _credentials(alice)
    assert stored["id"] == exp["credential_id"]
    assert stored["title"] == "Caissière"
    alice.get("/api/experiences")  # a second visit signs nothing more
    assert len(_credentials(alice)) == 1


def test_deleting_the_experience_deletes_its_credential(alice: Holder, kit: IssuerKit) -> None:
    alice.import_credential(kit.ldp(alice.did, name="Cariste"))
    exp = _create(alice)
    assert len(_credentials(alice)) == 2
    gone = alice.client.delete(f"/api/experiences/{exp['id']}", headers=alice.auth)
    assert gone.status_code == 204
    assert [c["title"] for c in _credentials(alice)] == ["Cariste"]


def test_the_export_carries_it_to_another_wallet(make_wallet, alice: Holder) -> None:  # type: ignore[no-untyped-def]
    exp = _create(alice)
    archive = alice.get("/api/export")
    assert archive.status_code == 200
    other = sign_up(make_wallet("other"), "alice@example.org")
    resp = other.post("/api/import", files={"file": ("w.zip", archive.content, "application/zip")})
    assert resp.status_code == 200, resp.text
    (moved,) = _credentials(other)
    assert moved["self_declared"] is True
    assert moved["subject"] == exp["holder_did"]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_pages_say_self_declared_and_the_timeline_has_its_period(
    wallet: TestClient, alice: Holder, kit: IssuerKit, lang: str
) -> None:
    exp = _create(alice)
    _create(alice, title="Bénévole", kind="volunteering", start_date="2025-03-01", end_date="")
    alice.import_credential(kit.ldp(alice.did, name="Cariste"))
    sign_in(wallet, alice)
    words = {
        "fr": (
            "Auto-déclaré",
            "Indépendant et plateformes",
            "Bénévolat",
            "depuis le",
            "Périodes vides",
            "du 15 janvier 2023 au 30 juin 2024",
        ),
        "en": (
            "Self-declared",
            "Freelance and platforms",
            "Volunteering",
            "still going on",
            "Gaps",
            "from January 15, 2023 to June 30, 2024",
        ),
    }[lang]
    home = page(wallet, "/", lang)
    for word in words:
        assert word in home, word
    gig = re.search(
        r'<li class="period" data-strength="([^"]+)" data-start="([^"]*)" '
        r'data-end="([^"]*)">\s*<a href="/credentials/' + exp["credential_id"],
        home,
    )
    assert gig, home
    assert gig.groups() == ("self-declared", "2023-01-15", "2024-06-30")
    assert 'data-strength="issued"' in home
    # a gap opens where the gig ends (the issued badge is a day, then volunteering from March)
    assert re.search(r'<li data-start="2024-06-30" data-end="20\d\d-\d\d-\d\d">', home)
    assert re.search(r'<li data-start="20\d\d-\d\d-\d\d" data-end="2025-03-01">', home)
    credential = page(wallet, f"/credentials/{exp['credential_id']}", lang)
    assert words[0] in credential
    listing = page(wallet, "/experiences", lang)
    assert words[0] in listing
    one = page(wallet, f"/experiences/{exp['id']}", lang)
    assert f"/credentials/{exp['credential_id']}" in one


def test_the_experience_form_signs_it(wallet: TestClient, alice: Holder) -> None:
    sign_in(wallet, alice)
    html = page(wallet, "/experiences", "en")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert csrf
    form = {**GIG, "skills": "orientation, relation client", "csrf_token": csrf.group(1)}
    resp = wallet.post("/experiences", data=form, follow_redirects=False)
    assert resp.status_code == 303, resp.text
    (stored,) = _credentials(alice)
    assert stored["self_declared"] is True
    bad = wallet.post("/experiences", data={**form, "kind": "boss"}, follow_redirects=False)
    assert bad.status_code == 400
    assert len(_credentials(alice)) == 1


def test_an_endorsement_attaches_to_the_self_declared_credential_and_its_period(
    wallet: TestClient, alice: Holder, bob: Holder
) -> None:
    exp = _create(alice)
    link = alice.post(f"/api/experiences/{exp['id']}/requests")
    assert link.status_code == 201, link.text
    token = link.json()["url"].rsplit("/endorse/", 1)[1]
    done = bob.post(f"/api/endorse/{token}", json={"comment": "Fiable.", "name": "Bob Martin"})
    assert done.status_code == 201, done.text
    (endorsement,) = alice.get(f"/api/experiences/{exp['id']}").json()["endorsements"]
    stored = alice.get(f"/api/credentials/{endorsement['credential_id']}").json()
    assert stored["endorses_credential"] == exp["credential_id"]
    assert (stored["activity_start"], stored["activity_end"]) == ("2023-01-15", "2024-06-30")
    sign_in(wallet, alice)
    home = page(wallet, "/", "en")
    # the experience now reads endorsed, and the endorsement sits on the experience's period
    assert re.search(
        r'data-strength="endorsed" data-start="2023-01-15" data-end="2024-06-30">\s*'
        r'<a href="/credentials/' + exp["credential_id"],
        home,
    )
    assert "Self-declared, endorsed by Bob Martin" in home
    assert re.search(
        r'data-strength="endorsement" data-start="2023-01-15" data-end="2024-06-30">\s*'
        r'<a href="/credentials/' + endorsement["credential_id"],
        home,
    )
    assert "Endorsement signed by Bob Martin" in home


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_generic_request_offers_it_and_the_consent_screen_says_self_declared(
    wallet: TestClient, alice: Holder, verifier: FakeVerifier, lang: str
) -> None:
    exp = _create(alice)
    link = verifier.request_link(dcql("ldp_vc", [["credentialSubject", "achievement", "name"]]))
    opened = alice.post("/api/presentations", json={"request": link})
    assert opened.status_code == 201, opened.text
    (option,) = opened.json()["queries"][0]["options"]
    assert option["credential_id"] == exp["credential_id"]
    assert option["self_declared"] is True
    sign_in(wallet, alice)
    html = page(wallet, "/present?" + link.split("?", 1)[1], lang)
    assert ("Auto-déclaré" if lang == "fr" else "Self-declared") in html
    answer = alice.post(f"/api/presentations/{opened.json()['id']}/consent", json={})
    assert answer.status_code == 200, answer.text
    (report,) = verifier.reports
    assert report["verified"] is True, report
    assert [c.get("self_declared") for c in report.get("credentials") or [report]] == [True]
