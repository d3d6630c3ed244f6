"""What the pages show of a report: a verdict, each check in plain words, the claims.

The report (shared.verify, plus trust and policy) speaks English technical text; the pages
lead with one plain sentence per check in the reader's language and keep the report's
reason as a detail. Nothing here decides a verdict: it only words the report's.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from shared.errors import VcError
from shared.i18n import Gettext, local_date, local_datetime, local_number, ngettext
from verifier.service.rating import (
    RATING_COUNT_RESULT_TYPE,
    RATING_RESULT_TYPE,
    RatingRequirement,
)
from verifier.service.templates import Template
from verifier.service.verifying import Policy
from verifier.service.volunteering import VolunteeringRequirement

CHECK_TITLES = {
    "format": "check:format",
    "schema": "check:schema",
    "proof": "check:proof",
    "issuer_key": "check:issuer_key",
    "validity": "check:validity",
    "status": "check:status",
    "holder_binding": "check:holder_binding",
    "challenge": "check:challenge",
    "replay": "check:replay",
    "trust": "check:trust",
    "policy": "check:policy",
    "rating": "check:rating",
    "volunteering": "check:volunteering",
}

#: (check, status) -> the plain sentence leading that check (English msgid)
PLAIN = {
    ("format", "passed"): "The credential could be read.",
    ("format", "failed"): (
        "This could not be read as a credential (JSON, JWT, SD-JWT, or a PNG or SVG badge)."
    ),
    ("format", "skipped"): "The format was not checked.",
    ("schema", "passed"): "It has the structure of an Open Badges 3.0 badge.",
    ("schema", "failed"): "It does not have the structure of an Open Badges 3.0 badge.",
    ("schema", "skipped"): "Its structure was not compared with Open Badges 3.0.",
    (
        "proof",
        "passed",
    ): "The issuer's signature is valid: nothing has changed since it was issued.",
    ("proof", "failed"): (
        "The signature does not match: the content was changed after it was issued, "
        "or it was not signed by this issuer."
    ),
    ("proof", "skipped"): "No signature could be checked.",
    ("issuer_key", "passed"): "The key that signed it belongs to the issuer.",
    ("issuer_key", "failed"): "The key that signed it could not be linked to the issuer.",
    ("issuer_key", "skipped"): "The issuer's key was not looked up.",
    ("validity", "passed"): "It is valid today.",
    ("validity", "failed"): "Its validity dates cannot be read.",
    ("validity", "skipped"): "It gives no validity period.",
    ("status", "passed"): "The issuer has neither revoked nor suspended it.",
    ("status", "failed"): "The issuer's status list reports a problem with it.",
    ("status", "skipped"): "The issuer publishes no revocation list for it.",
    ("holder_binding", "passed"): "The person who presented it proved that it is theirs.",
    ("holder_binding", "failed"): "The person who presented it did not prove that it is theirs.",
    ("holder_binding", "skipped"): (
        "Not asked: nobody had to prove that it is theirs for this check."
    ),
    ("challenge", "passed"): "It was sent in answer to this request, not copied from another.",
    ("challenge", "failed"): "It was not made for this request: it may have been replayed.",
    ("challenge", "skipped"): "Not asked: it was not sent in answer to a request.",
    ("replay", "passed"): "It answers a request of this verifier, used here for the first time.",
    ("replay", "failed"): "It was already presented once: this is a copy being replayed.",
    ("replay", "skipped"): (
        "Not checked for replay: it does not answer a request of this verifier, "
        "so a copy would verify too."
    ),
    ("trust", "passed"): "The issuer is in the trust registry as {name}.",
    ("trust", "failed"): (
        "The issuer is not in the trust registry, and a known issuer is required here."
    ),
    ("trust", "skipped"): "The issuer is not in the trust registry: nobody here vouches for it.",
    ("policy", "passed"): "This format is accepted here.",
    ("policy", "failed"): "This format is not accepted here.",
    ("policy", "skipped"): "No format rule applies.",
}

#: OB 3.0 achievementType (and Musette's extensions) -> plain words (English msgid)
ACHIEVEMENT_TYPES = {
    "CommunityService": "volunteering",
    "ext:WorkExperience": "work experience",
    "ApprenticeshipCertificate": "apprenticeship",
    "Fieldwork": "fieldwork",
    "Badge": "badge",
    "Certificate": "certificate",
    "Certification": "certification",
    "Course": "course",
    "Competency": "skill",
    "Diploma": "diploma",
    "License": "licence",
    "Membership": "membership",
    "Award": "award",
    "Achievement": "achievement",
}

FORMATS = {
    "ldp_vc": "Data Integrity (JSON-LD)",
    "ldp_vp": "Data Integrity (JSON-LD)",
    "vc+jwt": "JWT",
    "jwt_vc_json": "JWT",
    "vp+jwt": "JWT",
    "jwt_vp_json": "JWT",
    "jwt": "JWT",
    "dc+sd-jwt": "SD-JWT",
    "vc+sd-jwt": "SD-JWT",
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


@dataclass
class Fact:
    label: str
    value: str
    mono: bool = False


@dataclass
class ClaimsView:
    title: str | None
    kind: str | None
    description: str | None
    criteria: str | None
    issuer_line: str
    issuer_known: bool
    issuer_id: str | None
    facts: list[Fact] = field(default_factory=list)
    #: what the issuer wrote about the person (OB 3.0 AchievementSubject.narrative)
    narrative: str | None = None
    evidence: list[EvidenceItem] = field(default_factory=list)
    #: the issuer is the subject: the holder's own statement (issue #17)
    self_declared: bool = False


@dataclass
class EvidenceItem:
    """One OB 3.0 Evidence entry the issuer attached; ``url`` only when it is an http(s) link."""

    name: str | None
    text: str | None
    url: str | None


def evidence_items(credential: dict[str, Any]) -> list[EvidenceItem]:
    """The credential's OB 3.0 ``evidence`` (§B.1.9 Evidence): name, narrative, description."""
    items = credential.get("evidence")
    items = items if isinstance(items, list) else [items] if isinstance(items, dict) else []
    found = []
    for item in items[:20]:
        if not isinstance(item, dict):
            continue
        link = item.get("id")
        url = link if isinstance(link, str) and link.startswith(("https://", "http://")) else None
        text = " ".join(
            t for t in (_text(item.get("narrative")), _text(item.get("description"))) if t
        )
        if _text(item.get("name")) or text or url:
            found.append(EvidenceItem(_text(item.get("name")), text or None, url))
    return found


@dataclass
class EvidenceLine:
    outcome: str
    sentence: str
    url: str | None
    reason: str


@dataclass
class AttestationView:
    """Who attested (an OB 3.0 endorsement), what they wrote, and how well they are proven."""

    endorser: str | None
    endorser_name: str | None
    comment: str | None
    #: self-asserted | verified-credential | unproven
    level: str
    level_label: str
    sentence: str
    evidence: list[EvidenceLine] = field(default_factory=list)


#: why one piece of evidence does not prove the relationship (English msgid)
EVIDENCE_WORDS = {
    "verified": "The endorser holds this verified credential.",
    "refused": "The address was refused: not https, a private address, or too large.",
    "fetch-failed": "The address could not be read.",
    "not-a-credential": "The address does not serve a credential.",
    "not-verified": "The credential at this address does not verify.",
    "other-subject": "The credential at this address is about someone else.",
    "no-url": "The evidence gives no address.",
}


def attestation_view(report: dict[str, Any], _: Gettext) -> AttestationView | None:
    found = report.get("attestation")
    if not isinstance(found, dict):
        return None
    level = str(found.get("level"))
    proven = found.get("proven_by") if isinstance(found.get("proven_by"), dict) else None
    if level == "verified-credential" and proven is not None:
        label = _("Relationship proven")
        issuer = str(proven.get("issuer_name") or proven.get("issuer") or "?")
        if proven.get("trusted"):
            sentence = _(
                "The endorser holds a verified credential from {issuer}, which is in the "
                "trust registry as {name}.",
                issuer=issuer,
                name=str(proven.get("registry_name")),
            )
        else:
            sentence = _(
                "The endorser holds a verified credential from {issuer}, which is not in the "
                "trust registry.",
                issuer=issuer,
            )
    elif level == "self-asserted":
        label = _("Self-asserted")
        sentence = _(
            "Only the endorser's own DID signed it: nothing proves who they are or that "
            "they worked together."
        )
    else:
        label = _("Relationship not proven")
        sentence = (
            _("The endorsement itself does not verify, so its proof was not checked.")
            if found.get("endorsement_verified") is False
            else _("A proof of the relationship is attached, but it does not hold.")
        )
    lines = [
        EvidenceLine(
            outcome=str(e.get("outcome")),
            sentence=_(EVIDENCE_WORDS.get(str(e.get("outcome")), "The evidence was not checked.")),
            url=e.get("url") if isinstance(e.get("url"), str) else None,
            reason=str(e.get("reason", "")),
        )
        for e in found.get("evidence", [])
        if isinstance(e, dict)
    ]
    return AttestationView(
        endorser=found.get("endorser") if isinstance(found.get("endorser"), str) else None,
        endorser_name=_text(found.get("endorser_name")),
        comment=_text(found.get("comment")),
        level=level,
        level_label=label,
        sentence=sentence,
        evidence=lines,
    )


@dataclass
class ReportView:
    #: verified | revoked | suspended | not_verified
    verdict: str
    headline: str
    summary: str
    format_label: str
    checks: list[CheckView]
    claims: ClaimsView | None
    credentials: list[ReportView]
    is_presentation: bool
    attestation: AttestationView | None = None

    @property
    def ok(self) -> bool:
        return self.verdict == "verified"


def _walk(report: dict[str, Any]) -> list[dict[str, Any]]:
    out = list(report.get("checks", []))
    for sub in report.get("credentials", []) or []:
        if isinstance(sub, dict):
            out.extend(_walk(sub))
    return out


def status_problem(checks: list[dict[str, Any]]) -> str | None:
    """ "revoked" / "suspended" when a status check says so, else None."""
    for check in checks:
        if check.get("name") != "status" or check.get("status") != "failed":
            continue
        details = check.get("details") or {}
        purpose = details.get("purpose") if isinstance(details, dict) else None
        reason = str(check.get("reason", ""))
        if purpose == "revocation" or reason.startswith("revoked"):
            return "revoked"
        if purpose == "suspension" or reason.startswith("suspended"):
            return "suspended"
    return None


def verdict_of(verified: bool, checks: list[dict[str, Any]]) -> str:
    return status_problem(checks) or ("verified" if verified else "not_verified")


def headline(verdict: str, _: Gettext) -> str:
    return {
        "verified": _("Verified"),
        "revoked": _("Revoked"),
        "suspended": _("Suspended"),
        "refused": _("Refused"),
        "wallet_error": _("No answer from the wallet"),
    }.get(verdict, _("Not verified"))


def _summary(verdict: str, usable: bool, _: Gettext) -> str:
    if verdict == "verified":
        return _("Every check passed: this credential is genuine and valid today.")
    if verdict == "revoked":
        return _("Its issuer has revoked it: it no longer proves anything.")
    if verdict == "suspended":
        return _("Its issuer has suspended it for now: do not rely on it.")
    if not usable:
        return _("This could not be read as a credential.")
    return _("At least one check failed: do not rely on this credential. See why below.")


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
    if name == "status" and status == "failed":
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
    if name == "validity" and status == "failed":
        if "valid_until" in details:
            shown = when(details["valid_until"], lang)
            if shown:
                return _("It expired on {date}.", date=shown)
        if "valid_from" in details:
            shown = when(details["valid_from"], lang)
            if shown:
                return _("It is not valid before {date}.", date=shown)
    if name == "rating":
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
    if name == "volunteering":
        return _volunteering_sentence(status, details, _, lang)
    if name == "trust" and status == "failed" and details.get("required_kinds") == ["association"]:
        return _(
            "The issuer is in the trust registry as {name}, but not as an association: "
            "volunteer hours are accepted only from an association.",
            name=str(details.get("registry_name", "?")),
        )
    if name == "trust" and status == "failed" and details.get("required_kinds"):
        return _(
            "The issuer is in the trust registry as {name}, but not as a platform: "
            "a rating is accepted only from a platform.",
            name=str(details.get("registry_name", "?")),
        )
    if name == "trust" and status == "passed":
        return _(PLAIN[("trust", "passed")], name=str(details.get("registry_name", "?")))
    if name == "replay" and status == "failed" and "expired" in reason:
        return _("The request it answers has expired.")
    if name == "format" and status == "failed" and "larger than" in reason:
        return _("The file is too large.")
    if name == "format" and status == "failed" and isinstance(details.get("section"), str):
        # shared.model.vcdm2: a readable document that breaks a VC Data Model rule
        return _(
            "It breaks a rule of the W3C Verifiable Credentials data model ({section}).",
            section=str(details["section"]),
        )
    template = PLAIN.get((name, status))
    if template is None:
        return _("status:" + status)
    return _(template)


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
    if check.get("name") != "status" or not isinstance(details, dict):
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
                    if (name, status) == ("trust", "skipped")
                    else "status:" + status
                ),
                sentence=_sentence(check, _, lang),
                reason=str(check.get("reason", "")),
                checked_at=_checked_at(check, _, lang),
            )
        )
    return out


def _text(value: Any) -> str | None:
    """A plain string, or the first string of a language map / list."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, list):
        for item in value:
            found = _text(item)
            if found:
                return found
    if isinstance(value, dict):
        for key in ("@value", "name", "value"):
            if isinstance(value.get(key), str):
                return str(value[key])
    return None


def _kind(value: Any, _: Gettext) -> str | None:
    kinds = value if isinstance(value, list) else [value]
    words = [_("type:" + ACHIEVEMENT_TYPES[k]) for k in kinds if k in ACHIEVEMENT_TYPES]
    if not words:
        raw = [str(k).removeprefix("ext:") for k in kinds if isinstance(k, str)]
        return ", ".join(raw) or None
    return ", ".join(words)


def _name_hashed(subject: dict[str, Any]) -> bool:
    idents = subject.get("identifier")
    return any(
        isinstance(i, dict) and i.get("identityType") == "name" and i.get("hashed") is True
        for i in (idents if isinstance(idents, list) else [idents])
    )


def _holder_name(credential: dict[str, Any], subject: dict[str, Any]) -> str | None:
    if isinstance(subject.get("name"), str):
        return str(subject["name"])
    given, family = credential.get("given_name"), credential.get("family_name")
    parts = [p for p in (given, family) if isinstance(p, str)]
    if parts:
        return " ".join(parts)
    idents = subject.get("identifier")
    for ident in idents if isinstance(idents, list) else [idents]:
        if isinstance(ident, dict) and ident.get("identityType") == "name":
            value = ident.get("identityHash")
            if isinstance(value, str) and not value.startswith(("sha256$", "md5$")):
                return value
    return None


def _results(
    subject: dict[str, Any], achievement: dict[str, Any], _: Gettext, lang: str
) -> list[Fact]:
    described: dict[str, dict[str, Any]] = {}
    for desc in achievement.get("resultDescription") or []:
        if isinstance(desc, dict) and isinstance(desc.get("id"), str):
            described[desc["id"]] = desc
    facts = []
    results = subject.get("result")
    for result in results if isinstance(results, list) else [results]:
        if not isinstance(result, dict) or "value" not in result:
            continue
        desc = described.get(str(result.get("resultDescription")), {})
        kind = str(desc.get("resultType", ""))
        value = _number(result["value"], lang)
        if kind.endswith("VolunteerHours"):
            hours = ngettext(_, "{n} hour", "{n} hours", _amount(result["value"]), n=value)
            facts.append(Fact(_("Hours"), hours))
        elif kind == RATING_RESULT_TYPE and "valueMax" in desc:
            scale = _number(desc["valueMax"], lang)
            facts.append(Fact(_("Rating"), _("{value} out of {scale}", value=value, scale=scale)))
        elif kind == RATING_COUNT_RESULT_TYPE:
            facts.append(Fact(_("Number of ratings"), value))
        elif "rating" in kind.lower() or "rating" in str(desc.get("name", "")).lower():
            facts.append(Fact(_("Rating"), value))
        else:
            label = _text(desc.get("name")) or _("Result")
            facts.append(Fact(label, value))
    return facts


def claims_view(report: dict[str, Any], _: Gettext, lang: str) -> ClaimsView | None:
    credential = report.get("credential")
    if not isinstance(credential, dict):
        return None
    subject = credential.get("credentialSubject")
    subject = subject if isinstance(subject, dict) else {}
    achievement = subject.get("achievement", credential.get("achievement"))
    achievement = achievement if isinstance(achievement, dict) else {}
    trust = report.get("trust") if isinstance(report.get("trust"), dict) else None
    issuer = credential.get("issuer")
    issuer_id = report.get("issuer") or (
        issuer.get("id") if isinstance(issuer, dict) else issuer or credential.get("iss")
    )
    claimed = _text(issuer.get("name")) if isinstance(issuer, dict) else None
    self_declared = bool(report.get("self_declared"))
    if self_declared:
        line = _("Self-declared: the holder issued this credential about themselves")
        known = False
    elif trust and trust.get("trusted"):
        line = _("Known issuer: {name}", name=str(trust.get("registry_name")))
        known = True
    else:
        known = False
        line = (
            _("Unknown issuer, calls itself {name}", name=claimed)
            if claimed
            else _("Unknown issuer")
        )
    criteria = achievement.get("criteria")
    facts: list[Fact] = []
    holder = _holder_name(credential, subject)
    if holder:
        facts.append(Fact(_("Awarded to"), holder))
    elif _name_hashed(subject):  # OB 3.0 salted IdentityHash (issue 17): said, not shown raw
        facts.append(
            Fact(
                _("Awarded to"), _("identity hashed (can be checked against a name you are given)")
            )
        )
    role = _text(subject.get("role"))
    if role:
        facts.append(Fact(_("Role"), role))
    start, end = (
        when(subject.get("activityStartDate"), lang),
        when(subject.get("activityEndDate"), lang),
    )
    if start and end:
        facts.append(Fact(_("Dates"), _("from {start} to {end}", start=start, end=end)))
    elif start:
        facts.append(Fact(_("Dates"), _("since {start}", start=start)))
    elif end:
        facts.append(Fact(_("Dates"), _("until {end}", end=end)))
    facts.extend(_results(subject, achievement, _, lang))
    issued = when(
        credential.get("validFrom", credential.get("issuanceDate", credential.get("iat"))), lang
    )
    if issued:
        facts.append(Fact(_("Issued on"), issued))
    expires = when(credential.get("validUntil", credential.get("expirationDate")), lang)
    if expires:
        facts.append(Fact(_("Valid until"), expires))
    return ClaimsView(
        title=_text(achievement.get("name")) or _text(credential.get("name")),
        kind=_kind(achievement.get("achievementType"), _)
        if achievement.get("achievementType")
        else None,
        description=_text(achievement.get("description")),
        criteria=_text(criteria.get("narrative")) if isinstance(criteria, dict) else None,
        narrative=_text(subject.get("narrative")),
        # an endorsement's evidence is its relationship proof, shown with who attested
        evidence=[]
        if "EndorsementCredential" in str(credential.get("type"))
        else evidence_items(credential),
        issuer_line=line,
        issuer_known=known,
        issuer_id=str(issuer_id) if issuer_id else None,
        facts=facts,
        self_declared=self_declared,
    )


def report_view(report: dict[str, Any], _: Gettext, lang: str) -> ReportView:
    """The report in plain words (a presentation carries one view per credential)."""
    checks = [c for c in report.get("checks", []) if isinstance(c, dict)]
    subs = [s for s in report.get("credentials", []) or [] if isinstance(s, dict)]
    verdict = verdict_of(bool(report.get("verified")), _walk(report))
    usable = report.get("usable", True) is not False and not any(
        c.get("name") == "format" and c.get("status") == "failed" for c in checks
    )
    fmt = str(report.get("format", "?"))
    return ReportView(
        verdict=verdict,
        headline=headline(verdict, _),
        summary=_summary(verdict, usable, _),
        format_label=FORMATS.get(fmt) or _("not recognised"),
        checks=check_views(checks, _, lang),
        claims=None if subs else claims_view(report, _, lang),
        credentials=[report_view(s, _, lang) for s in subs],
        is_presentation=bool(subs),
        attestation=None if subs else attestation_view(report, _),
    )


def _claim_words(path: list[Any], _: Gettext) -> str:
    tail = [p for p in path if isinstance(p, str)]
    if tail[-1:] == ["name"] and "achievement" in tail:
        return _("the name of the badge")
    if tail[-1:] == ["achievementType"]:
        return _("the kind of badge")
    if "result" in tail:
        return _("the results it records (for example a rating)")
    if tail[-1:] == ["role"]:
        return _("the role held")
    if tail[-1:] in (["activityStartDate"], ["activityEndDate"]):
        return _("the period of the activity")
    if tail[-1:] == ["endorsementComment"]:
        return _("what the colleague wrote")
    return ".".join(tail)


def template_asks(template: Template, _: Gettext, lang: str) -> list[str]:
    """What a request built from ``template`` asks the person to show, in plain words."""
    query = template.dcql["credentials"][0]
    if template.name == "endorsement":
        asks = [_("one endorsement signed by a colleague (Open Badges 3.0)")]
    else:
        asks = [_("one Open Badges 3.0 badge from their wallet")]
    for claim in query.get("claims", []):
        words = _claim_words(list(claim["path"]), _)
        if "result" in claim["path"] and template.policy.volunteering is not None:
            words = _("the volunteer hours it records")
        values = claim.get("values")
        if values:
            kinds = _kind(values, _) or ""
            asks.append(_("{what}, which must be: {values}", what=words, values=kinds))
        else:
            asks.append(words)
    if template.policy.rating is not None:
        asks.append(_rating_words(template.policy.rating, _, lang))
    if template.policy.volunteering is not None:
        asks.append(_requirement_words(template.policy.volunteering, _, lang))
    if template.policy.issuer_kinds == frozenset({"association"}):
        asks.append(_("the badge must come from an association in the trust registry"))
    elif template.policy.issuer_kinds:
        asks.append(_("the badge must come from a platform in the trust registry"))
    elif template.policy.require_trusted_issuer:
        asks.append(_("the badge must come from an issuer in the trust registry"))
    return list(dict.fromkeys(asks))


def _rating_words(rating: RatingRequirement, _: Gettext, lang: str) -> str:
    return _(
        "a rating of at least {value} out of {scale}",
        value=_number(str(rating.minimum), lang),
        scale=_number(str(rating.scale), lang),
    )


def _requirement_words(requirement: VolunteeringRequirement, _: Gettext, lang: str) -> str:
    return _(
        "volunteer hours: {wanted}",
        wanted=_volunteering_words(
            str(requirement.min_hours), requirement.year, requirement.eligible_role, _, lang
        ),
    )


def _form_value(value: Any, lang: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    return text.replace(".", ",") if lang == "fr" else text


def shown_parameters(policy: Policy, lang: str) -> dict[str, str] | None:
    """The recruiter's parameters as the console form shows them (None: none to set)."""
    requirement = policy.rating or policy.volunteering
    if requirement is None:
        return None
    return {k: _form_value(v, lang) for k, v in requirement.to_json().items()}


def requested_rating(policy_json: str, _: Gettext, lang: str) -> str | None:
    """ "a rating of at least 4,5 out of 5" (or "volunteer hours: at least 200 hours…") for a
    stored request's policy, or None."""
    try:
        policy = Policy.from_json(json.loads(policy_json))
    except (ValueError, VcError):
        return None
    if policy.volunteering is not None:
        return _requirement_words(policy.volunteering, _, lang)
    return _rating_words(policy.rating, _, lang) if policy.rating else None
