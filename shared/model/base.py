"""Base classes and value types shared by the credential models.

Wire names are camelCase (``validFrom``); Python names are snake_case
(``valid_from``). Both are accepted on input; output always uses the wire
names. Every model here describes an extensible JSON-LD document, so unknown
properties are kept (``extra="allow"``) and written back out unchanged.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, TypeAlias, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, PlainSerializer
from pydantic.alias_generators import to_camel

__all__ = [
    "DateTimeStamp",
    "OneOrMany",
    "VcModel",
    "as_list",
    "format_datetime",
    "parse_datetime_stamp",
]

# XML Schema 1.1 dateTimeStamp: a dateTime with a mandatory time zone.
# ASCII digits only; a zone offset of at most 23:59 (XSD timezoneFrag).
_DATE_TIME_STAMP = re.compile(
    r"(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})T(?P<time>[0-9]{2}:[0-9]{2}:[0-9]{2})(?P<frac>\.[0-9]+)?"
    r"(?P<tz>Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])"
)


_A_DAY = timedelta(hours=24)


def parse_datetime_stamp(value: object, *, field: str = "date") -> datetime:
    """Parse an XSD ``dateTimeStamp`` string into a timezone-aware datetime.

    VCDM 2.0 ``validFrom``/``validUntil`` "MUST be an [XMLSCHEMA11-2]
    dateTimeStamp string value"; VCDM 1.1 ``issuanceDate`` is an RFC 3339
    date-time, which also carries a time zone. Dates without a time or a time
    zone are refused. Fractions beyond microseconds are truncated.

    Raises:
        ValueError: with a readable message (pydantic turns it into a
            validation error; :func:`shared.model.parse_credential` into a
            :class:`~shared.errors.MalformedCredentialError`).
    """
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"{field} must carry a time zone")
        return value
    if not isinstance(value, str):
        raise ValueError(f"{field} must be a date-time string, not {type(value).__name__}")
    match = _DATE_TIME_STAMP.fullmatch(value)
    if match is None:
        raise ValueError(
            f"{field} {value!r} is not a date-time with a time zone "
            "(expected e.g. 2024-05-01T09:30:00Z)"
        )
    frac = (match["frac"] or "")[:7]  # "." + at most 6 digits
    tz = "+00:00" if match["tz"] == "Z" else match["tz"]
    try:
        parsed = datetime.fromisoformat(f"{match['date']}T{match['time']}{frac}{tz}")
    except ValueError as err:
        raise ValueError(f"{field} {value!r} is not a valid date-time: {err}") from err
    offset = parsed.utcoffset()
    if offset is None or abs(offset) >= _A_DAY:  # pragma: no cover
        raise ValueError(f"{field} {value!r} has an invalid time zone")
    return parsed


def format_datetime(value: datetime) -> str:
    """Format an aware datetime as ``YYYY-MM-DDThh:mm:ss[.ffffff]Z`` (UTC).

    Raises:
        ValueError: ``value`` is naive.
    """
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("datetime must be timezone-aware")
    utc = value.astimezone(UTC)
    text = utc.replace(tzinfo=None).isoformat(
        timespec="microseconds" if utc.microsecond else "seconds"
    )
    return text + "Z"


def _serialize_datetime(value: datetime) -> str:
    return format_datetime(value)


def _validate_datetime(value: object) -> datetime:
    if isinstance(value, date) and not isinstance(value, datetime):
        raise ValueError("a date-time with a time zone is required, not a bare date")
    return parse_datetime_stamp(value)


DateTimeStamp = Annotated[
    datetime,
    BeforeValidator(_validate_datetime),
    PlainSerializer(_serialize_datetime, return_type=str, when_used="json"),
]
"""A timezone-aware datetime read from / written as an XSD dateTimeStamp (UTC, ``Z``)."""

_T = TypeVar("_T")
OneOrMany: TypeAlias = _T | list[_T]
"""A JSON-LD value that may be one item or an array of items."""


def as_list(value: Any) -> list[Any]:
    """Return ``value`` as a list (``None`` -> ``[]``, scalar -> ``[scalar]``)."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def parse_datetime(value: Any, field_name: str) -> datetime:
    """Parse an XML Schema dateTimeStamp (VC DM 2.0 §4.6); a time zone is required."""
    if not isinstance(value, str):
        raise ValueError(f"{field_name} is not a date-time string")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as err:
        raise ValueError(f"{field_name} {value!r} is not an ISO 8601 date-time") from err
    if parsed.tzinfo is None:
        raise ValueError(f"{field_name} {value!r} has no time zone")
    return parsed


def issuer_id(credential: dict[str, Any]) -> str | None:
    """The issuer's identifier, whether ``issuer`` is a string or an object."""
    issuer = credential.get("issuer")
    if isinstance(issuer, dict):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else None


def holder_id(presentation: dict[str, Any]) -> str | None:
    """The presentation's holder id (string or object with id)."""
    holder = presentation.get("holder")
    if isinstance(holder, dict):
        holder = holder.get("id")
    return holder if isinstance(holder, str) else None


def subject_ids(credential: dict[str, Any]) -> set[str]:
    """Every credentialSubject id of a credential."""
    subjects = credential.get("credentialSubject")
    subjects = subjects if isinstance(subjects, list) else [subjects]
    return {s["id"] for s in subjects if isinstance(s, dict) and isinstance(s.get("id"), str)}


class VcModel(BaseModel):
    """Base of every credential-document model: camelCase aliases, extras kept."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        extra="allow",
        frozen=True,
    )

    def to_json(self) -> dict[str, Any]:
        """Return the JSON document: wire names, ``None`` fields dropped."""
        return self.model_dump(by_alias=True, exclude_none=True, mode="json")
