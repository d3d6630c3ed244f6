"""What an offer says about one person, from text an admin typed or a spreadsheet exported.

Used by the one-person issue form (``issuer.api.forms``) and by the CSV batch
(``issuer.service.batch``), so both read dates and hours the same way and build the same
``OfferIn``.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

from issuer.schemas import Format, OfferIn

HOURS_ID = "hours"
MAX_HOURS = Decimal(100_000)
_DAY_FIRST = re.compile(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})")
_SPACES = str.maketrans("", "", " \u00a0\u202f\u2009")


def parse_day(value: str) -> datetime | None:
    """A day as midnight UTC: ``2026-03-01``, or day first ``01/03/2026`` / ``1.3.2026``.

    Empty text is ``None``; anything else that is not a real day raises ``ValueError``.
    """
    text = value.strip()
    if not text:
        return None
    found = _DAY_FIRST.fullmatch(text)
    day = (
        date(int(found.group(3)), int(found.group(2)), int(found.group(1)))
        if found
        else date.fromisoformat(text)
    )
    return datetime.combine(day, datetime.min.time(), tzinfo=UTC)


def parse_hours(value: str) -> Decimal | None:
    """A number of hours, ``7,5`` or ``7.5`` (spaces as thousands separators allowed).

    Empty text is ``None``; a negative, non-numeric or absurd value raises ``ValueError``.
    """
    text = value.translate(_SPACES).replace(",", ".")
    if not text:
        return None
    try:
        hours = Decimal(text)
    except InvalidOperation as err:
        raise ValueError(f"not a number: {value!r}") from err
    if not hours.is_finite() or hours < 0 or hours > MAX_HOURS:
        raise ValueError(f"not a number of hours: {value!r}")
    return hours


def year_period(year: int) -> tuple[datetime, datetime]:
    """A civil year as a period: 1 January to 31 December (midnight UTC)."""
    return (
        datetime(year, 1, 1, tzinfo=UTC),
        datetime(year, 12, 31, tzinfo=UTC),
    )


def offer_body(
    achievement: str,
    *,
    name: str,
    email: str | None,
    role: str | None,
    cec_role: str | None = None,
    start: datetime | None,
    end: datetime | None,
    results: dict[str, Decimal],
    narrative: str | None,
    formats: list[Format],
    tx_code: bool,
    suspendable: bool,
    language: str,
) -> OfferIn:
    """The admin API's body for one person's offer."""
    return OfferIn.model_validate(
        {
            "achievement": achievement,
            "recipient": {"name": name[:200], "email": email or None},
            "subject": {
                "role": (role or "")[:500] or None,
                "cec_role": cec_role,
                "activity_start_date": start,
                "activity_end_date": end,
                "results": results,
                "narrative": (narrative or "")[:10000] or None,
            },
            "formats": formats,
            "tx_code": tx_code,
            "suspendable": suspendable,
            "language": language if language in ("fr", "en") else "fr",
        }
    )
