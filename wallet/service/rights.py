"""« Mes droits »: an estimate of Compte d'engagement citoyen rights from volunteer badges.

Per civil year and per association, the hours of the person's volunteer badges that are
verified (on receipt), in force (not revoked, not suspended: the issuer's status list, read
now through :mod:`wallet.service.credential_status`) and not expired. The thresholds are
data (``wallet/rules/cec.json``, one dated entry per change of the law); this module only
applies them. It is an estimate for the person, not a decision: the public service « Le
Compte Bénévole » and the association's valideur decide (docs/decisions/cec-rules.md).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from importlib import resources
from typing import Any

from sqlalchemy.orm import Session

from shared.model.cec import AssociationFacts, association_facts, role_code
from shared.proofs.sd_jwt_vc import sd_jwt_claims_to_ob3
from shared.verify.context import VerifyContext
from wallet.service import storage
from wallet.service.accounts import Principal
from wallet.service.credential_status import (
    REVOKED,
    SUSPENDED,
    UNCHECKED,
    StatusFlag,
    check_status,
)

VOLUNTEER_HOURS = "ext:VolunteerHours"
#: an upper bound on any one badge's hours (24 h x 366 days), whatever it claims
_MAX_HOURS = Decimal(24 * 366)


@dataclass(frozen=True)
class RulesEntry:
    """One dated version of the CEC rules for associative volunteering."""

    applies_from_year: int
    checked_on: str
    eligible_roles: frozenset[str]
    min_hours_year: Decimal
    min_hours_one_association: Decimal
    association_min_years: int
    eligible_fields: frozenset[str]
    amount_eur: int
    cap_eur: int
    declare_until: str
    validate_until: str
    declare_at: str
    sources: dict[str, str]


def _value(entry: Mapping[str, Any], name: str) -> Any:
    item = entry[name]
    return item["value"] if isinstance(item, Mapping) else item


def load_rules(text: str | None = None) -> list[RulesEntry]:
    """The dated rule entries, oldest first (``wallet/rules/cec.json`` unless ``text``)."""
    raw = text or resources.files("wallet").joinpath("rules/cec.json").read_text("utf-8")
    doc = json.loads(raw)
    out = []
    for e in doc["entries"]:
        out.append(
            RulesEntry(
                applies_from_year=int(e["applies_from_year"]),
                checked_on=str(e["checked_on"]),
                eligible_roles=frozenset(_value(e, "eligible_roles")),
                min_hours_year=Decimal(str(_value(e, "min_hours_year"))),
                min_hours_one_association=Decimal(str(_value(e, "min_hours_one_association"))),
                association_min_years=int(_value(e, "association_min_years")),
                eligible_fields=frozenset(_value(e, "eligible_fields")),
                amount_eur=int(_value(e, "amount_eur_per_year")),
                cap_eur=int(_value(e, "cap_eur")),
                declare_until=str(_value(e, "declare_until")),
                validate_until=str(_value(e, "validate_until")),
                declare_at=str(_value(e, "declare_at")),
                sources={k: str(v["source"]) for k, v in e.items() if isinstance(v, Mapping)},
            )
        )
    return sorted(out, key=lambda r: r.applies_from_year)


def rules_for(rules: list[RulesEntry], year: int) -> RulesEntry | None:
    """The latest entry that applies to ``year`` (None before the scheme existed)."""
    chosen = None
    for entry in rules:
        if entry.applies_from_year <= year:
            chosen = entry
    return chosen


# --------------------------------------------------------------------------- reading badges


@dataclass
class VolunteerRecord:
    """What one volunteer badge says, and whether and why it counts."""

    credential_id: str
    title: str
    association: str
    association_key: str
    facts: AssociationFacts
    hours: Decimal
    role: str | None
    start: date | None
    end: date | None
    counted: bool = True
    #: codes of why it does not count, or what to know about it
    notes: list[str] = field(default_factory=list)

    @property
    def year(self) -> int | None:
        return self.start.year if self.start else None


def _w3c(view: storage.CredentialView) -> dict[str, Any] | None:
    claims = (view.content or {}).get("claims")
    if not isinstance(claims, dict):
        return None
    if "vct" in claims or "iss" in claims:
        return sd_jwt_claims_to_ob3(claims)
    return claims


def _date(value: Any) -> date | None:
    if not isinstance(value, str) or len(value) > 64:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None


def _hours(credential: Mapping[str, Any]) -> Decimal | None:
    subject = credential.get("credentialSubject")
    if not isinstance(subject, Mapping):
        return None
    achievement = subject.get("achievement") or credential.get("achievement")
    descriptions = (
        achievement.get("resultDescription") if isinstance(achievement, Mapping) else None
    )
    kinds = {
        str(d.get("id")): d.get("resultType")
        for d in (descriptions if isinstance(descriptions, list) else [])
        if isinstance(d, Mapping)
    }
    results = subject.get("result")
    total: Decimal | None = None
    for result in results if isinstance(results, list) else []:
        if not isinstance(result, Mapping):
            continue
        if kinds.get(str(result.get("resultDescription"))) != VOLUNTEER_HOURS:
            continue
        try:
            value = Decimal(str(result.get("value")))
        except InvalidOperation:
            continue
        if value.is_finite() and Decimal(0) <= value <= _MAX_HOURS:
            total = (total or Decimal(0)) + value
    return total


def read_volunteer(view: storage.CredentialView) -> VolunteerRecord | None:
    """The badge's volunteering, or None when it carries no volunteer hours."""
    credential = _w3c(view)
    if credential is None:
        return None
    hours = _hours(credential)
    if hours is None:
        return None
    subject = credential.get("credentialSubject")
    subject = subject if isinstance(subject, Mapping) else {}
    issuer = credential.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    facts = association_facts(issuer)
    name = view.summary.get("issuer_name") or str(issuer_id or "?")
    return VolunteerRecord(
        credential_id=view.id,
        title=str(view.summary.get("title") or view.id),
        association=str(name),
        association_key=facts.rna or facts.siren or str(issuer_id or name),
        facts=facts,
        hours=hours,
        role=role_code(subject.get("role")),
        start=_date(subject.get("activityStartDate")),
        end=_date(subject.get("activityEndDate")),
    )


def _identity(view: storage.CredentialView) -> str:
    """One key per credential however often it was received: issuer + credential id."""
    credential = _w3c(view) or {}
    issuer = credential.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    cid = credential.get("id")
    if isinstance(cid, str) and cid:
        return f"{issuer_id}|{cid}"
    return f"raw|{view.raw if view.content else view.id}"


# --------------------------------------------------------------------------- the estimate


@dataclass
class AssociationYear:
    name: str
    key: str
    hours: Decimal = Decimal(0)
    eligible: bool = True
    notes: list[str] = field(default_factory=list)


@dataclass
class YearEstimate:
    year: int
    rules: RulesEntry
    associations: list[AssociationYear]
    records: list[VolunteerRecord]
    hours_total: Decimal
    eligible: bool
    amount_eur: int
    reasons: list[str]
    declare_from: date
    declare_until: date
    validate_until: date
    #: days left to declare when the window is open today, else None
    days_left: int | None
    #: "upcoming", "open" or "closed" today
    window: str = "open"

    def to_json(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "eligible": self.eligible,
            "hours_total": _num(self.hours_total),
            "amount_eur": self.amount_eur,
            "associations": [
                {"name": a.name, "hours": _num(a.hours), "eligible": a.eligible}
                for a in self.associations
            ],
            "reasons": self.reasons,
            "credentials": [
                {
                    "id": r.credential_id,
                    "title": r.title,
                    "association": r.association,
                    "hours": _num(r.hours),
                    "role": r.role,
                    "counted": r.counted,
                    "notes": r.notes,
                }
                for r in self.records
            ],
            "declare_from": self.declare_from.isoformat(),
            "declare_until": self.declare_until.isoformat(),
            "validate_until": self.validate_until.isoformat(),
            "days_left": self.days_left,
            "window": self.window,
            "rules_checked_on": self.rules.checked_on,
        }


@dataclass
class RightsEstimate:
    years: list[YearEstimate]
    total_eur: int
    cap_eur: int
    #: badges with hours that fit no civil year (no period, or a period across two years)
    unplaced: list[VolunteerRecord]

    def to_json(self) -> dict[str, Any]:
        return {
            "years": [y.to_json() for y in self.years],
            "total_eur": self.total_eur,
            "cap_eur": self.cap_eur,
            "unplaced": [
                {"id": r.credential_id, "title": r.title, "notes": r.notes} for r in self.unplaced
            ],
            "estimate": True,
        }


def _num(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral() else float(value)


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _month_day(year: int, text: str) -> date:
    month, day = (int(p) for p in text.split("-"))
    return date(year, month, day)


def _judge(record: VolunteerRecord, rules: RulesEntry) -> None:
    """Whether the badge's hours count under ``rules``; adds the reasons to its notes."""
    if record.role not in rules.eligible_roles:
        record.counted = False
        record.notes.append("role-not-eligible" if record.role else "role-unknown")
    facts = record.facts
    if facts.field is None:
        record.counted = False
        record.notes.append("association-field-unknown")
    elif facts.field not in rules.eligible_fields:
        record.counted = False
        record.notes.append("association-field-not-eligible")
    if facts.declared_on is None:
        record.counted = False
        record.notes.append("association-date-unknown")
    elif record.start and _add_years(facts.declared_on, rules.association_min_years) > record.start:
        record.counted = False
        record.notes.append("association-too-recent")


def estimate_rights(
    views: Iterable[storage.CredentialView],
    status_of: Callable[[storage.CredentialView], StatusFlag],
    *,
    today: date,
    rules: list[RulesEntry] | None = None,
    year: int | None = None,
) -> RightsEstimate:
    """The estimate for every civil year the badges cover (or only ``year``)."""
    rules = rules or load_rules()
    seen: set[str] = set()
    by_year: dict[int, list[VolunteerRecord]] = defaultdict(list)
    unplaced: list[VolunteerRecord] = []
    for view in views:
        record = read_volunteer(view)
        if record is None:
            continue
        key = _identity(view)
        if key in seen:
            continue  # the same badge received twice counts once
        seen.add(key)
        until = _date(view.summary.get("valid_until"))
        if until is not None and until < today:
            record.counted = False
            record.notes.append("expired")
        flag = status_of(view)
        if flag.state in (REVOKED, SUSPENDED, UNCHECKED):
            record.counted = False
            record.notes.append(flag.state)
        if record.start is None or record.end is None:
            record.counted = False
            record.notes.append("no-period")
            unplaced.append(record)
            continue
        if record.start.year != record.end.year or record.end < record.start:
            record.counted = False
            record.notes.append("period-not-one-year")
            unplaced.append(record)
            continue
        if year is None or record.start.year == year:
            by_year[record.start.year].append(record)
    years: list[YearEstimate] = []
    cap = rules[-1].cap_eur if rules else 0
    total = 0
    for y in sorted(by_year):
        entry = rules_for(rules, y)
        if entry is None:
            continue
        records = by_year[y]
        for record in records:
            _judge(record, entry)
        associations: dict[str, AssociationYear] = {}
        for record in records:
            assoc = associations.setdefault(
                record.association_key, AssociationYear(record.association, record.association_key)
            )
            if record.counted:
                assoc.hours += record.hours
            if any(n.startswith("association-") for n in record.notes):
                assoc.eligible = False
        hours_total = sum((a.hours for a in associations.values()), Decimal(0))
        best = max((a.hours for a in associations.values()), default=Decimal(0))
        reasons: list[str] = []
        if hours_total < entry.min_hours_year:
            reasons.append("hours-below-minimum")
        if best < entry.min_hours_one_association:
            reasons.append("no-association-reaches-minimum")
        eligible = not reasons
        amount = 0
        if eligible:
            amount = max(0, min(entry.amount_eur, entry.cap_eur - total))
            if amount < entry.amount_eur:
                reasons.append("cap-reached")
            total += amount
        declare_from = date(y + 1, 1, 1)
        declare_until = _month_day(y + 1, entry.declare_until)
        days_left = (
            (declare_until - today).days + 1 if declare_from <= today <= declare_until else None
        )
        years.append(
            YearEstimate(
                year=y,
                rules=entry,
                associations=sorted(associations.values(), key=lambda a: (-a.hours, a.name)),
                records=records,
                hours_total=hours_total,
                eligible=eligible,
                amount_eur=amount,
                reasons=reasons,
                declare_from=declare_from,
                declare_until=declare_until,
                validate_until=_month_day(y + 1, entry.validate_until),
                days_left=days_left,
                window=(
                    "upcoming"
                    if today < declare_from
                    else ("open" if today <= declare_until else "closed")
                ),
            )
        )
    return RightsEstimate(years, total, cap, unplaced)


def rights_of(
    session: Session,
    who: Principal,
    ctx: VerifyContext,
    *,
    today: date,
    year: int | None = None,
) -> RightsEstimate:
    """The estimate for one account: its badges, each issuer's status list read now."""
    views = storage.list_credentials(session, who, with_content=True)
    return estimate_rights(views, lambda view: check_status(view, ctx), today=today, year=year)
