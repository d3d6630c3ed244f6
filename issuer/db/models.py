"""Issuer tables: organisations and their keys, admins, achievements, offers, credentials, status."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from issuer.db.base import Base, UtcDateTime


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(String(400))
    email: Mapped[str | None] = mapped_column(String(200))
    did_method: Mapped[str] = mapped_column(String(8))
    did: Mapped[str] = mapped_column(String(400))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # an association's facts for the Compte d'engagement citoyen (shared.model.cec)
    rna: Mapped[str | None] = mapped_column(String(10), default=None)
    #: a SIREN (9 digits) or a SIRET (14)
    siren: Mapped[str | None] = mapped_column(String(14), default=None)
    declared_on: Mapped[date | None] = mapped_column(Date, default=None)
    activity_field: Mapped[str | None] = mapped_column(String(32), default=None)
    valideur_name: Mapped[str | None] = mapped_column(String(200), default=None)
    valideur_email: Mapped[str | None] = mapped_column(String(200), default=None)


class StoredKey(Base):
    """Backend of the encrypted key store: ciphertext only."""

    __tablename__ = "stored_keys"

    key_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    blob: Mapped[bytes] = mapped_column(LargeBinary)


class OrgKey(Base):
    __tablename__ = "org_keys"
    __table_args__ = (UniqueConstraint("org_id", "fragment"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    store_key_id: Mapped[str] = mapped_column(String(64), unique=True)
    fragment: Mapped[str] = mapped_column(String(64))
    key_type: Mapped[str] = mapped_column(String(16))
    public_multibase: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    retired_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class AdminUser(Base):
    __tablename__ = "admin_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    email: Mapped[str] = mapped_column(String(200), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class AdminSession(Base):
    __tablename__ = "admin_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("admin_users.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    key_id: Mapped[str] = mapped_column(String(32), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Achievement(Base):
    __tablename__ = "achievements"
    __table_args__ = (UniqueConstraint("org_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    slug: Mapped[str] = mapped_column(String(64))
    achievement_type: Mapped[str] = mapped_column(String(64))
    image_url: Mapped[str | None] = mapped_column(String(2000))
    #: name/description/criteria per language, alignments, result descriptions
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Batch(Base):
    """One CSV upload that created one offer per row (all in one transaction)."""

    __tablename__ = "batches"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    achievement_id: Mapped[int] = mapped_column(ForeignKey("achievements.id"))
    filename: Mapped[str | None] = mapped_column(String(200))
    row_count: Mapped[int] = mapped_column(Integer)
    #: whether its offers need a tx_code (the codes themselves are never stored)
    tx_code: Mapped[bool] = mapped_column(Boolean, default=False)
    #: the console form's one-time token: posting the same confirmation twice creates one batch
    confirm_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(200))


class Offer(Base):
    __tablename__ = "offers"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    achievement_id: Mapped[int] = mapped_column(ForeignKey("achievements.id"))
    recipient_name: Mapped[str] = mapped_column(String(200))
    recipient_email: Mapped[str | None] = mapped_column(String(200))
    #: the name in clear in ldp_vc / jwt_vc_json credentials (default: salted hash)
    name_in_clear: Mapped[bool] = mapped_column(Boolean, default=False)
    subject: Mapped[dict[str, Any]] = mapped_column(JSON)
    configuration_ids: Mapped[list[str]] = mapped_column(JSON)
    language: Mapped[str] = mapped_column(String(8))
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    tx_code_hash: Mapped[str | None] = mapped_column(String(64))
    tx_attempts: Mapped[int] = mapped_column(Integer, default=0)
    #: pending → redeemed (token issued); dead after too many wrong tx_codes
    state: Mapped[str] = mapped_column(String(16))
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(200))
    #: the badge's status entry: "revocation" (default) or "suspension" (suspendable)
    status_purpose: Mapped[str] = mapped_column(String(16), default="revocation")
    #: the CSV batch that created this offer, and the file line of its row
    batch_id: Mapped[str | None] = mapped_column(ForeignKey("batches.id"), index=True)
    batch_line: Mapped[int | None] = mapped_column(Integer)


class AccessToken(Base):
    __tablename__ = "access_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    offer_id: Mapped[str] = mapped_column(ForeignKey("offers.id"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Nonce(Base):
    __tablename__ = "nonces"

    nonce_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class IssuedCredential(Base):
    __tablename__ = "issued_credentials"
    __table_args__ = (UniqueConstraint("offer_id", "configuration_id"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    offer_id: Mapped[str | None] = mapped_column(ForeignKey("offers.id"))
    achievement_id: Mapped[int | None] = mapped_column(ForeignKey("achievements.id"))
    configuration_id: Mapped[str | None] = mapped_column(String(128))
    format: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[str | None] = mapped_column(Text)
    recipient_name: Mapped[str | None] = mapped_column(String(200))
    #: the signed credential: JSON text (ldp_vc) or a compact JWT / SD-JWT
    document: Mapped[str] = mapped_column(Text)
    status_seq: Mapped[int | None] = mapped_column(Integer)
    status_index: Mapped[int | None] = mapped_column(Integer)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    suspended: Mapped[bool] = mapped_column(Boolean, default=False)
    #: the status purposes of the entries the credential carries, comma-separated
    status_purposes: Mapped[str | None] = mapped_column(String(32))
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    issued_by: Mapped[str] = mapped_column(String(200))


class StatusList(Base):
    __tablename__ = "status_lists"
    __table_args__ = (UniqueConstraint("org_id", "purpose", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    purpose: Mapped[str] = mapped_column(String(16))
    seq: Mapped[int] = mapped_column(Integer)
    size: Mapped[int] = mapped_column(Integer)
    bits: Mapped[bytes] = mapped_column(LargeBinary)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    #: the signed list credential of ``signed_version`` (signed lazily, on first GET)
    signed: Mapped[str | None] = mapped_column(Text)
    signed_version: Mapped[int | None] = mapped_column(Integer)


class StatusAllocation(Base):
    """One row per index ever handed out: the primary key makes allocation race-free."""

    __tablename__ = "status_allocations"

    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    idx: Mapped[int] = mapped_column(Integer, primary_key=True)
    credential_id: Mapped[str] = mapped_column(String(64))


class StatusEvent(Base):
    """Audit record of every revoke / suspend / unsuspend."""

    __tablename__ = "status_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    credential_id: Mapped[str] = mapped_column(ForeignKey("issued_credentials.id"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
