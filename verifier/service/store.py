"""Stored verification results."""

from __future__ import annotations

import json
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from verifier.db.models import Verification
from verifier.service.retention import Purged, PurgeSchedule, purge, summary_of
from verifier.settings import VerifierSettings


def save_verification(
    session: Session,
    report: dict[str, Any],
    *,
    source: str,
    account_id: str | None,
    now: datetime,
    keep_contents: bool = True,
    expires_at: datetime | None = None,
) -> Verification:
    """Store a result: always its summary, and the whole report only if ``keep_contents``;
    ``expires_at``: deleted then (else the verification retention applies)."""
    row = Verification(
        id=secrets.token_urlsafe(16),
        account_id=account_id,
        source=source,
        format=str(report.get("format", "unknown"))[:64],
        verified=bool(report.get("verified")),
        report=json.dumps(summary_of(report), ensure_ascii=False),
        full_report=json.dumps(report, ensure_ascii=False) if keep_contents else None,
        created_at=now,
        expires_at=expires_at,
    )
    session.add(row)
    session.flush()
    return row


#: one schedule per database: each verifier process purges at most every ten minutes
_SCHEDULES: dict[str, PurgeSchedule] = {}


def purge_expired(session: Session, settings: VerifierSettings, now: datetime) -> Purged:
    """Apply the retention settings now (the ``musette verifier purge`` command, or due)."""
    return purge(
        session,
        now,
        retention=timedelta(days=settings.verification_retention_days),
        anonymous_contents=timedelta(seconds=settings.anonymous_result_seconds),
    )


def purge_if_due(session: Session, settings: VerifierSettings, now: datetime) -> None:
    """Purge opportunistically, at most once per ten minutes per process and database."""
    schedule = _SCHEDULES.setdefault(settings.database_url, PurgeSchedule())
    if schedule.due(now):
        purge_expired(session, settings, now)


def purge_pending(settings: VerifierSettings, now: datetime) -> bool:
    """Whether the next :func:`purge_if_due` would purge (a request that must not touch the
    database leaves that turn to one that may)."""
    schedule = _SCHEDULES.get(settings.database_url)
    return schedule is None or schedule.pending(now)


def get_verification(session: Session, verification_id: str, now: datetime) -> Verification | None:
    """A stored result, None once past its ``expires_at`` (even before the purge runs)."""
    row = session.get(Verification, verification_id)
    if row is None or (row.expires_at is not None and row.expires_at <= now):
        return None
    return row
