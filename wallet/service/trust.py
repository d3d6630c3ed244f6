"""The wallet's small list of trusted issuers (credential issuer URLs or DIDs)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from wallet.db.models import TrustedIssuer


def seed_trusted(session: Session, identifiers: Iterable[str], name: str = "") -> None:
    """Add the configured issuers that are missing (every instance does it at start-up)."""
    for identifier in identifiers:
        ident = identifier.rstrip("/") if identifier.startswith("http") else identifier
        if session.get(TrustedIssuer, ident) is None:
            # two instances starting together both find it missing: one insert wins
            with contextlib.suppress(IntegrityError), session.begin_nested():
                session.add(TrustedIssuer(identifier=ident, name=name or ident))


def is_trusted(session: Session, *identifiers: str | None) -> bool:
    wanted = {i.rstrip("/") if i.startswith("http") else i for i in identifiers if i}
    if not wanted:
        return False
    found = session.scalar(
        select(TrustedIssuer.identifier).where(TrustedIssuer.identifier.in_(wanted))
    )
    return found is not None


def list_trusted(session: Session) -> list[dict[str, str]]:
    rows = session.scalars(select(TrustedIssuer).order_by(TrustedIssuer.identifier))
    return [{"identifier": r.identifier, "name": r.name} for r in rows]
