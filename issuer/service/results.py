"""Results checked against their descriptions, and what a platform rating implies.

Every result must lie within its description's ``valueMin``..``valueMax`` (OB 3.0
``ResultDescription``): a rating of 6 on a 0-5 scale, or negative hours, is refused when the
offer is made, not discovered by a verifier. A rating (``ext:Rating``, Musette's extension of
OB 3.0's extensible ``ResultType``) needs its period (the subject's activity dates) and holds
for ``RATING_VALIDITY`` after the period ends (``validUntil``): a newer rating is expected by
then (docs/decisions/rating-credentials.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from issuer.schemas import SubjectIn
from issuer.service.recipients import HOURS_PER_DAY, volunteering_problems
from shared.errors import InvalidInputError

RATING_RESULT_TYPE = "ext:Rating"
VOLUNTEER_HOURS_RESULT_TYPE = "ext:VolunteerHours"
RATING_COUNT_RESULT_TYPE = "ext:RatingCount"
#: results beyond 10^±MAX_EXPONENT are refused (written out, 1e999999999 is a billion digits)
MAX_EXPONENT = 30
#: how long a rating holds after the end of its period
RATING_VALIDITY = timedelta(days=365)


def _bound(value: Any) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def check_results(descriptions: list[Mapping[str, Any]], subject: SubjectIn) -> None:
    """Refuse results outside their description's range, and a rating without its period.

    Raises:
        InvalidInputError: which result, which range.
    """
    by_id = {str(d.get("id")): d for d in descriptions}
    for rd_id, value in subject.results.items():
        if not value.is_finite():
            raise InvalidInputError(f"result {rd_id!r} must be a finite number")
        if value and abs(value.adjusted()) > MAX_EXPONENT:
            raise InvalidInputError(f"result {rd_id!r} is too large or too small a number")
        desc = by_id.get(rd_id)
        if desc is None:
            continue  # the caller says which results the achievement does not describe
        low, high = _bound(desc.get("value_min")), _bound(desc.get("value_max"))
        if low is not None and value < low:
            raise InvalidInputError(f"result {rd_id!r} must be at least {low} (got {value})")
        if high is not None and value > high:
            raise InvalidInputError(f"result {rd_id!r} must be at most {high} (got {value})")
        if desc.get("result_type") == RATING_RESULT_TYPE:
            if subject.activity_start_date is None or subject.activity_end_date is None:
                raise InvalidInputError(
                    f"a rating ({rd_id!r}) needs its period: activity_start_date and "
                    "activity_end_date"
                )
            if subject.activity_end_date < subject.activity_start_date:
                raise InvalidInputError("the rating period ends before it starts")
        if desc.get("result_type") == RATING_COUNT_RESULT_TYPE and value != value.to_integral():
            raise InvalidInputError(f"result {rd_id!r} (a number of ratings) must be whole")
    check_volunteering(descriptions, subject)


def check_volunteering(descriptions: list[Mapping[str, Any]], subject: SubjectIn) -> None:
    """What the CEC asks of a volunteer badge (docs/decisions/cec-rules.md): a role from the closed
    list goes with the hours and a period within one civil year; hours never exceed 24 h a day of
    the period (Code du travail D5151-14 counts hours per civil year). The same rule as the
    console's form and the CSV batch (recipients.volunteering_problems).

    Raises:
        InvalidInputError: saying what is missing or how many hours the period allows.
    """
    kinds = {str(d.get("id")): d.get("result_type") for d in descriptions}
    hours_ids = [i for i in subject.results if kinds.get(i) == VOLUNTEER_HOURS_RESULT_TYPE]
    hours = sum((subject.results[i] for i in hours_ids), Decimal(0)) if hours_ids else None
    start, end = subject.activity_start_date, subject.activity_end_date
    if subject.cec_role is not None and VOLUNTEER_HOURS_RESULT_TYPE not in kinds.values():
        raise InvalidInputError(
            "a volunteer role (cec_role) goes with the hours: this badge records none"
        )
    if start and end and end < start:
        raise InvalidInputError("the period ends before it starts")
    for _, code in volunteering_problems(subject.cec_role, hours, start, end):
        if code == "cec-needs-hours":
            raise InvalidInputError("a volunteer role (cec_role) needs the number of hours")
        if code == "cec-needs-period":
            raise InvalidInputError(
                "a volunteer role (cec_role) needs its period: a civil year, or start and "
                "end dates within one year"
            )
        if code == "period-not-one-year" and start and end:
            raise InvalidInputError(
                f"the period must lie within one civil year ({start.date()} to {end.date()} "
                "crosses a new year): issue one badge per year"
            )
        if code == "hours-exceed-period" and start and end:
            days = (end.date() - start.date()).days + 1
            raise InvalidInputError(
                f"{hours} hours do not fit in the period: {days} day(s) allow at most "
                f"{HOURS_PER_DAY * days}"
            )


def is_rating(descriptions: list[Mapping[str, Any]], subject: SubjectIn) -> bool:
    """Whether the subject carries a result described as a rating (ext:Rating)."""
    rated = {str(d.get("id")) for d in descriptions if d.get("result_type") == RATING_RESULT_TYPE}
    return bool(rated & set(subject.results))


def rating_valid_until(
    descriptions: list[Mapping[str, Any]], subject: SubjectIn
) -> datetime | None:
    """``validUntil`` of a credential carrying a rating: its period's end + RATING_VALIDITY."""
    if subject.activity_end_date is None or not is_rating(descriptions, subject):
        return None
    return subject.activity_end_date + RATING_VALIDITY
