"""Wallet tables. Everything a person holds is ciphertext (``*_ct`` columns)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from wallet.db.base import Base, UtcDateTime


def account_fk() -> ForeignKey:
    return ForeignKey("accounts.id", ondelete="CASCADE")


class Account(Base):
    __tablename__ = "accounts"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    #: accounts made before person-held keys: the data key wrapped under the service master
    #: key, erased at the first sign-in since (docs/decisions/person-held-keys.md)
    wrapped_key: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    #: Argon2id salt and parameters of the password key
    kek_salt: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    kek_params: Mapped[str | None] = mapped_column(String(64), nullable=True)
    #: the data key wrapped under the password key, and under the recovery code's key
    password_wrapped_key: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    recovery_wrapped_key: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    #: X25519 inbox: what arrives while the person is away is sealed to the public key
    inbox_public_key: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    #: its private key, sealed under the data key
    inbox_private_ct: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    #: how many ``inbox`` rows wait: raised with each delivery, lowered by the drain, so a
    #: signed-in request looks in the inbox only when something waits
    inbox_pending: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class WebSession(Base):
    __tablename__ = "sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[str] = mapped_column(account_fk(), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    #: the data key sealed under a key derived from the cookie token (stored only hashed)
    key_ct: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    account_id: Mapped[str] = mapped_column(account_fk(), index=True)
    name: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    #: the data key sealed under a key derived from the token secret (stored only hashed)
    key_ct: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)


class InboxItem(Base):
    """Something delivered while the person was away, sealed to the account's inbox key;
    moved into the vault at their next signed-in request."""

    __tablename__ = "inbox"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    account_id: Mapped[str] = mapped_column(account_fk(), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ct: Mapped[bytes] = mapped_column(LargeBinary)


class VaultCheck(Base):
    """A value sealed under the master secret, written once: a wrong secret is refused at
    start-up (docs/decisions/stateless-instances.md)."""

    __tablename__ = "vault_checks"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[bytes] = mapped_column(LargeBinary)


class Identity(Base):
    __tablename__ = "identities"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    account_id: Mapped[str] = mapped_column(account_fk(), index=True)
    did: Mapped[str] = mapped_column(Text)
    key_type: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(200))
    #: HMAC of the verifier's client_id for a pairwise identity, else NULL
    pairwise_tag: Mapped[str | None] = mapped_column(String(64), index=True)
    is_default: Mapped[bool] = mapped_column()
    #: the private key, encrypted under the account data key
    key_ct: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class StoredCredential(Base):
    __tablename__ = "credentials"
    __table_args__ = (Index("ix_credentials_account_created", "account_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    account_id: Mapped[str] = mapped_column(account_fk())
    #: what the credential is (ldp_vc, jwt_vc_json, vc+jwt, dc+sd-jwt); not its contents
    format: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    #: title, issuer, types, sphere, tags… (small, decrypted to list and search)
    summary_ct: Mapped[bytes] = mapped_column(LargeBinary)
    #: the credential itself as received
    content_ct: Mapped[bytes] = mapped_column(LargeBinary)


class PendingExchange(Base):
    """An offer being previewed or a presentation request awaiting consent."""

    __tablename__ = "pending"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    account_id: Mapped[str] = mapped_column(account_fk(), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ct: Mapped[bytes] = mapped_column(LargeBinary)


class HistoryEntry(Base):
    __tablename__ = "history"
    __table_args__ = (Index("ix_history_account_created", "account_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    account_id: Mapped[str] = mapped_column(account_fk())
    kind: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ct: Mapped[bytes] = mapped_column(LargeBinary)


class Share(Base):
    """A credential published at an unguessable URL; readable only with the URL's token."""

    __tablename__ = "shares"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[str] = mapped_column(account_fk(), index=True)
    credential_id: Mapped[str] = mapped_column(
        ForeignKey("credentials.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    #: the credential, encrypted under a key derived from the URL token
    ct: Mapped[bytes] = mapped_column(LargeBinary)


class TrustedIssuer(Base):
    __tablename__ = "trusted_issuers"

    identifier: Mapped[str] = mapped_column(String(500), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))


class Experience(Base):
    """An experience the person describes (title, organisation, dates, description)."""

    __tablename__ = "experiences"
    __table_args__ = (Index("ix_experiences_account_created", "account_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    account_id: Mapped[str] = mapped_column(account_fk())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    #: the experience, encrypted under the account data key
    ct: Mapped[bytes] = mapped_column(LargeBinary)


class EndorsementRequest(Base):
    """A link ``/endorse/{token}`` asking a colleague to endorse one experience.

    Only the token's SHA-256 is kept; the experience as the colleague sees it is encrypted
    under a key derived from the token, so only the link opens it.
    """

    __tablename__ = "endorsement_requests"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[str] = mapped_column(account_fk(), index=True)
    experience_id: Mapped[str] = mapped_column(
        ForeignKey("experiences.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    #: the endorsement stored in the requester's account once the colleague signed
    credential_id: Mapped[str | None] = mapped_column(
        ForeignKey("credentials.id", ondelete="SET NULL"), nullable=True
    )
    ct: Mapped[bytes] = mapped_column(LargeBinary)


class Profile(Base):
    """An application profile: a chosen set of badges at one unguessable URL ``/p/{token}``.

    Like a share, only the token's SHA-256 is kept and the set, as the public sees it, is
    encrypted under a key derived from the token; ``owner_ct`` (the title, the link, what was
    chosen) is encrypted under the account data key, for the owner's pages.
    """

    __tablename__ = "profiles"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[str] = mapped_column(account_fk(), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    ct: Mapped[bytes] = mapped_column(LargeBinary)
    owner_ct: Mapped[bytes] = mapped_column(LargeBinary)
