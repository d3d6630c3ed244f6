"""Challenges handed out by ``POST /challenges``, and the replay check they make possible.

A challenge is single use and short-lived, and lives in the database so that every
instance of the verifier knows it. A presentation bound to one of ours uses it up with one
atomic ``UPDATE … WHERE used_at IS NULL``: the second submission of the same presentation
fails the ``replay`` check. A challenge or nonce the caller chose itself cannot be checked
for replay, and the report says so (a skipped check, never a silent pass).

Data Integrity §2.1 (``challenge``/``domain``), OpenID4VP 1.0 §14.1 (nonce, replay).
"""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from shared.verify.report import CheckName, CheckStatus, VerificationReport
from verifier.db.models import Challenge
from verifier.service.verifying import Expectations

REPLAY = "replay"


def issue_challenge(
    session: Session, *, domain: str, account_id: str | None, now: datetime, ttl: timedelta
) -> Challenge:
    """A fresh challenge for ``domain``, usable once before ``now + ttl``."""
    row = Challenge(
        challenge=secrets.token_urlsafe(24),
        domain=domain,
        account_id=account_id,
        created_at=now,
        expires_at=now + ttl,
        used_at=None,
    )
    session.add(row)
    session.flush()
    return row


def requested_value(expect: Expectations) -> str | None:
    """The challenge (Data Integrity) or nonce (JWT) the caller asked the presentation for."""
    return expect.challenge if expect.challenge is not None else expect.nonce


def with_issued_domain(session: Session, expect: Expectations) -> Expectations:
    """When the caller names one of our challenges but no domain/audience, the presentation
    must be bound to the domain the challenge was issued for."""
    value = requested_value(expect)
    if value is None or expect.domain is not None or expect.audience is not None:
        return expect
    row = session.get(Challenge, value[:64])
    if row is None or row.challenge != value:
        return expect
    if expect.challenge is not None:
        return replace(expect, domain=row.domain)
    return replace(expect, audience=row.domain)


def check_replay(
    session: Session, report: VerificationReport, expect: Expectations, now: datetime
) -> None:
    """Add the ``replay`` check to a presentation's report (and use the challenge up)."""
    bound = report.check(CheckName.CHALLENGE)
    if bound is None:
        return  # a credential alone: it is meant to be shown again and again
    value = requested_value(expect)
    if value is None:
        report.skipped(REPLAY, "no challenge was requested: not checked for replay")
        return
    if bound.status is not CheckStatus.PASSED:
        return  # the challenge check already failed: not the requested challenge
    row = session.get(Challenge, value[:64])
    if row is None or row.challenge != value:
        report.skipped(
            REPLAY, "the challenge was not issued by this verifier: not checked for replay"
        )
        return
    if row.used_at is not None:
        report.failed(REPLAY, "challenge: already used (this presentation is a replay)")
        return
    if row.expires_at <= now:
        report.failed(REPLAY, "challenge: expired", expired_at=row.expires_at.isoformat())
        return
    domain = expect.domain if expect.challenge is not None else expect.audience
    if domain != row.domain:
        report.failed(REPLAY, f"challenge: issued for the domain {row.domain}, not {domain}")
        return
    proof = report.check(CheckName.PROOF)
    if proof is None or proof.status is not CheckStatus.PASSED:
        report.skipped(REPLAY, "the presentation's proof failed: its challenge stays unused")
        return
    used = session.execute(
        update(Challenge)
        .where(
            Challenge.challenge == value,
            Challenge.used_at.is_(None),
            Challenge.expires_at > now,
        )
        .values(used_at=now)
    )
    if getattr(used, "rowcount", 0) != 1:  # another request used it in the meantime
        report.failed(REPLAY, "challenge: already used (this presentation is a replay)")
        return
    report.passed(REPLAY, "challenge: issued by this verifier and used for the first time")
