"""« Mes droits / My rights »: the page in French and English and its JSON, from volunteer
badges received in the wallet (docs/decisions/cec-rules.md)."""

from __future__ import annotations

import copy
import html
from datetime import date
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from servicekit.pages import local_path
from shared.model.cec import association_identifiers, role_label
from shared.proofs.data_integrity import JCS, add_proof
from tests.integration.wallet.test_wallet_pages import page, sign_in
from tests.unit.wallet.testkit import PASSWORD, Holder, IssuerKit

HOURS = "https://issuer.example/achievements/volunteer#result-hours"


def volunteer_badge(
    kit: IssuerKit,
    did: str,
    hours: int,
    *,
    role: str = "board",
    year: int = 2025,
    declared: str = "2015-03-01",
) -> dict[str, Any]:
    doc = copy.deepcopy(kit.unsigned(did))
    doc["issuer"]["otherIdentifier"] = association_identifiers(
        rna="W751234567",
        siren="732829320",
        declared_on=date.fromisoformat(declared),
        field="social",
    )
    subject = doc["credentialSubject"]
    subject["role"] = role_label(role)
    subject["activityStartDate"] = f"{year}-01-01T00:00:00Z"
    subject["activityEndDate"] = f"{year}-12-31T00:00:00Z"
    subject["achievement"]["resultDescription"] = [
        {
            "id": HOURS,
            "type": ["ResultDescription"],
            "name": "Heures",
            "resultType": "ext:VolunteerHours",
        }
    ]
    subject["result"] = [{"type": ["Result"], "resultDescription": HOURS, "value": str(hours)}]
    return add_proof(doc, kit.key.sign, kit.kid, cryptosuite=JCS)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_rights_page_in_both_languages(
    wallet: TestClient, alice: Holder, kit: IssuerKit, lang: str
) -> None:
    alice.import_credential(volunteer_badge(kit, alice.did, 230), sphere="association")
    alice.import_credential(volunteer_badge(kit, alice.did, 120, role="other", year=2024))
    sign_in(wallet, alice)
    home = page(wallet, "/", lang)
    assert 'href="/rights"' in home  # reached from the person's badges
    html = page(wallet, "/rights", lang)
    words = {
        "fr": (
            "Mes droits",
            "Ceci est une estimation, pas une décision.",
            "Année 2025",
            "Conditions apparemment remplies",
            "240\u00a0€ de droits à la formation",
            "Année 2024",
            "fonction non éligible",
            "Le Compte Bénévole",
            "RNA W751234567",
            "Membre de l'instance de direction",
            "230\u00a0h",
            "30 juin 2026",
        ),
        "en": (
            "My rights",
            "This is an estimate, not a decision.",
            "Year 2025",
            "Conditions appear met",
            "240 € of training rights",
            "Year 2024",
            "role that does not qualify",
            "Le Compte Bénévole",
            "RNA W751234567",
            "Member of the board or direction",
            "230 h",
            "June 30, 2026",
        ),
    }[lang]
    for word in words:
        assert word in html, word
    assert 'data-year="2025" data-eligible="yes"' in html
    assert 'data-year="2024" data-eligible="no"' in html
    if lang == "fr":
        for english in ("Conditions appear met", "does not count", "What to declare"):
            assert english not in html


def test_the_rights_json_and_the_page_agree(
    wallet: TestClient, alice: Holder, kit: IssuerKit
) -> None:
    alice.import_credential(volunteer_badge(kit, alice.did, 150))
    alice.import_credential(volunteer_badge(kit, alice.did, 50))
    body = wallet.get("/api/rights", headers=alice.auth).json()
    (year,) = body["years"]
    assert (year["year"], year["hours_total"], year["eligible"], year["amount_eur"]) == (
        2025,
        200,
        True,
        240,
    )
    assert (body["total_eur"], body["cap_eur"]) == (240, 720)
    assert year["associations"] == [
        {"name": "Association des Musiciens", "hours": 200, "eligible": True}
    ]
    assert len(year["credentials"]) == 2
    only = wallet.get("/api/rights?year=2024", headers=alice.auth).json()
    assert only["years"] == []


def test_signed_out_goes_to_sign_in(wallet: TestClient) -> None:
    resp = wallet.get("/rights", follow_redirects=False)
    assert resp.status_code == 303
    assert resp.headers["location"] == "/signin?next=%2Frights"
    assert wallet.get("/api/rights").status_code == 401


@pytest.mark.parametrize(
    ("asked", "back"),
    [
        ("/rights?year=2025", "/rights?year=2025"),
        ("/rights?year=2025&lang=fr", "/rights?year=2025&lang=fr"),
        # a year that is not one is still a way back to this page, never elsewhere
        ("/rights?year=%2F%2Fevil.example", "/rights?year=%2F%2Fevil.example"),
        ("/rights?next=https://evil.example/", "/rights?next=https://evil.example/"),
    ],
)
def test_signed_out_comes_back_to_the_same_year(
    wallet: TestClient, alice: Holder, asked: str, back: str
) -> None:
    """The page is behind ``SignedInPage``: signing in leads back to the year asked, and the
    way back is a path on this wallet (``local_path`` keeps it)."""
    wallet.cookies.clear()
    resp = wallet.get(asked, headers={"accept": "text/html"}, follow_redirects=False)
    assert resp.status_code == 303
    location = urlsplit(resp.headers["location"])
    assert location.path == "/signin"
    (next_,) = parse_qs(location.query)["next"]
    assert next_ == back
    assert local_path(next_, "/") == back
    signin = wallet.get(resp.headers["location"], headers={"accept": "text/html"})
    assert signin.status_code == 200
    assert f'value="{html.escape(back)}"' in signin.text
    signed = wallet.post(
        "/signin",
        data={
            "email": alice.email,
            "password": PASSWORD,
            "next": next_,
            "csrf_token": wallet.cookies.get("musette_wallet_csrf"),
        },
        follow_redirects=False,
    )
    assert (signed.status_code, signed.headers["location"]) == (303, back)


@pytest.mark.parametrize("year", ["abc", "2025.5", "9" * 40])
def test_a_bad_year_is_a_problem_not_a_crash(wallet: TestClient, alice: Holder, year: str) -> None:
    resp = wallet.get(f"/api/rights?year={year}", headers=alice.auth)
    assert resp.status_code in (400, 422)
    assert resp.headers["content-type"].startswith("application/problem+json")
