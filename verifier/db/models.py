"""Verifier tables: recruiter accounts, trust registry, verification results, VP requests."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from verifier.db.base import Base, UtcDateTime


class Account(Base):
    __tablename__ = "accounts"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class ApiKey(Base):
    __tablename__ = "api_keys"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    account_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class WebSession(Base):
    __tablename__ = "sessions"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    csrf_token: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())


class TrustedIssuer(Base):
    __tablename__ = "trusted_issuers"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    #: "did" (an exact issuer DID) or "domain" (every did:web on that host)
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(2000), unique=True)
    name: Mapped[str] = mapped_column(String(500))
    url: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    source: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    #: association, platform, employer, school; None when not stated (migration 0004)
    issuer_kind: Mapped[str | None] = mapped_column(String(16), nullable=True, default=None)


class Verification(Base):
    __tablename__ = "verifications"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    account_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True, index=True
    )
    source: Mapped[str] = mapped_column(String(32))
    format: Mapped[str] = mapped_column(String(64))
    verified: Mapped[bool] = mapped_column(Boolean())
    #: the verdict summary: checks, format, issuer, trust; never the credential's contents
    report: Mapped[str] = mapped_column(Text())
    #: the whole report with the credential's contents, for the console's result page;
    #: never kept for anonymous API calls, and purged with the row (verification retention)
    full_report: Mapped[str | None] = mapped_column(Text(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    #: an anonymous API result kept on request (``?store=true``) is deleted at this moment;
    #: None: the verification retention applies
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True, index=True)


class Challenge(Base):
    """A challenge (nonce) handed out by ``POST /challenges``: single use, short-lived."""

    __tablename__ = "challenges"
    challenge: Mapped[str] = mapped_column(String(64), primary_key=True)
    #: the domain (Data Integrity) / audience (JWT) the presentation must be bound to
    domain: Mapped[str] = mapped_column(String(2000))
    account_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    #: set once, by the verification that used it up (an atomic UPDATE … WHERE used_at IS NULL)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class PresentationRequest(Base):
    __tablename__ = "presentation_requests"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    #: the secret part of request_uri and response_uri (not the result id)
    request_key: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True, index=True
    )
    template: Mapped[str] = mapped_column(String(64))
    client_id: Mapped[str] = mapped_column(String(2000))
    nonce: Mapped[str] = mapped_column(String(64), unique=True)
    state: Mapped[str] = mapped_column(String(64))
    response_mode: Mapped[str] = mapped_column(String(32))
    dcql_query: Mapped[str] = mapped_column(Text())
    policy: Mapped[str] = mapped_column(Text())
    #: pending -> processing -> answered (result stored) | expired
    status: Mapped[str] = mapped_column(String(16))
    verified: Mapped[bool | None] = mapped_column(Boolean(), nullable=True)
    result: Mapped[str | None] = mapped_column(Text(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class StoredKey(Base):
    __tablename__ = "keys"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    blob: Mapped[bytes] = mapped_column(LargeBinary())
