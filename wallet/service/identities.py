"""Holder identities: DIDs (did:jwk, did:key) whose private keys the account's vault holds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.did import did_jwk_from_public, did_key_from_public, verification_method_id
from shared.errors import InvalidInputError, NotFoundError
from shared.keys import PrivateKey, normalize_key_type
from wallet.db.models import Identity
from wallet.service.accounts import Principal, new_id, now
from wallet.service.vault import MasterKey

DidMethod = Literal["jwk", "key"]


@dataclass(frozen=True)
class HolderKey:
    """An identity ready to sign: its DID, verification method and private key."""

    identity_id: str
    did: str
    key: PrivateKey

    @property
    def kid(self) -> str:
        return verification_method_id(self.did)


def identity_json(row: Identity) -> dict[str, object]:
    return {
        "id": row.id,
        "did": row.did,
        "method": row.did.split(":")[1],
        "key_type": row.key_type,
        "label": row.label,
        "default": row.is_default,
        "pairwise": row.pairwise_tag is not None,
        "created_at": row.created_at.isoformat(),
    }


def create_identity(
    session: Session,
    who: Principal,
    *,
    method: str = "jwk",
    key_type: str = "Ed25519",
    label: str = "",
    pairwise_tag: str | None = None,
    key: PrivateKey | None = None,
) -> Identity:
    if method not in ("jwk", "key"):
        raise InvalidInputError("a holder identity is did:jwk or did:key")
    kind = normalize_key_type(key_type)
    key = key or PrivateKey.generate(kind)
    did = (did_jwk_from_public if method == "jwk" else did_key_from_public)(key.public_key)
    has_default = (
        session.scalar(
            select(Identity.id).where(
                Identity.account_id == who.account_id, Identity.is_default.is_(True)
            )
        )
        is not None
    )
    identity_id = new_id()
    row = Identity(
        id=identity_id,
        account_id=who.account_id,
        did=did,
        key_type=key.key_type,
        label=label.strip()[:200] or ("pairwise" if pairwise_tag else f"did:{method}"),
        pairwise_tag=pairwise_tag,
        is_default=not has_default and pairwise_tag is None,
        key_ct=who.vault.seal_bytes("identity", identity_id, key.to_secret_multibase().encode()),
        created_at=now(),
    )
    session.add(row)
    session.flush()
    return row


def list_identities(session: Session, who: Principal) -> list[Identity]:
    return list(
        session.scalars(
            select(Identity)
            .where(Identity.account_id == who.account_id)
            .order_by(Identity.created_at, Identity.id)
        )
    )


def get_identity(session: Session, who: Principal, identity_id: str) -> Identity:
    row = session.get(Identity, identity_id)
    if row is None or row.account_id != who.account_id:
        raise NotFoundError("no such identity")
    return row


def holder_key(who: Principal, row: Identity) -> HolderKey:
    secret = who.vault.open_bytes("identity", row.id, row.key_ct).decode()
    return HolderKey(row.id, row.did, PrivateKey.from_secret_multibase(secret))


def default_identity(session: Session, who: Principal) -> Identity:
    """The account's default identity; one is created (did:jwk Ed25519) if there is none."""
    row = session.scalar(
        select(Identity).where(Identity.account_id == who.account_id, Identity.is_default.is_(True))
    )
    return row or create_identity(session, who)


def identity_by_did(session: Session, who: Principal, did: str) -> Identity | None:
    return session.scalar(
        select(Identity).where(Identity.account_id == who.account_id, Identity.did == did)
    )


def pairwise_identity(
    session: Session, who: Principal, master: MasterKey, client_id: str
) -> Identity:
    """The identity this account uses with one verifier only (created on first use)."""
    tag = master.lookup_tag(f"pairwise:{who.account_id}", client_id)
    row = session.scalar(
        select(Identity).where(Identity.account_id == who.account_id, Identity.pairwise_tag == tag)
    )
    return row or create_identity(session, who, pairwise_tag=tag, label="pairwise")


def delete_identity(session: Session, who: Principal, identity_id: str) -> None:
    row = get_identity(session, who, identity_id)
    session.delete(row)
    if row.is_default:
        session.flush()
        other = session.scalar(
            select(Identity).where(
                Identity.account_id == who.account_id, Identity.pairwise_tag.is_(None)
            )
        )
        if other is not None:
            other.is_default = True


def set_default(session: Session, who: Principal, identity_id: str) -> Identity:
    row = get_identity(session, who, identity_id)
    for other in list_identities(session, who):
        other.is_default = other.id == row.id
    return row
