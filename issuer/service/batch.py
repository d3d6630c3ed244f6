"""Batch issuance: one CSV row per person, every row checked first, then one offer per row.

``preview_batch`` reads and checks a whole file without writing anything: the rows it
would issue and, for every problem, the line, the column and a message (an English msgid
with placeholders, translated by the caller). ``issue_batch`` creates the batch and one
offer per row with ``create_offer`` (the one-person code), in the caller's transaction:
all rows or none. ``email_batch`` writes the outbox emails once that transaction has
committed, so no email ever points to an offer that does not exist.

Columns (French or English headers, any case, accents optional) are documented in
docs/batch-issuance.md and on the console's batch page.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from issuer.db.models import Achievement as AchievementRow
from issuer.db.models import Batch, Offer, Organisation
from issuer.schemas import BatchOptionsIn, OfferIn
from issuer.service.oid4vci import CreatedOffer, create_offer, offer_urls
from issuer.service.outbox import deliver_email, offer_email, parse_email_address
from issuer.service.recipients import (
    HOURS_ID,
    offer_body,
    parse_cec_role,
    parse_day,
    parse_hours,
    parse_year,
    volunteering_problems,
    year_period,
)
from issuer.service.spreadsheet import read_table, write_csv
from issuer.settings import IssuerSettings
from shared.errors import InvalidInputError, NotFoundError
from shared.i18n import Gettext, local_date

MAX_CSV_BYTES = 512 * 1024
MAX_ROWS = 1000
MAX_CELL = 10_000
#: problems listed at most (a file of 1,000 bad rows gives a count, not 3,000 lines)
MAX_PROBLEMS = 200

#: column key → accepted headers (French and English); compared by ``header_key``
COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("nom", "name", "nom complet", "full name", "prénom et nom", "nom et prénom"),
    "email": ("courriel", "email", "e-mail", "mail", "adresse e-mail", "email address"),
    "role": ("rôle", "role", "fonction"),
    "start": ("début", "start", "date de début", "start date"),
    "end": ("fin", "end", "date de fin", "end date"),
    "year": ("année", "year", "année civile", "civil year"),
    "hours": ("heures", "hours", "nombre d'heures", "number of hours"),
    "narrative": ("récit", "narrative", "commentaire", "comment"),
}
#: the template's headers, per language
TEMPLATE_HEADERS = {
    "fr": {
        "name": "nom",
        "email": "courriel",
        "role": "rôle",
        "start": "début",
        "end": "fin",
        "year": "année",
        "hours": "heures",
        "narrative": "récit",
    },
    "en": {
        "name": "name",
        "email": "email",
        "role": "role",
        "start": "start",
        "end": "end",
        "year": "year",
        "hours": "hours",
        "narrative": "narrative",
    },
}
#: the volunteering problems of a row (recipients.volunteering_problems), msgids
VOLUNTEERING_PROBLEMS = {
    "cec-needs-hours": "Line {line}: a volunteer role (board, supervision, other) needs the hours.",
    "cec-needs-period": "Line {line}: a volunteer role needs its period: a civil year, or start "
    "and end dates within one year.",
    "period-not-one-year": "Line {line}: the period must lie within one civil year; "
    "write one line per year.",
    "hours-exceed-period": "Line {line}: more hours than the period holds (at most 24 hours a day).",
}
_LIMITS = {"name": 200, "email": 200, "role": 500, "narrative": MAX_CELL}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class BatchRowsError(InvalidInputError):
    """Some rows of a CSV batch are not valid; nothing was issued (``errors`` lists them)."""

    code = "batch-rows-invalid"
    status = 422
    title = "Some rows of the CSV file are not valid"


def header_key(text: str) -> str:
    """A header compared loosely: no accents, no case, no spaces or punctuation."""
    plain = unicodedata.normalize("NFKD", text.strip().lstrip("\ufeff"))
    return "".join(c for c in plain if c.isalnum()).casefold()


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file: where, and a message id with its placeholders."""

    line: int
    column: str | None
    code: str
    msgid: str
    values: dict[str, Any] = field(default_factory=dict)

    def message(self, t: Gettext) -> str:
        return t(self.msgid, **self.values)

    def to_json(self, t: Gettext) -> dict[str, Any]:
        return {
            "line": self.line,
            "column": self.column,
            "code": self.code,
            "message": self.message(t),
        }


@dataclass(frozen=True)
class BatchRow:
    line: int
    offer: OfferIn


@dataclass
class BatchPreview:
    rows: list[BatchRow]
    problems: list[Problem]
    #: column keys found, in file order (result ids for result columns)
    columns: list[str]
    delimiter: str
    encoding: str
    total_problems: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.rows)


def _columns_for(achievement: AchievementRow) -> dict[str, str]:
    """Normalised header → column key; result columns are ``result:<id>``."""
    found: dict[str, str] = {}
    described = achievement.content.get("result_descriptions", [])
    for rd in described:
        names = [rd["id"], *(v for v in (rd.get("name") or {}).values() if v)]
        for name in names:
            found.setdefault(header_key(name), f"result:{rd['id']}")
    for key, aliases in COLUMNS.items():
        for alias in aliases:
            if key == "hours":
                # hours are the "hours" result; a badge without it has no hours column
                found.setdefault(header_key(alias), f"result:{HOURS_ID}")
            else:
                found.setdefault(header_key(alias), key)
    return found


def _any_known(text: str) -> bool:
    key = header_key(text)
    return any(header_key(a) == key for aliases in COLUMNS.values() for a in aliases)


class _Problems:
    def __init__(self) -> None:
        self.items: list[Problem] = []
        self.total = 0

    def add(self, at: int, where: str | None, code: str, msgid: str, /, **values: Any) -> None:
        """Count a problem (at line ``at``, column ``where``); keep the first MAX_PROBLEMS."""
        self.total += 1
        if len(self.items) < MAX_PROBLEMS:
            self.items.append(Problem(at, where, code, msgid, {"line": at, **values}))


def _header(
    header: Sequence[str], line: int, achievement: AchievementRow, problems: _Problems
) -> list[str | None]:
    """The column key of each header cell (None: ignored, because it is reported)."""
    lookup = _columns_for(achievement)
    described = {rd["id"] for rd in achievement.content.get("result_descriptions", [])}
    keys: list[str | None] = []
    seen: dict[str, str] = {}
    for cell in header:
        key = lookup.get(header_key(cell)) if cell else None
        if not cell:
            problems.add(
                line, None, "empty-header", "Line {line}: a column has no name.", line=line
            )
        elif key is None:
            problems.add(
                line,
                cell,
                "unknown-column",
                "Line {line}: the column “{column}” is unknown. Rename it or remove it.",
                column=cell,
                line=line,
            )
        elif key.startswith("result:") and key[7:] not in described:
            problems.add(
                line,
                cell,
                "no-hours",
                "Line {line}: this badge does not record hours; remove the column “{column}” "
                "or add hours to the badge.",
                column=cell,
                line=line,
            )
            key = None
        elif key in seen:
            problems.add(
                line,
                cell,
                "duplicate-column",
                "Line {line}: the columns “{first}” and “{column}” say the same thing; keep one.",
                first=seen[key],
                column=cell,
                line=line,
            )
            key = None
        else:
            seen[key] = cell
        keys.append(key)
    if "name" not in seen:
        problems.add(
            line,
            None,
            "no-name-column",
            "Line {line}: there is no column for the name (“nom” or “name”).",
            line=line,
        )
    return keys


def _check_text(key: str, value: str, line: int, column: str, problems: _Problems) -> bool:
    limit = _LIMITS.get(key, MAX_CELL)
    if len(value) > limit:
        problems.add(
            line,
            column,
            "too-long",
            "Line {line}: “{column}” is too long ({limit} characters at most).",
            line=line,
            column=column,
            limit=limit,
        )
        return False
    if _CONTROL.search(value) or (key != "narrative" and "\n" in value):
        problems.add(
            line,
            column,
            "control-character",
            "Line {line}: “{column}” contains a line break or an invisible character.",
            line=line,
            column=column,
        )
        return False
    return True


def _row(
    line: int,
    cells: list[str],
    header: list[str],
    keys: list[str | None],
    achievement: AchievementRow,
    options: BatchOptionsIn,
    problems: _Problems,
) -> OfferIn | None:
    before = problems.total
    extra = cells[len(header) :]
    if any(c.strip() for c in extra) or len(cells) < len(header):
        problems.add(
            line,
            None,
            "too-many-cells" if extra else "too-few-cells",
            "Line {line} has {count} cells but the header has {columns} columns. "
            "Check the separator (comma or semicolon) and the quotes.",
            count=len(cells),
            columns=len(header),
        )
        return None
    values: dict[str, str] = {}
    for key, column, cell in zip(keys, header, cells, strict=False):
        if key is None:
            continue
        value = cell.strip()
        if _check_text(key, value, line, column, problems):
            values[key] = value
    cols = {k: c for k, c in zip(keys, header, strict=False) if k}
    name = values.get("name", "")
    if "name" in cols and not name and "name" in values:
        problems.add(
            line, cols["name"], "missing-name", "Line {line}: the name is missing.", line=line
        )
    email = values.get("email") or None
    if email is not None:
        try:
            email = parse_email_address(email)
        except InvalidInputError:
            problems.add(
                line,
                cols["email"],
                "bad-email",
                "Line {line}: “{value}” is not an email address.",
                line=line,
                value=email[:80],
            )
    days: dict[str, datetime | None] = {}
    for key in ("start", "end"):
        try:
            days[key] = parse_day(values.get(key, ""))
        except ValueError:
            days[key] = None
            problems.add(
                line,
                cols[key],
                "bad-date",
                "Line {line}: “{value}” is not a date; write 2026-03-01 or 01/03/2026.",
                line=line,
                value=values.get(key, "")[:80],
            )
    try:
        year = parse_year(values.get("year", ""))
    except ValueError:
        year = None
        problems.add(
            line,
            cols["year"],
            "bad-year",
            "Line {line}: “{value}” is not a year; write 2025.",
            line=line,
            value=values.get("year", "")[:80],
        )
    if year is not None and (days["start"] or days["end"]):
        problems.add(
            line,
            cols["year"],
            "year-and-dates",
            "Line {line}: give a civil year or start and end dates, not both.",
            line=line,
        )
    elif year is not None:
        days["start"], days["end"] = year_period(year)
    if days["start"] and days["end"] and days["end"] < days["start"]:
        problems.add(
            line,
            cols["end"],
            "end-before-start",
            "Line {line}: the end comes before the start.",
            line=line,
        )
    results: dict[str, Decimal] = {}
    for key, text in values.items():
        if not key.startswith("result:"):
            continue
        try:
            number = parse_hours(text)
        except ValueError:
            problems.add(
                line,
                cols[key],
                "bad-number",
                "Line {line}: “{value}” is not a number of hours (a positive number, "
                "for example 42 or 7,5).",
                line=line,
                value=text[:80],
            )
        else:
            if number is not None:
                results[key[7:]] = number
    cec_role = parse_cec_role(values.get("role"))
    if not (days["start"] and days["end"] and days["end"] < days["start"]):
        for where, code in volunteering_problems(
            cec_role, results.get(HOURS_ID), days["start"], days["end"]
        ):
            problem_column = cols.get(f"result:{HOURS_ID}" if where == "hours" else where)
            where_col = problem_column or cols.get("role")
            problems.add(line, where_col, code, VOLUNTEERING_PROBLEMS[code], line=line)
    if problems.total > before or "name" not in values:
        return None
    return offer_body(
        achievement.slug,
        name=name,
        email=email,
        role=None if cec_role else values.get("role"),
        cec_role=cec_role,
        start=days["start"],
        end=days["end"],
        results=results,
        narrative=values.get("narrative"),
        formats=list(options.formats),
        tx_code=options.tx_code,
        suspendable=options.suspendable,
        name_in_clear=options.name_in_clear,
        language=options.language or "fr",
    )


def _identity(offer: OfferIn) -> str:
    """What makes two rows the same row (spaces and case in names and emails ignored)."""
    data = offer.model_dump(mode="json")
    name = " ".join(offer.recipient.name.split()).casefold()
    data["recipient"] = {"name": name, "email": (offer.recipient.email or "").casefold()}
    return repr(sorted(data.items()))


def preview_batch(
    data: bytes, achievement: AchievementRow, options: BatchOptionsIn
) -> BatchPreview:
    """Read and check a whole CSV file; nothing is written.

    Raises CsvTooLargeError (413) and CsvFileError (422) for a file that cannot be read
    at all; row problems are in the result.
    """
    table = read_table(data, known=_any_known, max_rows=MAX_ROWS, max_bytes=MAX_CSV_BYTES)
    problems = _Problems()
    header = list(table.header)
    while header and not header[-1]:
        header.pop()  # spreadsheets export formatted but empty columns as trailing ";;"
    keys = _header(header, table.header_line, achievement, problems)
    rows: list[BatchRow] = []
    seen: dict[str, int] = {}
    for line, cells in table.rows:
        offer = _row(line, cells, header, keys, achievement, options, problems)
        if offer is None:
            continue
        identity = _identity(offer)
        if identity in seen:
            problems.add(
                line,
                None,
                "duplicate-row",
                "Line {line} repeats line {first}.",
                line=line,
                first=seen[identity],
            )
            continue
        seen[identity] = line
        rows.append(BatchRow(line, offer))
    if not table.rows:
        problems.add(
            table.header_line, None, "no-rows", "The file has a header but no person in it."
        )
    return BatchPreview(
        rows=rows,
        problems=problems.items,
        columns=[k for k in keys if k],
        delimiter=table.delimiter,
        encoding=table.encoding,
        total_problems=problems.total,
    )


# --------------------------------------------------------------------------- issuing


@dataclass(frozen=True)
class BatchResult:
    batch: Batch
    offers: list[CreatedOffer]


def issue_batch(
    session: Session,
    settings: IssuerSettings,
    master_secret: bytes,
    org: Organisation,
    org_base: str,
    achievement: AchievementRow,
    preview: BatchPreview,
    options: BatchOptionsIn,
    *,
    actor: str,
    now: datetime,
    filename: str | None = None,
    confirm_token: str | None = None,
) -> BatchResult:
    """One batch and one offer per row, in ``session``'s transaction (the caller commits)."""
    if not preview.ok:
        raise BatchRowsError("the file has problems; nothing was issued")
    batch = Batch(
        id=secrets.token_urlsafe(16),
        org_id=org.id,
        achievement_id=achievement.id,
        filename=(filename or "")[:200] or None,
        row_count=len(preview.rows),
        tx_code=options.tx_code,
        confirm_token=confirm_token,
        created_at=now,
        created_by=actor,
    )
    session.add(batch)
    session.flush()
    ttl = timedelta(hours=options.lifetime_hours)
    offers = [
        create_offer(
            session,
            settings,
            master_secret,
            org,
            org_base,
            row.offer,
            actor=actor,
            now=now,
            ttl=ttl,
            batch_id=batch.id,
            batch_line=row.line,
        )
        for row in preview.rows
    ]
    return BatchResult(batch, offers)


def find_batch(session: Session, org: Organisation, batch_id: str) -> Batch:
    batch = session.get(Batch, batch_id)
    if batch is None or batch.org_id != org.id:
        raise NotFoundError(f"no batch {batch_id}")
    return batch


def batch_by_token(session: Session, org: Organisation, token: str) -> Batch | None:
    """The batch a console confirmation already created (a reload re-posts the form)."""
    return session.scalars(
        select(Batch).where(Batch.org_id == org.id, Batch.confirm_token == token)
    ).first()


def batch_offers(session: Session, batch: Batch) -> list[Offer]:
    return list(
        session.scalars(
            select(Offer)
            .where(Offer.org_id == batch.org_id, Offer.batch_id == batch.id)
            .order_by(Offer.batch_line)
        )
    )


def email_batch(
    org: Organisation,
    achievement: AchievementRow,
    offers: Sequence[Offer],
    *,
    settings: IssuerSettings,
    org_base: str,
    translate: Callable[[str], Gettext],
    badge_name: Callable[[str], str],
    sender_host: str,
    now: datetime,
) -> dict[str, bool]:
    """Send (or write to the outbox) one email per offer that has an address; offer id → done.

    Call after the offers are committed. A failed write is reported, not raised: the
    offers exist, and the console can send that email again from the offer's page.
    """
    written: dict[str, bool] = {}
    for offer in offers:
        if not offer.recipient_email:
            continue
        _, link, wallet = offer_urls(settings, org_base, offer.id)
        message = offer_email(
            translate(offer.language),
            to=offer.recipient_email,
            org_name=org.name,
            badge=badge_name(offer.language),
            recipient_name=offer.recipient_name,
            wallet_link=wallet,
            offer_link=link,
            needs_tx_code=offer.tx_code_hash is not None,
            sender_host=sender_host,
            expires_at=offer.expires_at,
            language=offer.language,
        )
        try:
            deliver_email(settings, message, now)
        except (OSError, InvalidInputError):
            written[offer.id] = False
        else:
            written[offer.id] = True
    return written


# --------------------------------------------------------------------------- CSV out


def results_csv(
    settings: IssuerSettings,
    org_base: str,
    offers: Sequence[Offer],
    lang: str,
    t: Gettext,
    tx_codes: dict[str, str] | None = None,
) -> bytes:
    """The batch's results for a spreadsheet: one row per person, formulas neutralised."""
    header = [
        t("Line"),
        t("Name"),
        t("Email"),
        t("Wallet link"),
        t("Offer link"),
        t("QR code (PNG)"),
        t("Expires"),
    ]
    if tx_codes:
        header.append(t("Code"))
    rows = []
    for offer in offers:
        uri, link, wallet = offer_urls(settings, org_base, offer.id)
        row = [
            offer.batch_line,
            offer.recipient_name,
            offer.recipient_email or "",
            wallet,
            link,
            f"{uri}/qr.png",
            local_date(offer.expires_at, lang),
        ]
        if tx_codes:
            row.append(tx_codes.get(offer.id, ""))
        rows.append(row)
    return write_csv(header, rows, delimiter=";" if lang == "fr" else ",")


def template_csv(achievement: AchievementRow, lang: str) -> bytes:
    """An example file with the columns this badge accepts, in ``lang``."""
    names = TEMPLATE_HEADERS["fr" if lang == "fr" else "en"]
    described = [rd["id"] for rd in achievement.content.get("result_descriptions", [])]
    keys = ["name", "email", "role", "year", "start", "end"]
    header = [names[k] for k in keys]
    header += [names["hours"] if rid == HOURS_ID else rid for rid in described]
    header.append(names["narrative"])
    if lang == "fr":
        role = "encadrement" if HOURS_ID in described else "Encadrante"
        example = ["Léa Dubois", "lea@example.org", role, "", "01/03/2026", "30/06/2026"]
        narrative = "A encadré l'équipe du samedi."
        number = "7,5"
    else:
        role = "supervision" if HOURS_ID in described else "Team leader"
        example = ["Sam Taylor", "sam@example.org", role, "", "2026-03-01", "2026-06-30"]
        narrative = "Led the Saturday team."
        number = "7.5"
    example += [number for _ in described] + [narrative]
    return write_csv(header, [example], delimiter=";" if lang == "fr" else ",")
