"""Passphrase-protected files as a standard JWE, so any JOSE library can open them.

Implements: RFC 7516 (JSON Web Encryption), compact serialization (§7.1) written, compact or
flattened JSON serialization (§7.2.2) read; RFC 7518 §4.8 (PBES2 key encryption with
``p2s`` and ``p2c``) and §5.3 (AES GCM content encryption), May 2015.

The cryptography is jwcrypto's; this module only decides what is acceptable:

* key management ``PBES2-HS512+A256KW`` (written) or ``PBES2-HS256+A128KW`` (read too);
* content encryption ``A256GCM`` (written) or ``A128GCM`` (read too);
* ``p2c`` between :data:`MIN_P2C` and :data:`MAX_P2C` (a slow file is a denial of service, a
  fast one is a weak lock), ``p2s`` of 8 bytes or more, 16 random bytes when written;
* every header member in the integrity-protected header: no unprotected header, no ``zip``
  (a decompression bomb), no ``crit``.

Anything else (``alg: none``, ``dir``, RSA, ECDH, AES key wrap, CBC-HMAC...) is refused before
the passphrase is touched.

The passphrase is the UTF-8 encoding of its Unicode NFC form (RFC 8265 "OpaqueString" also
normalizes to NFC), so the same words typed on two systems open the same file; for ASCII
passphrases this is just the bytes typed.
"""

from __future__ import annotations

import json
import secrets
import unicodedata
from typing import Any, Final

from jwcrypto import jwa
from jwcrypto.common import JWException
from jwcrypto.jwe import JWE
from jwcrypto.jwk import JWK

from shared.encoding.base64url import b64url_decode, b64url_encode
from shared.encoding.json_limits import parse_json
from shared.errors import (
    InvalidInputError,
    InvalidProofError,
    PayloadTooLargeError,
    UnsupportedAlgorithmError,
)

__all__ = [
    "ALLOWED_ALGS",
    "ALLOWED_ENCS",
    "DEFAULT_ALG",
    "DEFAULT_ENC",
    "DEFAULT_P2C",
    "MAX_P2C",
    "MIN_P2C",
    "MIN_PASSPHRASE_CHARS",
    "MalformedJweError",
    "PassphraseDecryptionError",
    "PassphraseIterationsError",
    "PassphraseRequiredError",
    "PassphraseTooShortError",
    "check_passphrase",
    "decrypt_with_passphrase",
    "encrypt_with_passphrase",
    "looks_like_jwe",
    "max_token_bytes",
]

DEFAULT_ALG: Final = "PBES2-HS512+A256KW"
DEFAULT_ENC: Final = "A256GCM"
ALLOWED_ALGS: Final = frozenset({DEFAULT_ALG, "PBES2-HS256+A128KW"})
ALLOWED_ENCS: Final = frozenset({DEFAULT_ENC, "A128GCM"})
#: OWASP Password Storage Cheat Sheet (2023): PBKDF2-HMAC-SHA256 needs 600,000 iterations;
#: written files use this count and files read must use at least as many.
MIN_P2C: Final = 600_000
DEFAULT_P2C: Final = MIN_P2C
#: About 5 seconds of PBKDF2 on a laptop: a file asking for more is refused unread.
MAX_P2C: Final = 10_000_000
#: RFC 7518 §4.8.1.1: "A Salt Input value containing 8 or more octets MUST be used."
MIN_SALT_BYTES: Final = 8
SALT_BYTES: Final = 16
#: A passphrase of fewer characters is refused when a file is written.
MIN_PASSPHRASE_CHARS: Final = 12
_MAX_HEADER_BYTES: Final = 4096
_REFUSED_HEADER_MEMBERS: Final = ("zip", "crit", "jku", "x5u", "jwk", "epk")
_FLATTENED_MEMBERS: Final = frozenset({"protected", "encrypted_key", "iv", "ciphertext", "tag"})

# jwcrypto refuses PBES2 counts above a process-wide cap (16,384 in 1.5), far below what a
# passphrase needs today. Raise it to this module's own ceiling; every caller of jwcrypto in
# this repository checks p2c (or refuses PBES2) before jwcrypto sees a header.
if jwa.default_max_pbkdf2_iterations < MAX_P2C:
    jwa.default_max_pbkdf2_iterations = MAX_P2C


class MalformedJweError(InvalidInputError):
    """An encrypted file that is not a well-formed JWE (RFC 7516)."""

    code = "malformed-jwe"
    title = "Malformed encrypted file"


class PassphraseRequiredError(InvalidInputError):
    """The file is protected by a passphrase and none was given."""

    code = "passphrase-required"
    title = "Passphrase required"


class PassphraseTooShortError(InvalidInputError):
    """A passphrase shorter than the minimum (12 characters) when protecting a file."""

    code = "passphrase-too-short"
    title = "Passphrase too short"


class PassphraseIterationsError(UnsupportedAlgorithmError):
    """A PBES2 iteration count (``p2c``) outside the accepted range (600,000 to 10,000,000)."""

    code = "passphrase-iterations-refused"
    title = "Passphrase iteration count refused"


class PassphraseDecryptionError(InvalidProofError):
    """The passphrase does not open the file: a wrong passphrase, or the file was altered."""

    code = "passphrase-decryption-failed"
    title = "Wrong passphrase or altered file"


def _key(passphrase: str) -> JWK:
    secret = unicodedata.normalize("NFC", passphrase).encode("utf-8")
    return JWK(kty="oct", k=b64url_encode(secret))


def check_passphrase(passphrase: str, confirmation: str | None = None) -> None:
    """Refuse a passphrase too short to protect a file (and one its confirmation differs from).

    Raises:
        PassphraseTooShortError: fewer than :data:`MIN_PASSPHRASE_CHARS` characters.
        InvalidInputError: ``confirmation`` is given and is not the same passphrase.
    """
    if len(unicodedata.normalize("NFC", passphrase)) < MIN_PASSPHRASE_CHARS:
        raise PassphraseTooShortError(
            f"the passphrase must have at least {MIN_PASSPHRASE_CHARS} characters",
            min_length=MIN_PASSPHRASE_CHARS,
        )
    if confirmation is not None and confirmation != passphrase:
        raise InvalidInputError("the two passphrases are not the same")


def max_token_bytes(max_plaintext_bytes: int) -> int:
    """The largest JWE accepted for a plaintext of at most ``max_plaintext_bytes``."""
    return (max_plaintext_bytes * 4) // 3 + 4 + _MAX_HEADER_BYTES * 2


def looks_like_jwe(data: bytes) -> bool:
    """Whether ``data`` starts like a JWE (compact: ``eyJ``; JSON: ``{``), not like a ZIP."""
    head = data[:64].lstrip()
    return head.startswith((b"eyJ", b"{"))


def encrypt_with_passphrase(
    plaintext: bytes,
    passphrase: str,
    *,
    cty: str | None = None,
    alg: str = DEFAULT_ALG,
    enc: str = DEFAULT_ENC,
    iterations: int = DEFAULT_P2C,
) -> str:
    """The compact JWE (RFC 7516 §7.1) of ``plaintext``, locked with ``passphrase``.

    ``p2s`` is 16 random bytes and ``p2c`` is ``iterations``; both sit in the protected header
    (compact serialization has no other). ``iterations`` below :data:`MIN_P2C` exist for
    tests only: no caller passes a count that comes from outside.

    Raises:
        PassphraseTooShortError: the passphrase is too short.
        UnsupportedAlgorithmError: ``alg`` or ``enc`` is not allow-listed.
        PassphraseIterationsError: ``iterations`` is not between 1,000 and :data:`MAX_P2C`.
    """
    check_passphrase(passphrase)
    if alg not in ALLOWED_ALGS or enc not in ALLOWED_ENCS:
        raise UnsupportedAlgorithmError(f"{alg} with {enc} is not supported")
    if isinstance(iterations, bool) or not 1000 <= iterations <= MAX_P2C:
        raise PassphraseIterationsError(f"p2c {iterations} is out of range")
    header: dict[str, Any] = {
        "alg": alg,
        "enc": enc,
        "p2s": b64url_encode(secrets.token_bytes(SALT_BYTES)),
        "p2c": iterations,
    }
    if cty is not None:
        header["cty"] = cty
    token = JWE(plaintext, protected=json.dumps(header, separators=(",", ":")))
    token.allowed_algs = [alg, enc]
    token.add_recipient(_key(passphrase))
    out: str = token.serialize(compact=True)
    return out


def _compact(data: bytes, max_bytes: int) -> str:
    """The compact form of a compact or flattened-JSON JWE (the only two shapes accepted)."""
    if len(data) > max_bytes:
        raise PayloadTooLargeError(f"the encrypted file is larger than {max_bytes} bytes")
    try:
        text = data.decode("ascii").strip()
    except UnicodeDecodeError as err:
        raise MalformedJweError("an encrypted file is ASCII text (a JWE)") from err
    if not text.startswith("{"):
        return text
    try:
        doc = parse_json(text, max_bytes=max_bytes, max_depth=4)
    except InvalidInputError as err:
        raise MalformedJweError(f"the encrypted file is not JSON: {err.detail}") from err
    if not isinstance(doc, dict):
        raise MalformedJweError("a JWE in JSON serialization is an object")
    if "recipients" in doc or "header" in doc or "unprotected" in doc or "aad" in doc:
        raise MalformedJweError(
            "only a flattened JWE with every member in the protected header is accepted"
        )
    if set(doc) - _FLATTENED_MEMBERS or not all(isinstance(v, str) for v in doc.values()):
        raise MalformedJweError("a flattened JWE has string members only (RFC 7516 §7.2.2)")
    return ".".join(
        doc.get(m, "") for m in ("protected", "encrypted_key", "iv", "ciphertext", "tag")
    )


def _header(token: str) -> dict[str, Any]:
    parts = token.split(".")
    if len(parts) != 5:
        raise MalformedJweError("a compact JWE has five parts")
    if len(parts[0]) > _MAX_HEADER_BYTES:
        raise MalformedJweError("the JWE header is too large")
    try:
        raw = b64url_decode(parts[0])
        header = parse_json(raw, max_bytes=_MAX_HEADER_BYTES, max_depth=4)
    except InvalidInputError as err:
        raise MalformedJweError(f"the JWE header is not base64url JSON: {err.detail}") from err
    if not isinstance(header, dict):
        raise MalformedJweError("the JWE header must be a JSON object")
    return header


def _check_header(header: dict[str, Any], min_iterations: int) -> None:
    alg, enc = header.get("alg"), header.get("enc")
    if alg not in ALLOWED_ALGS:
        raise UnsupportedAlgorithmError(
            f"JWE alg {alg!r} is not accepted ({', '.join(sorted(ALLOWED_ALGS))})"
        )
    if enc not in ALLOWED_ENCS:
        raise UnsupportedAlgorithmError(
            f"JWE enc {enc!r} is not accepted ({', '.join(sorted(ALLOWED_ENCS))})"
        )
    for member in _REFUSED_HEADER_MEMBERS:
        if member in header:
            raise UnsupportedAlgorithmError(f"JWE header member {member!r} is not accepted")
    p2c = header.get("p2c")
    if not isinstance(p2c, int) or isinstance(p2c, bool):
        raise MalformedJweError("p2c must be an integer (RFC 7518 §4.8.1.2)")
    if p2c > MAX_P2C:
        raise PassphraseIterationsError(
            f"p2c {p2c} is more than {MAX_P2C} iterations: refused unread",
            max_p2c=MAX_P2C,
        )
    if p2c < min_iterations:
        raise PassphraseIterationsError(
            f"p2c {p2c} is fewer than {min_iterations} iterations: too weak a lock",
            min_p2c=min_iterations,
        )
    p2s = header.get("p2s")
    try:
        salt = b64url_decode(p2s) if isinstance(p2s, str) else b""
    except InvalidInputError as err:
        raise MalformedJweError("p2s is not base64url") from err
    if len(salt) < MIN_SALT_BYTES:
        # RFC 7518 §4.8.1.1: "A Salt Input value containing 8 or more octets MUST be used."
        raise MalformedJweError(f"p2s must be at least {MIN_SALT_BYTES} bytes")


def decrypt_with_passphrase(
    data: bytes,
    passphrase: str,
    *,
    max_plaintext_bytes: int,
    min_iterations: int = MIN_P2C,
) -> tuple[bytes, dict[str, Any]]:
    """The plaintext and protected header of a passphrase-locked JWE.

    The header is checked (allow-listed ``alg`` and ``enc``, ``p2c`` range, ``p2s`` length, no
    ``zip``/``crit``) before any key derivation. ``min_iterations`` below :data:`MIN_P2C` exist
    for tests only; it is never taken from the file or from a request.

    Raises:
        PassphraseRequiredError: ``passphrase`` is empty.
        PayloadTooLargeError: the file or its plaintext is too large.
        MalformedJweError: not a compact or flattened JWE, or a malformed header.
        UnsupportedAlgorithmError: ``alg``, ``enc`` or a header member is refused.
        PassphraseIterationsError: ``p2c`` is out of range.
        PassphraseDecryptionError: a wrong passphrase, or the file was altered.
    """
    token = _compact(data, max_token_bytes(max_plaintext_bytes))
    header = _header(token)
    _check_header(header, min_iterations)
    if not passphrase:
        raise PassphraseRequiredError("this file is protected by a passphrase")
    decrypter = JWE()
    decrypter.allowed_algs = [str(header["alg"]), str(header["enc"])]
    try:
        decrypter.deserialize(token, key=_key(passphrase))
        plaintext = decrypter.payload
    except (JWException, ValueError, TypeError, KeyError) as err:
        raise PassphraseDecryptionError(
            "the passphrase does not open this file (wrong passphrase, or the file was altered)"
        ) from err
    if not isinstance(plaintext, bytes):
        raise PassphraseDecryptionError("the encrypted file has no content")
    if len(plaintext) > max_plaintext_bytes:
        raise PayloadTooLargeError(f"the decrypted file is larger than {max_plaintext_bytes}")
    return plaintext, header
