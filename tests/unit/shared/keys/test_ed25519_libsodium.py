"""Ed25519 through libsodium against OpenSSL: the same verdict on what a signer produces, and
never a signature OpenSSL refuses (docs/decisions/ed25519-libsodium.md)."""

from __future__ import annotations

import random

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ed25519

from shared.errors import KeyFormatError
from shared.keys import PrivateKey, PublicKey
from shared.keys.keypair import ED25519_PUB

#: the order of the prime subgroup (RFC 8032 §5.1)
L = 2**252 + 27742317777372353535851937790883648493

#: RFC 8032 §7.1 TEST 1, 2 and 3: (secret, public, message, signature)
RFC8032 = [
    (
        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        "",
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555"
        "fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
    ),
    (
        "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
        "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
        "72",
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da0"
        "85ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
    ),
    (
        "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
        "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
        "af82",
        "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac1"
        "8ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a",
    ),
]

#: the eight points of small order, then non-canonical encodings (y ≥ p, or x = 0 with the
#: sign bit set): no key pair generated honestly has one as its key or its R
SMALL_ORDER_OR_NON_CANONICAL = [
    bytes.fromhex(h)
    for h in (
        "0100000000000000000000000000000000000000000000000000000000000000",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0000000000000000000000000000000000000000000000000000000000000080",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
        "0100000000000000000000000000000000000000000000000000000000000080",
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    )
]


def openssl(public: bytes, message: bytes, signature: bytes) -> bool:
    """OpenSSL's verdict, through cryptography (what the engine used before libsodium)."""
    try:
        ed25519.Ed25519PublicKey.from_public_bytes(public).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def ours(public: bytes, message: bytes, signature: bytes) -> bool:
    """The engine's verdict (libsodium)."""
    return PublicKey.from_raw(ED25519_PUB, public).verify(message, signature, "EdDSA")


def flip(data: bytes, bit: int) -> bytes:
    out = bytearray(data)
    out[bit // 8] ^= 1 << (bit % 8)
    return bytes(out)


@pytest.mark.parametrize(("secret", "public", "message", "signature"), RFC8032)
def test_rfc8032_vectors(secret: str, public: str, message: str, signature: str) -> None:
    key = PrivateKey.from_raw("Ed25519", bytes.fromhex(secret))
    assert key.public_key.raw().hex() == public
    assert key.sign(bytes.fromhex(message)).hex() == signature
    pub, msg, sig = bytes.fromhex(public), bytes.fromhex(message), bytes.fromhex(signature)
    assert ours(pub, msg, sig)
    assert openssl(pub, msg, sig)
    assert not ours(pub, msg + b"\x00", sig)
    assert not ours(pub, msg, flip(sig, 0))


def test_random_keys_and_messages_agree_and_every_altered_signature_is_refused() -> None:
    rng = random.Random(8032)
    for _ in range(200):
        key = PrivateKey.from_raw("Ed25519", rng.randbytes(32))
        public = key.public_key.raw()
        message = rng.randbytes(rng.randrange(0, 600))
        signature = key.sign(message)
        assert ours(public, message, signature)
        assert openssl(public, message, signature)
        altered = [
            (public, message, flip(signature, rng.randrange(512))),
            (flip(public, rng.randrange(256)), message, signature),
            (public, message + b"x", signature),
            (public, message, signature[: rng.randrange(64)]),
            (public, message, signature + b"\x00"),
        ]
        if message:
            altered.append((public, flip(message, rng.randrange(len(message) * 8)), signature))
            altered.append((public, message[: rng.randrange(len(message))], signature))
        for case in altered:
            assert not openssl(*case)
            assert not ours(*case)


def test_non_canonical_s_is_refused_by_both() -> None:
    key = PrivateKey.generate("Ed25519")
    signature = key.sign(b"m")
    s = int.from_bytes(signature[32:], "little")
    malleated = signature[:32] + (s + L).to_bytes(32, "little")
    assert not openssl(key.public_key.raw(), b"m", malleated)
    assert not ours(key.public_key.raw(), b"m", malleated)


def test_small_order_keys_and_r_are_refused_even_where_openssl_accepts() -> None:
    """R and A of small order with S = 0 satisfy the cofactorless equation for some message
    under OpenSSL (the identity key "signs" everything); libsodium refuses them all."""
    accepted_by_openssl = 0
    for public in SMALL_ORDER_OR_NON_CANONICAL:
        for r in SMALL_ORDER_OR_NON_CANONICAL:
            for s in (0, 1):
                for message in (b"", b"hello"):
                    signature = r + s.to_bytes(32, "little")
                    accepted_by_openssl += openssl(public, message, signature)
                    assert not ours(public, message, signature)
    # the cases exist: the test would pass vacuously if OpenSSL refused them too
    assert accepted_by_openssl > 0


@pytest.mark.parametrize("length", [0, 31, 33, 64])
def test_wrong_length_keys_are_refused_at_parsing(length: int) -> None:
    with pytest.raises(KeyFormatError):
        PublicKey.from_raw(ED25519_PUB, bytes(length))


@pytest.mark.parametrize("signature", [b"", bytes(63), bytes(65), bytes(128)])
def test_wrong_length_signatures_are_refused(signature: bytes) -> None:
    key = PrivateKey.generate("Ed25519").public_key
    assert not key.verify(b"m", signature)
    assert not key.verify(signature[64:], signature[:64])
