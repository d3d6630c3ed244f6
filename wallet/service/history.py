"""The person's history: every presentation (to whom, when, which credential, which claims)
and every credential received, encrypted like the credentials themselves."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from wallet.db.models import HistoryEntry
from wallet.service.accounts import Principal, new_id, now


def record(
    session: Session,
    who: Principal,
    kind: str,
    details: dict[str, Any],
    *,
    entry_id: str | None = None,
    at: datetime | None = None,
) -> dict[str, Any]:
    eid = entry_id or new_id()
    when = at or now()
    session.add(
        HistoryEntry(
            id=eid,
            account_id=who.account_id,
            kind=kind,
            created_at=when,
            ct=who.vault.seal_json("history", eid, details),
        )
    )
    session.flush()
    return {"id": eid, "kind": kind, "at": when.isoformat(), **details}


def entries(session: Session, who: Principal, kind: str | None = None) -> list[dict[str, Any]]:
    query = select(HistoryEntry).where(HistoryEntry.account_id == who.account_id)
    if kind:
        query = query.where(HistoryEntry.kind == kind)
    rows = session.scalars(query.order_by(HistoryEntry.created_at.desc(), HistoryEntry.id))
    return [
        {
            "id": row.id,
            "kind": row.kind,
            "at": row.created_at.isoformat(),
            **who.vault.open_json("history", row.id, row.ct),
        }
        for row in rows
    ]
