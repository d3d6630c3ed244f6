"""Organisations (tenants) and their admins: passwords, sessions and API keys."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from issuer.db.models import AdminSession, AdminUser, ApiKey, Organisation
from issuer.problems import ConflictError, ForbiddenError, UnauthorizedError
from issuer.schemas import AssociationProfileIn
from issuer.service.keys import IssuerKeyStore, add_org_key
from shared.did.methods import did_key_from_public, did_web_from_url
from shared.errors import InvalidInputError, NotFoundError
from shared.model.cec import FIELDS, check_rna, check_siren_or_siret

KINDS = ("association", "employer", "platform", "school")
SLUG = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?")
API_KEY_PREFIX = "mik"


def org_base_url(base_url: str, slug: str) -> str:
    """The organisation's Credential Issuer Identifier (no trailing slash)."""
    return f"{base_url.rstrip('/')}/orgs/{slug}"


def create_org(
    session: Session,
    store: IssuerKeyStore,
    *,
    base_url: str,
    slug: str,
    kind: str,
    name: str,
    now: datetime,
    did_method: str = "web",
    key_type: str = "Ed25519",
    url: str | None = None,
    email: str | None = None,
) -> Organisation:
    if not SLUG.fullmatch(slug):
        raise InvalidInputError("slug: lowercase letters, digits and dashes, at most 64")
    if kind not in KINDS:
        raise InvalidInputError(f"kind must be one of {', '.join(KINDS)}")
    if did_method not in {"web", "key"}:
        raise InvalidInputError("did_method must be web or key")
    if session.scalars(select(Organisation).where(Organisation.slug == slug)).first():
        raise ConflictError(f"organisation {slug} exists")
    did = did_web_from_url(org_base_url(base_url, slug)) if did_method == "web" else ""
    org = Organisation(
        slug=slug,
        kind=kind,
        name=name,
        url=url,
        email=email,
        did_method=did_method,
        did=did or "pending",
        created_at=now,
    )
    session.add(org)
    session.flush()
    key = add_org_key(session, store, org, key_type, now)
    if did_method == "key":
        org.did = did_key_from_public(store.public_key(key.store_key_id))
    session.flush()
    return org


def get_org(session: Session, slug: str) -> Organisation:
    org = session.scalars(select(Organisation).where(Organisation.slug == slug)).first()
    if org is None:
        raise NotFoundError(f"no organisation {slug}")
    return org


# --------------------------------------------------------------------------- passwords


def password_hasher(time_cost: int = 3, memory_kib: int = 65536) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib)


def create_admin(
    session: Session,
    org: Organisation,
    email: str,
    password: str,
    hasher: PasswordHasher,
    now: datetime,
) -> AdminUser:
    email = email.strip().lower()
    if len(password) < 10:
        raise InvalidInputError("passwords have at least 10 characters")
    if session.scalars(select(AdminUser).where(AdminUser.email == email)).first():
        raise ConflictError(f"an admin {email} exists")
    user = AdminUser(
        org_id=org.id, email=email, password_hash=hasher.hash(password), created_at=now
    )
    session.add(user)
    session.flush()
    return user


def check_password(
    session: Session, email: str, password: str, hasher: PasswordHasher
) -> AdminUser:
    user = session.scalars(
        select(AdminUser).where(AdminUser.email == email.strip().lower())
    ).first()
    if user is None:
        hasher.hash(password)  # same cost whether or not the account exists
        raise UnauthorizedError("wrong email or password")
    try:
        hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError) as err:
        raise UnauthorizedError("wrong email or password") from err
    return user


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


# --------------------------------------------------------------------------- principals


@dataclass(frozen=True)
class Principal:
    """Who is calling an admin route: one organisation, and a label for the audit log."""

    org_id: int
    actor: str
    via_session: bool = False
    csrf_token: str | None = None

    def require_org(self, org: Organisation) -> None:
        if org.id != self.org_id:
            raise ForbiddenError("these credentials belong to another organisation")


def open_session(session: Session, user: AdminUser, now: datetime, hours: int) -> tuple[str, str]:
    """A new admin session: (cookie token, CSRF token). Only the token's hash is stored."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(24)
    session.add(
        AdminSession(
            token_hash=_sha256(token),
            user_id=user.id,
            csrf_token=csrf,
            expires_at=now + timedelta(hours=hours),
        )
    )
    return token, csrf


def principal_for_session(session: Session, token: str, now: datetime) -> Principal:
    row = session.get(AdminSession, _sha256(token))
    if row is None or row.expires_at <= now:
        raise UnauthorizedError("the session is unknown or expired; sign in again")
    user = session.get(AdminUser, row.user_id)
    if user is None:
        raise UnauthorizedError("the session's account no longer exists")
    return Principal(user.org_id, f"user:{user.email}", via_session=True, csrf_token=row.csrf_token)


def close_session(session: Session, token: str) -> None:
    row = session.get(AdminSession, _sha256(token))
    if row is not None:
        session.delete(row)


def create_api_key(
    session: Session, org: Organisation, name: str, actor: str, now: datetime
) -> tuple[ApiKey, str]:
    """A new API key; the secret is returned once and only its hash is stored."""
    key_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    row = ApiKey(
        org_id=org.id,
        key_id=key_id,
        secret_hash=_sha256(secret),
        name=name,
        created_by=actor,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row, f"{API_KEY_PREFIX}_{key_id}_{secret}"


def principal_for_api_key(session: Session, presented: str) -> Principal:
    prefix, _, rest = presented.partition("_")
    key_id, _, secret = rest.partition("_")
    if prefix != API_KEY_PREFIX or not key_id or not secret:
        raise UnauthorizedError("malformed API key")
    row = session.scalars(select(ApiKey).where(ApiKey.key_id == key_id)).first()
    if row is None or not hmac.compare_digest(row.secret_hash, _sha256(secret)):
        raise UnauthorizedError("unknown API key")
    if row.revoked_at is not None:
        raise UnauthorizedError("this API key has been revoked")
    return Principal(row.org_id, f"apikey:{row.key_id}")


def revoke_api_key(session: Session, org: Organisation, key_id: str, now: datetime) -> ApiKey:
    row = session.scalars(
        select(ApiKey).where(ApiKey.key_id == key_id, ApiKey.org_id == org.id)
    ).first()
    if row is None:
        raise NotFoundError(f"no API key {key_id}")
    row.revoked_at = row.revoked_at or now
    return row


# --------------------------------------------------------------------------- association profile


def update_association_profile(org: Organisation, data: AssociationProfileIn) -> Organisation:
    """Set the association's CEC facts; each is checked (RNA form, SIREN/SIRET Luhn, a field
    from the law's list, a declaration date not in the future).

    Raises:
        InvalidInputError: naming the field and what is expected.
    """
    given = data.model_fields_set
    try:
        if "rna" in given:
            org.rna = check_rna(data.rna) if data.rna else None
        if "siren" in given:
            org.siren = check_siren_or_siret(data.siren)[1] if data.siren else None
    except ValueError as err:
        raise InvalidInputError(str(err)) from err
    if "declared_on" in given:
        declared = data.declared_on or None
        if isinstance(declared, date) and declared > date.today():
            raise InvalidInputError("declared_on: the declaration date is in the future")
        org.declared_on = declared
    if "field" in given:
        if data.field and data.field not in FIELDS:
            raise InvalidInputError(f"field must be one of {', '.join(FIELDS)}")
        org.activity_field = data.field or None
    if "valideur_name" in given:
        org.valideur_name = (data.valideur_name or "").strip() or None
    if "valideur_email" in given:
        email = (data.valideur_email or "").strip()
        if email and ("@" not in email or " " in email):
            raise InvalidInputError("valideur_email: this is not an email address")
        org.valideur_email = email or None
    return org


def association_profile(org: Organisation) -> dict[str, Any]:
    """The association's CEC facts, as the admin API returns them."""
    return {
        "rna": org.rna,
        "siren": org.siren,
        "declared_on": org.declared_on.isoformat() if org.declared_on else None,
        "field": org.activity_field,
        "valideur_name": org.valideur_name,
        "valideur_email": org.valideur_email,
    }
