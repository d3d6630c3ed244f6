"""Encryption at rest: one data key per account (AES-256-GCM), wrapped by the person.

The data key is wrapped under a key derived from the person's password (Argon2id, salt and
parameters stored per account) and, a second time, under a key derived from their recovery
code; a session or an API token holds its own copy sealed under a key derived from its
secret, which the database stores only hashed (docs/decisions/person-held-keys.md). The
service master key wraps no data key of a migrated account: it keys look-up tags, a start-up
check value, and still opens accounts created before the person-held keys until they sign in.

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
from base64 import b32decode, b32encode
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from servicekit import instances
from shared.errors import VcError

NONCE_BYTES = 12
KEY_BYTES = 32
SALT_BYTES = 16
#: 160 bits, shown as 32 base32 letters and digits in 8 groups of 4
RECOVERY_BYTES = 20
CHECK_AAD = "wallet:master-check"
CHECK_PLAINTEXT = b"musette wallet master check v1"


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
        """The vault of an account created before person-held keys (not yet signed in since)."""
        return AccountVault(account_id, open_sealed(self._kek(), wrapped, f"account:{account_id}"))

    def check_value(self) -> bytes:
        """A value only this master secret opens (:meth:`opens`), stored once at start-up."""
        return seal(self._kek(), CHECK_PLAINTEXT, CHECK_AAD)

    def opens(self, value: bytes) -> bool:
        try:
            return open_sealed(self._kek(), value, CHECK_AAD) == CHECK_PLAINTEXT
        except VaultError:
            return False

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


# --------------------------------------------------------------------- keys the person holds


@dataclass(frozen=True)
class KdfParams:
    """Argon2id parameters of one account's password key, stored with it (``kek_params``)."""

    time_cost: int
    memory_kib: int
    parallelism: int = 1

    def encode(self) -> str:
        return f"argon2id;t={self.time_cost};m={self.memory_kib};p={self.parallelism}"

    @classmethod
    def decode(cls, text: str) -> KdfParams:
        parts = dict(p.split("=", 1) for p in text.split(";")[1:] if "=" in p)
        if not text.startswith("argon2id;") or set(parts) != {"t", "m", "p"}:
            raise VaultError("unknown password key parameters")
        if not all(v.isdigit() and len(v) <= 8 for v in parts.values()):
            raise VaultError("unknown password key parameters")
        params = cls(int(parts["t"]), int(parts["m"]), int(parts["p"]))
        # RFC 9106 §3.1: at least 1 pass, 8·p KiB of memory, 1 to 2^24-1 lanes
        if (
            params.time_cost < 1
            or params.parallelism < 1
            or params.memory_kib < 8 * params.parallelism
        ):
            raise VaultError("unknown password key parameters")
        return params


def password_key(password: str, salt: bytes, params: KdfParams) -> bytes:
    """The key that wraps an account's data key: Argon2id (RFC 9106) over the password."""
    return hash_secret_raw(
        password.encode(),
        salt,
        time_cost=params.time_cost,
        memory_cost=params.memory_kib,
        parallelism=params.parallelism,
        hash_len=KEY_BYTES,
        type=Type.ID,
    )


def new_salt() -> bytes:
    return secrets.token_bytes(SALT_BYTES)


def new_data_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def new_recovery_code() -> str:
    """A recovery code: 160 random bits in base32, grouped by 4 for typing."""
    letters = b32encode(secrets.token_bytes(RECOVERY_BYTES)).decode()
    return "-".join(letters[i : i + 4] for i in range(0, len(letters), 4))


def recovery_key(code: str, account_id: str) -> bytes:
    """The key a recovery code gives: HKDF is enough, the code has 160 bits of entropy."""
    if len(code) > 200:
        raise VaultError("this is not a recovery code")
    letters = "".join(c for c in code.upper() if c.isascii() and c.isalnum())
    letters = letters.replace("0", "O").replace("1", "I").replace("8", "B")  # misread glyphs
    try:
        raw = b32decode(letters)
    except ValueError as err:
        raise VaultError("this is not a recovery code") from err
    if len(raw) != RECOVERY_BYTES:
        raise VaultError("this is not a recovery code")
    return _derive(raw, f"musette wallet recovery v1 {account_id}".encode())


def secret_key(secret: str, purpose: str) -> bytes:
    """The key a session cookie or API token gives its sealed copy of the data key."""
    return _derive(secret.encode(), f"musette wallet {purpose} key v1".encode())


def wrap_data_key(key: bytes, account_id: str, data_key: bytes, purpose: str) -> bytes:
    return seal(key, data_key, f"account:{account_id}:{purpose}")


def unwrap_data_key(key: bytes, account_id: str, wrapped: bytes, purpose: str) -> AccountVault:
    return AccountVault(account_id, open_sealed(key, wrapped, f"account:{account_id}:{purpose}"))


# -------------------------------------------------------------------------------- inbox


def new_inbox_keys(vault: AccountVault) -> tuple[bytes, bytes]:
    """(public key, private key sealed under the data key) of an account's inbox (X25519)."""
    private = X25519PrivateKey.generate()
    raw = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    public = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return public, vault.seal_bytes("inbox-key", vault.account_id, raw)


def _inbox_key(shared: bytes, ephemeral: bytes, recipient: bytes) -> bytes:
    return HKDF(
        hashes.SHA256(), KEY_BYTES, salt=ephemeral + recipient, info=b"musette wallet inbox v1"
    ).derive(shared)


def seal_to(public: bytes, plaintext: bytes, aad: str) -> bytes:
    """Encrypt to an inbox's public key (X25519 ECDH + HKDF-SHA256 + AES-256-GCM):
    ``ephemeral public key (32) || nonce || ciphertext``; the server cannot open it."""
    ephemeral = X25519PrivateKey.generate()
    eph_pub = ephemeral.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(public))
    return eph_pub + seal(_inbox_key(shared, eph_pub, public), plaintext, aad)


def open_from(vault: AccountVault, private_ct: bytes, blob: bytes, aad: str) -> bytes:
    """Open what :func:`seal_to` sealed to this account's inbox."""
    private = X25519PrivateKey.from_private_bytes(
        vault.open_bytes("inbox-key", vault.account_id, private_ct)
    )
    public = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    eph_pub = blob[:32]
    if len(blob) < 32 + NONCE_BYTES + 16:
        raise VaultError("an inbox record cannot be decrypted")
    try:
        shared = private.exchange(X25519PublicKey.from_public_bytes(eph_pub))
    except ValueError as err:
        raise VaultError("an inbox record cannot be decrypted") from err
    return open_sealed(_inbox_key(shared, eph_pub, public), blob[32:], aad)
