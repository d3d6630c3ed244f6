"""What a credential says, in plain words: the badge, the issuer line, the facts, the
evidence, and who attested (an endorsement) and how well that is proven.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from shared.i18n import Gettext, ngettext
from verifier.api.page_checks import _amount, _number, when
from verifier.service.rating import (
    RATING_COUNT_RESULT_TYPE,
    RATING_RESULT_TYPE,
)

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
    #: the issuer is the subject: the holder's own statement (docs/decisions/timeline-spheres.md)
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


def _issuer_line(
    report: dict[str, Any], credential: dict[str, Any], _: Gettext
) -> tuple[str, bool, Any, bool]:
    """Who issued it, in words: (line, known to the registry, issuer id, self-declared)."""
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
    return line, known, issuer_id, self_declared


def _facts(
    credential: dict[str, Any],
    subject: dict[str, Any],
    achievement: dict[str, Any],
    _: Gettext,
    lang: str,
) -> list[Fact]:
    """The facts a credential states: to whom, role, dates, results, issued and valid until."""
    facts: list[Fact] = []
    holder = _holder_name(credential, subject)
    if holder:
        facts.append(Fact(_("Awarded to"), holder))
    elif _name_hashed(subject):
        # OB 3.0 salted IdentityHash (docs/decisions/reveal-less.md): said, not shown raw
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
    return facts


def claims_view(report: dict[str, Any], _: Gettext, lang: str) -> ClaimsView | None:
    credential = report.get("credential")
    if not isinstance(credential, dict):
        return None
    subject = credential.get("credentialSubject")
    subject = subject if isinstance(subject, dict) else {}
    achievement = subject.get("achievement", credential.get("achievement"))
    achievement = achievement if isinstance(achievement, dict) else {}
    line, known, issuer_id, self_declared = _issuer_line(report, credential, _)
    criteria = achievement.get("criteria")
    facts = _facts(credential, subject, achievement, _, lang)
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
