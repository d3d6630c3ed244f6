"""shared.encoding.passphrase_jwe: RFC 7516 JWE locked with a passphrase (RFC 7518 §4.8 PBES2).

Most tests use 1,000 iterations through the explicit test-only parameters; the real 600,000
count runs in the few tests marked so in their names.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from jwcrypto.jwe import JWE
from jwcrypto.jwk import JWK

from shared.encoding import passphrase_jwe as pj
from shared.encoding.base64url import b64url_decode, b64url_encode
from shared.errors import InvalidInputError, PayloadTooLargeError, UnsupportedAlgorithmError

PASS = "trois petits chats blancs"
FAST = 1000
PLAIN = b"PK\x03\x04 a zip, or anything"


def _lock(plaintext: bytes = PLAIN, passphrase: str = PASS, **kw: Any) -> str:
    return pj.encrypt_with_passphrase(plaintext, passphrase, iterations=FAST, **kw)


def _open(token: str | bytes, passphrase: str = PASS, **kw: Any) -> bytes:
    data = token.encode() if isinstance(token, str) else token
    kw.setdefault("max_plaintext_bytes", 1_000_000)
    kw.setdefault("min_iterations", FAST)
    plaintext, _header = pj.decrypt_with_passphrase(data, passphrase, **kw)
    return plaintext


def _header(token: str) -> dict[str, Any]:
    out: dict[str, Any] = json.loads(b64url_decode(token.split(".")[0]))
    return out


def _with_header(token: str, header: dict[str, Any]) -> str:
    parts = token.split(".")
    parts[0] = b64url_encode(json.dumps(header).encode())
    return ".".join(parts)


def _flip(part: str) -> str:
    raw = bytearray(b64url_decode(part))
    raw[len(raw) // 2] ^= 0x01
    return b64url_encode(bytes(raw))


# --------------------------------------------------------------------------- round trips


def test_round_trip_with_the_real_iteration_count() -> None:
    token = pj.encrypt_with_passphrase(PLAIN, PASS, cty="zip")
    header = _header(token)
    assert header["alg"] == "PBES2-HS512+A256KW"
    assert header["enc"] == "A256GCM"
    assert header["p2c"] == 600_000
    assert header["cty"] == "zip"
    assert len(b64url_decode(header["p2s"])) == 16
    assert set(header) == {"alg", "enc", "p2s", "p2c", "cty"}
    plaintext, seen = pj.decrypt_with_passphrase(
        token.encode(), PASS, max_plaintext_bytes=len(PLAIN)
    )
    assert plaintext == PLAIN
    assert seen == header


def test_a_low_iteration_count_is_refused_with_the_real_minimum() -> None:
    with pytest.raises(pj.PassphraseIterationsError) as caught:
        pj.decrypt_with_passphrase(_lock().encode(), PASS, max_plaintext_bytes=1000)
    assert caught.value.code == "passphrase-iterations-refused"
    assert caught.value.extensions["min_p2c"] == 600_000


def test_round_trip_and_random_salt() -> None:
    one, two = _lock(), _lock()
    assert _header(one)["p2s"] != _header(two)["p2s"]
    assert one.split(".")[3] != two.split(".")[3]
    assert _open(one) == _open(two) == PLAIN


def test_round_trip_pbes2_hs256_a128gcm() -> None:
    token = _lock(alg="PBES2-HS256+A128KW", enc="A128GCM")
    assert _open(token) == PLAIN


def test_jwcrypto_opens_it_independently() -> None:
    token = _lock()
    jwe = JWE()
    jwe.deserialize(token, key=JWK(kty="oct", k=b64url_encode(PASS.encode())))
    assert jwe.payload == PLAIN


def test_flattened_json_serialization_is_read() -> None:
    parts = _lock().split(".")
    names = ("protected", "encrypted_key", "iv", "ciphertext", "tag")
    doc = dict(zip(names, parts, strict=True))
    assert _open(json.dumps(doc)) == PLAIN
    with pytest.raises(pj.MalformedJweError):
        _open(json.dumps({**doc, "header": {"p2c": 1}}))
    with pytest.raises(pj.MalformedJweError):
        _open(json.dumps({"recipients": [], **doc}))
    with pytest.raises(pj.MalformedJweError):
        _open(json.dumps({**doc, "extra": 1}))


def test_unicode_passphrases_are_nfc_normalized() -> None:
    composed, decomposed = "café crème brûlée", "cafe\u0301 cre\u0300me bru\u0302le\u0301e"
    assert _open(_lock(passphrase=composed), decomposed) == PLAIN


def test_looks_like_jwe() -> None:
    assert pj.looks_like_jwe(_lock().encode())
    assert pj.looks_like_jwe(b'  {"protected": "x"}')
    assert not pj.looks_like_jwe(b"PK\x03\x04")
    assert not pj.looks_like_jwe(b"")


# --------------------------------------------------------------------------- passphrases


def test_wrong_passphrase() -> None:
    with pytest.raises(pj.PassphraseDecryptionError) as caught:
        _open(_lock(), "quatre petits chats blancs")
    assert caught.value.code == "passphrase-decryption-failed"
    assert caught.value.status == 422


def test_missing_passphrase() -> None:
    with pytest.raises(pj.PassphraseRequiredError):
        _open(_lock(), "")


@pytest.mark.parametrize("short", ["", "abc", "elevenchars"])
def test_short_passphrase_refused_on_encryption(short: str) -> None:
    with pytest.raises(pj.PassphraseTooShortError) as caught:
        _lock(passphrase=short)
    assert caught.value.extensions["min_length"] == pj.MIN_PASSPHRASE_CHARS == 12


def test_confirmation_must_match() -> None:
    pj.check_passphrase(PASS, PASS)
    with pytest.raises(InvalidInputError):
        pj.check_passphrase(PASS, PASS + " ")


# --------------------------------------------------------------------------- tampering


@pytest.mark.parametrize("index", [1, 2, 3, 4], ids=["encrypted_key", "iv", "ciphertext", "tag"])
def test_tampered_part(index: int) -> None:
    parts = _lock().split(".")
    parts[index] = _flip(parts[index])
    with pytest.raises(pj.PassphraseDecryptionError):
        _open(".".join(parts))


@pytest.mark.parametrize(
    "change",
    [{"cty": "json"}, {"p2c": FAST + 1}, {"p2s": b64url_encode(b"another salt 16b")}, {"x": 1}],
    ids=["cty", "p2c", "p2s", "added"],
)
def test_tampered_protected_header(change: dict[str, Any]) -> None:
    token = _lock(cty="zip")
    with pytest.raises(pj.PassphraseDecryptionError):
        _open(_with_header(token, {**_header(token), **change}))


def test_truncated_ciphertext() -> None:
    parts = _lock().split(".")
    parts[3] = parts[3][:-4]
    with pytest.raises((pj.PassphraseDecryptionError, pj.MalformedJweError)):
        _open(".".join(parts))


# --------------------------------------------------------------------------- algorithms


@pytest.mark.parametrize(
    ("alg", "enc"),
    [
        ("none", "A256GCM"),
        ("dir", "A256GCM"),
        ("A256KW", "A256GCM"),
        ("RSA-OAEP-256", "A256GCM"),
        ("ECDH-ES", "A256GCM"),
        ("PBES2-HS384+A192KW", "A256GCM"),
        ("PBES2-HS512+A256KW", "A256CBC-HS512"),
        ("PBES2-HS512+A256KW", "A192GCM"),
        (None, "A256GCM"),
        ("PBES2-HS512+A256KW", None),
    ],
)
def test_other_algorithms_are_refused(alg: str | None, enc: str | None) -> None:
    header = {**_header(_lock()), "alg": alg, "enc": enc}
    with pytest.raises(UnsupportedAlgorithmError) as caught:
        _open(_with_header(_lock(), header))
    assert caught.value.code == "unsupported-algorithm"


def test_a_real_dir_jwe_keyed_with_the_passphrase_is_refused() -> None:
    secret = "0123456789abcdef0123456789abcdef"  # 32 bytes: a valid A256GCM key
    jwe = JWE(PLAIN, protected=json.dumps({"alg": "dir", "enc": "A256GCM"}))
    jwe.add_recipient(JWK(kty="oct", k=b64url_encode(secret.encode())))
    with pytest.raises(UnsupportedAlgorithmError):
        _open(jwe.serialize(compact=True), secret)


@pytest.mark.parametrize("member", ["zip", "crit", "jku", "jwk"])
def test_refused_header_members(member: str) -> None:
    token = _lock()
    with pytest.raises(UnsupportedAlgorithmError):
        _open(_with_header(token, {**_header(token), member: "DEF"}))


# --------------------------------------------------------------------------- iterations


@pytest.mark.parametrize("p2c", [10_000_001, 2**40, 10**30])
def test_huge_iteration_count_is_refused_unread(p2c: int) -> None:
    token = _lock()
    start = time.monotonic()
    with pytest.raises(pj.PassphraseIterationsError) as caught:
        _open(_with_header(token, {**_header(token), "p2c": p2c}))
    assert time.monotonic() - start < 0.5
    assert caught.value.extensions["max_p2c"] == pj.MAX_P2C


@pytest.mark.parametrize("p2c", [0, -1, 999])
def test_low_iteration_count_is_refused(p2c: int) -> None:
    token = _lock()
    with pytest.raises(pj.PassphraseIterationsError):
        _open(_with_header(token, {**_header(token), "p2c": p2c}))


@pytest.mark.parametrize("p2c", ["600000", 6e5, True, None, [600000]])
def test_non_integer_iteration_count_is_malformed(p2c: Any) -> None:
    token = _lock()
    with pytest.raises(pj.MalformedJweError):
        _open(_with_header(token, {**_header(token), "p2c": p2c}))


@pytest.mark.parametrize("p2s", [b64url_encode(b"short"), "", "***", None, 12])
def test_short_or_missing_salt_is_malformed(p2s: Any) -> None:
    token = _lock()
    with pytest.raises(pj.MalformedJweError):
        _open(_with_header(token, {**_header(token), "p2s": p2s}))


@pytest.mark.parametrize("iterations", [0, 999, pj.MAX_P2C + 1, True])
def test_encryption_iteration_bounds(iterations: int) -> None:
    with pytest.raises(pj.PassphraseIterationsError):
        pj.encrypt_with_passphrase(PLAIN, PASS, iterations=iterations)


def test_encryption_refuses_other_algorithms() -> None:
    with pytest.raises(UnsupportedAlgorithmError):
        _lock(alg="dir")
    with pytest.raises(UnsupportedAlgorithmError):
        _lock(enc="A256CBC-HS512")


# --------------------------------------------------------------------------- garbage, size


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"eyJ",
        b"eyJhbGciOiJub25lIn0.a.b.c",
        b"eyJhbGciOiJub25lIn0.a.b.c.d.e",
        b"!!!.a.b.c.d",
        b"bm90IGpzb24.a.b.c.d",
        b"WzEsMl0.a.b.c.d",
        b"{not json",
        b"[1, 2]",
        b'{"protected": 1}',
        b"\xff\xfe\x00eyJ",
        "eyJé.a.b.c.d".encode(),
        b"eyJ" + b"A" * 5000 + b".a.b.c.d",
    ],
)
def test_garbage_is_malformed(data: bytes) -> None:
    with pytest.raises(pj.MalformedJweError) as caught:
        _open(data)
    assert caught.value.code == "malformed-jwe"
    assert caught.value.status == 400


def test_oversized_file_is_refused_before_parsing() -> None:
    with pytest.raises(PayloadTooLargeError):
        _open(b"eyJ" + b"A" * 20_000, max_plaintext_bytes=1000)


def test_oversized_plaintext_is_refused() -> None:
    token = _lock(b"x" * 5000)
    with pytest.raises(PayloadTooLargeError):
        _open(token, max_plaintext_bytes=4000)


def test_error_codes_are_stable() -> None:
    assert {
        pj.MalformedJweError.code,
        pj.PassphraseRequiredError.code,
        pj.PassphraseTooShortError.code,
        pj.PassphraseIterationsError.code,
        pj.PassphraseDecryptionError.code,
    } == {
        "malformed-jwe",
        "passphrase-required",
        "passphrase-too-short",
        "passphrase-iterations-refused",
        "passphrase-decryption-failed",
    }
