"""A platform rating inside an Open Badges 3.0 credential, and "at least X out of Y".

A rating is a ``Result`` whose ``resultDescription`` names a ``ResultDescription`` of the
achievement with ``resultType`` ``ext:Rating`` (OB 3.0 §B.1 "ResultType" is an extensible
enumeration: extensions start with ``ext:``) and a scale ``valueMin``..``valueMax``. Any other
number (hours, a count of ratings, a grade) is not a rating, whatever its value.

"X out of Y" reads as a fraction of the top of the scale: a rating ``v`` on a scale up to
``max`` meets it when ``v / max >= X / Y`` (compared exactly, as ``v * Y >= X * max``).
4.8 out of 5 therefore meets "4.5 out of 5" and "9 out of 10", and not "4.9 out of 5".
Scales that start below zero have no such reading and are refused
(docs/decisions/rating-credentials.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from shared.errors import InvalidInputError

RATING_RESULT_TYPE = "ext:Rating"
RATING_COUNT_RESULT_TYPE = "ext:RatingCount"
#: the most digits a threshold or scale may have (a recruiter types them)
MAX_DIGITS = 12
#: numbers in a credential beyond 10^±MAX_EXPONENT are not read (no rating is that large,
#: and their products would overflow the decimal context)
MAX_EXPONENT = 30


def parse_amount(value: Any, what: str) -> Decimal:
    """A finite, non-negative decimal number from a JSON number or string."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise InvalidInputError(f"{what} must be a number")
    text = str(value).strip().replace(",", ".")
    if not text or len(text) > 40:
        raise InvalidInputError(f"{what} must be a number")
    try:
        number = Decimal(text)
    except InvalidOperation as err:
        raise InvalidInputError(f"{what} must be a number, not {text!r}") from err
    if not number.is_finite() or number < 0:
        raise InvalidInputError(f"{what} must be a finite number, zero or more")
    if len(number.as_tuple().digits) > MAX_DIGITS:
        raise InvalidInputError(f"{what} has too many digits")
    return number


@dataclass(frozen=True)
class RatingRequirement:
    """The rating must be at least ``minimum`` out of ``scale``."""

    minimum: Decimal = Decimal("4.5")
    scale: Decimal = Decimal("5")

    def __post_init__(self) -> None:
        if self.scale <= 0:
            raise InvalidInputError("the scale must be greater than zero")
        if self.minimum < 0 or self.minimum > self.scale:
            raise InvalidInputError(
                f"the minimum rating must be between 0 and the scale ({self.scale})"
            )

    @classmethod
    def from_json(cls, value: Any) -> RatingRequirement:
        if not isinstance(value, Mapping):
            raise InvalidInputError("rating must be an object with 'minimum' and 'scale'")
        unknown = set(value) - {"minimum", "scale"}
        if unknown:
            raise InvalidInputError(f"unknown rating members {sorted(unknown)}")
        defaults = cls()
        minimum = value.get("minimum", defaults.minimum)
        scale = value.get("scale", defaults.scale)
        return cls(parse_amount(minimum, "rating.minimum"), parse_amount(scale, "rating.scale"))

    def to_json(self) -> dict[str, str]:
        return {"minimum": plain_number(self.minimum), "scale": plain_number(self.scale)}


@dataclass(frozen=True)
class FoundRating:
    value: Decimal
    value_min: Decimal
    value_max: Decimal

    def on_scale(self, scale: Decimal) -> Decimal:
        """The rating as a value out of ``scale`` (for display; the check compares exactly)."""
        return self.value * scale / self.value_max


def plain_number(number: Decimal) -> str:
    return format(number.normalize(), "f")


def read_number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = Decimal(str(value).strip()[:100])
    except InvalidOperation:
        return None
    if not number.is_finite() or (number and abs(number.adjusted()) > MAX_EXPONENT):
        return None
    return number


def listed_values(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value] if value is not None else []


def subject_and_achievement(
    credential: Mapping[str, Any],
) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    """(subject, achievement), in the W3C layout or the SD-JWT VC one (achievement on top)."""
    subject = credential.get("credentialSubject")
    subject = subject if isinstance(subject, Mapping) else {}
    achievement = subject.get("achievement", credential.get("achievement"))
    return subject, achievement if isinstance(achievement, Mapping) else {}


def find_ratings(credential: Any) -> tuple[list[FoundRating], list[str]]:
    """The usable ratings of a credential, and why any other ``ext:Rating`` result is not."""
    if not isinstance(credential, Mapping):
        return [], []
    subject, achievement = subject_and_achievement(credential)
    descriptions = {
        d["id"]: d
        for d in listed_values(achievement.get("resultDescription"))
        if isinstance(d, Mapping) and isinstance(d.get("id"), str)
    }
    found: list[FoundRating] = []
    problems: list[str] = []
    for result in listed_values(subject.get("result")):
        if not isinstance(result, Mapping):
            continue
        desc = descriptions.get(str(result.get("resultDescription")))
        if desc is None or desc.get("resultType") != RATING_RESULT_TYPE:
            continue
        value = read_number(result.get("value"))
        low, high = read_number(desc.get("valueMin")), read_number(desc.get("valueMax"))
        if value is None:
            problems.append("the rating has no numeric value (it may not be disclosed)")
        elif low is None or high is None:
            problems.append("the rating gives no scale (valueMin and valueMax)")
        elif low < 0 or high <= low:
            problems.append(f"the rating scale {low}..{high} cannot be compared")
        elif not low <= value <= high:
            problems.append(f"the rating {value} is outside its own scale {low}..{high}")
        else:
            found.append(FoundRating(value, low, high))
    return found, problems


def check_rating(credential: Any, requirement: RatingRequirement) -> tuple[bool, str]:
    """(met, reason in English) for one credential."""
    found, problems = find_ratings(credential)
    want = f"at least {plain_number(requirement.minimum)} out of {plain_number(requirement.scale)}"
    if not found:
        why = "; ".join(problems) if problems else "it has no result of type ext:Rating"
        return False, f"no rating here ({why}): a rating {want} is required"
    for rating in found:
        # "X out of Y": v / max >= X / Y, exactly (no rounding)
        if rating.value * requirement.scale >= requirement.minimum * rating.value_max:
            return True, (
                f"the rating {plain_number(rating.value)} out of {plain_number(rating.value_max)} is {want}"
            )
    best = max(found, key=lambda r: r.value / r.value_max)
    return False, (
        f"the rating {plain_number(best.value)} out of {plain_number(best.value_max)} is below {want}"
    )
