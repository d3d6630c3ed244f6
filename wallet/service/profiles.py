"""Application profiles: the person picks badges (and, in SD-JWT VC, which of their parts to
reveal) and gets one page ``/p/{token}`` for the set, with an expiry date and a revoke button.

Built on the pieces of a share link (wallet/service/sharing.py): 256 random bits, only the
SHA-256 kept, the set as the public sees it encrypted under a key derived from the token. What
is stored for the public is exactly what was chosen: an SD-JWT VC is kept as a presentation
holding only the chosen Disclosures (RFC 9901 §6), so a part not chosen is not in the database
copy, the page or its links. The owner's copy (title, link, choices) is encrypted under the
account data key. Each item is verified again at every visit (wallet/api/profile_pages.py).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.errors import InvalidInputError, NotFoundError
from shared.proofs.sd_jwt import present_sd_jwt
from shared.verify.report import issuer_is_subject
from wallet.db.models import Profile
from wallet.errors import ProfileExpiredError, ProfileRevokedError
from wallet.service import storage
from wallet.service.accounts import Principal, new_id, now
from wallet.service.claim_paths import disclosable_paths, disclosed_claims
from wallet.service.pending_presentation import ClaimPath
from wallet.service.states import ProfileState
from wallet.service.vault import VaultError, hash_token, open_sealed, seal, token_key

DEFAULT_DAYS = 30
MAX_DAYS = 365
MAX_ITEMS = 50
MAX_TITLE = 200
#: formats whose parts can be chosen one by one (SD-JWT VC, RFC 9901)
SELECTIVE_FORMATS = frozenset({"dc+sd-jwt", "vc+sd-jwt"})
_AAD = "profile"
_OWNER_KIND = "profile"


@dataclass(frozen=True)
class Choice:
    """One badge of the set; ``disclose`` the SD-JWT parts to reveal (ignored otherwise)."""

    credential_id: str
    disclose: tuple[ClaimPath, ...] = ()


@dataclass
class ProfileView:
    """A profile, decrypted for its owner."""

    id: str
    title: str
    url_token: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    items: list[dict[str, Any]]
    state: ProfileState


def expiry(days: int | None, at: datetime) -> datetime:
    """The expiry date: ``days`` after ``at`` (30 by default, 1 to 365)."""
    chosen = DEFAULT_DAYS if days is None else days
    if not 1 <= chosen <= MAX_DAYS:
        raise InvalidInputError(f"a profile lasts from 1 to {MAX_DAYS} days, not {chosen}")
    return at + timedelta(days=chosen)


def state(row: Profile, at: datetime) -> ProfileState:
    """open, revoked or expired."""
    if row.revoked_at is not None:
        return ProfileState.REVOKED
    if at >= row.expires_at:
        return ProfileState.EXPIRED
    return ProfileState.OPEN


def self_declared(claims: Mapping[str, Any]) -> bool:
    """The person signed it about themself: the issuer is the subject."""
    return issuer_is_subject(claims)


def issuer_name(claims: Mapping[str, Any]) -> str:
    """The issuer's name, else its identifier."""
    issuer = claims.get("issuer", claims.get("iss"))
    if isinstance(issuer, Mapping):
        return str(issuer.get("name") or issuer.get("id") or "")
    return str(issuer or "")


def is_endorsement(claims: Mapping[str, Any]) -> bool:
    """An OB 3.0 EndorsementCredential (someone vouching for the person or a badge)."""
    types = claims.get("type")
    return isinstance(types, list) and "EndorsementCredential" in types


def select_parts(view: storage.CredentialView, disclose: Sequence[ClaimPath]) -> dict[str, Any]:
    """The credential as it will be published: in SD-JWT VC a presentation with only the
    chosen Disclosures (no Key Binding: there is no verifier nonce to bind to) and the claims
    they reveal; in the other formats the whole credential, which cannot be cut."""
    content = view.content or {}
    if view.format not in SELECTIVE_FORMATS:
        if disclose:
            raise InvalidInputError(f"a {view.format} badge cannot be shown in part")
        return {"format": view.format, "credential": view.raw, "claims": content.get("claims")}
    allowed = set(disclosable_paths(view.raw))
    unknown = [p for p in disclose if tuple(p) not in allowed]
    if unknown:
        raise InvalidInputError(f"this badge has no part {list(unknown[0])!r} to reveal")
    paths = [tuple(p) for p in disclose]
    return {
        "format": view.format,
        "credential": present_sd_jwt(view.raw, disclose=paths),
        "claims": disclosed_claims(view.raw, paths),
    }


def _endorsements(
    session: Session, who: Principal, claims: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """The account's endorsements of this credential (OB 3.0 EndorsementCredential whose
    ``credentialSubject.id`` is the credential's ``id``), published with it."""
    target = claims.get("id", claims.get("jti"))
    if not isinstance(target, str):
        return []
    found = []
    for view in storage.list_credentials(session, who, with_content=True):
        if "EndorsementCredential" not in view.summary.get("types", []):
            continue
        body = (view.content or {}).get("claims") or {}
        subject = body.get("credentialSubject")
        if isinstance(subject, Mapping) and subject.get("id") == target:
            found.append({"format": view.format, "credential": view.raw, "claims": body})
    return found


def create(
    session: Session, who: Principal, title: str, choices: Sequence[Choice], days: int | None
) -> tuple[Profile, str]:
    """Publish the chosen set; returns the row and the URL token."""
    title = title.strip()
    if not title or len(title) > MAX_TITLE:
        raise InvalidInputError(f"give the profile a title of 1 to {MAX_TITLE} characters")
    if not choices:
        raise InvalidInputError("choose at least one badge for the profile")
    if len(choices) > MAX_ITEMS:
        raise InvalidInputError(f"a profile holds at most {MAX_ITEMS} badges")
    if len({c.credential_id for c in choices}) != len(choices):
        raise InvalidInputError("each badge appears once in a profile")
    at = now()
    until = expiry(days, at)
    items, chosen = [], []
    for choice in choices:
        view = storage.get_credential(session, who, choice.credential_id)
        item = select_parts(view, choice.disclose)
        item["endorsements"] = _endorsements(session, who, (view.content or {}).get("claims") or {})
        items.append(item)
        chosen.append(
            {
                "credential_id": view.id,
                "title": view.summary.get("title"),
                "disclose": [list(p) for p in choice.disclose],
            }
        )
    token = secrets.token_urlsafe(32)
    row = Profile(
        id=new_id(),
        token_hash=hash_token(token),
        account_id=who.account_id,
        created_at=at,
        expires_at=until,
        revoked_at=None,
        ct=seal(token_key(token), json.dumps({"title": title, "items": items}).encode(), _AAD),
        owner_ct=b"",
    )
    owner = {"title": title, "token": token, "items": chosen}
    row.owner_ct = who.vault.seal_json(_OWNER_KIND, row.id, owner)
    session.add(row)
    session.flush()
    return row, token


def _view(who: Principal, row: Profile, at: datetime) -> ProfileView:
    owner = who.vault.open_json(_OWNER_KIND, row.id, row.owner_ct)
    return ProfileView(
        id=row.id,
        title=str(owner["title"]),
        url_token=str(owner["token"]),
        created_at=row.created_at,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
        items=list(owner["items"]),
        state=state(row, at),
    )


def _own_row(session: Session, who: Principal, profile_id: str) -> Profile:
    row = session.get(Profile, profile_id)
    if row is None or row.account_id != who.account_id:
        raise NotFoundError("no such profile")
    return row


def list_profiles(session: Session, who: Principal) -> list[ProfileView]:
    """The account's profiles, newest first."""
    at = now()
    rows = session.scalars(
        select(Profile)
        .where(Profile.account_id == who.account_id)
        .order_by(Profile.created_at.desc())
    )
    return [_view(who, row, at) for row in rows]


def get_profile(session: Session, who: Principal, profile_id: str) -> ProfileView:
    return _view(who, _own_row(session, who, profile_id), now())


def revoke(session: Session, who: Principal, profile_id: str) -> None:
    """Withdraw the profile: its page answers 410 from now on (revoking twice is harmless)."""
    row = _own_row(session, who, profile_id)
    if row.revoked_at is None:
        row.revoked_at = now()
    session.flush()


def open_profile(session: Session, token: str) -> dict[str, Any]:
    """The set as the public sees it. Raises 404 for an unknown token, 410 once revoked or
    expired (no content is decrypted then)."""
    row = session.scalar(select(Profile).where(Profile.token_hash == hash_token(token)))
    if row is None:
        raise NotFoundError("nothing is published at this address")
    current = state(row, now())
    if current is ProfileState.REVOKED:
        raise ProfileRevokedError("the person withdrew this profile")
    if current is ProfileState.EXPIRED:
        raise ProfileExpiredError("this profile has expired")
    try:
        opened = dict(json.loads(open_sealed(token_key(token), row.ct, _AAD)))
    except VaultError as err:
        raise NotFoundError("nothing is published at this address") from err
    opened["expires_at"] = row.expires_at
    return opened
