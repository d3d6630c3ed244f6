"""The verification report: named checks, each passed, failed or skipped, with a reason.

A failing check is a result, not an exception.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

CHECK_NAMES = (
    "format",
    "schema",
    "proof",
    "issuer_key",
    "validity",
    "status",
    "holder_binding",
    "challenge",
)


def issuer_is_subject(credential: object) -> bool:
    """True for a self-declared credential: the issuer's id equals the subject's id (DID URL
    fragments ignored), under the W3C names (``issuer``, ``credentialSubject.id``, any subject
    of a list) or the SD-JWT VC ones (``iss``, ``sub``). Such a credential proves only
    that the holder said it."""
    if not isinstance(credential, Mapping):
        return False
    issuer = credential.get("issuer", credential.get("iss"))
    issuer_id = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    subject = credential.get("credentialSubject", {"id": credential.get("sub")})
    subjects = subject if isinstance(subject, list) else [subject]
    if not isinstance(issuer_id, str) or not issuer_id:
        return False
    ids = [s.get("id") for s in subjects if isinstance(s, Mapping)]
    # a claim about the issuer itself is self-declared, even among other subjects
    return any(isinstance(i, str) and i.split("#")[0] == issuer_id.split("#")[0] for i in ids)


class CheckName(StrEnum):
    """The name of every check a report may carry: the engine's (``CHECK_NAMES``) and those
    the verifier adds (``replay``, ``trust``, ``policy``, ``rating``, ``volunteering``)."""

    FORMAT = "format"
    SCHEMA = "schema"
    PROOF = "proof"
    ISSUER_KEY = "issuer_key"
    VALIDITY = "validity"
    STATUS = "status"
    HOLDER_BINDING = "holder_binding"
    CHALLENGE = "challenge"
    REPLAY = "replay"
    TRUST = "trust"
    POLICY = "policy"
    RATING = "rating"
    VOLUNTEERING = "volunteering"


class CheckStatus(StrEnum):
    """Outcome of one check."""

    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"


#: each status as plain text (``.value`` is a descriptor lookup, once per check per report)
_STATUS_TEXT = {status: status.value for status in CheckStatus}
#: the members the report's own methods use, read once: on Python 3.11 every
#: ``CheckStatus.PASSED`` goes through ``EnumType.__getattr__``'s slot (several per check)
_PASSED, _FAILED, _SKIPPED = CheckStatus.PASSED, CheckStatus.FAILED, CheckStatus.SKIPPED
_PROOF, _FORMAT = CheckName.PROOF, CheckName.FORMAT


@dataclass(slots=True)
class Check:
    """One named check with a reason a person can read."""

    name: str
    status: CheckStatus
    reason: str
    details: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """JSON form of this check."""
        out: dict[str, Any] = {
            "name": str(self.name),  # plain text, a CheckName or not
            "status": _STATUS_TEXT[self.status],
            "reason": self.reason,
        }
        if self.details:
            out["details"] = self.details
        return out


@dataclass
class VerificationReport:
    """Everything verify found about one credential or presentation."""

    format: str = "unknown"
    checks: list[Check] = field(default_factory=list)
    credential: dict[str, Any] | None = None
    issuer: str | None = None
    subject: str | None = None
    credentials: list[VerificationReport] = field(default_factory=list)

    def passed(self, name: str, reason: str, **details: Any) -> None:
        """Record a passed check."""
        self.checks.append(Check(name, _PASSED, reason, details))

    def failed(self, name: str, reason: str, **details: Any) -> None:
        """Record a failed check."""
        self.checks.append(Check(name, _FAILED, reason, details))

    def skipped(self, name: str, reason: str, **details: Any) -> None:
        """Record a skipped check."""
        self.checks.append(Check(name, _SKIPPED, reason, details))

    def check(self, name: str) -> Check | None:
        """The last check recorded under ``name``."""
        for check in reversed(self.checks):
            if check.name == name:
                return check
        return None

    @property
    def verified(self) -> bool:
        """True when no check failed, a proof check passed, and every embedded credential holds."""
        if any(c.status is _FAILED for c in self.checks):
            return False
        proof = self.check(_PROOF)
        if proof is None or proof.status is not _PASSED:
            return False
        return all(sub.verified for sub in self.credentials)

    @property
    def self_declared(self) -> bool:
        """The issuer is the subject: the credential is the holder's own statement."""
        if self.issuer and self.subject:  # any format: what the engine read as issuer/subject
            return self.issuer.split("#")[0] == self.subject.split("#")[0]
        return issuer_is_subject(self.credential)

    @property
    def usable(self) -> bool:
        """False when the input could not even be read (the ``format`` check failed)."""
        fmt = self.check(_FORMAT)
        return fmt is None or fmt.status is not _FAILED

    def to_json(self) -> dict[str, Any]:
        """JSON form of the report."""
        out: dict[str, Any] = {
            "verified": self.verified,
            "format": self.format,
            "checks": [c.to_json() for c in self.checks],
        }
        if self.issuer:
            out["issuer"] = self.issuer
        if self.subject:
            out["subject"] = self.subject
        if self.self_declared:
            out["self_declared"] = True
        if self.credential is not None:
            out["credential"] = self.credential
        if self.credentials:
            out["credentials"] = [sub.to_json() for sub in self.credentials]
        return out
