"""Volunteer hours inside an Open Badges 3.0 credential, and "at least N hours in year Y,
eligible role".

Hours are a ``Result`` whose ``resultDescription`` names a ``ResultDescription`` of the
achievement with ``resultType`` ``ext:VolunteerHours`` (OB 3.0 §B.1 "ResultType" is an
extensible enumeration: extensions start with ``ext:``). Any other number (a rating, a count
of ratings, a grade) is not hours, whatever its value. The period is the subject's
``activityStartDate``/``activityEndDate``; for a year, both must fall in it (hours of a period
across two years cannot be split). The role is ``credentialSubject.role``, written as one of
the fixed CEC labels (shared.model.cec); board and supervision are eligible (Code du travail,
art. L5151-9). See docs/decisions/volunteer-hours-template.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from shared.errors import InvalidInputError
from shared.model.cec import role_code
from verifier.service.rating import (
    listed_values,
    parse_amount,
    plain_number,
    read_number,
    subject_and_achievement,
)

VOLUNTEER_HOURS_RESULT_TYPE = "ext:VolunteerHours"
#: the roles the CEC counts (Code du travail, art. L5151-9)
ELIGIBLE_ROLES = frozenset({"board", "supervision"})
#: the most hours one civil year holds (366 days of 24 hours)
MAX_HOURS_IN_A_YEAR = Decimal(366 * 24)
YEARS = range(1901, 2100)
_TRUE = {"true", "1", "yes", "on", "oui"}
_FALSE = {"false", "0", "no", "off", "non"}


def _year(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InvalidInputError("volunteering.year must be a year such as 2025")
    text = str(value).strip()
    if not text.isascii() or not text.isdigit() or len(text) != 4 or int(text) not in YEARS:
        raise InvalidInputError(
            f"volunteering.year must be a year between {YEARS[0]} and {YEARS[-1]}"
        )
    return int(text)


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise InvalidInputError("volunteering.eligible_role must be true or false")


@dataclass(frozen=True)
class VolunteeringRequirement:
    """At least ``min_hours`` hours (in civil ``year`` when set), in an eligible role when
    ``eligible_role``."""

    min_hours: Decimal = Decimal(200)
    year: int | None = None
    eligible_role: bool = True

    def __post_init__(self) -> None:
        if not 0 < self.min_hours <= MAX_HOURS_IN_A_YEAR:
            raise InvalidInputError(
                f"the minimum hours must be more than 0 and at most {MAX_HOURS_IN_A_YEAR}"
            )
        if self.year is not None and self.year not in YEARS:
            raise InvalidInputError("the year is out of range")

    @classmethod
    def from_json(cls, value: Any) -> VolunteeringRequirement:
        if not isinstance(value, Mapping):
            raise InvalidInputError(
                "volunteering must be an object with 'min_hours', 'year' and 'eligible_role'"
            )
        unknown = set(value) - {"min_hours", "year", "eligible_role"}
        if unknown:
            raise InvalidInputError(f"unknown volunteering members {sorted(unknown)}")
        defaults = cls()
        return cls(
            parse_amount(value.get("min_hours", defaults.min_hours), "volunteering.min_hours"),
            _year(value.get("year")),
            _flag(value.get("eligible_role", defaults.eligible_role)),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "min_hours": plain_number(self.min_hours),
            "year": self.year,
            "eligible_role": self.eligible_role,
        }

    def words(self) -> str:
        """In English, for reasons: "at least 200 hours in 2026, in an eligible role"."""
        out = f"at least {plain_number(self.min_hours)} hours"
        out += f" in {self.year}" if self.year is not None else ""
        return out + (" in an eligible role (board or supervision)" if self.eligible_role else "")


@dataclass(frozen=True)
class FoundVolunteering:
    """What the credential says: its hours, the period's year (None: none, or two years),
    and the role code (None: not one of the CEC roles)."""

    hours: Decimal | None
    year: int | None
    role: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "hours": None if self.hours is None else plain_number(self.hours),
            "period_year": self.year,
            "role": self.role,
        }


def _date(value: Any) -> datetime | None:
    if not isinstance(value, str) or len(value) > 64:
        return None
    try:
        return datetime.fromisoformat(value.strip())
    except ValueError:
        return None


def _hours(subject: Mapping[str, Any], achievement: Mapping[str, Any]) -> tuple[Any, str]:
    """(the hours, or None, why there are none)."""
    described = {
        d["id"]
        for d in listed_values(achievement.get("resultDescription"))
        if isinstance(d, Mapping)
        and isinstance(d.get("id"), str)
        and d.get("resultType") == VOLUNTEER_HOURS_RESULT_TYPE
    }
    values = [
        result.get("value")
        for result in listed_values(subject.get("result"))
        if isinstance(result, Mapping) and str(result.get("resultDescription")) in described
    ]
    if not values:
        return None, f"it has no result of type {VOLUNTEER_HOURS_RESULT_TYPE}"
    if len(values) > 1:
        return None, "it records hours more than once"
    hours = read_number(values[0])
    if hours is None:
        return None, "the hours have no numeric value (they may not be disclosed)"
    if not 0 <= hours <= MAX_HOURS_IN_A_YEAR:
        return None, f"{plain_number(hours)} hours is not a number of hours a year can hold"
    return hours, ""


def assess_volunteering(
    credential: Any, requirement: VolunteeringRequirement
) -> tuple[bool, str, FoundVolunteering]:
    """(met, reason in English, what was found) for one credential."""
    want = requirement.words()
    if not isinstance(credential, Mapping):
        return (
            False,
            f"no volunteer hours here: {want} are required",
            FoundVolunteering(None, None, None),
        )
    subject, achievement = subject_and_achievement(credential)
    hours, why = _hours(subject, achievement)
    start = _date(subject.get("activityStartDate"))
    end = _date(subject.get("activityEndDate"))
    one_year = start is not None and end is not None and start.year == end.year
    role = role_code(subject.get("role"))
    found = FoundVolunteering(hours, start.year if one_year and start else None, role)
    if hours is None:
        return False, f"no volunteer hours here ({why}): {want} are required", found
    problems = []
    if hours < requirement.min_hours:
        problems.append(
            f"{plain_number(hours)} hours is fewer than {plain_number(requirement.min_hours)}"
        )
    if start is not None and end is not None and end < start:
        problems.append("the period ends before it starts")
    if requirement.year is not None:
        if start is None or end is None:
            problems.append("it gives no period (activityStartDate and activityEndDate)")
        elif not one_year:
            problems.append(
                f"its period {start.date()} to {end.date()} spans two years, "
                "so its hours cannot be counted for one"
            )
        elif start.year != requirement.year:
            problems.append(f"its period is in {start.year}, not {requirement.year}")
    if requirement.eligible_role and role not in ELIGIBLE_ROLES:
        problems.append(
            "its role is not one the CEC counts (board or supervision)"
            if role
            else "its role is not one of the CEC roles (board, supervision or other)"
        )
    what = f"{plain_number(hours)} hours" + (f" in {found.year}" if found.year else "")
    what += f", role {role}" if role else ""
    if problems:
        return False, f"{what}: {'; '.join(problems)}; {want} are required", found
    return True, f"{what} meets {want}", found


def check_volunteering(credential: Any, requirement: VolunteeringRequirement) -> tuple[bool, str]:
    """(met, reason in English) for one credential."""
    met, reason, _found = assess_volunteering(credential, requirement)
    return met, reason
