"""Hostile JWT / SD-JWT input ends in a named failed check.

Every case goes through the one entry point (``verify_credential``, or
``verify_presentation`` for SD-JWT+KB) and must come back as a report whose named check
failed: never accepted, never an exception. Lower-level refusals (jose, sd_jwt) have their
own tests in test_jose.py, test_sd_jwt.py, test_vc_jwt.py and test_sd_jwt_vc.py.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization

from shared.did import did_key_from_public, verification_method_id
from shared.encoding import b64url_decode, b64url_encode
from shared.keys import PrivateKey
from shared.proofs.jose import sign_jws
from shared.proofs.sd_jwt import KB_JWT_TYP, SdJwt, compute_sd_hash, parse_sd_jwt, present_sd_jwt
from shared.proofs.sd_jwt_vc import issue_ob3_sd_jwt_vc
from shared.proofs.vc_jwt import sign_vc_jwt
from shared.verify.context import VerifyContext
from shared.verify.credential import verify_credential
from shared.verify.presentation import verify_presentation
from shared.verify.report import CheckStatus, VerificationReport
from tests.conftest import load_json

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
AUD, NONCE = "https://verifier.example", "n-hostile"


def _key(label: str, kind: str) -> PrivateKey:
    return PrivateKey.from_raw(kind, hashlib.sha256(f"musette-hostile/{label}".encode()).digest())


ISSUER, ISSUER_P256 = _key("issuer", "Ed25519"), _key("issuer", "P-256")
HOLDER, ATTACKER = _key("holder", "Ed25519"), _key("attacker", "Ed25519")
#: A P-256 "public key" that is not a point on the curve (x = y = 1).
OFF_CURVE_JWK = {"kty": "EC", "crv": "P-256", "x": b64url_encode(bytes(31) + b"\x01")}
OFF_CURVE_JWK["y"] = OFF_CURVE_JWK["x"]


def _did(key: PrivateKey) -> str:
    return did_key_from_public(key.public_key)


def _kid(key: PrivateKey) -> str:
    return verification_method_id(_did(key))


def _ctx(**kw: Any) -> VerifyContext:
    return VerifyContext(clock=lambda: NOW, **kw)


def _badge(issuer: str, **extra: Any) -> dict[str, Any]:
    doc: dict[str, Any] = load_json("peers", "ob3-credential.unsigned.json")
    doc["issuer"] = {**doc["issuer"], "id": issuer}
    doc["credentialSubject"]["id"] = _did(HOLDER)
    doc.update(extra)
    return doc


def _b64json(value: Any) -> str:
    return b64url_encode(json.dumps(value).encode())


def _hs256(secret: bytes, issuer: PrivateKey) -> str:
    """Alg confusion: an HMAC keyed with the issuer's *public* key, claiming its kid."""
    head = _b64json({"alg": "HS256", "typ": "vc+jwt", "kid": _kid(issuer)})
    body = _b64json({**_badge(_did(issuer)), "iss": _did(issuer)})
    mac = hmac.new(secret, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64url_encode(mac)}"


def _raw_public(key: PrivateKey) -> bytes:
    return key.key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )


def _pem_public(key: PrivateKey) -> bytes:
    return key.key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _vc_jwt(key: PrivateKey = ISSUER, **extra: Any) -> str:
    return sign_vc_jwt(_badge(_did(key), **extra), key, _kid(key), profile="vc+jwt")


def _sd_jwt_vc(**extra: Any) -> str:
    return issue_ob3_sd_jwt_vc(
        _badge(_did(ISSUER_P256), **extra),
        issuer_key=ISSUER_P256,
        kid=_kid(ISSUER_P256),
        holder_jwk=HOLDER.public_key.to_jwk(),
        issued_at=NOW - timedelta(days=1),
    )


def _kb(token: str, *, signer: PrivateKey = HOLDER, nonce: str = NONCE, iat: datetime = NOW) -> str:
    return present_sd_jwt(
        token,
        disclose=[("credentialSubject",), ("credentialSubject", "id")],
        holder_key=signer,
        audience=AUD,
        nonce=nonce,
        issued_at=iat,
    )


# ------------------------------------------------------------------ builders


def alg_confusion_raw() -> str:
    return _hs256(_raw_public(ISSUER), ISSUER)


def alg_confusion_pem() -> str:
    return _hs256(_pem_public(ISSUER_P256), ISSUER_P256)


def alg_confusion_sd_jwt() -> str:
    head = _b64json({"alg": "HS256", "typ": "dc+sd-jwt", "kid": _kid(ISSUER_P256)})
    body = _b64json({"vct": "urn:x", "iss": _did(ISSUER_P256), "iat": int(NOW.timestamp())})
    mac = hmac.new(_pem_public(ISSUER_P256), f"{head}.{body}".encode(), hashlib.sha256)
    return f"{head}.{body}.{b64url_encode(mac.digest())}~"


def es256_off_curve_did_jwk() -> str:
    """The issuer is a did:jwk whose P-256 point is not on the curve."""
    did = "did:jwk:" + _b64json(OFF_CURVE_JWK)
    payload = {**_badge(did), "iss": did}
    return sign_jws(payload, ISSUER_P256, {"typ": "vc+jwt", "kid": did + "#0"})


def es256_off_curve_jwk_header() -> str:
    """OB 3.0 VC-JWT with an embedded jwk that is not a P-256 point."""
    payload = {"vc": _badge(_did(ISSUER_P256)), "iss": _did(ISSUER_P256)}
    return sign_jws(payload, ISSUER_P256, {"typ": "JWT", "jwk": OFF_CURVE_JWK})


def es256_off_curve_cnf() -> str:
    """An SD-JWT VC whose cnf key is not a P-256 point: no KB-JWT can bind to it."""
    claims = {"vct": "urn:x", "iss": _did(ISSUER_P256), "cnf": {"jwk": OFF_CURVE_JWK}}
    jwt = sign_jws(claims, ISSUER_P256, {"typ": "dc+sd-jwt", "kid": _kid(ISSUER_P256)})
    presented = SdJwt(jwt)
    kb = sign_jws(
        {
            "iat": int(NOW.timestamp()),
            "aud": AUD,
            "nonce": NONCE,
            "sd_hash": compute_sd_hash(presented),
        },
        ISSUER_P256,
        {"typ": KB_JWT_TYP},
    )
    return SdJwt(jwt, (), kb).serialize()


def kid_of_another_did() -> str:
    return sign_jws(
        {**_badge(_did(ISSUER)), "iss": _did(ISSUER)},
        ATTACKER,
        {"typ": "vc+jwt", "kid": _kid(ATTACKER)},
    )


def kid_of_another_did_sd_jwt() -> str:
    claims = {"vct": "urn:x", "iss": _did(ISSUER_P256), "iat": int(NOW.timestamp())}
    return sign_jws(claims, ATTACKER, {"typ": "dc+sd-jwt", "kid": _kid(ATTACKER)}) + "~"


def jku_header() -> str:
    header = {"typ": "vc+jwt", "kid": _kid(ISSUER), "jku": "https://attacker.example/jwks"}
    return sign_jws({**_badge(_did(ISSUER)), "iss": _did(ISSUER)}, ISSUER, header)


def jku_header_sd_jwt() -> str:
    claims = {"vct": "urn:x", "iss": _did(ISSUER_P256), "iat": int(NOW.timestamp())}
    header = {"typ": "dc+sd-jwt", "kid": _kid(ISSUER_P256), "jku": "https://attacker.example/k"}
    return sign_jws(claims, ISSUER_P256, header) + "~"


def jku_header_kb_jwt() -> str:
    parsed = parse_sd_jwt(_kb(_sd_jwt_vc()))
    bare = SdJwt(parsed.issuer_jwt, parsed.disclosures)
    kb = sign_jws(
        {"iat": int(NOW.timestamp()), "aud": AUD, "nonce": NONCE, "sd_hash": compute_sd_hash(bare)},
        HOLDER,
        {"typ": KB_JWT_TYP, "jku": "https://attacker.example/jwks"},
    )
    return SdJwt(bare.issuer_jwt, bare.disclosures, kb).serialize()


def ten_mb_jwt() -> str:
    head, body, sig = _vc_jwt().split(".")
    return f"{head}.{body}{'A' * (10 * 1024 * 1024)}.{sig}"


def ten_mb_sd_jwt() -> str:
    return _sd_jwt_vc() + ("A" * (10 * 1024 * 1024)) + "~"


def kb_by_another_key() -> str:
    return _kb(_sd_jwt_vc(), signer=ATTACKER)


def kb_replayed_with_another_nonce() -> str:
    return _kb(_sd_jwt_vc(), nonce="the-nonce-of-an-earlier-session")


def kb_too_old() -> str:
    return _kb(_sd_jwt_vc(), iat=NOW - timedelta(hours=2))


def tampered_disclosure() -> str:
    parsed = parse_sd_jwt(_sd_jwt_vc())
    first = parsed.disclosures[0]
    decoded = json.loads(b64url_decode(first))
    decoded[-1] = "tampered"
    forged = b64url_encode(json.dumps(decoded).encode())
    return SdJwt(parsed.issuer_jwt, (forged, *parsed.disclosures[1:])).serialize()


def tampered_disclosure_with_kb() -> str:
    """The holder changes a value and signs a KB-JWT over it: the KB-JWT is fine, the
    issuer's digests are not."""
    return present_sd_jwt(
        tampered_disclosure(),
        disclose=[],
        disclose_all=True,
        holder_key=HOLDER,
        audience=AUD,
        nonce=NONCE,
        issued_at=NOW,
    )


def expired_vc_jwt() -> str:
    return _vc_jwt(validUntil="2026-01-01T00:00:00Z")


def expired_jwt_exp_claim() -> str:
    payload = {**_badge(_did(ISSUER)), "iss": _did(ISSUER), "exp": int(NOW.timestamp()) - 3600}
    return sign_jws(payload, ISSUER, {"typ": "vc+jwt", "kid": _kid(ISSUER)})


def expired_sd_jwt_vc() -> str:
    return _sd_jwt_vc(validUntil="2026-01-01T00:00:00Z")


Entry = Callable[[Any, VerifyContext], VerificationReport]
CASES: list[tuple[str, Callable[[], str], Entry, str]] = [
    ("alg-confusion-hs256-raw-public-key", alg_confusion_raw, verify_credential, "proof"),
    ("alg-confusion-hs256-pem-public-key", alg_confusion_pem, verify_credential, "proof"),
    ("alg-confusion-hs256-sd-jwt-pem", alg_confusion_sd_jwt, verify_credential, "proof"),
    ("es256-off-curve-did-jwk", es256_off_curve_did_jwk, verify_credential, "issuer_key"),
    ("es256-off-curve-jwk-header", es256_off_curve_jwk_header, verify_credential, "issuer_key"),
    ("es256-off-curve-cnf", es256_off_curve_cnf, verify_presentation, "holder_binding"),
    ("kid-of-another-did", kid_of_another_did, verify_credential, "issuer_key"),
    ("kid-of-another-did-sd-jwt", kid_of_another_did_sd_jwt, verify_credential, "issuer_key"),
    ("jku-header", jku_header, verify_credential, "proof"),
    ("jku-header-sd-jwt", jku_header_sd_jwt, verify_credential, "proof"),
    ("jku-header-kb-jwt", jku_header_kb_jwt, verify_presentation, "holder_binding"),
    ("10-mb-jwt", ten_mb_jwt, verify_credential, "format"),
    ("10-mb-sd-jwt", ten_mb_sd_jwt, verify_presentation, "format"),
    ("kb-jwt-by-another-key-than-cnf", kb_by_another_key, verify_presentation, "holder_binding"),
    (
        "kb-jwt-replayed-another-nonce",
        kb_replayed_with_another_nonce,
        verify_presentation,
        "challenge",
    ),
    ("kb-jwt-too-old", kb_too_old, verify_presentation, "challenge"),
    ("tampered-disclosure", tampered_disclosure, verify_credential, "proof"),
    ("tampered-disclosure-with-kb", tampered_disclosure_with_kb, verify_presentation, "proof"),
    ("expired-vc-jwt-valid-until", expired_vc_jwt, verify_credential, "validity"),
    ("expired-vc-jwt-exp-claim", expired_jwt_exp_claim, verify_credential, "validity"),
    ("expired-sd-jwt-vc", expired_sd_jwt_vc, verify_credential, "validity"),
]


@pytest.mark.parametrize(
    ("build", "entry", "check"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_hostile_token_fails_a_named_check(
    build: Callable[[], str], entry: Entry, check: str
) -> None:
    token = build()
    for data in (token, token.encode()):
        report = entry(data, _ctx(nonce=NONCE, audience=AUD))
        failed = report.check(check)
        assert failed is not None, report.to_json()
        assert failed.status is CheckStatus.FAILED, report.to_json()
        assert not report.verified
        assert "unexpected error" not in failed.reason
        assert "could not be processed" not in failed.reason


def test_tampered_disclosure_under_kb_fails_the_credential_proof() -> None:
    report = verify_presentation(tampered_disclosure_with_kb(), _ctx(nonce=NONCE, audience=AUD))
    assert report.credentials
    proof = report.credentials[0].check("proof")
    assert proof is not None
    assert proof.status is CheckStatus.FAILED


def test_the_untampered_tokens_verify() -> None:
    """The builders differ from valid tokens only in the hostile part."""
    ctx = _ctx(nonce=NONCE, audience=AUD)
    assert verify_credential(_vc_jwt(), _ctx()).verified
    assert verify_credential(_sd_jwt_vc(), _ctx()).verified
    assert verify_presentation(_kb(_sd_jwt_vc()), ctx).verified
