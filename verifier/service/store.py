"""Stored verification results."""

from __future__ import annotations

import json
import secrets
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from verifier.db.models import Verification


def save_verification(
    session: Session, report: dict[str, Any], *, source: str, account_id: str | None, now: datetime
) -> Verification:
    row = Verification(
        id=secrets.token_urlsafe(16),
        account_id=account_id,
        source=source,
        format=str(report.get("format", "unknown"))[:64],
        verified=bool(report.get("verified")),
        report=json.dumps(report, ensure_ascii=False),
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row


def get_verification(session: Session, verification_id: str) -> Verification | None:
    return session.get(Verification, verification_id)
