"""Recruiter accounts: passwords (argon2), API keys and web sessions (hashed at rest)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import Argon2Error
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from shared.errors import InvalidInputError
from verifier.db.models import Account, ApiKey, WebSession
from verifier.errors import ConflictError, UnauthorizedError

API_KEY_PREFIX = "mvk_"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_account(
    session: Session, email: str, password: str, hasher: PasswordHasher, now: datetime
) -> Account:
    email = email.strip().lower()
    if "@" not in email or len(email) > 320:
        raise InvalidInputError("a valid email address is required")
    if len(password) < 10:
        raise InvalidInputError("the password must have at least 10 characters")
    if session.scalar(select(Account).where(Account.email == email)) is not None:
        raise ConflictError(f"an account for {email} already exists")
    account = Account(
        id=secrets.token_hex(8), email=email, password_hash=hasher.hash(password), created_at=now
    )
    session.add(account)
    session.flush()
    return account


def find_account(session: Session, email: str) -> Account | None:
    return session.scalar(select(Account).where(Account.email == email.strip().lower()))


def create_api_key(session: Session, account_id: str, name: str, now: datetime) -> str:
    """A new API key for the account; only its hash is stored, the key is returned once."""
    key = API_KEY_PREFIX + secrets.token_urlsafe(32)
    session.add(
        ApiKey(
            id=secrets.token_hex(8),
            account_id=account_id,
            name=name,
            key_hash=token_hash(key),
            created_at=now,
        )
    )
    session.flush()
    return key


def account_for_api_key(session: Session, key: str) -> str | None:
    row = session.scalar(select(ApiKey).where(ApiKey.key_hash == token_hash(key)))
    return row.account_id if row else None


def login(
    session: Session,
    email: str,
    password: str,
    hasher: PasswordHasher,
    now: datetime,
    hours: int,
) -> tuple[str, str]:
    """(session token, CSRF token) for a correct email and password."""
    account = find_account(session, email)
    if account is None:
        hasher.hash(password)  # same work whether or not the account exists
        raise UnauthorizedError("wrong email or password")
    try:
        hasher.verify(account.password_hash, password)
    except Argon2Error as err:
        raise UnauthorizedError("wrong email or password") from err
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    session.add(
        WebSession(
            token_hash=token_hash(token),
            account_id=account.id,
            csrf_token=csrf,
            expires_at=now + timedelta(hours=hours),
        )
    )
    session.flush()
    return token, csrf


def account_for_session(session: Session, token: str, now: datetime) -> tuple[str, str] | None:
    """(account id, CSRF token) of a live session."""
    row = session.get(WebSession, token_hash(token))
    if row is None or row.expires_at <= now:
        return None
    return row.account_id, row.csrf_token


def logout(session: Session, token: str) -> None:
    session.execute(delete(WebSession).where(WebSession.token_hash == token_hash(token)))
