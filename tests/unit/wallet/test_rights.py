"""wallet.service.rights: the CEC estimate at its thresholds (docs/decisions/cec-rules.md)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest

from shared.model.cec import association_identifiers, role_label
from shared.net.fetch import StaticFetcher
from shared.verify.context import VerifyContext
from tests.unit.verifier.builders import ISSUER, STATUS_URL, did, status_list
from wallet.service import credential_status as cs
from wallet.service import rights
from wallet.service.storage import CredentialView

TODAY = date(2026, 3, 15)
NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)
HOURS_RD = "https://issuer.example/achievements/volunteer#result-hours"


def association(
    name: str, *, declared: str = "2015-03-01", field: str = "social"
) -> dict[str, Any]:
    slug = name.lower().replace(" ", "-")
    ids = association_identifiers(
        rna=f"W{abs(hash(slug)) % 10**9:09d}",
        siren=None,
        declared_on=date.fromisoformat(declared),
        field=field,
    )
    return {
        "id": f"did:web:issuer.example:orgs:{slug}",
        "type": ["Profile"],
        "name": name,
        "otherIdentifier": ids,
    }


def volunteer(
    cid: str,
    hours: int | str,
    *,
    issuer: dict[str, Any] | None = None,
    role: str = "board",
    start: str = "2025-01-01",
    end: str = "2025-12-31",
    status_index: int | None = None,
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": f"urn:uuid:{cid}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": issuer or association("Asso A"),
        "validFrom": "2025-01-01T00:00:00Z",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "role": role_label(role),
            "activityStartDate": f"{start}T00:00:00Z",
            "activityEndDate": f"{end}T00:00:00Z",
            "achievement": {
                "id": "https://issuer.example/achievements/volunteer",
                "type": ["Achievement"],
                "resultDescription": [
                    {
                        "id": HOURS_RD,
                        "type": ["ResultDescription"],
                        "name": "Heures",
                        "resultType": "ext:VolunteerHours",
                    }
                ],
            },
            "result": [{"type": ["Result"], "resultDescription": HOURS_RD, "value": str(hours)}],
        },
    }
    if status_index is not None:
        doc["credentialStatus"] = {
            "id": f"{STATUS_URL}#{status_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(status_index),
            "statusListCredential": STATUS_URL,
        }
    return doc


def view(doc: dict[str, Any], vid: str | None = None) -> CredentialView:
    summary = {
        "title": "Bénévole",
        "issuer_name": doc["issuer"]["name"],
        "valid_until": doc.get("validUntil"),
    }
    return CredentialView(
        vid or doc["id"], "ldp_vc", NOW, summary, {"credential": json.dumps(doc), "claims": doc}
    )


def clear(_: CredentialView) -> cs.StatusFlag:
    return cs.StatusFlag(cs.CLEAR)


def estimate(*docs: dict[str, Any], status: Any = clear, **kw: Any) -> rights.RightsEstimate:
    return rights.estimate_rights([view(d) for d in docs], status, today=TODAY, **kw)


def only_year(result: rights.RightsEstimate) -> dict[str, Any]:
    assert len(result.years) == 1
    return result.years[0].to_json()


B = association("Asso B")
C = association("Asso C")


def test_199_hours_are_not_enough() -> None:
    year = only_year(estimate(volunteer("a", 199)))
    assert (year["eligible"], year["hours_total"], year["amount_eur"]) == (False, 199, 0)
    assert year["reasons"] == ["hours-below-minimum"]


def test_200_as_150_plus_50_in_two_associations() -> None:
    year = only_year(estimate(volunteer("a", 150), volunteer("b", 50, issuer=B)))
    assert (year["eligible"], year["hours_total"], year["amount_eur"]) == (True, 200, 240)
    assert [(a["name"], a["hours"]) for a in year["associations"]] == [
        ("Asso A", 150),
        ("Asso B", 50),
    ]
    assert {c["id"] for c in year["credentials"] if c["counted"]} == {"urn:uuid:a", "urn:uuid:b"}


def test_200_as_90_60_50_no_association_reaches_100() -> None:
    year = only_year(
        estimate(volunteer("a", 90), volunteer("b", 60, issuer=B), volunteer("c", 50, issuer=C))
    )
    assert (year["eligible"], year["hours_total"]) == (False, 200)
    assert year["reasons"] == ["no-association-reaches-minimum"]


def test_250_hours_in_a_role_that_does_not_qualify() -> None:
    year = only_year(estimate(volunteer("a", 250, role="other")))
    assert (year["eligible"], year["hours_total"]) == (False, 0)
    assert year["credentials"][0]["notes"] == ["role-not-eligible"]


def test_supervision_qualifies() -> None:
    assert only_year(estimate(volunteer("a", 200, role="supervision")))["eligible"] is True


def test_an_association_declared_too_recently() -> None:
    young = association("Jeune asso", declared="2024-06-01")  # less than a year on 2025-01-01
    year = only_year(estimate(volunteer("a", 300, issuer=young)))
    assert year["eligible"] is False
    assert year["associations"] == [{"name": "Jeune asso", "hours": 0, "eligible": False}]
    assert "association-too-recent" in year["credentials"][0]["notes"]
    # a year on the first day of the activity is enough
    old_enough = association("Asso un an", declared="2024-01-01")
    assert only_year(estimate(volunteer("b", 300, issuer=old_enough)))["eligible"] is True


def test_an_association_outside_the_fields_or_without_facts() -> None:
    odd = association("Asso X", field="commerce")  # not in the law's list: not read at all
    year = only_year(estimate(volunteer("a", 300, issuer=odd)))
    assert (year["eligible"], year["credentials"][0]["notes"]) == (
        False,
        ["association-field-unknown"],
    )


def test_hours_in_two_civil_years_are_separate() -> None:
    result = estimate(
        volunteer("a", 150, start="2024-01-01", end="2024-12-31"),
        volunteer("b", 150, start="2025-03-01", end="2025-10-31"),
    )
    assert [(y.year, int(y.hours_total), y.eligible) for y in result.years] == [
        (2024, 150, False),
        (2025, 150, False),
    ]
    one = estimate(volunteer("a", 150, start="2024-06-01", end="2025-05-31"))
    assert one.years == []
    assert one.unplaced[0].notes == ["period-not-one-year"]


def test_a_revoked_badge_does_not_count() -> None:
    ctx = VerifyContext(fetcher=StaticFetcher({STATUS_URL: status_list((7,))}), clock=lambda: NOW)
    signer = {**association("Asso S"), "id": did(ISSUER)}  # the status list's issuer
    revoked = volunteer("a", 200, status_index=7, issuer=signer)
    in_force = volunteer("b", 200, status_index=8, issuer={**B, "id": did(ISSUER)})
    result = estimate(revoked, in_force, status=lambda v: cs.check_status(v, ctx))
    year = result.years[0].to_json()
    by_id = {c["id"]: c for c in year["credentials"]}
    assert by_id["urn:uuid:a"]["counted"] is False
    assert "revoked" in by_id["urn:uuid:a"]["notes"]
    assert by_id["urn:uuid:b"]["counted"] is True
    assert year["hours_total"] == 200


def test_a_suspended_badge_does_not_count() -> None:
    def status(v: CredentialView) -> cs.StatusFlag:
        return cs.StatusFlag(cs.SUSPENDED if v.id == "urn:uuid:a" else cs.CLEAR)

    year = only_year(estimate(volunteer("a", 150), volunteer("b", 60, issuer=B), status=status))
    assert (year["eligible"], year["hours_total"]) == (False, 60)
    assert "suspended" in year["credentials"][0]["notes"]


def test_an_expired_badge_does_not_count() -> None:
    doc = volunteer("a", 250)
    doc["validUntil"] = "2026-01-01T00:00:00Z"
    year = only_year(estimate(doc))
    assert (year["eligible"], year["credentials"][0]["notes"]) == (False, ["expired"])


def test_four_eligible_years_are_capped_at_720() -> None:
    docs = [
        volunteer(str(y), 220, start=f"{y}-01-01", end=f"{y}-12-31")
        for y in (2021, 2022, 2023, 2024)
    ]
    result = estimate(*docs)
    assert [y.amount_eur for y in result.years] == [240, 240, 240, 0]
    assert result.years[3].eligible is True
    assert result.years[3].reasons == ["cap-reached"]
    assert (result.total_eur, result.cap_eur) == (720, 720)


def test_the_same_badge_received_twice_counts_once() -> None:
    doc = volunteer("a", 120)
    result = rights.estimate_rights(
        [view(doc, "copy-1"), view(doc, "copy-2"), view(volunteer("b", 90, issuer=B))],
        clear,
        today=TODAY,
    )
    year = result.years[0].to_json()
    assert (year["hours_total"], year["eligible"]) == (210, True)
    assert [c["id"] for c in year["credentials"]].count("copy-1") == 1
    assert "copy-2" not in [c["id"] for c in year["credentials"]]


def test_declaration_window_and_countdown() -> None:
    year = only_year(estimate(volunteer("a", 250)))
    assert (year["declare_from"], year["declare_until"], year["validate_until"]) == (
        "2026-01-01",
        "2026-06-30",
        "2026-12-31",
    )
    assert year["days_left"] == (date(2026, 6, 30) - TODAY).days + 1
    later = rights.estimate_rights([view(volunteer("a", 250))], clear, today=date(2026, 7, 1))
    assert later.years[0].days_left is None


def test_a_year_filter_and_a_badge_without_hours() -> None:
    other = volunteer("x", 10)
    other["credentialSubject"]["result"] = []
    result = estimate(volunteer("a", 250, start="2024-01-01", end="2024-12-31"), other, year=2025)
    assert result.years == []


@pytest.mark.parametrize("value", ["NaN", "-5", "1e400", "Infinity", "9000", "abc", ""], ids=str)
def test_hostile_hour_values_are_ignored(value: str) -> None:
    assert rights.read_volunteer(view(volunteer("a", value))) is None


@pytest.mark.parametrize(
    "issuer",
    [
        "did:example:x",
        {"id": "did:example:x", "name": "N", "otherIdentifier": "nope"},
        {
            "id": "d",
            "name": "N",
            "otherIdentifier": [
                {"identifierType": "ext:AssociationDeclaredOn", "identifier": "2015-13-45"},
                7,
                None,
            ],
        },
    ],
)
def test_odd_issuer_profiles_are_read_without_error(issuer: Any) -> None:
    doc = volunteer("a", 250)
    doc["issuer"] = issuer
    v = view({**doc, "issuer": issuer if isinstance(issuer, dict) else {"id": issuer, "name": "N"}})
    year = only_year(rights.estimate_rights([v], clear, today=TODAY))
    assert year["eligible"] is False


def test_rules_are_dated_and_sourced() -> None:
    entries = rights.load_rules()
    assert entries[-1].checked_on
    for name in (
        "min_hours_year",
        "min_hours_one_association",
        "association_min_years",
        "amount_eur_per_year",
        "cap_eur",
        "eligible_roles",
        "eligible_fields",
    ):
        assert "Code du travail" in entries[-1].sources[name] or "CGI" in entries[-1].sources[name]


def test_a_newer_rules_entry_applies_from_its_year() -> None:
    text = json.dumps(
        {
            "entries": [
                {
                    "applies_from_year": 2017,
                    "checked_on": "x",
                    "eligible_roles": ["board"],
                    "min_hours_year": 200,
                    "min_hours_one_association": 100,
                    "association_min_years": 1,
                    "eligible_fields": ["social"],
                    "amount_eur_per_year": 240,
                    "cap_eur": 720,
                    "declare_until": "06-30",
                    "validate_until": "12-31",
                    "declare_at": "u",
                },
                {
                    "applies_from_year": 2025,
                    "checked_on": "y",
                    "eligible_roles": ["board"],
                    "min_hours_year": 150,
                    "min_hours_one_association": 100,
                    "association_min_years": 1,
                    "eligible_fields": ["social"],
                    "amount_eur_per_year": 300,
                    "cap_eur": 900,
                    "declare_until": "06-30",
                    "validate_until": "12-31",
                    "declare_at": "u",
                },
            ]
        }
    )
    rules = rights.load_rules(text)
    result = rights.estimate_rights(
        [
            view(volunteer("a", 160, start="2024-01-01", end="2024-12-31")),
            view(volunteer("b", 160)),
        ],
        clear,
        today=TODAY,
        rules=rules,
    )
    assert [(y.year, y.eligible, y.amount_eur) for y in result.years] == [
        (2024, False, 0),
        (2025, True, 300),
    ]


def test_the_window_is_upcoming_open_or_closed() -> None:
    doc = volunteer("a", 250)
    states = [
        rights.estimate_rights([view(doc)], clear, today=day).years[0].window
        for day in (date(2025, 12, 31), date(2026, 1, 1), date(2026, 6, 30), date(2026, 7, 1))
    ]
    assert states == ["upcoming", "open", "open", "closed"]


def test_a_badge_suspended_on_its_issuers_list_does_not_count() -> None:
    from shared.proofs.data_integrity import JCS, add_proof
    from tests.unit.verifier.builders import CREATED, kid

    suspension = status_list((4,))
    del suspension["proof"]
    suspension["credentialSubject"]["statusPurpose"] = "suspension"
    signed = add_proof(suspension, ISSUER.sign, kid(ISSUER), cryptosuite=JCS, created=CREATED)
    ctx = VerifyContext(fetcher=StaticFetcher({STATUS_URL: signed}), clock=lambda: NOW)
    doc = volunteer("a", 250, status_index=4, issuer={**association("Asso S"), "id": did(ISSUER)})
    doc["credentialStatus"]["statusPurpose"] = "suspension"
    year = only_year(estimate(doc, status=lambda v: cs.check_status(v, ctx)))
    assert (year["eligible"], year["hours_total"]) == (False, 0)
    assert "suspended" in year["credentials"][0]["notes"]
