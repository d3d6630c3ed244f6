"""Console forms: submitted fields → the admin API's bodies, with per-field messages.

Messages are English msgids; the templates translate them. Field names are those of the
templates (``name_fr``, ``align_url_0``, ``start``...).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from issuer.db.models import Achievement as AchievementRow
from issuer.schemas import FORMATS, AchievementIn
from issuer.service.recipients import (
    HOURS_ID,
    offer_body,
    parse_day,
    parse_hours,
    parse_year,
    volunteering_problems,
    year_period,
)
from shared.model.cec import ROLES

#: OB 3.0 achievementType values offered in the console (the spec has more; any value
#: already stored is kept). Labels are msgids.
ACHIEVEMENT_TYPES: dict[str, str] = {
    "CommunityService": "Community service (volunteering)",
    "Badge": "Badge",
    "Competency": "Competency",
    "Achievement": "Achievement",
    "Award": "Award",
    "Certificate": "Certificate",
    "CertificateOfCompletion": "Certificate of completion",
    "CoCurricular": "Co-curricular activity",
    "Course": "Course",
    "Fieldwork": "Fieldwork",
    "LearningProgram": "Learning programme",
    "Membership": "Membership",
    "MicroCredential": "Micro-credential",
}
FRAMEWORKS = ("ESCO", "ROME", "other")
FORMAT_LABELS = {
    "ldp_vc": "Open Badge, JSON with Data Integrity proof (recommended)",
    "jwt_vc_json": "Open Badge as a JWT",
    "dc+sd-jwt": "SD-JWT (the person chooses what to show)",
}
MAX_ALIGNMENTS = 20
DEFAULT_HOURS_NAME = {"fr": "Heures de bénévolat", "en": "Volunteer hours"}

Values = dict[str, Any]


@dataclass
class FormResult:
    """The validated body, or messages by field (``""`` for the whole form)."""

    body: Any = None
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def _text(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _localized(form: Mapping[str, Any], prefix: str) -> dict[str, str | None]:
    return {lang: _text(form, f"{prefix}_{lang}") or None for lang in ("fr", "en")}


# --------------------------------------------------------------------------- achievements


def achievement_values(row: AchievementRow | None) -> Values:
    """The form's initial values: empty, or those of a stored achievement."""
    if row is None:
        return {
            "id": "",
            "achievement_type": "CommunityService",
            "hours": True,
            "hours_fr": DEFAULT_HOURS_NAME["fr"],
            "hours_en": DEFAULT_HOURS_NAME["en"],
            "alignments": [],
            "image_url": None,
        }
    content = row.content
    values: Values = {
        "id": row.slug,
        "achievement_type": row.achievement_type,
        "image_url": row.image_url,
        "alignments": [
            {"url": a["target_url"], "name": a["target_name"], "framework": a.get("framework")}
            for a in content.get("alignments", [])
        ],
    }
    for key in ("name", "description", "criteria"):
        for lang in ("fr", "en"):
            values[f"{key}_{lang}"] = (content.get(key) or {}).get(lang) or ""
    hours = next((r for r in content.get("result_descriptions", []) if r["id"] == HOURS_ID), None)
    values["hours"] = hours is not None
    names = hours["name"] if hours else DEFAULT_HOURS_NAME
    values["hours_fr"] = names.get("fr") or ""
    values["hours_en"] = names.get("en") or ""
    return values


def submitted_achievement_values(form: Mapping[str, Any], slug: str | None) -> Values:
    """What was typed, to show the form again after a mistake."""
    values: Values = {
        key: _text(form, key)
        for key in (
            "id",
            "achievement_type",
            "name_fr",
            "name_en",
            "description_fr",
            "description_en",
            "criteria_fr",
            "criteria_en",
            "hours_fr",
            "hours_en",
        )
    }
    if slug is not None:
        values["id"] = slug
    values["hours"] = bool(form.get("hours"))
    values["alignments"] = _alignment_rows(form)
    return values


def _alignment_rows(form: Mapping[str, Any]) -> list[dict[str, str]]:
    rows = []
    for i in range(MAX_ALIGNMENTS):
        url, name = _text(form, f"align_url_{i}"), _text(form, f"align_name_{i}")
        if url or name:
            rows.append(
                {"url": url, "name": name, "framework": _text(form, f"align_framework_{i}")}
            )
    return rows


def parse_achievement(
    form: Mapping[str, Any], *, slug: str | None, image_url: str | None, keep: Values | None = None
) -> FormResult:
    """An ``AchievementIn`` from the form (``slug`` given when editing)."""
    errors: dict[str, str] = {}
    alignments = []
    for row in _alignment_rows(form):
        if not row["url"] or not row["name"]:
            errors["alignments"] = "Each skill needs both a web address and a name."
        elif not row["url"].startswith(("https://", "http://")):
            errors["alignments"] = "A skill's web address starts with https:// or http://."
        else:
            framework = row["framework"] if row["framework"] in FRAMEWORKS else "ESCO"
            alignments.append(
                {"target_url": row["url"], "target_name": row["name"], "framework": framework}
            )
    results = []
    if form.get("hours"):
        names = _localized(form, "hours")
        if not (names["fr"] or names["en"]):
            names = dict(DEFAULT_HOURS_NAME)
        results.append(
            {"id": HOURS_ID, "name": names, "result_type": "ext:VolunteerHours", "value_min": "0"}
        )
    kind = _text(form, "achievement_type") or "CommunityService"
    allowed = set(ACHIEVEMENT_TYPES) | ({keep["achievement_type"]} if keep else set())
    if kind not in allowed:
        errors["achievement_type"] = "Choose a type from the list."
    payload = {
        "id": slug if slug is not None else _text(form, "id"),
        "name": _localized(form, "name"),
        "description": _localized(form, "description"),
        "criteria": _localized(form, "criteria"),
        "achievement_type": kind,
        "image_url": image_url,
        "alignments": alignments,
        "result_descriptions": results,
    }
    try:
        body = AchievementIn.model_validate(payload)
    except ValidationError as err:
        for e in err.errors():
            where = str(e["loc"][0]) if e["loc"] else ""
            errors.setdefault(where, _ACHIEVEMENT_MESSAGES.get(where, "Check this field."))
        return FormResult(errors=errors)
    return FormResult(body=body, errors=errors)


_ACHIEVEMENT_MESSAGES = {
    "id": "Use lowercase letters, digits and dashes, for example volunteer-2026.",
    "name": "Give the name in French, in English or both.",
    "description": "Give the description in French, in English or both.",
    "criteria": "Say what the person did to earn it, in French, in English or both.",
}


# --------------------------------------------------------------------------- issuing


def parse_offer(form: Mapping[str, Any], achievement: AchievementRow, ui_lang: str) -> FormResult:
    """An ``OfferIn`` for one person from the issue form."""
    errors: dict[str, str] = {}
    name = _text(form, "recipient_name")
    if not name:
        errors["recipient_name"] = "Give the person's name."
    email = _text(form, "recipient_email")
    if email and ("@" not in email or len(email) > 200):
        errors["recipient_email"] = "This is not an email address."
    start = end = None
    try:
        start = parse_day(_text(form, "start"))
    except ValueError:
        errors["start"] = "Give a date."
    try:
        end = parse_day(_text(form, "end"))
    except ValueError:
        errors["end"] = "Give a date."
    try:
        year = parse_year(_text(form, "year"))
    except ValueError:
        errors["year"] = "Give a year, for example 2025."
    else:
        if year is not None and (start or end):
            errors["year"] = "Give a civil year or dates, not both."
        elif year is not None:
            start, end = year_period(year)
    if start and end and end < start:
        errors["end"] = "The end comes before the start."
    results: dict[str, Decimal] = {}
    hours = None
    try:
        hours = parse_hours(_text(form, "hours"))
    except ValueError:
        errors["hours"] = "Give a number of hours, for example 42 or 7,5."
    else:
        described = {r["id"] for r in achievement.content.get("result_descriptions", [])}
        if hours is not None and HOURS_ID in described:
            results[HOURS_ID] = hours
    cec_role = _text(form, "cec_role") or None
    if cec_role is not None and cec_role not in ROLES:
        errors["cec_role"] = "Choose a role from the list."
    errors.update(_volunteering_errors(cec_role, hours, start, end, errors))
    formats = [f for f in _list(form, "formats") if f in FORMATS]
    if not formats:
        errors["formats"] = "Choose at least one format."
    language = _text(form, "language")
    if errors:
        return FormResult(errors=errors)
    body = offer_body(
        achievement.slug,
        name=name,
        email=email,
        role=None if cec_role else _text(form, "role"),
        cec_role=cec_role,
        start=start,
        end=end,
        results=results,
        narrative=_text(form, "narrative"),
        formats=formats,
        tx_code=bool(form.get("tx_code")),
        suspendable=bool(form.get("suspendable")),
        name_in_clear=bool(form.get("name_in_clear")),
        language=language if language in ("fr", "en") else ui_lang,
    )
    return FormResult(body=body)


#: what each volunteering problem says on the form (msgids)
VOLUNTEERING_ERRORS = {
    "cec-needs-hours": "Give the hours: the CEC counts them.",
    "cec-needs-period": "Give the civil year, or start and end dates within one year.",
    "period-not-one-year": "The period must lie within one civil year: issue one badge per year.",
    "hours-exceed-period": "More hours than the period holds (at most 24 hours a day).",
}


def _volunteering_errors(
    cec_role: str | None,
    hours: Decimal | None,
    start: datetime | None,
    end: datetime | None,
    found: dict[str, str],
) -> dict[str, str]:
    """What the CEC asks of a volunteer badge, as field errors (fields already wrong are
    left with their own message)."""
    errors: dict[str, str] = {}
    for key, code in volunteering_problems(cec_role, hours, start, end):
        if code == "cec-needs-period" and {"start", "end", "year"} & set(found):
            continue
        if key not in found:
            errors[key] = VOLUNTEERING_ERRORS[code]
    return errors


def _list(form: Mapping[str, Any], name: str) -> list[str]:
    getlist = getattr(form, "getlist", None)
    values = getlist(name) if getlist else [form.get(name)]
    return [v for v in values if isinstance(v, str)]


def first_choices() -> Values:
    """How both issuing forms (one offer, a CSV batch) open: the recommended format alone (a
    wallet collects every format an offer lists: three ticked gave three copies of one badge
    and three rows to revoke), no transaction code, not suspendable."""
    return {"formats": ["ldp_vc"], "tx_code": False, "suspendable": False}


def submitted_choices(form: Mapping[str, Any]) -> Values:
    """The choices both issuing forms share, as submitted (shown again with an error)."""
    return {
        "formats": _list(form, "formats"),
        "tx_code": bool(form.get("tx_code")),
        "suspendable": bool(form.get("suspendable")),
        "name_in_clear": bool(form.get("name_in_clear")),
    }


def submitted_offer_values(form: Mapping[str, Any]) -> Values:
    values: Values = {
        key: _text(form, key)
        for key in (
            "recipient_name",
            "recipient_email",
            "role",
            "cec_role",
            "start",
            "end",
            "year",
            "hours",
            "narrative",
            "language",
        )
    }
    values.update(submitted_choices(form))
    return values
