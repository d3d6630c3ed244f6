"""Keys: Ed25519/P-256 signing, RSA verification, JWK and Multikey, key stores."""

from shared.keys.keypair import ALGORITHMS, PrivateKey, PublicKey, normalize_key_type
from shared.keys.store import EncryptedKeyStore, KeyStore, MemoryKeyStore

__all__ = [
    "ALGORITHMS",
    "EncryptedKeyStore",
    "KeyStore",
    "MemoryKeyStore",
    "PrivateKey",
    "PublicKey",
    "normalize_key_type",
]
