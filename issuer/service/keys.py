"""Organisation signing keys: encrypted at rest, did:web documents, rotation.

Keys live in ``shared.keys.EncryptedKeyStore`` over the ``stored_keys`` table. A did:web
organisation names its keys ``<did>#key-<n>``; rotation adds a key and retires the old
one, which stays in the DID document's ``assertionMethod`` so credentials it signed keep
verifying (it leaves ``authentication``). A did:key organisation has exactly one key,
which is its DID: it cannot rotate.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from issuer.db.models import Organisation, OrgKey, StoredKey
from issuer.problems import ConflictError
from servicekit import instances
from servicekit.instances import wrong_master_secret
from shared.did.methods import DID_CONTEXT, MULTIKEY_CONTEXT, verification_method_id
from shared.errors import InvalidInputError, NotFoundError
from shared.keys import EncryptedKeyStore, PrivateKey


class DbKeyBackend(MutableMapping[str, bytes]):
    """The key store's mapping, over the ``stored_keys`` table of one session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def __getitem__(self, key_id: str) -> bytes:
        row = self.session.get(StoredKey, key_id)
        if row is None:
            raise KeyError(key_id)
        return row.blob

    def __setitem__(self, key_id: str, blob: bytes) -> None:
        row = self.session.get(StoredKey, key_id)
        if row is None:
            self.session.add(StoredKey(key_id=key_id, blob=blob))
        else:
            row.blob = blob
        self.session.flush()

    def __delitem__(self, key_id: str) -> None:
        row = self.session.get(StoredKey, key_id)
        if row is None:
            raise KeyError(key_id)
        self.session.delete(row)

    def __iter__(self) -> Iterator[str]:
        return iter(self.session.scalars(select(StoredKey.key_id)).all())

    def __len__(self) -> int:
        return len(self.session.scalars(select(StoredKey.key_id)).all())


#: decrypted keys kept by one process (per app: ``Resources.signing_keys``) at most
DECRYPTED_KEYS_MAX = 10_000


class IssuerKeyStore(EncryptedKeyStore):
    """The encrypted key store, plus access to a decrypted key.

    ``shared.proofs`` JWT signers take a ``PrivateKey``. With ``decrypted`` (the app's
    per-process memo), a key is read and decrypted once per process, then reused: a stored
    key never changes under its id (rotation adds a key with a new id), so the memo cannot go
    stale (docs/decisions/signing-key-memo.md). Without it, each call decrypts again.
    """

    def __init__(
        self,
        master_secret: bytes,
        backend: MutableMapping[str, bytes],
        decrypted: dict[str, PrivateKey] | None = None,
    ) -> None:
        super().__init__(master_secret, backend)
        self._decrypted = decrypted

    def private_key(self, key_id: str) -> PrivateKey:
        memo = self._decrypted
        if memo is not None and (key := memo.get(key_id)) is not None:
            return key
        key = self._load(key_id)
        if memo is not None and len(memo) < DECRYPTED_KEYS_MAX:
            memo[key_id] = key
        return key


def open_key_store(
    master_secret: bytes, session: Session, decrypted: dict[str, PrivateKey] | None = None
) -> IssuerKeyStore:
    return IssuerKeyStore(master_secret, DbKeyBackend(session), decrypted)


def check_master_secret(session: Session, master_secret: bytes) -> None:
    """Refuse a master secret that does not decrypt the keys already stored (start-up check).

    Every instance of the issuer must hold the same secret; one that generated its own would
    sign nothing (docs/decisions/stateless-instances.md). An empty database accepts any.
    """
    key_id = session.scalars(select(StoredKey.key_id).limit(1)).first()
    if key_id is None:
        return
    try:
        open_key_store(master_secret, session).public_key(key_id)
    except InvalidInputError as err:
        raise wrong_master_secret("issuer") from err


def load_master_secret(master_secret: str, data_dir: str) -> bytes:
    """The master secret from settings, or ``<data_dir>/master.key`` (created 0600); ≥ 32 bytes."""
    return instances.load_master_secret("issuer", master_secret, data_dir)


@dataclass(frozen=True)
class OrgSigner:
    """What signing needs: the decrypted key and its verification method."""

    key: PrivateKey
    kid: str
    did: str


def add_org_key(
    session: Session, store: IssuerKeyStore, org: Organisation, key_type: str, now: datetime
) -> OrgKey:
    """Create a key; a did:web organisation's new key becomes its only active one."""
    existing = session.scalars(select(OrgKey).where(OrgKey.org_id == org.id)).all()
    if org.did_method == "key" and existing:
        raise ConflictError("a did:key organisation cannot rotate: its key is its DID")
    key = PrivateKey.generate(key_type)
    store_id = f"org-{org.id}-{secrets.token_hex(8)}"
    store.add(key, store_id)
    for old in existing:
        if old.active:
            old.active = False
            old.retired_at = now
    row = OrgKey(
        org_id=org.id,
        store_key_id=store_id,
        fragment=f"key-{len(existing) + 1}",
        key_type=key.key_type,
        public_multibase=key.public_key.to_multikey(),
        active=True,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row


def org_keys(session: Session, org: Organisation) -> list[OrgKey]:
    return list(session.scalars(select(OrgKey).where(OrgKey.org_id == org.id).order_by(OrgKey.id)))


def key_vm_id(org: Organisation, key: OrgKey) -> str:
    if org.did_method == "key":
        return verification_method_id(org.did)
    return f"{org.did}#{key.fragment}"


def active_signer(session: Session, store: IssuerKeyStore, org: Organisation) -> OrgSigner:
    row = session.scalars(
        select(OrgKey).where(OrgKey.org_id == org.id, OrgKey.active.is_(True))
    ).first()
    if row is None:
        raise NotFoundError(f"organisation {org.slug} has no active signing key")
    return signer_for(store, org, row)


def signer_for(store: IssuerKeyStore, org: Organisation, row: OrgKey) -> OrgSigner:
    """The signer of one of the organisation's keys (its row read by the caller)."""
    return OrgSigner(store.private_key(row.store_key_id), key_vm_id(org, row), org.did)


def did_document(org: Organisation, keys: list[OrgKey]) -> dict[str, Any]:
    """The did:web document: every key in assertionMethod, the active one in authentication."""
    methods = [
        {
            "id": f"{org.did}#{k.fragment}",
            "type": "Multikey",
            "controller": org.did,
            "publicKeyMultibase": k.public_multibase,
        }
        for k in keys
    ]
    return {
        "@context": [DID_CONTEXT, MULTIKEY_CONTEXT],
        "id": org.did,
        "verificationMethod": methods,
        "assertionMethod": [m["id"] for m in methods],
        "authentication": [f"{org.did}#{k.fragment}" for k in keys if k.active],
    }
