"""Who attested, and how well the attester is proven: Open Badges 3.0 endorsements.

Implements: 1EdTech Open Badges 3.0 (3.0.3) §"EndorsementCredential" and §"Evidence"
https://www.imsglobal.org/spec/ob/v3p0/#endorsementcredential

An ``EndorsementCredential`` is signed by the endorser's own key (a did:key or did:jwk
that nobody vouches for). Its ``evidence`` may point at a *proof of the relationship*: a
public link to a credential that someone else issued to the endorser (for example their
own badge from the same employer). This module says, for one verified endorsement:

* ``self-asserted``: no relationship proof is given; only the endorser's DID signed;
* ``verified-credential``: an evidence URL serves a credential that verifies and whose
  ``credentialSubject.id`` is the endorser's DID; its issuer is named, with whether the
  caller's trust registry knows it;
* ``unproven``: evidence is given but none holds; each item says why (the fetch was
  refused or failed, it does not verify, it is about someone else, it is not a credential).

Evidence is fetched only through the injected fetcher (``HttpFetcher``: https only, public
addresses only, size cap, timeout; development mode allows loopback), at most
``MAX_EVIDENCE`` items, and never recursively (the fetched credential's own evidence is not
followed).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from shared.errors import FetchRefusedError, VcError
from shared.verify.context import VerifyContext
from shared.verify.credential import verify_credential
from shared.verify.report import VerificationReport

__all__ = [
    "MAX_EVIDENCE",
    "Attestation",
    "EvidenceCheck",
    "assess_attestation",
    "is_endorsement",
]

#: at most this many evidence URLs are fetched for one endorsement
MAX_EVIDENCE: Final = 3
MAX_COMMENT: Final = 4000

Level = Literal["self-asserted", "verified-credential", "unproven"]
Outcome = Literal[
    "verified",
    "refused",
    "fetch-failed",
    "not-a-credential",
    "not-verified",
    "other-subject",
    "no-url",
]
#: the registry's name for an issuer, or None when the issuer is not in it
TrustLookup = Callable[[str | None], str | None]


def _no_registry(_issuer: str | None) -> str | None:
    return None


@dataclass
class EvidenceCheck:
    """What became of one ``evidence`` item offered as proof of the relationship."""

    url: str | None
    outcome: Outcome
    reason: str
    issuer: str | None = None
    issuer_name: str | None = None
    trusted: bool = False
    registry_name: str | None = None
    credential_name: str | None = None

    def to_json(self) -> dict[str, Any]:
        """JSON form."""
        return dataclasses.asdict(self)


@dataclass
class Attestation:
    """Who attested (DID, self-asserted name), what they said, and the proof level."""

    endorser: str | None
    endorser_name: str | None
    comment: str | None
    subject: str | None
    level: Level
    reason: str
    #: the endorsement itself verified (its signature, dates, status)
    endorsement_verified: bool
    evidence: list[EvidenceCheck] = field(default_factory=list)

    @property
    def proven_by(self) -> EvidenceCheck | None:
        """The evidence that proves the relationship (a trusted issuer first)."""
        held = [e for e in self.evidence if e.outcome == "verified"]
        held.sort(key=lambda e: not e.trusted)
        return held[0] if held else None

    def to_json(self) -> dict[str, Any]:
        """JSON form (the verifier's ``attestation`` member)."""
        proven = self.proven_by
        return {
            "endorser": self.endorser,
            "endorser_name": self.endorser_name,
            "comment": self.comment,
            "subject": self.subject,
            "level": self.level,
            "reason": self.reason,
            "endorsement_verified": self.endorsement_verified,
            "proven_by": proven.to_json() if proven else None,
            "evidence": [e.to_json() for e in self.evidence],
        }


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _text(value: Any, limit: int = 500) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()[:limit]
    if isinstance(value, dict):
        for key in ("@value", "en", "fr"):
            if isinstance(value.get(key), str):
                return str(value[key]).strip()[:limit] or None
    return None


def is_endorsement(credential: Any) -> bool:
    """True for a credential whose ``type`` includes ``EndorsementCredential``."""
    if not isinstance(credential, dict):
        return False
    return "EndorsementCredential" in _list(credential.get("type"))


def _issuer_of(credential: dict[str, Any]) -> tuple[str | None, str | None]:
    issuer = credential.get("issuer")
    if isinstance(issuer, str):
        return issuer, None
    if isinstance(issuer, dict):
        ident = issuer.get("id")
        return (ident if isinstance(ident, str) else None), _text(issuer.get("name"), 200)
    return None, None


def _subject_ids(credential: dict[str, Any]) -> list[str]:
    return [
        str(s["id"]).split("#")[0]
        for s in _list(credential.get("credentialSubject"))
        if isinstance(s, dict) and isinstance(s.get("id"), str)
    ]


def _fetch(ctx: VerifyContext, url: str) -> Any:
    """The evidence document, through the context's fetcher only (bytes when it can)."""
    fetch_bytes = getattr(ctx.fetcher, "fetch_bytes", None)
    if callable(fetch_bytes):
        return fetch_bytes(url)
    return ctx.fetcher.fetch_json(url)


def check_evidence(
    item: Any, endorser: str, ctx: VerifyContext, trusted_name: TrustLookup = _no_registry
) -> EvidenceCheck:
    """Fetch one evidence URL and say whether it proves the endorser holds a credential."""
    url = item.get("id") if isinstance(item, dict) else item if isinstance(item, str) else None
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        return EvidenceCheck(
            url if isinstance(url, str) else None, "no-url", "the evidence gives no web address"
        )
    try:
        document = _fetch(ctx, url)
    except FetchRefusedError as err:
        return EvidenceCheck(url, "refused", f"the address was not fetched: {err.detail}")
    except VcError as err:
        return EvidenceCheck(url, "fetch-failed", f"the address could not be read: {err.detail}")
    report: VerificationReport = verify_credential(document, ctx)
    cred = report.credential
    if not report.usable or not isinstance(cred, dict) or report.credentials:
        return EvidenceCheck(url, "not-a-credential", "the address does not serve a credential")
    issuer, claimed = _issuer_of(cred)
    registry_name = trusted_name(issuer)
    found = EvidenceCheck(
        url,
        "verified",
        "",
        issuer=issuer,
        issuer_name=claimed,
        trusted=registry_name is not None,
        registry_name=registry_name,
        credential_name=_credential_name(cred),
    )
    if not report.verified:
        failed = [f"{c.name}: {c.reason}" for c in report.checks if c.status.value == "failed"]
        found.outcome = "not-verified"
        found.reason = "the credential does not verify: " + "; ".join(failed[:3])
        return found
    subjects = _subject_ids(cred)
    if endorser.split("#")[0] not in subjects:
        found.outcome = "other-subject"
        found.reason = "the credential is about someone else, not about the endorser"
        return found
    trust = f"in the trust registry as {registry_name!r}" if registry_name else "not in the trust"
    found.reason = f"the endorser holds a verified credential from {issuer} ({trust}" + (
        ")" if registry_name else " registry)"
    )
    return found


def _credential_name(credential: dict[str, Any]) -> str | None:
    subject = _list(credential.get("credentialSubject"))
    first = subject[0] if subject and isinstance(subject[0], dict) else {}
    achievement = first.get("achievement") if isinstance(first, dict) else None
    if isinstance(achievement, dict) and _text(achievement.get("name")):
        return _text(achievement.get("name"), 200)
    return _text(credential.get("name"), 200)


def assess_attestation(
    credential: dict[str, Any],
    ctx: VerifyContext,
    *,
    verified: bool,
    trusted_name: TrustLookup = _no_registry,
) -> Attestation:
    """Who attested in ``credential`` (an EndorsementCredential) and how well it is proven.

    ``verified`` is the outcome of verifying the endorsement itself; evidence is fetched
    only for an endorsement that verified. ``ctx`` supplies the fetcher, resolver and
    clock; its presentation expectations (challenge, nonce) are not applied to evidence.
    """
    endorser, name = _issuer_of(credential)
    subjects = _list(credential.get("credentialSubject"))
    subject = subjects[0] if subjects and isinstance(subjects[0], dict) else {}
    found = Attestation(
        endorser=endorser,
        endorser_name=name,
        comment=_text(subject.get("endorsementComment"), MAX_COMMENT),
        subject=subject.get("id") if isinstance(subject.get("id"), str) else None,
        level="self-asserted",
        reason="only the endorser's own DID signed; no proof of the relationship is attached",
        endorsement_verified=verified,
    )
    evidence = _list(credential.get("evidence"))
    if not evidence:
        return found
    found.level = "unproven"
    if not verified or endorser is None:
        found.reason = "the endorsement does not verify, so its evidence was not checked"
        return found
    plain = dataclasses.replace(ctx, challenge=None, domain=None, nonce=None, audience=None)
    for item in evidence[:MAX_EVIDENCE]:
        found.evidence.append(check_evidence(item, endorser, plain, trusted_name))
    proven = found.proven_by
    if proven is not None:
        found.level = "verified-credential"
        found.reason = proven.reason
    else:
        found.reason = "no evidence holds: " + "; ".join(e.reason for e in found.evidence)
    return found
