"""Each check of a report in plain words: its title, its status and one sentence in the
reader's language (the report's English reason stays as a detail).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from shared.i18n import Gettext, local_date, local_datetime, local_number, ngettext
from shared.verify.report import CheckName

CHECK_TITLES: dict[str, str] = {
    CheckName.FORMAT: "check:format",
    CheckName.SCHEMA: "check:schema",
    CheckName.PROOF: "check:proof",
    CheckName.ISSUER_KEY: "check:issuer_key",
    CheckName.VALIDITY: "check:validity",
    CheckName.STATUS: "check:status",
    CheckName.HOLDER_BINDING: "check:holder_binding",
    CheckName.CHALLENGE: "check:challenge",
    CheckName.REPLAY: "check:replay",
    CheckName.TRUST: "check:trust",
    CheckName.POLICY: "check:policy",
    CheckName.RATING: "check:rating",
    CheckName.VOLUNTEERING: "check:volunteering",
}

#: (check, status) -> the plain sentence leading that check (English msgid)
PLAIN: dict[tuple[str, str], str] = {
    (CheckName.FORMAT, "passed"): "The credential could be read.",
    (CheckName.FORMAT, "failed"): (
        "This could not be read as a credential (JSON, JWT, SD-JWT, or a PNG or SVG badge)."
    ),
    (CheckName.FORMAT, "skipped"): "The format was not checked.",
    (CheckName.SCHEMA, "passed"): "It has the structure of an Open Badges 3.0 badge.",
    (CheckName.SCHEMA, "failed"): "It does not have the structure of an Open Badges 3.0 badge.",
    (CheckName.SCHEMA, "skipped"): "Its structure was not compared with Open Badges 3.0.",
    (
        CheckName.PROOF,
        "passed",
    ): "The issuer's signature is valid: nothing has changed since it was issued.",
    (CheckName.PROOF, "failed"): (
        "The signature does not match: the content was changed after it was issued, "
        "or it was not signed by this issuer."
    ),
    (CheckName.PROOF, "skipped"): "No signature could be checked.",
    (CheckName.ISSUER_KEY, "passed"): "The key that signed it belongs to the issuer.",
    (CheckName.ISSUER_KEY, "failed"): "The key that signed it could not be linked to the issuer.",
    (CheckName.ISSUER_KEY, "skipped"): "The issuer's key was not looked up.",
    (CheckName.VALIDITY, "passed"): "It is valid today.",
    (CheckName.VALIDITY, "failed"): "Its validity dates cannot be read.",
    (CheckName.VALIDITY, "skipped"): "It gives no validity period.",
    (CheckName.STATUS, "passed"): "The issuer has neither revoked nor suspended it.",
    (CheckName.STATUS, "failed"): "The issuer's status list reports a problem with it.",
    (CheckName.STATUS, "skipped"): "The issuer publishes no revocation list for it.",
    (CheckName.HOLDER_BINDING, "passed"): "The person who presented it proved that it is theirs.",
    (
        CheckName.HOLDER_BINDING,
        "failed",
    ): "The person who presented it did not prove that it is theirs.",
    (CheckName.HOLDER_BINDING, "skipped"): (
        "Not asked: nobody had to prove that it is theirs for this check."
    ),
    (
        CheckName.CHALLENGE,
        "passed",
    ): "It was sent in answer to this request, not copied from another.",
    (CheckName.CHALLENGE, "failed"): "It was not made for this request: it may have been replayed.",
    (CheckName.CHALLENGE, "skipped"): "Not asked: it was not sent in answer to a request.",
    (
        CheckName.REPLAY,
        "passed",
    ): "It answers a request of this verifier, used here for the first time.",
    (CheckName.REPLAY, "failed"): "It was already presented once: this is a copy being replayed.",
    (CheckName.REPLAY, "skipped"): (
        "Not checked for replay: it does not answer a request of this verifier, "
        "so a copy would verify too."
    ),
    (CheckName.TRUST, "passed"): "The issuer is in the trust registry as {name}.",
    (CheckName.TRUST, "failed"): (
        "The issuer is not in the trust registry, and a known issuer is required here."
    ),
    (
        CheckName.TRUST,
        "skipped",
    ): "The issuer is not in the trust registry: nobody here vouches for it.",
    (CheckName.POLICY, "passed"): "This format is accepted here.",
    (CheckName.POLICY, "failed"): "This format is not accepted here.",
    (CheckName.POLICY, "skipped"): "No format rule applies.",
}


@dataclass
class CheckView:
    name: str
    status: str
    title: str
    status_label: str
    sentence: str
    reason: str
    #: "Status checked on …" in the reader's language (the status check only)
    checked_at: str | None = None


def status_problem(checks: list[dict[str, Any]]) -> str | None:
    """ "revoked" / "suspended" when a status check says so, else None."""
    for check in checks:
        if check.get("name") != CheckName.STATUS or check.get("status") != "failed":
            continue
        details = check.get("details") or {}
        purpose = details.get("purpose") if isinstance(details, dict) else None
        reason = str(check.get("reason", ""))
        if purpose == "revocation" or reason.startswith("revoked"):
            return "revoked"
        if purpose == "suspension" or reason.startswith("suspended"):
            return "suspended"
    return None


def _parse_time(value: Any) -> datetime | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def when(value: Any, lang: str) -> str | None:
    """A date from the credential, as people write it in ``lang`` (None if unreadable)."""
    moment = _parse_time(value)
    return local_date(moment, lang) if moment is not None else None


def _amount(value: Any) -> float:
    """``value`` as a count for choosing a plural form (2, i.e. plural, when it is not one)."""
    try:
        amount = float(Decimal(str(value)))
    except (InvalidOperation, ValueError, OverflowError):
        return 2
    return amount if math.isfinite(amount) else 2


def _number(value: Any, lang: str) -> str:
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if not amount.is_finite():
        return str(value)
    return local_number(float(amount), lang)


def _sentence(check: dict[str, Any], _: Gettext, lang: str) -> str:
    name, status = str(check.get("name")), str(check.get("status"))
    reason = str(check.get("reason", ""))
    details = check.get("details") if isinstance(check.get("details"), dict) else {}
    assert isinstance(details, dict)
    early = _failure_sentence(check, name, status, reason, details, _, lang)
    if early is not None:
        return early
    if name == CheckName.RATING:
        return _rating_sentence(status, reason, details, _, lang)
    if name == CheckName.VOLUNTEERING:
        return _volunteering_sentence(status, details, _, lang)
    if (
        name == CheckName.TRUST
        and status == "failed"
        and details.get("required_kinds") == ["association"]
    ):
        return _(
            "The issuer is in the trust registry as {name}, but not as an association: "
            "volunteer hours are accepted only from an association.",
            name=str(details.get("registry_name", "?")),
        )
    if name == CheckName.TRUST and status == "failed" and details.get("required_kinds"):
        return _(
            "The issuer is in the trust registry as {name}, but not as a platform: "
            "a rating is accepted only from a platform.",
            name=str(details.get("registry_name", "?")),
        )
    if name == CheckName.TRUST and status == "passed":
        return _(PLAIN[(CheckName.TRUST, "passed")], name=str(details.get("registry_name", "?")))
    if name == CheckName.REPLAY and status == "failed" and "expired" in reason:
        return _("The request it answers has expired.")
    if name == CheckName.FORMAT and status == "failed" and "larger than" in reason:
        return _("The file is too large.")
    if name == CheckName.FORMAT and status == "failed" and isinstance(details.get("section"), str):
        # shared.model.vcdm2: a readable document that breaks a VC Data Model rule
        return _(
            "It breaks a rule of the W3C Verifiable Credentials data model ({section}).",
            section=str(details["section"]),
        )
    template = PLAIN.get((name, status))
    if template is None:
        return _("status:" + status)
    return _(template)


def _failure_sentence(
    check: dict[str, Any],
    name: str,
    status: str,
    reason: str,
    details: dict[str, Any],
    _: Gettext,
    lang: str,
) -> str | None:
    """A failed status or validity check in words, when the details say more."""
    if name == CheckName.STATUS and status == "failed":
        problem = status_problem([check])
        if problem == "revoked":
            return _("The issuer has revoked it.")
        if problem == "suspended":
            return _("The issuer has suspended it.")
        if details.get("purpose") == "supersession":
            return _("The issuer has replaced it with a newer one (a newer rating, for example).")
        if "could not be checked" in reason or "does not verify" in reason:
            return _(
                "The issuer's revocation list could not be read, so a revocation "
                "cannot be ruled out."
            )
    if name == CheckName.VALIDITY and status == "failed":
        if "valid_until" in details:
            shown = when(details["valid_until"], lang)
            if shown:
                return _("It expired on {date}.", date=shown)
        if "valid_from" in details:
            shown = when(details["valid_from"], lang)
            if shown:
                return _("It is not valid before {date}.", date=shown)
    return None


def _rating_sentence(
    status: str, reason: str, details: dict[str, Any], _: Gettext, lang: str
) -> str:
    wanted = _(
        "at least {value} out of {scale}",
        value=_number(details.get("minimum"), lang),
        scale=_number(details.get("scale"), lang),
    )
    if status == "passed":
        return _("Its rating meets what you asked: {wanted}.", wanted=wanted)
    if reason.startswith("no rating here"):
        return _(
            "It carries no rating (hours or other numbers are not a rating), "
            "and you asked for one of {wanted}.",
            wanted=wanted,
        )
    return _("Its rating is below what you asked: {wanted}.", wanted=wanted)


def _volunteering_sentence(status: str, details: dict[str, Any], _: Gettext, lang: str) -> str:
    """ "It records 220 hours in 2026, role: supervising other volunteers: ..." """
    wanted = _volunteering_words(
        details.get("min_hours"), details.get("year"), details.get("eligible_role") is True, _, lang
    )
    hours, year = details.get("hours"), details.get("period_year")
    if hours is None:
        return _(
            "It records no volunteer hours (a rating or other numbers are not hours), "
            "and you asked for {wanted}.",
            wanted=wanted,
        )
    count, amount = _number(hours, lang), _amount(hours)
    what = (
        ngettext(
            _,
            "{hours} hour in {year}",
            "{hours} hours in {year}",
            amount,
            hours=count,
            year=str(year),
        )
        if isinstance(year, int)
        else ngettext(_, "{hours} hour", "{hours} hours", amount, hours=count)
    )
    role = details.get("role")
    role_words = _("role:" + role) if role in {"board", "supervision", "other"} else _("role:none")
    found = _("{what}, role: {role}", what=what, role=role_words)
    if status == "passed":
        return _(
            "It records {found}, which meets what you asked: {wanted}.", found=found, wanted=wanted
        )
    return _(
        "It records {found}, which does not meet what you asked: {wanted}.",
        found=found,
        wanted=wanted,
    )


def _volunteering_words(min_hours: Any, year: Any, eligible: bool, _: Gettext, lang: str) -> str:
    """ "at least 200 hours in 2026, in an eligible role (board or supervision)" """
    hours, amount = _number(min_hours, lang), _amount(min_hours)
    if isinstance(year, int):
        if eligible:
            return ngettext(
                _,
                "at least {hours} hour in {year}, in an eligible role (board or supervision)",
                "at least {hours} hours in {year}, in an eligible role (board or supervision)",
                amount,
                hours=hours,
                year=str(year),
            )
        return ngettext(
            _,
            "at least {hours} hour in {year}",
            "at least {hours} hours in {year}",
            amount,
            hours=hours,
            year=str(year),
        )
    if eligible:
        return ngettext(
            _,
            "at least {hours} hour, in an eligible role (board or supervision)",
            "at least {hours} hours, in an eligible role (board or supervision)",
            amount,
            hours=hours,
        )
    return ngettext(_, "at least {hours} hour", "at least {hours} hours", amount, hours=hours)


def _checked_at(check: dict[str, Any], _: Gettext, lang: str) -> str | None:
    """When the issuer's status list was fetched or confirmed unchanged, in words."""
    details = check.get("details")
    if check.get("name") != CheckName.STATUS or not isinstance(details, dict):
        return None
    moment = _parse_time(details.get("checked_at"))
    if moment is None or moment.tzinfo is None:
        return None
    return _("Status checked on {when}.", when=local_datetime(moment, lang))


def check_views(checks: list[dict[str, Any]], _: Gettext, lang: str) -> list[CheckView]:
    out = []
    for check in checks:
        name, status = str(check.get("name")), str(check.get("status"))
        title_id = CHECK_TITLES.get(name)
        out.append(
            CheckView(
                name=name,
                status=status,
                title=_(title_id) if title_id else name,
                status_label=_(
                    "status:unknown"
                    if (name, status) == (CheckName.TRUST, "skipped")
                    else "status:" + status
                ),
                sentence=_sentence(check, _, lang),
                reason=str(check.get("reason", "")),
                checked_at=_checked_at(check, _, lang),
            )
        )
    return out
