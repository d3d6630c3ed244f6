"""What a verification leaves behind, and for how long (docs/decisions/verification-retention.md).

A stored result keeps its verdict summary (checks, format, issuer, trust) for
``verification_retention_days``; the credential's contents (claims, subject, endorsement
text) are kept only where the console shows them: a signed-in recruiter's results for the
same retention, an anonymous console check for ``anonymous_result_seconds``. An anonymous
``POST /verifications`` call stores nothing, unless it asks for a result URL (``?store=true``):
then its summary, never the contents, until its ``expires_at``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_, update
from sqlalchemy.orm import Session

from verifier.db.models import Challenge, PresentationRequest, Verification

#: report members that carry what the credential says (personal data), not the verdict
CONTENT_MEMBERS = frozenset({"credential", "subject", "attestation"})


def summary_of(report: dict[str, Any]) -> dict[str, Any]:
    """The report without the credential's contents, in every embedded credential too."""
    out = {k: v for k, v in report.items() if k not in CONTENT_MEMBERS}
    subs = report.get("credentials")
    if isinstance(subs, list):
        out["credentials"] = [summary_of(s) if isinstance(s, dict) else s for s in subs]
    return out


@dataclass(frozen=True)
class Purged:
    """How many rows one purge removed or emptied."""

    verifications: int
    contents: int
    requests: int
    challenges: int

    def to_json(self) -> dict[str, int]:
        return {
            "verifications": self.verifications,
            "contents": self.contents,
            "requests": self.requests,
            "challenges": self.challenges,
        }


def purge(
    session: Session, now: datetime, *, retention: timedelta, anonymous_contents: timedelta
) -> Purged:
    """Delete results, OpenID4VP requests and challenges older than ``retention`` and the
    results past their own ``expires_at``, and the contents of anonymous results older
    than ``anonymous_contents``."""
    cutoff = now - retention

    def count(result: Any) -> int:
        return int(getattr(result, "rowcount", 0) or 0)

    return Purged(
        verifications=count(
            session.execute(
                delete(Verification).where(
                    or_(Verification.created_at < cutoff, Verification.expires_at <= now)
                )
            )
        ),
        contents=count(
            session.execute(
                update(Verification)
                .where(
                    Verification.account_id.is_(None),
                    Verification.full_report.is_not(None),
                    Verification.created_at < now - anonymous_contents,
                )
                .values(full_report=None)
            )
        ),
        requests=count(
            session.execute(
                delete(PresentationRequest).where(PresentationRequest.created_at < cutoff)
            )
        ),
        challenges=count(session.execute(delete(Challenge).where(Challenge.created_at < cutoff))),
    )


class PurgeSchedule:
    """Purge at most once per ``every`` per process: often enough that nothing outlives its
    retention by more than that, rarely enough to cost nothing per request."""

    def __init__(self, every: timedelta = timedelta(minutes=10)) -> None:
        self.every = every
        self.next_at: datetime | None = None

    def pending(self, now: datetime) -> bool:
        """Whether :meth:`due` would say yes now (without taking the turn)."""
        return self.next_at is None or now >= self.next_at

    def due(self, now: datetime) -> bool:
        if self.next_at is not None and now < self.next_at:
            return False
        self.next_at = now + self.every
        return True
