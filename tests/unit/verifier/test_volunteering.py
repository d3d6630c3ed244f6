"""verifier.service.volunteering: what counts as volunteer hours in a year and an eligible
role, the template's parameters, and hostile input."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from shared.errors import InvalidInputError
from shared.model.cec import role_label
from verifier.service.templates import TEMPLATES, get_template
from verifier.service.verifying import Policy
from verifier.service.volunteering import (
    VolunteeringRequirement,
    assess_volunteering,
    check_volunteering,
)

NOT_SET = object()


def _credential(
    hours: Any = "220",
    *,
    result_type: Any = "ext:VolunteerHours",
    role: Any = NOT_SET,
    start: Any = "2026-03-01T09:00:00Z",
    end: Any = "2026-06-30T18:00:00Z",
    sd_jwt_layout: bool = False,
    extra_results: tuple[tuple[str, Any], ...] = (),
) -> dict[str, Any]:
    descriptions = [{"id": "urn:rd:hours", "type": ["ResultDescription"], "name": "Heures"}]
    if result_type is not None:
        descriptions[0]["resultType"] = result_type
    results = [{"resultDescription": "urn:rd:hours", "value": hours}]
    for n, (kind, value) in enumerate(extra_results):
        descriptions.append({"id": f"urn:rd:{n}", "resultType": kind, "valueMax": "5"})
        results.append({"resultDescription": f"urn:rd:{n}", "value": value})
    achievement = {"id": "urn:a", "resultDescription": descriptions}
    subject: dict[str, Any] = {
        "result": results,
        "role": role_label("supervision") if role is NOT_SET else role,
    }
    if start is not None:
        subject["activityStartDate"] = start
    if end is not None:
        subject["activityEndDate"] = end
    if sd_jwt_layout:
        return {"achievement": achievement, "credentialSubject": subject}
    return {"credentialSubject": {**subject, "achievement": achievement}}


def _req(min_hours: str = "200", year: int | None = 2026, eligible: bool = True) -> Any:
    return VolunteeringRequirement(Decimal(min_hours), year, eligible)


@pytest.mark.parametrize("sd_jwt_layout", [False, True])
@pytest.mark.parametrize(("min_hours", "met"), [("220", True), ("221", False), ("219.5", True)])
def test_at_least_n_hours(sd_jwt_layout: bool, min_hours: str, met: bool) -> None:
    ok, reason = check_volunteering(_credential(sd_jwt_layout=sd_jwt_layout), _req(min_hours))
    assert ok is met, reason
    assert reason.startswith("220 hours in 2026, role supervision")


def test_what_was_found_is_reported() -> None:
    met, _reason, found = assess_volunteering(_credential(role=role_label("board", "en")), _req())
    assert met
    assert found.to_json() == {"hours": "220", "period_year": 2026, "role": "board"}


@pytest.mark.parametrize(
    "credential",
    [
        _credential(result_type="ext:Rating"),  # a rating offered as hours
        _credential(result_type="ext:RatingCount"),
        _credential(result_type=None),
        _credential(result_type=["ext:VolunteerHours"]),
        _credential(result_type="ext:Rating", extra_results=(("ext:Rating", "4.8"),)),
        {"credentialSubject": {"result": [{"value": "220"}]}},  # an undescribed number
        {"credentialSubject": {"result": "220"}},
        {"credentialSubject": []},
        {"credentialSubject": {"result": [None, 7, "x"], "achievement": "not an object"}},
        {},
        [],
        None,
        "220",
    ],
)
def test_no_hours(credential: Any) -> None:
    ok, reason = check_volunteering(credential, _req("1", None, False))
    assert ok is False
    assert reason.startswith("no volunteer hours here")


def test_a_rating_beside_the_hours_is_not_read_as_hours() -> None:
    credential = _credential("150", extra_results=(("ext:Rating", "4.8"), ("ext:Rating", "900")))
    ok, reason = check_volunteering(credential, _req("200"))
    assert ok is False
    assert "150 hours is fewer than 200" in reason


@pytest.mark.parametrize(
    ("kwargs", "why"),
    [
        ({"hours": "NaN"}, "no numeric value"),
        ({"hours": "Infinity"}, "no numeric value"),
        ({"hours": None}, "no numeric value"),
        ({"hours": True}, "no numeric value"),
        ({"hours": {"@value": "220"}}, "no numeric value"),
        ({"hours": "deux cents"}, "no numeric value"),
        ({"hours": "1e999999999"}, "no numeric value"),
        ({"hours": "9" * 500}, "no numeric value"),
        ({"hours": "1e20"}, "not a number of hours a year can hold"),
        ({"hours": "8785"}, "not a number of hours a year can hold"),
        ({"hours": "-300"}, "not a number of hours a year can hold"),
        ({"extra_results": (("ext:VolunteerHours", "300"),)}, "records hours more than once"),
    ],
)
def test_hostile_hours(kwargs: dict[str, Any], why: str) -> None:
    ok, reason = check_volunteering(_credential(**kwargs), _req("1", None, False))
    assert ok is False
    assert why in reason


@pytest.mark.parametrize(
    ("start", "end", "why"),
    [
        ("2025-03-01T09:00:00Z", "2025-06-30T18:00:00Z", "its period is in 2025, not 2026"),
        ("2025-09-01T00:00:00Z", "2026-02-28T00:00:00Z", "spans two years"),
        ("2026-12-01T00:00:00Z", "2027-01-15T00:00:00Z", "spans two years"),
        (None, "2026-06-30T18:00:00Z", "gives no period"),
        ("2026-03-01T09:00:00Z", None, "gives no period"),
        (None, None, "gives no period"),
        ("yesterday", "2026-06-30T18:00:00Z", "gives no period"),
        (20260301, "2026-06-30T18:00:00Z", "gives no period"),
        ("2026-03-01" + "0" * 100, "2026-06-30", "gives no period"),
        ("2026-06-30T18:00:00Z", "2026-03-01T09:00:00Z", "ends before it starts"),
    ],
)
def test_the_period_must_be_in_the_year(start: Any, end: Any, why: str) -> None:
    ok, reason = check_volunteering(_credential(start=start, end=end), _req())
    assert ok is False
    assert why in reason


def test_without_a_year_any_single_period_counts() -> None:
    ok, reason = check_volunteering(_credential(start=None, end=None), _req(year=None))
    assert ok, reason
    across = _credential(start="2025-09-01T00:00:00Z", end="2026-02-28T00:00:00Z")
    assert check_volunteering(across, _req(year=None))[0]


def test_the_year_is_the_civil_date_as_written() -> None:
    """31 December 23:00 at UTC-2 is still in that year where it was written."""
    late = _credential(start="2026-12-31T08:00:00-02:00", end="2026-12-31T23:00:00-02:00")
    assert check_volunteering(late, _req("200"))[0]


@pytest.mark.parametrize(
    ("role", "met", "why"),
    [
        (role_label("board"), True, ""),
        (role_label("board", "en"), True, ""),
        ("supervision", True, ""),
        (role_label("other"), False, "not one the CEC counts"),
        ("Encadrante bénévole", False, "not one of the CEC roles"),  # free text
        (None, False, "not one of the CEC roles"),
        (["board"], False, "not one of the CEC roles"),
        ("x" * 100_000, False, "not one of the CEC roles"),
    ],
)
def test_an_eligible_role(role: Any, met: bool, why: str) -> None:
    ok, reason = check_volunteering(_credential(role=role), _req())
    assert ok is met, reason
    assert why in reason
    # any role will do when the recruiter does not ask for an eligible one
    assert check_volunteering(_credential(role=role), _req(eligible=False))[0]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({}, VolunteeringRequirement(Decimal(200), None, True)),
        ({"min_hours": "100", "year": "2025"}, VolunteeringRequirement(Decimal(100), 2025, True)),
        ({"min_hours": 7.5, "year": 2025, "eligible_role": False}, _req("7.5", 2025, False)),
        ({"min_hours": "12,5", "eligible_role": "false"}, _req("12.5", None, False)),
        ({"year": "", "eligible_role": "true"}, _req("200", None, True)),
    ],
)
def test_requirement_from_json(value: dict[str, Any], expected: VolunteeringRequirement) -> None:
    requirement = VolunteeringRequirement.from_json(value)
    assert requirement == expected
    assert VolunteeringRequirement.from_json(requirement.to_json()) == requirement


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ({"min_hours": "0"}, "more than 0"),
        ({"min_hours": "8785"}, "at most 8784"),
        ({"min_hours": "-5"}, "zero or more"),
        ({"min_hours": "NaN"}, "finite"),
        ({"min_hours": "9" * 40}, "too many digits"),
        ({"min_hours": True}, "must be a number"),
        ({"min_hours": "deux cents"}, "must be a number"),
        ({"year": "20255"}, "must be a year"),
        ({"year": "1800"}, "must be a year"),
        ({"year": 2025.0}, "must be a year"),
        ({"year": "\uff12\uff10\uff12\uff15"}, "must be a year"),  # full-width digits
        ({"year": True}, "must be a year"),
        ({"eligible_role": "maybe"}, "true or false"),
        ({"eligible_role": 1}, "true or false"),
        ({"hours": 200}, "unknown volunteering members"),
        ([], "must be an object"),
    ],
)
def test_bad_requirement(value: Any, why: str) -> None:
    with pytest.raises(InvalidInputError) as err:
        VolunteeringRequirement.from_json(value)
    assert why in err.value.detail


def test_policy_round_trip_and_unknown_members() -> None:
    policy = Policy.from_json({"volunteering": {"min_hours": "100", "year": 2025}})
    assert policy.volunteering == _req("100", 2025)
    assert Policy.from_json(policy.to_json()) == policy
    with pytest.raises(InvalidInputError):
        Policy.from_json({"volunteering": {"min_hours": "100", "extra": 1}})


def test_the_template() -> None:
    template = get_template("volunteer-hours")
    assert template.policy.issuer_kinds == frozenset({"association"})
    assert template.policy.volunteering == _req("200", None, True)
    chosen = template.policy_with({"min_hours": "100", "year": "2025", "eligible_role": None})
    assert chosen.volunteering == _req("100", 2025, True)
    assert chosen.issuer_kinds == frozenset({"association"})
    with pytest.raises(InvalidInputError, match="takes no parameter"):
        template.policy_with({"minimum": "4.5"})
    with pytest.raises(InvalidInputError, match="must be a year"):
        template.policy_with({"year": "l'an dernier"})
    # the rating template keeps its own requirement, untouched by this one
    rating = TEMPLATES["rating"].policy_with({"minimum": "4"})
    assert rating.rating is not None
    assert rating.volunteering is None
    assert rating.rating.minimum == Decimal(4)
