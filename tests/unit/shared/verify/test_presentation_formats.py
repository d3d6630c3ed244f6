"""verify_presentation() and verify_credential() on presentations in every format.

Data Integrity VPs have their own tests; here: vp+jwt, VC 1.1 VP-JWT and SD-JWT+KB, each
through the one entry point, with sub-reports in ``report.credentials`` and the holder
binding (subject, or ``cnf`` key).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared.did import did_key_from_public, verification_method_id
from shared.keys import PrivateKey
from shared.proofs.jose import sign_jws
from shared.proofs.sd_jwt import present_sd_jwt
from shared.proofs.sd_jwt_vc import SD_JWT_KB_FORMAT, issue_ob3_sd_jwt_vc
from shared.proofs.vc_jwt import envelope_vc_jwt, sign_vc_jwt, sign_vp_jwt
from shared.verify.context import VerifyContext
from shared.verify.credential import verify_credential
from shared.verify.presentation import verify_presentation
from shared.verify.report import CheckStatus, VerificationReport
from tests.conftest import load_json

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
VC_V2 = "https://www.w3.org/ns/credentials/v2"
VC_V1 = "https://www.w3.org/2018/credentials/v1"
AUD, NONCE = "https://verifier.example", "n-7"


def _key(label: str, kind: str = "Ed25519") -> PrivateKey:
    return PrivateKey.from_raw(kind, hashlib.sha256(f"musette-vp/{label}".encode()).digest())


ISSUER, HOLDER, OTHER = _key("issuer"), _key("holder"), _key("other")
ISSUER_P256 = _key("issuer", "P-256")


def _did(key: PrivateKey) -> str:
    return did_key_from_public(key.public_key)


def _kid(key: PrivateKey) -> str:
    return verification_method_id(_did(key))


def _ctx(**kw: Any) -> VerifyContext:
    return VerifyContext(clock=lambda: NOW, **kw)


def _status(report: VerificationReport, name: str) -> CheckStatus | None:
    check = report.check(name)
    return check.status if check else None


def _badge(subject: str | None = None, issuer: PrivateKey = ISSUER) -> dict[str, Any]:
    doc: dict[str, Any] = load_json("peers", "ob3-credential.unsigned.json")
    doc["issuer"] = {**doc["issuer"], "id": _did(issuer)}
    doc["credentialSubject"]["id"] = subject or _did(HOLDER)
    doc["validFrom"] = "2025-01-01T00:00:00Z"
    return doc


def _vc_jwt(subject: str | None = None) -> str:
    return sign_vc_jwt(_badge(subject), ISSUER, _kid(ISSUER), profile="vc+jwt")


def _vp(*items: Any, holder: PrivateKey = HOLDER, v1: bool = False) -> dict[str, Any]:
    return {
        "@context": [VC_V1 if v1 else VC_V2],
        "type": ["VerifiablePresentation"],
        "holder": _did(holder),
        "verifiableCredential": list(items),
    }


def _sd_jwt_vc(holder: PrivateKey = HOLDER, subject: str | None = None) -> str:
    return issue_ob3_sd_jwt_vc(
        _badge(subject, ISSUER_P256),
        issuer_key=ISSUER_P256,
        kid=_kid(ISSUER_P256),
        holder_jwk=holder.public_key.to_jwk(),
        issued_at=NOW - timedelta(days=1),
    )


def _sd_jwt_kb(*, signer: PrivateKey = HOLDER, nonce: str = NONCE) -> str:
    return present_sd_jwt(
        _sd_jwt_vc(),
        disclose=[("credentialSubject",), ("credentialSubject", "id")],
        holder_key=signer,
        audience=AUD,
        nonce=nonce,
        issued_at=NOW,
    )


# ------------------------------------------------------------------ vp+jwt


@pytest.mark.parametrize("entry", [verify_presentation, verify_credential])
@pytest.mark.parametrize("wrap", ["direct", "enveloped"])
def test_vp_jwt_through_the_entry_points(entry: Any, wrap: str) -> None:
    vc = _vc_jwt()
    vp = _vp(vc if wrap == "direct" else envelope_vc_jwt(vc))
    token = sign_vp_jwt(vp, HOLDER, _kid(HOLDER), nonce=NONCE, audience=AUD)
    report = entry(token, _ctx(nonce=NONCE, audience=AUD))
    assert report.verified, report.to_json()
    assert report.format == "vp+jwt"
    assert _status(report, "challenge") is CheckStatus.PASSED
    assert _status(report, "holder_binding") is CheckStatus.PASSED
    assert [sub.format for sub in report.credentials] == ["vc+jwt"]
    assert report.credentials[0].verified
    assert report.to_json()["credentials"][0]["format"] == "vc+jwt"


def test_vc_1_1_vp_jwt_through_verify_presentation() -> None:
    vc = sign_vc_jwt(_badge(), ISSUER, _kid(ISSUER), profile="jwt_vc_json")
    token = sign_vp_jwt(
        _vp(vc, v1=True), HOLDER, _kid(HOLDER), profile="jwt_vp_json", nonce=NONCE, audience=AUD
    )
    report = verify_presentation(token, _ctx(nonce=NONCE, audience=AUD))
    assert report.verified, report.to_json()
    assert report.format == "jwt_vp_json"
    assert report.credentials[0].format == "jwt_vc_json"


def test_vp_jwt_with_another_nonce_fails_the_challenge() -> None:
    token = sign_vp_jwt(_vp(_vc_jwt()), HOLDER, _kid(HOLDER), nonce="old", audience=AUD)
    report = verify_presentation(token, _ctx(nonce=NONCE, audience=AUD))
    assert _status(report, "challenge") is CheckStatus.FAILED
    assert not report.verified


def test_vp_jwt_by_someone_who_is_not_the_subject_fails_holder_binding() -> None:
    token = sign_vp_jwt(_vp(_vc_jwt(), holder=OTHER), OTHER, _kid(OTHER))
    report = verify_presentation(token, _ctx())
    assert _status(report, "proof") is CheckStatus.PASSED
    assert _status(report, "holder_binding") is CheckStatus.FAILED
    assert not report.verified


def test_a_credential_token_is_not_a_presentation() -> None:
    report = verify_presentation(_vc_jwt(), _ctx())
    assert _status(report, "format") is CheckStatus.FAILED
    assert not report.verified


# ------------------------------------------------------------------ SD-JWT+KB


@pytest.mark.parametrize("entry", [verify_presentation, verify_credential])
def test_sd_jwt_kb_through_the_entry_points(entry: Any) -> None:
    report = entry(_sd_jwt_kb(), _ctx(nonce=NONCE, audience=AUD))
    assert report.verified, report.to_json()
    assert report.format == SD_JWT_KB_FORMAT
    for name in ("format", "proof", "holder_binding", "challenge"):
        assert _status(report, name) is CheckStatus.PASSED, name
    assert report.subject == _did(HOLDER)
    [sub] = report.credentials
    assert sub.format == "dc+sd-jwt"
    assert sub.verified
    assert sub.check("holder_binding") is None  # the presentation report holds it
    assert sub.issuer == _did(ISSUER_P256)


def test_sd_jwt_kb_replayed_with_another_nonce() -> None:
    report = verify_presentation(_sd_jwt_kb(nonce="earlier"), _ctx(nonce=NONCE, audience=AUD))
    assert _status(report, "challenge") is CheckStatus.FAILED
    assert "nonce" in report.check("challenge").reason  # type: ignore[union-attr]
    assert not report.verified


def test_sd_jwt_kb_signed_by_another_key_than_cnf() -> None:
    report = verify_presentation(_sd_jwt_kb(signer=OTHER), _ctx(nonce=NONCE, audience=AUD))
    assert _status(report, "proof") is CheckStatus.FAILED
    assert _status(report, "holder_binding") is CheckStatus.FAILED
    assert not report.verified


def test_sd_jwt_without_kb_is_not_a_verified_presentation() -> None:
    report = verify_presentation(_sd_jwt_vc(), _ctx())
    assert report.format == SD_JWT_KB_FORMAT
    assert _status(report, "proof") is CheckStatus.FAILED
    assert report.credentials[0].verified  # the credential itself is fine
    assert not report.verified
    # as a credential, the same token verifies
    assert verify_credential(_sd_jwt_vc(), _ctx()).verified


def test_sd_jwt_presentation_with_a_bad_issuer_signature() -> None:
    head, body, sig = _sd_jwt_kb().split("~", 1)[0].split(".")
    rest = _sd_jwt_kb().split("~", 1)[1]
    forged = f"{head}.{body}.{sig[:-4]}AAAA~{rest}"
    report = verify_presentation(forged, _ctx(nonce=NONCE, audience=AUD))
    assert not report.verified
    assert not report.credentials[0].verified


@pytest.mark.parametrize("token", ["a~b", "~", "x.y.z~kb", "\x00~"])
def test_hostile_sd_jwt_presentations_never_raise(token: str) -> None:
    report = verify_presentation(token, _ctx(nonce=NONCE))
    assert not report.verified
    assert _status(report, "format") is CheckStatus.FAILED


# ------------------------------------------------------------------ holder binding by cnf


def test_vp_jwt_bound_to_an_sd_jwt_vc_by_its_cnf_key() -> None:
    """The holder is not the subject (an employer's DID is), but holds the cnf key."""
    sd_jwt = _sd_jwt_vc(holder=HOLDER, subject="did:example:employer-record-42")
    enveloped = {"@context": [VC_V2], "type": "EnvelopedVerifiableCredential"}
    enveloped["id"] = "data:application/dc+sd-jwt," + sd_jwt
    token = sign_vp_jwt(_vp(enveloped), HOLDER, _kid(HOLDER), nonce=NONCE, audience=AUD)
    report = verify_presentation(token, _ctx(nonce=NONCE, audience=AUD))
    assert report.verified, report.to_json()
    assert "cnf" in report.check("holder_binding").reason  # type: ignore[union-attr]
    assert report.credentials[0].format == "dc+sd-jwt"
    other = sign_vp_jwt(_vp(enveloped, holder=OTHER), OTHER, _kid(OTHER))
    report = verify_presentation(other, _ctx())
    assert _status(report, "holder_binding") is CheckStatus.FAILED


def test_vc_1_1_vp_jwt_signed_with_sign_jws_and_bad_embedded_credential() -> None:
    vc = _vc_jwt()
    head, body, _ = vc.split(".")
    bad = f"{head}.{body}.{'A' * 86}"
    token = sign_jws(
        {"vp": _vp(bad, v1=True), "iss": _did(HOLDER)}, HOLDER, {"typ": "JWT", "kid": _kid(HOLDER)}
    )
    report = verify_presentation(token, _ctx())
    assert report.credentials[0].check("proof").status is CheckStatus.FAILED  # type: ignore[union-attr]
    assert not report.verified
