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
from shared.model.cec import role_code

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


#: role words a spreadsheet may use, beside the codes and the labels (shared.model.cec)
ROLE_WORDS = {
    "bureau": "board",
    "direction": "board",
    "conseil d'administration": "board",
    "ca": "board",
    "dirigeant": "board",
    "dirigeante": "board",
    "encadrement": "supervision",
    "encadrant": "supervision",
    "encadrante": "supervision",
    "autre": "other",
}
HOURS_PER_DAY = 24


def parse_cec_role(text: str | None) -> str | None:
    """The CEC role code of a cell or form value (a code, a label, or a usual word); None
    when it is none of them (then it is a free-text role)."""
    if not text:
        return None
    return role_code(text) or ROLE_WORDS.get(" ".join(text.split()).casefold())


def parse_year(text: str) -> int | None:
    """A civil year (``2025``); empty is None, anything else raises ValueError."""
    text = text.strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit() and len(text) == 4 and 1900 < int(text) < 2200):
        raise ValueError(f"not a year: {text!r}")
    return int(text)


def volunteering_problems(
    cec_role: str | None, hours: Decimal | None, start: datetime | None, end: datetime | None
) -> list[tuple[str, str]]:
    """(field, code) of what the CEC asks and this offer lacks (issuer.service.results
    refuses the same at the API): ``cec-needs-hours``, ``cec-needs-period``,
    ``period-not-one-year``, ``hours-exceed-period``."""
    found: list[tuple[str, str]] = []
    if cec_role and hours is None:
        found.append(("hours", "cec-needs-hours"))
    if cec_role and (start is None or end is None):
        found.append(("year", "cec-needs-period"))
    if cec_role and start and end and start.year != end.year:
        found.append(("end", "period-not-one-year"))
    days = (end.date() - start.date()).days + 1 if start and end else 0
    if hours is not None and days > 0 and hours > HOURS_PER_DAY * days:
        found.append(("hours", "hours-exceed-period"))
    return found


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
    name_in_clear: bool = False,
) -> OfferIn:
    """The admin API's body for one person's offer."""
    return OfferIn.model_validate(
        {
            "achievement": achievement,
            "recipient": {
                "name": name[:200],
                "email": email or None,
                "name_in_clear": name_in_clear,
            },
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
