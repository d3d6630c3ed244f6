"""Accounts: sign up, sign in (argon2), sessions with CSRF tokens, API tokens, deletion.

The person holds the keys (docs/decisions/person-held-keys.md): the account's data key is
wrapped under their password and under their recovery code; each session and API token
holds a copy sealed under a key derived from its own secret. Nothing here unwraps a data key
with the service master key, except once for an account made before, at its next sign-in.
"""

from __future__ import annotations

import contextlib
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
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
    InboxItem,
    PendingExchange,
    Share,
    StoredCredential,
    VaultCheck,
    WebSession,
)
from wallet.errors import ConflictError, UnauthorizedError
from wallet.service import vault as keys
from wallet.service.vault import AccountVault, MasterKey, VaultError, hash_token

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 8
WRONG_SIGNIN = "wrong email address or password"
WRONG_RECOVERY = "wrong email address or recovery code"
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


@dataclass(frozen=True)
class NewAccount:
    """A created account, opened, with its first recovery code (shown once)."""

    account: Account
    who: Principal
    recovery_code: str


def check_master_secret(session: Session, master: MasterKey) -> None:
    """Refuse a master key other than the one the database was first opened with (start-up).

    Every instance of the wallet must hold the same secret; one that generated its own would
    find no look-up tag and open no account made before person-held keys
    (docs/decisions/stateless-instances.md). The first start stores a value sealed under the
    secret; later starts must open it. A database from before keeps its check on an account
    the master key still wraps.
    """
    stored = session.get(VaultCheck, "master")
    if stored is not None:
        if not master.opens(stored.value):
            raise wrong_master_secret("wallet")
        return
    legacy = session.scalars(select(Account).where(Account.wrapped_key.is_not(None)).limit(1))
    account = legacy.first()
    if account is not None and account.wrapped_key is not None:
        try:
            master.unwrap(account.id, account.wrapped_key)
        except VaultError as err:
            raise wrong_master_secret("wallet") from err
    # instances starting together: one insert wins, the others' checks open it next time
    with contextlib.suppress(IntegrityError), session.begin_nested():
        session.add(VaultCheck(name="master", value=master.check_value()))


def normalize_email(email: str) -> str:
    email = email.strip().lower()
    if not EMAIL_RE.match(email) or len(email) > 320:
        raise InvalidInputError("that is not an email address")
    return email


def kdf_params(hasher: PasswordHasher) -> keys.KdfParams:
    """The password key costs as much as the password hash (settings ``argon2_*``)."""
    return keys.KdfParams(hasher.time_cost, hasher.memory_cost, hasher.parallelism)


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InvalidInputError(f"the password needs at least {MIN_PASSWORD} characters")


def _wrap_for_password(
    account: Account, hasher: PasswordHasher, password: str, data_key: bytes
) -> None:
    """Hash the password and wrap the data key under it (a fresh salt each time)."""
    params = kdf_params(hasher)
    salt = keys.new_salt()
    account.password_hash = hasher.hash(password)
    account.kek_salt = salt
    account.kek_params = params.encode()
    account.password_wrapped_key = keys.wrap_data_key(
        keys.password_key(password, salt, params), account.id, data_key, "password"
    )


def _new_kit(account: Account, data_key: bytes) -> str:
    """A new recovery code; the one before no longer opens the account."""
    code = keys.new_recovery_code()
    account.recovery_wrapped_key = keys.wrap_data_key(
        keys.recovery_key(code, account.id), account.id, data_key, "recovery"
    )
    return code


def _ensure_inbox(account: Account, vault: AccountVault) -> None:
    if account.inbox_public_key is None or account.inbox_private_ct is None:
        account.inbox_public_key, account.inbox_private_ct = keys.new_inbox_keys(vault)


def create_account(
    session: Session, hasher: PasswordHasher, email: str, password: str
) -> NewAccount:
    """A new account whose data key only its password and its recovery code unwrap."""
    email = normalize_email(email)
    _check_password(password)
    if session.scalar(select(Account.id).where(Account.email == email)) is not None:
        raise ConflictError("an account with this email address already exists")
    account = Account(id=new_id(), email=email, created_at=now())
    data_key = keys.new_data_key()
    vault = AccountVault(account.id, data_key)
    _wrap_for_password(account, hasher, password, data_key)
    code = _new_kit(account, data_key)
    _ensure_inbox(account, vault)
    session.add(account)
    session.flush()
    return NewAccount(account, Principal(account.id, account.email, vault), code)


def _verify_password(hasher: PasswordHasher, account: Account, password: str) -> None:
    try:
        hasher.verify(account.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError) as err:
        raise UnauthorizedError(WRONG_SIGNIN) from err


def _open_with_password(
    master: MasterKey, hasher: PasswordHasher, account: Account, password: str
) -> AccountVault:
    """The account's vault from its password; an account made before moves to the password
    wrapping now, and its master-wrapped copy is erased."""
    if account.password_wrapped_key is not None and account.kek_salt and account.kek_params:
        params = keys.KdfParams.decode(account.kek_params)
        key = keys.password_key(password, account.kek_salt, params)
        vault = keys.unwrap_data_key(key, account.id, account.password_wrapped_key, "password")
        if params != kdf_params(hasher):  # costs raised since: wrap again under the new ones
            _wrap_for_password(account, hasher, password, vault.data_key)
    elif account.wrapped_key is not None:
        vault = master.unwrap(account.id, account.wrapped_key)
        _wrap_for_password(account, hasher, password, vault.data_key)
        account.wrapped_key = None
    else:
        raise VaultError("this account has no key its password opens")
    _ensure_inbox(account, vault)
    return vault


def authenticate(
    session: Session, master: MasterKey, hasher: PasswordHasher, email: str, password: str
) -> Principal:
    """The opened account whose password matches, or UnauthorizedError (same error either way)."""
    try:
        email = normalize_email(email)
    except InvalidInputError as err:
        raise UnauthorizedError(WRONG_SIGNIN) from err
    account = session.scalar(select(Account).where(Account.email == email))
    if account is None:
        hasher.hash(password)  # same work either way: no account enumeration by timing
        raise UnauthorizedError(WRONG_SIGNIN)
    _verify_password(hasher, account, password)
    if hasher.check_needs_rehash(account.password_hash):
        account.password_hash = hasher.hash(password)
    vault = _open_with_password(master, hasher, account, password)
    return Principal(account.id, account.email, vault)


def open_with_recovery_code(session: Session, email: str, code: str) -> tuple[Account, Principal]:
    """The account a recovery code opens, or UnauthorizedError (same error either way)."""
    try:
        account = session.scalar(select(Account).where(Account.email == normalize_email(email)))
    except InvalidInputError as err:
        raise UnauthorizedError(WRONG_RECOVERY) from err
    if account is None or account.recovery_wrapped_key is None:
        raise UnauthorizedError(WRONG_RECOVERY)
    try:
        key = keys.recovery_key(code, account.id)
        vault = keys.unwrap_data_key(key, account.id, account.recovery_wrapped_key, "recovery")
    except VaultError as err:
        raise UnauthorizedError(WRONG_RECOVERY) from err
    return account, Principal(account.id, account.email, vault)


def recover(
    session: Session, hasher: PasswordHasher, email: str, code: str, new_password: str
) -> NewAccount:
    """Forgot password: the recovery code opens the account, the new password wraps it again,
    a new recovery code replaces the one used, and every session and API token is closed."""
    _check_password(new_password)
    account, who = open_with_recovery_code(session, email, code)
    _wrap_for_password(account, hasher, new_password, who.vault.data_key)
    new_code = _new_kit(account, who.vault.data_key)
    _ensure_inbox(account, who.vault)
    session.execute(delete(WebSession).where(WebSession.account_id == account.id))
    session.execute(delete(ApiToken).where(ApiToken.account_id == account.id))
    return NewAccount(account, who, new_code)


def change_password(
    session: Session,
    hasher: PasswordHasher,
    who: Principal,
    old_password: str,
    new_password: str,
    *,
    keep_session: str | None = None,
) -> None:
    """Wrap the data key under a new password (the old one required); the other cookie
    sessions are closed, this one and the API tokens keep working."""
    account = session.get(Account, who.account_id)
    if account is None:
        raise NotFoundError("no such account")
    _verify_password(hasher, account, old_password)
    _check_password(new_password)
    _wrap_for_password(account, hasher, new_password, who.vault.data_key)
    account.wrapped_key = None
    others = delete(WebSession).where(WebSession.account_id == account.id)
    if keep_session:
        others = others.where(WebSession.token_hash != hash_token(keep_session))
    session.execute(others)


def new_recovery_kit(session: Session, who: Principal) -> str:
    """A new recovery code for a signed-in person; the old one no longer opens the account."""
    account = session.get(Account, who.account_id)
    if account is None:
        raise NotFoundError("no such account")
    return _new_kit(account, who.vault.data_key)


def has_recovery_kit(session: Session, who: Principal) -> bool:
    account = session.get(Account, who.account_id)
    return account is not None and account.recovery_wrapped_key is not None


def legacy_accounts(session: Session) -> list[Account]:
    """Accounts still wrapped by the master key (made before person-held keys, never signed
    in since): the operator's list (``musette wallet account legacy``)."""
    return list(
        session.scalars(
            select(Account).where(Account.wrapped_key.is_not(None)).order_by(Account.created_at)
        )
    )


def open_session(session: Session, who: Principal, hours: int) -> tuple[str, str]:
    """A new cookie session holding its own sealed copy of the data key: returns
    (cookie token, CSRF token)."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    session.add(
        WebSession(
            token_hash=hash_token(token),
            account_id=who.account_id,
            csrf_token=csrf,
            created_at=now(),
            expires_at=now() + timedelta(hours=hours),
            key_ct=_seal_for(token, "session", who),
        )
    )
    return token, csrf


def _seal_for(secret: str, purpose: str, who: Principal) -> bytes:
    key = keys.secret_key(secret, purpose)
    return keys.wrap_data_key(key, who.account_id, who.vault.data_key, purpose)


def _opened(
    session: Session,
    master: MasterKey,
    row: WebSession | ApiToken,
    secret: str,
    purpose: str,
    csrf: str | None = None,
) -> Principal | None:
    """The principal a session's or token's sealed copy opens; for an account made before and
    not signed in since, the master-wrapped key, sealed onto the row for next time."""
    account = session.get(Account, row.account_id)
    if account is None:
        return None
    if row.key_ct is not None:
        try:
            vault = keys.unwrap_data_key(
                keys.secret_key(secret, purpose), account.id, row.key_ct, purpose
            )
        except VaultError:
            return None
        return Principal(account.id, account.email, vault, csrf)
    if account.wrapped_key is None:
        return None  # made before the account moved to its password: sign in again
    who = Principal(account.id, account.email, master.unwrap(account.id, account.wrapped_key), csrf)
    row.key_ct = _seal_for(secret, purpose, who)
    return who


def close_session(session: Session, token: str) -> None:
    session.execute(delete(WebSession).where(WebSession.token_hash == hash_token(token)))


def principal_for_session(session: Session, master: MasterKey, token: str) -> Principal | None:
    """The principal of a cookie session, with the vault its own sealed copy opens."""
    row = session.get(WebSession, hash_token(token))
    if row is None:
        return None
    if row.expires_at <= now():
        session.delete(row)
        return None
    return _opened(session, master, row, token, "session", row.csrf_token)


def create_api_token(session: Session, who: Principal, name: str) -> tuple[ApiToken, str]:
    """A new API token; the secret is returned once and stored only as a hash, with the data
    key sealed under a key derived from it."""
    secret = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        id=new_id(),
        account_id=who.account_id,
        name=name.strip()[:200] or "token",
        token_hash=hash_token(secret),
        created_at=now(),
        key_ct=_seal_for(secret, "api-token", who),
    )
    session.add(row)
    return row, secret


def principal_for_api_token(session: Session, master: MasterKey, secret: str) -> Principal | None:
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(secret)))
    if row is None:
        return None
    return _opened(session, master, row, secret, "api-token")


def list_api_tokens(session: Session, account_id: str) -> list[ApiToken]:
    return list(
        session.scalars(
            select(ApiToken).where(ApiToken.account_id == account_id).order_by(ApiToken.created_at)
        )
    )


def revoke_api_token(session: Session, account_id: str, token_id: str) -> None:
    row = session.get(ApiToken, token_id)
    if row is None or row.account_id != account_id:
        raise NotFoundError("no such API key")
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
        InboxItem,
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
