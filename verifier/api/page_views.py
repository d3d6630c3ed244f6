"""What the pages show of a report: a verdict, each check in plain words, the claims.

The report (shared.verify, plus trust and policy) speaks English technical text; the pages
lead with one plain sentence per check in the reader's language and keep the report's
reason as a detail. Nothing here decides a verdict: it only words the report's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from shared.errors import VcError
from shared.i18n import Gettext
from shared.verify.report import CheckName
from verifier.api.page_checks import (
    CheckView,
    _number,
    _volunteering_words,
    check_views,
    status_problem,
)
from verifier.api.page_claims import (
    AttestationView,
    ClaimsView,
    _kind,
    attestation_view,
    claims_view,
)
from verifier.service.rating import (
    RatingRequirement,
)
from verifier.service.templates import Template
from verifier.service.verifying import Policy
from verifier.service.volunteering import VolunteeringRequirement

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


def report_view(report: dict[str, Any], _: Gettext, lang: str) -> ReportView:
    """The report in plain words (a presentation carries one view per credential)."""
    checks = [c for c in report.get("checks", []) if isinstance(c, dict)]
    subs = [s for s in report.get("credentials", []) or [] if isinstance(s, dict)]
    verdict = verdict_of(bool(report.get("verified")), _walk(report))
    usable = report.get("usable", True) is not False and not any(
        c.get("name") == CheckName.FORMAT and c.get("status") == "failed" for c in checks
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
