"""Asymmetric keys: Ed25519 and P-256 sign and verify, RSA verify only.

JWK encodings follow RFC 7517/7518 and RFC 8037 (OKP, the 32-byte seed as ``d``);
Multikey encodings follow Controlled Identifiers v1.0 §2.2.2 (``z6Mk…``, ``zDn…``,
``secretKeyMultibase``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from nacl.bindings import crypto_sign_open
from nacl.exceptions import BadSignatureError

from shared.encoding.base64url import b64url_decode, b64url_encode
from shared.encoding.multibase import (
    multibase_decode,
    multibase_encode,
    varint_decode,
    varint_encode,
)
from shared.errors import InvalidInputError, KeyFormatError, UnsupportedAlgorithmError

KeyType = Literal["Ed25519", "P-256", "RSA"]

# multicodec table: https://github.com/multiformats/multicodec/blob/master/table.csv
ED25519_PUB = 0xED
P256_PUB = 0x1200
ED25519_PRIV = 0x1300
P256_PRIV = 0x1306

#: JWS algorithms each key type may use (RFC 7518 §3.1, RFC 8037 §3.1).
ALGORITHMS: dict[str, tuple[str, ...]] = {
    "Ed25519": ("EdDSA", "Ed25519"),
    "P-256": ("ES256",),
    "RSA": ("RS256", "PS256"),
}
MIN_RSA_BITS = 2048


@dataclass(frozen=True)
class PublicKey:
    """A public key that can verify signatures."""

    key_type: KeyType
    key: ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey | rsa.RSAPublicKey
    #: the 32 raw bytes of an Ed25519 key, for libsodium (empty for other key types)
    _ed25519_raw: bytes = field(init=False, repr=False, compare=False, default=b"")

    def __post_init__(self) -> None:
        if isinstance(self.key, ed25519.Ed25519PublicKey):
            object.__setattr__(self, "_ed25519_raw", self.key.public_bytes_raw())

    def verify(self, data: bytes, signature: bytes, alg: str | None = None) -> bool:
        """Return True when ``signature`` is valid over ``data``; never raises on a bad one.

        ES256 signatures are the raw 64-byte ``r || s`` form (RFC 7518 §3.4).
        """
        alg = alg or ALGORITHMS[self.key_type][0]
        if alg not in ALGORITHMS[self.key_type]:
            raise UnsupportedAlgorithmError(
                f"algorithm {alg} cannot be used with a {self.key_type} key"
            )
        if self._ed25519_raw:
            return _ed25519_verify(self._ed25519_raw, data, signature)
        try:
            if isinstance(self.key, ec.EllipticCurvePublicKey):
                if len(signature) != 64:
                    return False
                r = int.from_bytes(signature[:32], "big")
                s = int.from_bytes(signature[32:], "big")
                self.key.verify(encode_dss_signature(r, s), data, ec.ECDSA(hashes.SHA256()))
            elif isinstance(self.key, rsa.RSAPublicKey):
                pad: padding.AsymmetricPadding = (
                    padding.PKCS1v15()
                    if alg == "RS256"
                    else padding.PSS(padding.MGF1(hashes.SHA256()), hashes.SHA256().digest_size)
                )
                self.key.verify(signature, data, pad, hashes.SHA256())
            else:  # an Ed25519 key always went through libsodium above
                return False
        except InvalidSignature:
            return False
        return True

    def raw(self) -> bytes:
        """The raw public key: 32 bytes for Ed25519, 33 compressed bytes for P-256."""
        if isinstance(self.key, ed25519.Ed25519PublicKey):
            return self.key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        if isinstance(self.key, ec.EllipticCurvePublicKey):
            return self.key.public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint
            )
        raise UnsupportedAlgorithmError("RSA keys have no Multikey encoding here")

    def to_multikey(self) -> str:
        """``publicKeyMultibase``: ``z6Mk…`` for Ed25519, ``zDn…`` for P-256."""
        codec = ED25519_PUB if self.key_type == "Ed25519" else P256_PUB
        return multibase_encode(varint_encode(codec) + self.raw(), "z")

    def to_jwk(self) -> dict[str, str]:
        """The public JWK (RFC 7517), with no ``kid``."""
        if isinstance(self.key, ed25519.Ed25519PublicKey):
            return {"kty": "OKP", "crv": "Ed25519", "x": b64url_encode(self.raw())}
        if isinstance(self.key, ec.EllipticCurvePublicKey):
            nums = self.key.public_numbers()
            return {
                "kty": "EC",
                "crv": "P-256",
                "x": b64url_encode(nums.x.to_bytes(32, "big")),
                "y": b64url_encode(nums.y.to_bytes(32, "big")),
            }
        rnums = self.key.public_numbers()
        return {
            "kty": "RSA",
            "n": b64url_encode(rnums.n.to_bytes((rnums.n.bit_length() + 7) // 8, "big")),
            "e": b64url_encode(rnums.e.to_bytes((rnums.e.bit_length() + 7) // 8, "big")),
        }

    @classmethod
    def from_multikey(cls, value: str) -> PublicKey:
        """Parse a ``publicKeyMultibase`` value, checking the codec and the length.

        Parsed keys are remembered (a pure function of the string; keys are immutable):
        did:key issuers and holders repeat, and base58 decoding is not free.
        """
        if not isinstance(value, str):
            raise KeyFormatError("publicKeyMultibase must be a string")
        return _parse_multikey(value)

    @classmethod
    def from_raw(cls, codec: int, raw: bytes) -> PublicKey:
        """Build a key from a multicodec code and its raw bytes."""
        if codec == ED25519_PUB:
            if len(raw) != 32:
                raise KeyFormatError(f"an Ed25519 public key is 32 bytes, not {len(raw)}")
            return cls("Ed25519", ed25519.Ed25519PublicKey.from_public_bytes(raw))
        if codec == P256_PUB:
            if len(raw) != 33:
                raise KeyFormatError(f"a compressed P-256 public key is 33 bytes, not {len(raw)}")
            try:
                point = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
            except ValueError as err:
                raise KeyFormatError("the P-256 public key is not a point on the curve") from err
            return cls("P-256", point)
        raise KeyFormatError(f"unsupported multicodec key type 0x{codec:x}")

    @classmethod
    def from_jwk(cls, jwk: Any) -> PublicKey:
        """Parse a public JWK (OKP/Ed25519, EC/P-256 or RSA ≥ 2048 bits)."""
        if not isinstance(jwk, dict):
            raise KeyFormatError("a JWK must be a JSON object")
        kty, crv = jwk.get("kty"), jwk.get("crv")
        try:
            if kty == "OKP" and crv == "Ed25519":
                raw = b64url_decode(_str(jwk, "x"))
                return cls.from_raw(ED25519_PUB, raw)
            if kty == "EC" and crv == "P-256":
                x, y = b64url_decode(_str(jwk, "x")), b64url_decode(_str(jwk, "y"))
                if len(x) != 32 or len(y) != 32:
                    raise KeyFormatError("P-256 JWK coordinates must be 32 bytes each")
                try:
                    pub = ec.EllipticCurvePublicNumbers(
                        int.from_bytes(x, "big"), int.from_bytes(y, "big"), ec.SECP256R1()
                    ).public_key()
                except ValueError as err:
                    raise KeyFormatError("the P-256 JWK is not a point on the curve") from err
                return cls("P-256", pub)
            if kty == "RSA":
                n = int.from_bytes(b64url_decode(_str(jwk, "n")), "big")
                e = int.from_bytes(b64url_decode(_str(jwk, "e")), "big")
                if n.bit_length() < MIN_RSA_BITS:
                    raise KeyFormatError(f"RSA keys shorter than {MIN_RSA_BITS} bits are refused")
                try:
                    return cls("RSA", rsa.RSAPublicNumbers(e, n).public_key())
                except ValueError as err:
                    raise KeyFormatError("the RSA JWK is not a valid public key") from err
        except InvalidInputError as err:
            if isinstance(err, KeyFormatError):
                raise
            raise KeyFormatError(f"JWK member is not base64url: {err.detail}") from err
        raise KeyFormatError(f"unsupported JWK key type kty={kty!r} crv={crv!r}")


def _ed25519_verify(public: bytes, data: bytes, signature: bytes) -> bool:
    """RFC 8032 §5.1.7 through libsodium: about half OpenSSL's time, and stricter.

    libsodium also refuses small-order keys and R, and non-canonical key encodings, which
    no honest signer produces (docs/decisions/ed25519-libsodium.md); ``public`` is always
    the 32 bytes of a parsed key.
    """
    if len(signature) != 64 or len(public) != 32:
        return False
    try:
        crypto_sign_open(signature + data, public)
    except BadSignatureError:
        return False
    return True


@lru_cache(maxsize=4096)
def _parse_multikey(value: str) -> PublicKey:
    try:
        data = multibase_decode(value)
    except InvalidInputError as err:
        raise KeyFormatError(f"publicKeyMultibase is malformed: {err.detail}") from err
    if not value.startswith("z"):
        raise KeyFormatError("publicKeyMultibase must be base58btc ('z' prefix)")
    codec, used = varint_decode(data)
    return PublicKey.from_raw(codec, data[used:])


@dataclass(frozen=True)
class PrivateKey:
    """A signing key: Ed25519 or P-256."""

    key_type: KeyType
    key: ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey

    @classmethod
    def generate(cls, key_type: str = "Ed25519") -> PrivateKey:
        """Create a fresh key of ``key_type`` (``Ed25519``/``ed25519`` or ``P-256``/``p256``)."""
        kind = normalize_key_type(key_type)
        if kind == "Ed25519":
            return cls("Ed25519", ed25519.Ed25519PrivateKey.generate())
        return cls("P-256", ec.generate_private_key(ec.SECP256R1()))

    @classmethod
    def from_raw(cls, key_type: str, secret: bytes) -> PrivateKey:
        """From a 32-byte Ed25519 seed or a 32-byte P-256 scalar."""
        kind = normalize_key_type(key_type)
        if len(secret) != 32:
            raise KeyFormatError(f"a {kind} private key is 32 bytes, not {len(secret)}")
        if kind == "Ed25519":
            return cls("Ed25519", ed25519.Ed25519PrivateKey.from_private_bytes(secret))
        scalar = int.from_bytes(secret, "big")
        try:
            return cls("P-256", ec.derive_private_key(scalar, ec.SECP256R1()))
        except ValueError as err:
            raise KeyFormatError("the P-256 private scalar is out of range") from err

    @property
    def public_key(self) -> PublicKey:
        """The matching public key."""
        return PublicKey(self.key_type, self.key.public_key())

    def raw(self) -> bytes:
        """The 32-byte seed (Ed25519) or scalar (P-256)."""
        if isinstance(self.key, ed25519.Ed25519PrivateKey):
            return self.key.private_bytes(
                serialization.Encoding.Raw,
                serialization.PrivateFormat.Raw,
                serialization.NoEncryption(),
            )
        return self.key.private_numbers().private_value.to_bytes(32, "big")

    def sign(self, data: bytes) -> bytes:
        """Sign: Ed25519 (64 bytes) or ES256 as raw ``r || s`` (64 bytes)."""
        if isinstance(self.key, ed25519.Ed25519PrivateKey):
            return self.key.sign(data)
        r, s = decode_dss_signature(self.key.sign(data, ec.ECDSA(hashes.SHA256())))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")

    @property
    def jws_alg(self) -> str:
        """The JWS ``alg`` this key signs with."""
        return ALGORITHMS[self.key_type][0]

    def to_secret_multibase(self) -> str:
        """``secretKeyMultibase`` (multicodec ed25519-priv 0x1300 or p256-priv 0x1306)."""
        codec = ED25519_PRIV if self.key_type == "Ed25519" else P256_PRIV
        return multibase_encode(varint_encode(codec) + self.raw(), "z")

    @classmethod
    def from_secret_multibase(cls, value: str) -> PrivateKey:
        """Parse ``secretKeyMultibase``."""
        try:
            data = multibase_decode(value)
        except InvalidInputError as err:
            raise KeyFormatError(f"secretKeyMultibase is malformed: {err.detail}") from err
        codec, used = varint_decode(data)
        if codec == ED25519_PRIV:
            return cls.from_raw("Ed25519", data[used:])
        if codec == P256_PRIV:
            return cls.from_raw("P-256", data[used:])
        raise KeyFormatError(f"unsupported multicodec private key type 0x{codec:x}")

    def to_jwk(self) -> dict[str, str]:
        """The private JWK: the public members plus ``d`` (RFC 8037: the 32-byte seed)."""
        return {**self.public_key.to_jwk(), "d": b64url_encode(self.raw())}

    @classmethod
    def from_jwk(cls, jwk: Any) -> PrivateKey:
        """Parse a private JWK and check that ``d`` matches the public members."""
        public = PublicKey.from_jwk(jwk)
        if public.key_type == "RSA":
            raise UnsupportedAlgorithmError("RSA keys can verify here but not sign")
        try:
            secret = b64url_decode(_str(jwk, "d"))
        except InvalidInputError as err:
            raise KeyFormatError(f"JWK 'd' is malformed: {err.detail}") from err
        key = cls.from_raw(public.key_type, secret)
        if key.public_key.to_jwk() != public.to_jwk():
            raise KeyFormatError("JWK private member 'd' does not match its public key")
        return key


def normalize_key_type(key_type: str) -> KeyType:
    """Accept ``ed25519``/``Ed25519`` and ``p256``/``P-256``; refuse anything else."""
    kinds: dict[str, KeyType] = {"ed25519": "Ed25519", "p256": "P-256", "p-256": "P-256"}
    kind = kinds.get(key_type.lower())
    if kind is None:
        raise UnsupportedAlgorithmError(f"key type {key_type!r} is not supported (ed25519, p256)")
    return kind


def _str(jwk: dict[str, Any], member: str) -> str:
    value = jwk.get(member)
    if not isinstance(value, str):
        raise KeyFormatError(f"JWK member {member!r} is missing or not a string")
    return value
