"""Encryption at rest: a master key wraps one data key per account (AES-256-GCM).

Every record is ``nonce (12 bytes) || AES-GCM ciphertext`` with associated data naming the
record (its table and id), so ciphertexts cannot be moved between rows or accounts.
Deleting an account deletes its wrapped data key, which makes any leftover copy unreadable.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from servicekit import instances
from shared.errors import VcError

NONCE_BYTES = 12
KEY_BYTES = 32


class VaultError(VcError):
    """A record cannot be decrypted: wrong master key or tampered data."""


def _derive(secret: bytes, info: bytes) -> bytes:
    return HKDF(hashes.SHA256(), KEY_BYTES, salt=None, info=info).derive(secret)


def seal(key: bytes, plaintext: bytes, aad: str) -> bytes:
    """Encrypt with a fresh random nonce."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, aad.encode())


def open_sealed(key: bytes, blob: bytes, aad: str) -> bytes:
    """Decrypt what :func:`seal` produced, or raise VaultError."""
    try:
        return AESGCM(key).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], aad.encode())
    except (InvalidTag, ValueError) as err:
        raise VaultError("a stored record cannot be decrypted") from err


def load_master_secret(configured: str, data_dir: str | Path) -> bytes:
    """The master secret: from settings (base64url), else ``<data_dir>/master.key`` (0600).

    16-byte secrets, once accepted here, still open the wallet (with a warning).
    """
    return instances.load_master_secret(
        "wallet", configured, data_dir, legacy_floor=instances.LEGACY_MASTER_SECRET_BYTES
    )


@dataclass(frozen=True)
class MasterKey:
    """The service master key: wraps account data keys; derives lookup HMAC keys."""

    secret: bytes

    def _kek(self) -> bytes:
        return _derive(self.secret, b"musette wallet kek v1")

    def new_wrapped_data_key(self, account_id: str) -> bytes:
        """A fresh data key for ``account_id``, wrapped."""
        return seal(self._kek(), secrets.token_bytes(KEY_BYTES), f"account:{account_id}")

    def unwrap(self, account_id: str, wrapped: bytes) -> AccountVault:
        """The vault of one account."""
        return AccountVault(account_id, open_sealed(self._kek(), wrapped, f"account:{account_id}"))

    def lookup_tag(self, purpose: str, value: str) -> str:
        """A keyed hash for indexed look-ups that must not reveal ``value``."""
        key = _derive(self.secret, b"musette wallet lookup v1")
        return hmac.new(key, f"{purpose}\x00{value}".encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class AccountVault:
    """Encrypts one account's records under its data key."""

    account_id: str
    data_key: bytes

    def _aad(self, kind: str, record_id: str) -> str:
        return f"{self.account_id}:{kind}:{record_id}"

    def seal_bytes(self, kind: str, record_id: str, data: bytes) -> bytes:
        return seal(self.data_key, data, self._aad(kind, record_id))

    def open_bytes(self, kind: str, record_id: str, blob: bytes) -> bytes:
        return open_sealed(self.data_key, blob, self._aad(kind, record_id))

    def seal_json(self, kind: str, record_id: str, value: Any) -> bytes:
        data = json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()
        return self.seal_bytes(kind, record_id, data)

    def open_json(self, kind: str, record_id: str, blob: bytes) -> Any:
        return json.loads(self.open_bytes(kind, record_id, blob))


def token_key(token: str) -> bytes:
    """The key of a public share: derived from the URL token, which the wallet never stores."""
    return _derive(token.encode(), b"musette wallet share v1")


def hash_token(token: str) -> str:
    """SHA-256 of a high-entropy token (session, API token, share), for look-up."""
    return hashlib.sha256(token.encode()).hexdigest()
