"""Verify what a recruiter submits, then say what the trust registry knows of the issuer.

The report is ``shared.verify``'s, with two more checks per credential: ``trust`` (is the
issuer in this verifier's registry, and under which name) and ``policy`` (is the format one
the request accepts). Failing checks are results (``verified: false``), never errors.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cryptography import x509

from servicekit import metrics
from shared.did import DidResolver
from shared.errors import InvalidInputError, VcError
from shared.net.fetch import Fetcher
from shared.verify.attestation import assess_attestation, is_endorsement
from shared.verify.context import VerifyContext
from shared.verify.credential import verify_credential
from shared.verify.report import CheckName, VerificationReport
from shared.verify.status_memo import StatusListMemo
from verifier.service.rating import RatingRequirement, check_rating
from verifier.service.trust import ISSUER_KINDS, TrustRegistry
from verifier.service.volunteering import VolunteeringRequirement, assess_volunteering

#: report.format -> the OpenID4VP format family it belongs to
FORMAT_FAMILIES = {
    "ldp_vc": "ldp_vc",
    "ldp_vp": "ldp_vc",
    "vc+jwt": "jwt_vc_json",
    "jwt_vc_json": "jwt_vc_json",
    "vp+jwt": "jwt_vc_json",
    "jwt_vp_json": "jwt_vc_json",
    "jwt": "jwt_vc_json",
    "dc+sd-jwt": "dc+sd-jwt",
    "vc+sd-jwt": "dc+sd-jwt",
}
FAMILIES = ("ldp_vc", "jwt_vc_json", "dc+sd-jwt")


@dataclass(frozen=True)
class Policy:
    """What one verification request demands beyond a valid proof."""

    require_trusted_issuer: bool = False
    #: format families (ldp_vc, jwt_vc_json, dc+sd-jwt) or exact formats; None = all
    accepted_formats: frozenset[str] | None = None
    #: the issuer's registry entry must be of one of these kinds (platform, association...);
    #: None = any (implies a trusted issuer when set)
    issuer_kinds: frozenset[str] | None = None
    #: the credential must carry a rating (ext:Rating) of at least this much
    rating: RatingRequirement | None = None
    #: the credential must carry volunteer hours (ext:VolunteerHours) meeting this
    volunteering: VolunteeringRequirement | None = None

    @classmethod
    def from_json(cls, value: Any) -> Policy:
        if value is None:
            return cls()
        if not isinstance(value, dict):
            raise InvalidInputError("policy must be an object")
        unknown = set(value) - {
            "require_trusted_issuer",
            "accepted_formats",
            "issuer_kinds",
            "rating",
            "volunteering",
        }
        if unknown:
            raise InvalidInputError(f"unknown policy members {sorted(unknown)}")
        require = value.get("require_trusted_issuer", False)
        if not isinstance(require, bool):
            raise InvalidInputError("policy.require_trusted_issuer must be a boolean")
        formats = value.get("accepted_formats")
        accepted = None
        if formats is not None:
            if not isinstance(formats, list) or not all(isinstance(f, str) for f in formats):
                raise InvalidInputError("policy.accepted_formats must be an array of strings")
            known = set(FORMAT_FAMILIES) | set(FAMILIES)
            bad = [f for f in formats if f not in known]
            if bad:
                raise InvalidInputError(f"unknown formats {bad}; use {list(FAMILIES)}")
            accepted = frozenset(formats)
        kinds = value.get("issuer_kinds")
        issuer_kinds = None
        if kinds is not None:
            if (
                not isinstance(kinds, list)
                or not all(k in ISSUER_KINDS for k in kinds)
                or not kinds
            ):
                raise InvalidInputError(
                    f"policy.issuer_kinds must be a non-empty array of {list(ISSUER_KINDS)}"
                )
            issuer_kinds = frozenset(kinds)
        rating = value.get("rating")
        volunteering = value.get("volunteering")
        return cls(
            require,
            accepted,
            issuer_kinds,
            None if rating is None else RatingRequirement.from_json(rating),
            None if volunteering is None else VolunteeringRequirement.from_json(volunteering),
        )

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "require_trusted_issuer": self.require_trusted_issuer,
            "accepted_formats": sorted(self.accepted_formats) if self.accepted_formats else None,
        }
        if self.issuer_kinds is not None:
            out["issuer_kinds"] = sorted(self.issuer_kinds)
        if self.rating is not None:
            out["rating"] = self.rating.to_json()
        if self.volunteering is not None:
            out["volunteering"] = self.volunteering.to_json()
        return out


@dataclass(frozen=True)
class Expectations:
    """What a presentation must be bound to (challenge / domain, nonce / audience)."""

    challenge: str | None = None
    domain: str | None = None
    nonce: str | None = None
    audience: str | None = None


@dataclass
class Verifier:
    """Everything a verification needs from the running service."""

    fetcher: Fetcher
    clock: Callable[[], datetime]
    allow_http_did_web: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    #: one per service: a status list verified once is not verified again for 5 minutes
    status_lists: StatusListMemo = field(default_factory=StatusListMemo)
    #: a fetcher that revalidates every status list once (a new one per verdict a person
    #: reads); None: ``fetcher`` serves those verdicts too
    revalidating: Callable[[], Fetcher] | None = None
    #: X.509 roots for SD-JWT VC ``x5c`` issuer keys (settings); none: no chain is trusted
    trust_anchors: tuple[x509.Certificate, ...] = ()

    def context(self, expect: Expectations | None = None, *, live: bool = False) -> VerifyContext:
        """``live``: the verdict is shown to a person, so status lists are revalidated first
        (docs/decisions/status-freshness.md)."""
        expect = expect or Expectations()
        fetcher = self.revalidating() if live and self.revalidating else self.fetcher
        return VerifyContext(
            fetcher=fetcher,
            resolver=DidResolver(fetcher, allow_http=self.allow_http_did_web),
            clock=self.clock,
            challenge=expect.challenge,
            domain=expect.domain,
            nonce=expect.nonce,
            audience=expect.audience,
            status_lists=self.status_lists,
            x509_trust_anchors=self.trust_anchors,
        )


def self_asserted_name(credential: dict[str, Any] | None) -> str | None:
    """The issuer name the credential gives itself (not a fact)."""
    if not isinstance(credential, dict):
        return None
    issuer = credential.get("issuer")
    if isinstance(issuer, dict) and isinstance(issuer.get("name"), str):
        return str(issuer["name"])
    return None


def trust_of(report: VerificationReport, registry: TrustRegistry) -> dict[str, Any]:
    """What the registry says of this credential's issuer."""
    entry = registry.lookup(report.issuer)
    return {
        "issuer": report.issuer,
        "trusted": entry is not None,
        "registry_name": entry.name if entry else None,
        "registry_entry": entry.to_json() if entry else None,
        "self_asserted_name": self_asserted_name(report.credential),
    }


def _add_trust_check(report: VerificationReport, trust: dict[str, Any], policy: Policy) -> None:
    issuer = trust["issuer"] or "?"
    claimed = trust["self_asserted_name"]
    claim = f" (it calls itself {claimed!r}; that name is self-asserted)" if claimed else ""
    entry = trust["registry_entry"] or {}
    if (
        trust["trusted"]
        and policy.issuer_kinds
        and entry.get("issuer_kind") not in policy.issuer_kinds
    ):
        kinds = " or ".join(sorted(policy.issuer_kinds))
        report.failed(
            CheckName.TRUST,
            f"the issuer {issuer} is in the trust registry as {trust['registry_name']!r}, "
            f"but as {entry.get('issuer_kind') or 'an issuer of no stated kind'}, "
            f"and here it must be a {kinds}",
            registry_name=trust["registry_name"],
            issuer_kind=entry.get("issuer_kind"),
            required_kinds=sorted(policy.issuer_kinds),
        )
    elif trust["trusted"]:
        report.passed(
            CheckName.TRUST,
            f"the issuer {issuer} is in the trust registry as {trust['registry_name']!r}",
            registry_name=trust["registry_name"],
            issuer_kind=entry.get("issuer_kind"),
        )
    elif policy.require_trusted_issuer or policy.issuer_kinds:
        report.failed(
            CheckName.TRUST,
            f"the issuer {issuer} is not in the trust registry{claim}, "
            "and a trusted issuer is required",
        )
    else:
        report.skipped(CheckName.TRUST, f"the issuer {issuer} is not in the trust registry{claim}")


def _add_format_check(report: VerificationReport, policy: Policy) -> None:
    if policy.accepted_formats is None:
        return
    family = FORMAT_FAMILIES.get(report.format)
    if report.format in policy.accepted_formats or family in policy.accepted_formats:
        report.passed(CheckName.POLICY, f"the format {report.format} is accepted")
    else:
        accepted = ", ".join(sorted(policy.accepted_formats))
        report.failed(
            CheckName.POLICY, f"the format {report.format} is not accepted here ({accepted})"
        )


def _add_rating_check(report: VerificationReport, requirement: RatingRequirement) -> None:
    met, reason = check_rating(report.credential, requirement)
    details = requirement.to_json()
    if met:
        report.passed(CheckName.RATING, reason, **details)
    else:
        report.failed(CheckName.RATING, reason, **details)


def _add_volunteering_check(
    report: VerificationReport, requirement: VolunteeringRequirement
) -> None:
    met, reason, found = assess_volunteering(report.credential, requirement)
    details = {**requirement.to_json(), **found.to_json()}
    if met:
        report.passed(CheckName.VOLUNTEERING, reason, **details)
    else:
        report.failed(CheckName.VOLUNTEERING, reason, **details)


def credential_reports(report: VerificationReport) -> list[VerificationReport]:
    """The credential-level reports: the embedded ones of a presentation, else the report."""
    return report.credentials if report.credentials else [report]


def apply_policy(
    report: VerificationReport, registry: TrustRegistry, policy: Policy
) -> list[dict[str, Any]]:
    """Add trust / policy checks in place; returns the trust record of each credential."""
    if report.usable:
        _add_format_check(report, policy)
    trusts = []
    is_presentation = bool(report.credentials) or report.format in {"ldp_vp", "vp+jwt"}
    for sub in credential_reports(report) if is_presentation else [report]:
        trust = trust_of(sub, registry)
        usable = sub.usable  # the checks added here are never ``format``: it stays as it is
        if usable and sub.issuer is not None:
            _add_trust_check(sub, trust, policy)
        if usable and policy.rating is not None:
            _add_rating_check(sub, policy.rating)
        if usable and policy.volunteering is not None:
            _add_volunteering_check(sub, policy.volunteering)
        trusts.append(trust)
    return trusts


def report_json(report: VerificationReport, trusts: list[dict[str, Any]]) -> dict[str, Any]:
    """The report as JSON, each credential carrying its ``trust`` record."""
    out = report.to_json()
    if report.credentials:
        for sub_json, trust in zip(out.get("credentials", []), trusts, strict=False):
            sub_json["trust"] = trust
        out["trust"] = trusts
    elif trusts:
        out["trust"] = trusts[0]
    out["usable"] = report.usable
    return out


def attach_attestations(
    report: VerificationReport,
    out: dict[str, Any],
    verifier: Verifier,
    registry: TrustRegistry,
    *,
    live: bool = False,
) -> None:
    """Give each endorsement credential of ``out`` its ``attestation``: who attested, what
    they wrote, and how well the attester is proven (shared.verify.attestation)."""

    def registry_name(issuer: str | None) -> str | None:
        entry = registry.lookup(issuer)
        return entry.name if entry else None

    pairs = (
        zip(report.credentials, out.get("credentials", []), strict=False)
        if report.credentials
        else [(report, out)]
    )
    for sub, sub_json in pairs:
        if not is_endorsement(sub.credential) or sub.credential is None:
            continue
        found = assess_attestation(
            sub.credential,
            verifier.context(live=live),
            verified=sub.verified,
            trusted_name=registry_name,
        )
        sub_json["attestation"] = found.to_json()


def verify_submission(
    data: Any,
    verifier: Verifier,
    registry: TrustRegistry,
    policy: Policy,
    expect: Expectations | None = None,
    more_checks: Callable[[VerificationReport], None] | None = None,
    *,
    json_text: bool = True,
    live: bool = False,
) -> tuple[VerificationReport, dict[str, Any]]:
    """Verify a credential or presentation in any format; never raises on bad input.

    ``more_checks`` adds the service's own checks to the report (the replay check).
    ``json_text=False``: ``data`` is a member of a JSON body (a map or a token, never JSON
    text in a string). ``live``: a person reads the verdict (status lists revalidated first).
    """
    try:
        report = verify_credential(data, verifier.context(expect, live=live), json_text=json_text)
    except VcError as err:
        report = VerificationReport()
        report.failed(CheckName.FORMAT, err.detail)
    if more_checks is not None:
        more_checks(report)
    trusts = apply_policy(report, registry, policy)
    out = report_json(report, trusts)
    attach_attestations(report, out, verifier, registry, live=live)
    count_verification(report, out)
    return report, out


def count_verification(report: VerificationReport, out: dict[str, Any] | None = None) -> None:
    """One more verification in /metrics, by format and outcome (after the policy's checks);
    ``out``: the report's JSON (:func:`report_json`) when made already, whose verdict is
    then not worked out again."""
    if out is None:
        verified, usable = report.verified, report.usable
    else:
        verified, usable = out["verified"], out["usable"]
    metrics.verification_done(report.format, metrics.outcome(verified, usable))


def unwrap_share_document(value: Any) -> Any:
    """A share URL may answer with the credential itself or a wrapper object around it."""
    if isinstance(value, dict) and "@context" not in value:
        for key in ("credential", "verifiableCredential", "presentation", "verifiablePresentation"):
            if key in value:
                return value[key]
    return value


def flatten_checks(report_json_value: dict[str, Any]) -> Iterable[dict[str, Any]]:
    """Every check of the report and its credentials (for the pages)."""
    yield from report_json_value.get("checks", [])
    for sub in report_json_value.get("credentials", []):
        yield from flatten_checks(sub)
