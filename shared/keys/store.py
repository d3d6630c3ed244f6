"""Key stores: services sign through a ``KeyStore`` and never hold private-key bytes."""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import MutableMapping
from functools import lru_cache
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from shared.errors import InvalidInputError, KeyNotFoundError
from shared.keys.keypair import PrivateKey, PublicKey


class KeyStore(Protocol):
    """What a service needs from key storage."""

    def generate(self, key_type: str = "Ed25519") -> str:
        """Create a key and return its identifier."""
        ...

    def public_key(self, key_id: str) -> PublicKey:
        """The public half of ``key_id``."""
        ...

    def sign(self, key_id: str, data: bytes) -> bytes:
        """Sign ``data`` with ``key_id`` (Ed25519, or ES256 raw ``r || s``)."""
        ...

    def key_ids(self) -> list[str]:
        """Every key identifier held."""
        ...


class MemoryKeyStore:
    """In-memory key store for tests and one-shot command-line use."""

    def __init__(self) -> None:
        self._keys: dict[str, PrivateKey] = {}

    def add(self, key: PrivateKey, key_id: str | None = None) -> str:
        """Hold an existing key; returns its identifier."""
        kid = key_id or secrets.token_urlsafe(12)
        self._keys[kid] = key
        return kid

    def generate(self, key_type: str = "Ed25519") -> str:
        """Create and hold a fresh key."""
        return self.add(PrivateKey.generate(key_type))

    def _get(self, key_id: str) -> PrivateKey:
        try:
            return self._keys[key_id]
        except KeyError as err:
            raise KeyNotFoundError(f"no key {key_id!r} in this key store") from err

    def public_key(self, key_id: str) -> PublicKey:
        """The public half of ``key_id``."""
        return self._get(key_id).public_key

    def sign(self, key_id: str, data: bytes) -> bytes:
        """Sign with ``key_id``."""
        return self._get(key_id).sign(data)

    def key_ids(self) -> list[str]:
        """Every key identifier held."""
        return sorted(self._keys)


@lru_cache(maxsize=16)
def _aead_for(master_secret: bytes, info: bytes) -> AESGCM:
    """The AES-GCM cipher under the key derived from ``master_secret``: derived once per
    process and secret (a store is opened per request), a pure function of its inputs."""
    return AESGCM(HKDF(hashes.SHA256(), 32, salt=None, info=info).derive(master_secret))


class EncryptedKeyStore:
    """Keys encrypted at rest with AES-256-GCM under a key derived from a master secret.

    ``backend`` is any mutable mapping from key id to ciphertext (a dict, or a
    service's database-backed mapping). Each record is ``nonce || AES-GCM(key JSON)``
    with the key id as associated data, so records cannot be swapped between ids.
    """

    _INFO = b"musette key store v1"

    def __init__(self, master_secret: bytes, backend: MutableMapping[str, bytes]) -> None:
        if len(master_secret) < 16:
            raise InvalidInputError("the key store master secret must be at least 16 bytes")
        self._aead = _aead_for(master_secret, self._INFO)
        self._backend = backend

    def add(self, key: PrivateKey, key_id: str | None = None) -> str:
        """Encrypt and store an existing key; returns its identifier."""
        kid = key_id or secrets.token_urlsafe(12)
        record = json.dumps({"type": key.key_type, "secret": key.to_secret_multibase()})
        nonce = os.urandom(12)
        self._backend[kid] = nonce + self._aead.encrypt(nonce, record.encode(), kid.encode())
        return kid

    def generate(self, key_type: str = "Ed25519") -> str:
        """Create, encrypt and store a fresh key."""
        return self.add(PrivateKey.generate(key_type))

    def _load(self, key_id: str) -> PrivateKey:
        blob = self._backend.get(key_id)
        if blob is None:
            raise KeyNotFoundError(f"no key {key_id!r} in this key store")
        try:
            plain = self._aead.decrypt(blob[:12], blob[12:], key_id.encode())
        except InvalidTag as err:
            raise InvalidInputError(
                f"key {key_id!r} cannot be decrypted: wrong master secret or tampered record"
            ) from err
        return PrivateKey.from_secret_multibase(json.loads(plain)["secret"])

    def public_key(self, key_id: str) -> PublicKey:
        """The public half of ``key_id``."""
        return self._load(key_id).public_key

    def sign(self, key_id: str, data: bytes) -> bytes:
        """Decrypt ``key_id`` for this one signature and sign."""
        return self._load(key_id).sign(data)

    def key_ids(self) -> list[str]:
        """Every key identifier held."""
        return sorted(self._backend)
