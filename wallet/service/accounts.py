"""Accounts: sign up, sign in (argon2), sessions with CSRF tokens, API tokens, deletion."""

from __future__ import annotations

import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from servicekit.instances import wrong_master_secret
from shared.errors import InvalidInputError, NotFoundError
from wallet.db.models import (
    Account,
    ApiToken,
    EndorsementRequest,
    Experience,
    HistoryEntry,
    Identity,
    PendingExchange,
    Share,
    StoredCredential,
    WebSession,
)
from wallet.errors import ConflictError, UnauthorizedError
from wallet.service.vault import AccountVault, MasterKey, VaultError, hash_token

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 8
API_TOKEN_PREFIX = "mwt_"  # noqa: S105  (a visible prefix, not a secret)


def now() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return uuid.uuid4().hex


@dataclass(frozen=True)
class Principal:
    """The signed-in account of one request, with its unwrapped vault."""

    account_id: str
    email: str
    vault: AccountVault
    #: CSRF token of the cookie session; None when authenticated by API token
    csrf_token: str | None = None


def check_master_secret(session: Session, master: MasterKey) -> None:
    """Refuse a master key that does not unwrap the accounts already stored (start-up check).

    Every instance of the wallet must hold the same secret; one that generated its own would
    open no account and find no session (docs/decisions/stateless-instances.md).
    """
    account = session.scalars(select(Account).limit(1)).first()
    if account is None:
        return
    try:
        master.unwrap(account.id, account.wrapped_key)
    except VaultError as err:
        raise wrong_master_secret("wallet") from err


def normalize_email(email: str) -> str:
    email = email.strip().lower()
    if not EMAIL_RE.match(email) or len(email) > 320:
        raise InvalidInputError("that is not an email address")
    return email


def create_account(
    session: Session, master: MasterKey, hasher: PasswordHasher, email: str, password: str
) -> Account:
    email = normalize_email(email)
    if len(password) < MIN_PASSWORD:
        raise InvalidInputError(f"the password needs at least {MIN_PASSWORD} characters")
    if session.scalar(select(Account.id).where(Account.email == email)) is not None:
        raise ConflictError("an account with this email address already exists")
    account_id = new_id()
    account = Account(
        id=account_id,
        email=email,
        password_hash=hasher.hash(password),
        wrapped_key=master.new_wrapped_data_key(account_id),
        created_at=now(),
    )
    session.add(account)
    session.flush()
    return account


def authenticate(session: Session, hasher: PasswordHasher, email: str, password: str) -> Account:
    """The account whose password matches, or UnauthorizedError (same error either way)."""
    try:
        email = normalize_email(email)
    except InvalidInputError as err:
        raise UnauthorizedError("wrong email address or password") from err
    account = session.scalar(select(Account).where(Account.email == email))
    if account is None:
        hasher.hash(password)  # same work either way: no account enumeration by timing
        raise UnauthorizedError("wrong email address or password")
    try:
        hasher.verify(account.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError) as err:
        raise UnauthorizedError("wrong email address or password") from err
    if hasher.check_needs_rehash(account.password_hash):
        account.password_hash = hasher.hash(password)
    return account


def principal_for(master: MasterKey, account: Account, csrf: str | None = None) -> Principal:
    return Principal(
        account.id, account.email, master.unwrap(account.id, account.wrapped_key), csrf
    )


def open_session(session: Session, account: Account, hours: int) -> tuple[str, str]:
    """A new cookie session: returns (cookie token, CSRF token)."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    session.add(
        WebSession(
            token_hash=hash_token(token),
            account_id=account.id,
            csrf_token=csrf,
            created_at=now(),
            expires_at=now() + timedelta(hours=hours),
        )
    )
    return token, csrf


def close_session(session: Session, token: str) -> None:
    session.execute(delete(WebSession).where(WebSession.token_hash == hash_token(token)))


def account_for_session(session: Session, token: str) -> tuple[Account, str] | None:
    row = session.get(WebSession, hash_token(token))
    if row is None:
        return None
    if row.expires_at <= now():
        session.delete(row)
        return None
    account = session.get(Account, row.account_id)
    return None if account is None else (account, row.csrf_token)


def create_api_token(session: Session, account_id: str, name: str) -> tuple[ApiToken, str]:
    """A new API token; the secret is returned once and stored only as a hash."""
    secret = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        id=new_id(),
        account_id=account_id,
        name=name.strip()[:200] or "token",
        token_hash=hash_token(secret),
        created_at=now(),
    )
    session.add(row)
    return row, secret


def account_for_api_token(session: Session, secret: str) -> Account | None:
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(secret)))
    return None if row is None else session.get(Account, row.account_id)


def list_api_tokens(session: Session, account_id: str) -> list[ApiToken]:
    return list(
        session.scalars(
            select(ApiToken).where(ApiToken.account_id == account_id).order_by(ApiToken.created_at)
        )
    )


def revoke_api_token(session: Session, account_id: str, token_id: str) -> None:
    row = session.get(ApiToken, token_id)
    if row is None or row.account_id != account_id:
        raise NotFoundError("no such API token")
    session.delete(row)


def find_account(session: Session, email: str) -> Account:
    account = session.scalar(select(Account).where(Account.email == normalize_email(email)))
    if account is None:
        raise NotFoundError(f"no wallet account {email}")
    return account


def delete_account(session: Session, account_id: str) -> None:
    """Erase the account and everything it holds (not relying on ON DELETE CASCADE)."""
    for model in (
        EndorsementRequest,
        Experience,
        Share,
        HistoryEntry,
        PendingExchange,
        StoredCredential,
        Identity,
        ApiToken,
        WebSession,
    ):
        session.execute(delete(model).where(model.account_id == account_id))
    session.execute(delete(Account).where(Account.id == account_id))
