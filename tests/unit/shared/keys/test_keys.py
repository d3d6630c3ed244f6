"""Keys: Ed25519/P-256 sign-verify, RSA verify, JWK and Multikey encodings, key stores."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from shared.encoding import b64url_encode, multibase_decode, multibase_encode
from shared.errors import (
    InvalidInputError,
    KeyFormatError,
    KeyNotFoundError,
    UnsupportedAlgorithmError,
)
from shared.keys import EncryptedKeyStore, MemoryKeyStore, PrivateKey, PublicKey
from tests.conftest import load_json


@pytest.mark.parametrize("kind", ["ed25519", "p256"])
def test_sign_verify_roundtrip(kind: str) -> None:
    key = PrivateKey.generate(kind)
    sig = key.sign(b"hello")
    assert len(sig) == 64
    assert key.public_key.verify(b"hello", sig)
    assert not key.public_key.verify(b"hellO", sig)
    assert not PrivateKey.generate(kind).public_key.verify(b"hello", sig)


@pytest.mark.parametrize("kind", ["ed25519", "p256"])
def test_jwk_and_multikey_roundtrip(kind: str) -> None:
    key = PrivateKey.generate(kind)
    pub = key.public_key
    assert PublicKey.from_jwk(pub.to_jwk()).to_jwk() == pub.to_jwk()
    assert PublicKey.from_multikey(pub.to_multikey()).to_jwk() == pub.to_jwk()
    assert pub.to_multikey().startswith("z6Mk" if kind == "ed25519" else "zDn")
    again = PrivateKey.from_secret_multibase(key.to_secret_multibase())
    assert again.public_key.to_jwk() == pub.to_jwk()
    assert PrivateKey.from_jwk(key.to_jwk()).raw() == key.raw()


def test_private_jwk_d_is_rfc8037_seed() -> None:
    key = PrivateKey.from_raw("ed25519", bytes(range(32)))
    assert key.to_jwk()["d"] == b64url_encode(bytes(range(32)))


def test_private_jwk_mismatched_d_refused() -> None:
    jwk = {**PrivateKey.generate("ed25519").public_key.to_jwk(), "d": b64url_encode(bytes(32))}
    with pytest.raises(KeyFormatError, match="does not match"):
        PrivateKey.from_jwk(jwk)


def test_peers_manifest_keys_encode_identically() -> None:
    """vectors/peers/manifest.json lists each key as did:key and JWK: both must agree."""
    keys = load_json("peers", "manifest.json")["keys"]
    for entry in keys.values():
        pub = PublicKey.from_multikey(entry["publicKeyMultibase"])
        assert pub.to_jwk() == entry["publicJwk"]


def test_vc_di_eddsa_keypair_secret_multibase() -> None:
    """vc-di-eddsa keyPair.json: privateKeyMultibase (0x8026 + seed) derives publicKeyMultibase."""
    pair = load_json("vc-di-eddsa", "keyPair.json")
    key = PrivateKey.from_secret_multibase(pair["privateKeyMultibase"])
    assert key.public_key.to_multikey() == pair["publicKeyMultibase"]


def test_rsa_verify_rs256() -> None:
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pub = PublicKey("RSA", rsa_key.public_key())
    sig = rsa_key.sign(b"data", padding.PKCS1v15(), hashes.SHA256())
    assert PublicKey.from_jwk(pub.to_jwk()).verify(b"data", sig, "RS256")
    assert not pub.verify(b"other", sig, "RS256")


def test_short_rsa_refused() -> None:
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024).public_key()
    with pytest.raises(KeyFormatError, match="2048"):
        PublicKey.from_jwk(PublicKey("RSA", small).to_jwk())


def test_alg_must_match_key_type() -> None:
    key = PrivateKey.generate("ed25519")
    with pytest.raises(UnsupportedAlgorithmError):
        key.public_key.verify(b"x", key.sign(b"x"), "ES256")


@pytest.mark.parametrize(
    "value",
    [
        "",
        "z",
        "x6Mk",
        "z0OIl",  # characters outside base58btc
        "u@@@",
        "uA",  # impossible base64url length
        multibase_encode(b"\xed\x01" + bytes(31)),  # 31-byte Ed25519 key
        multibase_encode(b"\xed\x01" + bytes(33)),  # 33-byte Ed25519 key
        multibase_encode(b"\x80\x24" + bytes(33)),  # P-256 point not on the curve
        multibase_encode(b"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"),  # endless varint
        multibase_encode(b"\x12\x00" + bytes(32)),  # unknown codec
    ],
)
def test_malformed_multikey_is_a_clear_error(value: str) -> None:
    with pytest.raises(KeyFormatError):
        PublicKey.from_multikey(value)


@pytest.mark.parametrize(
    "jwk",
    [
        "not a dict",
        {"kty": "OKP", "crv": "Ed25519"},
        {"kty": "OKP", "crv": "Ed25519", "x": "AAAA"},
        {"kty": "OKP", "crv": "X25519", "x": b64url_encode(bytes(32))},
        {"kty": "EC", "crv": "P-256", "x": b64url_encode(bytes(32)), "y": b64url_encode(bytes(32))},
        {"kty": "EC", "crv": "P-384", "x": "AA", "y": "AA"},
        {"kty": "oct", "k": "c2VjcmV0"},
        {"kty": "OKP", "crv": "Ed25519", "x": "!!!"},
    ],
)
def test_malformed_jwk_is_a_clear_error(jwk: object) -> None:
    with pytest.raises(KeyFormatError):
        PublicKey.from_jwk(jwk)


def test_multibase_decode_rejects_unknown_prefix() -> None:
    with pytest.raises(InvalidInputError):
        multibase_decode("fdeadbeef")


def test_memory_key_store() -> None:
    store = MemoryKeyStore()
    kid = store.generate("p256")
    assert store.public_key(kid).verify(b"m", store.sign(kid, b"m"))
    assert store.key_ids() == [kid]
    with pytest.raises(KeyNotFoundError):
        store.sign("missing", b"m")


def test_encrypted_key_store_keeps_no_plaintext() -> None:
    backend: dict[str, bytes] = {}
    store = EncryptedKeyStore(b"master-secret-of-32-bytes-length", backend)
    key = PrivateKey.generate("ed25519")
    kid = store.add(key)
    assert key.to_secret_multibase().encode() not in backend[kid]
    assert key.raw() not in backend[kid]
    assert store.public_key(kid).verify(b"m", store.sign(kid, b"m"))
    # a second store over the same records with the same secret reads them
    assert (
        EncryptedKeyStore(b"master-secret-of-32-bytes-length", backend).public_key(kid).to_jwk()
        == key.public_key.to_jwk()
    )


def test_encrypted_key_store_wrong_secret_or_swapped_record() -> None:
    backend: dict[str, bytes] = {}
    store = EncryptedKeyStore(b"master-secret-of-32-bytes-length", backend)
    a, b = store.generate(), store.generate()
    with pytest.raises(InvalidInputError, match="cannot be decrypted"):
        EncryptedKeyStore(b"another-secret-of-32-bytes-long!", backend).sign(a, b"m")
    backend[a], backend[b] = backend[b], backend[a]
    with pytest.raises(InvalidInputError, match="cannot be decrypted"):
        store.sign(a, b"m")
    with pytest.raises(InvalidInputError):
        EncryptedKeyStore(b"short", backend)
