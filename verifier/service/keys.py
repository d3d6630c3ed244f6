"""The verifier's own key: master secret, encrypted key table, did:web document."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, MutableMapping
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from servicekit import instances
from servicekit.instances import wrong_master_secret
from shared.did import did_web_from_url
from shared.errors import InvalidInputError
from shared.keys.store import EncryptedKeyStore, KeyStore
from shared.protocols.response_encryption import public_encryption_jwk
from verifier.db.models import StoredKey
from verifier.settings import VerifierSettings

REQUEST_KEY_ID = "request-signing"
KEY_FRAGMENT = "#key-1"


class DbKeyBackend(MutableMapping[str, bytes]):
    """EncryptedKeyStore's backend: the ``keys`` table (ciphertexts only)."""

    def __init__(self, sessions: sessionmaker[Session], *, insert_only: bool = False) -> None:
        self._sessions = sessions
        #: only add keys, never replace one: what instances starting together write
        self._insert_only = insert_only

    def __getitem__(self, key: str) -> bytes:
        with self._sessions() as session:
            row = session.get(StoredKey, key)
            if row is None:
                raise KeyError(key)
            return row.blob

    def __setitem__(self, key: str, value: bytes) -> None:
        with self._sessions.begin() as session:
            row = session.get(StoredKey, key)
            if row is None:
                session.add(StoredKey(id=key, blob=value))
            elif not self._insert_only:
                row.blob = value

    def __delitem__(self, key: str) -> None:
        with self._sessions.begin() as session:
            row = session.get(StoredKey, key)
            if row is None:
                raise KeyError(key)
            session.delete(row)

    def __iter__(self) -> Iterator[str]:
        with self._sessions() as session:
            return iter(list(session.scalars(select(StoredKey.id))))

    def __len__(self) -> int:
        return len(list(iter(self)))


def master_secret(settings: VerifierSettings) -> bytes:
    """From settings, else ``<data_dir>/master.key`` (created 0600 on first start).

    16-byte secrets, once accepted here, still open the verifier (with a warning).
    """
    return instances.load_master_secret(
        "verifier",
        settings.master_secret,
        settings.data_dir,
        legacy_floor=instances.LEGACY_MASTER_SECRET_BYTES,
    )


def open_key_store(settings: VerifierSettings, sessions: sessionmaker[Session]) -> KeyStore:
    """The key store, with the request-signing key (created by the first instance to start).

    Instances starting together on a fresh database may both find no key: the first to commit
    wins and the others use its key. Then the key must decrypt: an instance holding another
    master secret than the one that stored it refuses to start.
    """
    secret = master_secret(settings)
    store = EncryptedKeyStore(secret, DbKeyBackend(sessions))
    if REQUEST_KEY_ID not in store.key_ids():
        first = EncryptedKeyStore(secret, DbKeyBackend(sessions, insert_only=True))
        with contextlib.suppress(IntegrityError):  # another instance stored one first
            first.add(_generate(), REQUEST_KEY_ID)
    try:
        store.public_key(REQUEST_KEY_ID)
    except InvalidInputError as err:
        raise wrong_master_secret("verifier") from err
    return store


#: order of the P-256 group (FIPS 186-5 / SEC 2)
_P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


class ResponseKeys:
    """Per-request ECDH-ES (P-256) keys for ``direct_post.jwt`` answers, derived, never stored.

    Each request gets its own key pair, derived from the master secret and the request's
    random ``request_key`` (HKDF-SHA256; the 384-bit output is reduced to a scalar as in
    FIPS 186-5 A.2.1). Nothing is written to the database, so there is no private key to
    protect at rest beyond the master secret that already protects the verifier's signing key,
    and nothing to clean up: once a request is answered or expired its response endpoint
    refuses every answer, so the key can no longer be used.
    """

    def __init__(self, master: bytes) -> None:
        self._secret = HKDF(
            algorithm=hashes.SHA256(),
            length=32,
            salt=None,
            info=b"musette/verifier/direct_post.jwt/v1",
        ).derive(master)

    def private_key(self, request_key: str) -> ec.EllipticCurvePrivateKey:
        seed = HKDF(
            algorithm=hashes.SHA256(), length=48, salt=None, info=request_key.encode("utf-8")
        ).derive(self._secret)
        scalar = int.from_bytes(seed, "big") % (_P256_ORDER - 1) + 1
        return ec.derive_private_key(scalar, ec.SECP256R1())

    def public_jwk(self, request_key: str) -> dict[str, str]:
        """The public JWK (``use`` enc, ``alg`` ECDH-ES, ``kid`` its RFC 7638 thumbprint)."""
        return public_encryption_jwk(self.private_key(request_key))


def open_response_keys(settings: VerifierSettings) -> ResponseKeys:
    return ResponseKeys(master_secret(settings))


def _generate() -> Any:
    from shared.keys import PrivateKey

    return PrivateKey.generate("Ed25519")


def verifier_did(settings: VerifierSettings) -> str:
    return did_web_from_url(settings.base_url)


def did_document(settings: VerifierSettings, store: KeyStore) -> dict[str, Any]:
    did = verifier_did(settings)
    vm = did + KEY_FRAGMENT
    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": [
            {
                "id": vm,
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": store.public_key(REQUEST_KEY_ID).to_multikey(),
            }
        ],
        "authentication": [vm],
        "assertionMethod": [vm],
    }
