"""verifier.service.rating: what counts as a rating, "X out of Y", and hostile input."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from shared.errors import InvalidInputError
from verifier.service.rating import RatingRequirement, check_rating, find_ratings
from verifier.service.verifying import Policy


def _credential(
    value: Any = "4.8",
    *,
    result_type: Any = "ext:Rating",
    low: Any = "0",
    high: Any = "5",
    sd_jwt_layout: bool = False,
) -> dict[str, Any]:
    description = {"id": "urn:rd:1", "type": ["ResultDescription"], "name": "Note"}
    for key, item in (("resultType", result_type), ("valueMin", low), ("valueMax", high)):
        if item is not None:
            description[key] = item
    achievement = {"id": "urn:a", "resultDescription": [description]}
    subject: dict[str, Any] = {"result": [{"resultDescription": "urn:rd:1", "value": value}]}
    if sd_jwt_layout:
        return {"achievement": achievement, "credentialSubject": subject}
    return {"credentialSubject": {**subject, "achievement": achievement}}


@pytest.mark.parametrize("sd_jwt_layout", [False, True])
@pytest.mark.parametrize(
    ("minimum", "scale", "met"),
    [
        ("4.5", "5", True),
        ("9", "10", True),
        ("4.8", "5", True),
        ("4.9", "5", False),
        ("96", "100", True),
        ("96.1", "100", False),
        ("0", "5", True),
        ("5", "5", False),
    ],
)
def test_out_of(sd_jwt_layout: bool, minimum: str, scale: str, met: bool) -> None:
    requirement = RatingRequirement(Decimal(minimum), Decimal(scale))
    ok, reason = check_rating(_credential(sd_jwt_layout=sd_jwt_layout), requirement)
    assert ok is met, reason
    assert "4.8 out of 5" in reason


@pytest.mark.parametrize(
    "credential",
    [
        _credential(result_type="ext:VolunteerHours"),
        _credential(result_type="ext:RatingCount"),
        _credential(result_type=None),
        _credential(result_type=["ext:Rating"]),
        {"credentialSubject": {"result": [{"value": "4.8"}]}},  # undescribed number
        {"credentialSubject": {"result": "4.8"}},
        {"credentialSubject": []},
        {"credentialSubject": {"result": [None, 7, "x"], "achievement": "not an object"}},
        {},
        [],
        None,
        "4.8",
    ],
)
def test_not_a_rating(credential: Any) -> None:
    ok, reason = check_rating(credential, RatingRequirement())
    assert ok is False
    assert reason.startswith("no rating here")


@pytest.mark.parametrize(
    ("kwargs", "why"),
    [
        ({"value": "NaN"}, "no numeric value"),
        ({"value": "Infinity"}, "no numeric value"),
        ({"value": None}, "no numeric value"),
        ({"value": True}, "no numeric value"),
        ({"value": {"@value": "4.8"}}, "no numeric value"),
        ({"high": None}, "gives no scale"),
        ({"low": "x"}, "gives no scale"),
        ({"low": "5", "high": "5"}, "cannot be compared"),
        ({"low": "-5", "high": "5"}, "cannot be compared"),
        ({"value": "6"}, "outside its own scale"),
        ({"value": "-0.1"}, "outside its own scale"),
        ({"value": "1e400000"}, "no numeric value"),
    ],
)
def test_a_rating_that_cannot_be_read_is_refused_with_why(kwargs: dict[str, Any], why: str) -> None:
    found, problems = find_ratings(_credential(**kwargs))
    assert found == []
    assert any(why in p for p in problems), problems
    assert check_rating(_credential(**kwargs), RatingRequirement())[0] is False


def test_the_best_of_several_ratings_counts() -> None:
    credential = _credential("3")
    credential["credentialSubject"]["result"].append(
        {"resultDescription": "urn:rd:1", "value": "4.9"}
    )
    assert check_rating(credential, RatingRequirement(Decimal("4.9"), Decimal("5")))[0] is True


@pytest.mark.parametrize(
    "value",
    [
        {"minimum": "6", "scale": "5"},
        {"minimum": "-1"},
        {"scale": "0"},
        {"scale": "-5"},
        {"minimum": "NaN"},
        {"minimum": "inf"},
        {"minimum": "1e999999999"},
        {"minimum": True},
        {"minimum": None},
        {"minimum": ["4"]},
        {"minimum": "9" * 41},
        {"minimum": "1.0000000000001"},
        {"other": "1"},
        "4.5",
        ["4.5", "5"],
    ],
)
def test_hostile_requirements_are_refused(value: Any) -> None:
    with pytest.raises(InvalidInputError):
        RatingRequirement.from_json(value)
    with pytest.raises(InvalidInputError):
        Policy.from_json({"rating": value})


def test_a_french_decimal_comma_is_read() -> None:
    requirement = RatingRequirement.from_json({"minimum": "4,5", "scale": 10})
    assert requirement == RatingRequirement(Decimal("4.5"), Decimal("10"))


@pytest.mark.parametrize(
    "kinds", [[], ["platform", "pirate"], "platform", [1], [None], {"platform": True}]
)
def test_hostile_issuer_kinds_are_refused(kinds: Any) -> None:
    with pytest.raises(InvalidInputError):
        Policy.from_json({"issuer_kinds": kinds})


def test_policy_round_trips() -> None:
    policy = Policy.from_json(
        {
            "require_trusted_issuer": True,
            "issuer_kinds": ["platform"],
            "rating": {"minimum": "9", "scale": "10"},
        }
    )
    assert Policy.from_json(policy.to_json()) == policy
    assert policy.to_json()["rating"] == {"minimum": "9", "scale": "10"}
    # the policies stored before ratings existed still read
    assert Policy.from_json({"require_trusted_issuer": False, "accepted_formats": None}) == Policy()


@pytest.mark.parametrize("value", ["1e999999999", "1e-999999999", "9" * 200])
def test_numbers_too_large_to_be_ratings_do_not_overflow(value: str) -> None:
    for credential in (_credential(value), _credential("4.8", high=value)):
        ok, reason = check_rating(credential, RatingRequirement())
        assert ok is False
        assert reason.startswith("no rating here")
