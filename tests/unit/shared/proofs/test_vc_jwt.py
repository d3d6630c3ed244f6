"""JWT credential/presentation profiles: sign, verify into a report, hostile tokens."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from shared.did.methods import did_key_from_public, verification_method_id
from shared.errors import InvalidInputError
from shared.keys.keypair import PrivateKey
from shared.proofs.jose import parse_jws, sign_jws
from shared.proofs.vc_jwt import (
    envelope_vc_jwt,
    sign_vc_jwt,
    sign_vp_jwt,
)
from shared.verify import verify_jwt_any, verify_jwt_credential, verify_jwt_presentation
from shared.verify.context import VerifyContext
from shared.verify.report import CheckStatus, VerificationReport

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
VC_V2 = "https://www.w3.org/ns/credentials/v2"
VC_V1 = "https://www.w3.org/2018/credentials/v1"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"


def _key(label: str, kind: str = "Ed25519") -> PrivateKey:
    return PrivateKey.from_raw(kind, hashlib.sha256(f"musette-test/{label}".encode()).digest())


def _did(key: PrivateKey) -> str:
    return did_key_from_public(key.public_key)


def _kid(key: PrivateKey) -> str:
    return verification_method_id(_did(key))


def _ctx(**kw: Any) -> VerifyContext:
    return VerifyContext(clock=lambda: NOW, check_schema=False, **kw)


def _credential(issuer: PrivateKey, holder: PrivateKey, **extra: Any) -> dict[str, Any]:
    return {
        "@context": [VC_V2, OB_CONTEXT],
        "id": "urn:uuid:7f0c1a52-41d4-4bd1-9a8c-2a1b7c0a3b11",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": _did(issuer), "type": ["Profile"], "name": "Test Issuer"},
        "validFrom": "2025-01-01T00:00:00Z",
        "name": "Test Badge",
        "credentialSubject": {"id": _did(holder), "type": ["AchievementSubject"]},
        **extra,
    }


def _status(report: VerificationReport, name: str) -> CheckStatus | None:
    check = report.check(name)
    return check.status if check else None


def _failed(report: VerificationReport) -> set[str]:
    return {c.name for c in report.checks if c.status is CheckStatus.FAILED}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


ISSUER, HOLDER, ATTACKER = _key("issuer"), _key("holder"), _key("attacker")
ISSUER_P256 = _key("issuer", "P-256")


# ------------------------------------------------------------------ credentials


@pytest.mark.parametrize("profile", ["vc+jwt", "jwt_vc_json"])
@pytest.mark.parametrize("issuer", [ISSUER, ISSUER_P256], ids=["EdDSA", "ES256"])
def test_sign_then_verify(profile: Any, issuer: PrivateKey) -> None:
    credential = _credential(issuer, HOLDER)
    token = sign_vc_jwt(credential, issuer, _kid(issuer), profile=profile)
    report = verify_jwt_credential(token, _ctx())
    assert report.verified, report.to_json()
    assert report.format == profile
    assert report.issuer == _did(issuer)
    assert report.subject == _did(HOLDER)
    assert report.credential is not None
    assert report.credential["name"] == "Test Badge"
    issuer_key = report.check("issuer_key")
    assert issuer_key is not None
    assert _kid(issuer) in issuer_key.reason


def test_vc_jose_cose_header_and_payload() -> None:
    """VC-JOSE-COSE §3.1.1: typ vc+jwt, cty vc, kid; the payload is the credential."""
    credential = _credential(ISSUER, HOLDER)
    jws = parse_jws(sign_vc_jwt(credential, ISSUER, _kid(ISSUER), profile="vc+jwt"))
    assert jws.header == {"alg": "EdDSA", "typ": "vc+jwt", "cty": "vc", "kid": _kid(ISSUER)}
    assert {k: v for k, v in jws.payload.items() if k not in {"iss", "jti", "sub"}} == credential
    assert jws.payload["iss"] == _did(ISSUER)
    assert "vc" not in jws.payload


def test_ob3_vc_jwt_header_and_claims() -> None:
    """OB 3.0 §8.2.3/§8.2.4: typ JWT; vc, iss, jti, nbf, sub, exp (validUntil set)."""
    credential = _credential(ISSUER, HOLDER, validUntil="2030-01-01T00:00:00Z")
    jws = parse_jws(sign_vc_jwt(credential, ISSUER, _kid(ISSUER), profile="jwt_vc_json"))
    assert jws.header == {"alg": "EdDSA", "typ": "JWT", "kid": _kid(ISSUER)}
    assert jws.payload == {
        "vc": credential,
        "iss": _did(ISSUER),
        "jti": credential["id"],
        "sub": _did(HOLDER),
        "nbf": 1735689600,
        "exp": 1893456000,
    }


def test_ob3_vc_jwt_needs_a_start_date() -> None:
    credential = _credential(ISSUER, HOLDER)
    del credential["validFrom"]
    with pytest.raises(InvalidInputError, match="nbf"):
        sign_vc_jwt(credential, ISSUER, _kid(ISSUER), profile="jwt_vc_json")


def test_ob3_vc_jwt_refuses_a_malformed_date() -> None:
    credential = _credential(ISSUER, HOLDER, validFrom="yesterday")
    with pytest.raises(InvalidInputError, match="validFrom"):
        sign_vc_jwt(credential, ISSUER, _kid(ISSUER), profile="jwt_vc_json")


def test_signing_with_a_kid_of_another_did_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="not a verification method"):
        sign_vc_jwt(_credential(ISSUER, HOLDER), ATTACKER, _kid(ATTACKER), profile="vc+jwt")


def test_hostile_kid_pointing_to_another_did() -> None:
    """The attacker signs with its own key and names it in kid; the issuer is someone else."""
    payload = _credential(ISSUER, HOLDER)
    token = sign_jws(payload, ATTACKER, {"typ": "vc+jwt", "kid": _kid(ATTACKER)})
    report = verify_jwt_credential(token, _ctx())
    assert not report.verified
    assert _status(report, "issuer_key") is CheckStatus.FAILED
    assert _status(report, "proof") is CheckStatus.SKIPPED


def test_hostile_signature_from_another_key_under_the_issuer_kid() -> None:
    token = sign_jws(_credential(ISSUER, HOLDER), ATTACKER, {"typ": "vc+jwt", "kid": _kid(ISSUER)})
    report = verify_jwt_credential(token, _ctx())
    assert not report.verified
    assert _status(report, "issuer_key") is CheckStatus.PASSED
    assert _status(report, "proof") is CheckStatus.FAILED


def test_hostile_tampered_payload() -> None:
    token = sign_vc_jwt(_credential(ISSUER, HOLDER), ISSUER, _kid(ISSUER), profile="vc+jwt")
    head, body, sig = token.split(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=="))
    payload["name"] = "Forged Degree"
    forged = f"{head}.{_b64(json.dumps(payload).encode())}.{sig}"
    report = verify_jwt_credential(forged, _ctx())
    assert not report.verified
    assert _failed(report) == {"proof"}


def test_hostile_expired_credential() -> None:
    credential = _credential(ISSUER, HOLDER, validUntil="2026-01-01T00:00:00Z")
    token = sign_vc_jwt(credential, ISSUER, _kid(ISSUER), profile="jwt_vc_json")
    report = verify_jwt_credential(token, _ctx())
    assert not report.verified
    assert _failed(report) == {"validity"}
    assert _status(report, "proof") is CheckStatus.PASSED


def test_hostile_expired_vc_jose_cose_signature() -> None:
    """VC-JOSE-COSE §3.1.3: exp is the signature's expiry, checked on its own."""
    payload = {
        **_credential(ISSUER, HOLDER),
        "exp": int(datetime(2026, 1, 1, tzinfo=UTC).timestamp()),
    }
    token = sign_jws(payload, ISSUER, {"typ": "vc+jwt", "kid": _kid(ISSUER)})
    report = verify_jwt_credential(token, _ctx())
    assert not report.verified
    check = report.check("validity")
    assert check is not None
    assert check.status is CheckStatus.FAILED
    assert "exp" in check.reason


def test_hostile_nbf_in_the_future() -> None:
    future = int(datetime(2027, 1, 1, tzinfo=UTC).timestamp())
    payload = {**_credential(ISSUER, HOLDER), "nbf": future}
    token = sign_jws(payload, ISSUER, {"typ": "vc+jwt", "kid": _kid(ISSUER)})
    report = verify_jwt_credential(token, _ctx())
    assert not report.verified
    check = report.check("validity")
    assert check is not None
    assert "nbf" in check.reason


def test_hostile_valid_from_in_the_future() -> None:
    credential = _credential(ISSUER, HOLDER, validFrom="2027-01-01T00:00:00Z")
    token = sign_vc_jwt(credential, ISSUER, _kid(ISSUER), profile="jwt_vc_json")
    report = verify_jwt_credential(token, _ctx())
    assert _failed(report) == {"validity"}


@pytest.mark.parametrize(
    "header",
    [
        {"alg": "none", "typ": "vc+jwt"},
        {"alg": "HS256", "typ": "vc+jwt"},
        {"alg": "EdDSA", "typ": "vc+jwt", "crit": ["urn:example:unknown"]},
        {"alg": "EdDSA", "typ": "vc+jwt", "jku": "https://attacker.example/jwks"},
        {"alg": "EdDSA", "typ": "vc+jwt", "x5u": "https://attacker.example/cert"},
    ],
    ids=["alg-none", "hs256", "crit-unknown", "jku", "x5u"],
)
def test_hostile_headers_fail_the_proof_check(header: dict[str, Any]) -> None:
    head = _b64(json.dumps({**header, "kid": _kid(ISSUER)}).encode())
    body = _b64(json.dumps(_credential(ISSUER, HOLDER)).encode())
    report = verify_jwt_credential(f"{head}.{body}.{_b64(b'x' * 64)}", _ctx())
    assert not report.verified
    assert _status(report, "proof") is CheckStatus.FAILED
    assert report.credential is None


@pytest.mark.parametrize(
    "token",
    [
        "",
        "a",
        "a.b",
        "a.b.c.d",
        "....",
        "e30.e30.e30",
        "\x00.\x00.\x00",
        "eyJ.eyJ.eyJ",
        "A" * 6_000_000,
    ],
    ids=["empty", "one", "two", "four", "dots", "empty-objects", "nul", "bad-json", "huge"],
)
def test_hostile_garbage_never_raises(token: str) -> None:
    for verify in (verify_jwt_credential, verify_jwt_presentation, verify_jwt_any):
        report = verify(token, _ctx())
        assert not report.verified
        assert report.checks


def test_hostile_deeply_nested_payload_is_a_format_failure() -> None:
    head = _b64(b'{"alg":"EdDSA","typ":"vc+jwt"}')
    body = _b64(b'{"vc":' + b"[" * 5000 + b"]" * 5000 + b"}")
    report = verify_jwt_credential(f"{head}.{body}.AA", _ctx())
    assert _status(report, "format") is CheckStatus.FAILED


def test_hostile_non_string_token_never_raises() -> None:
    report = verify_jwt_credential(12345, _ctx())  # type: ignore[arg-type]
    assert _status(report, "format") is CheckStatus.FAILED


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ({"typ": "bad+typ"}, "typ"),
        ({"typ": "vc+jwt", "cty": "vp"}, "cty"),
        ({"typ": "vp+jwt"}, "presentation"),
    ],
)
def test_profile_detection_failures(header: dict[str, Any], reason: str) -> None:
    token = sign_jws(_credential(ISSUER, HOLDER), ISSUER, {**header, "kid": _kid(ISSUER)})
    report = verify_jwt_credential(token, _ctx())
    check = report.check("format")
    assert check is not None
    assert check.status is CheckStatus.FAILED
    assert reason in check.reason


def test_typ_compared_case_insensitively_with_optional_application_prefix() -> None:
    for typ in ("application/vc+jwt", "VC+JWT"):
        token = sign_jws(_credential(ISSUER, HOLDER), ISSUER, {"typ": typ, "kid": _kid(ISSUER)})
        assert verify_jwt_credential(token, _ctx()).verified


def test_vc_jose_cose_rejects_vc_1_1_contexts() -> None:
    credential = {**_credential(ISSUER, HOLDER), "@context": [VC_V1]}
    token = sign_jws(credential, ISSUER, {"typ": "vc+jwt", "kid": _kid(ISSUER)})
    assert _status(verify_jwt_credential(token, _ctx()), "format") is CheckStatus.FAILED


@pytest.mark.parametrize(
    ("claim", "value"),
    [("iss", "did:example:someone-else"), ("jti", "urn:uuid:other"), ("sub", "did:example:other")],
)
def test_claims_that_conflict_with_the_credential_fail(claim: str, value: str) -> None:
    payload = {**_credential(ISSUER, HOLDER), claim: value}
    token = sign_jws(payload, ISSUER, {"typ": "vc+jwt", "kid": _kid(ISSUER)})
    report = verify_jwt_credential(token, _ctx())
    check = report.check("format")
    assert check is not None
    assert check.status is CheckStatus.FAILED
    assert claim in check.reason


def test_vc_1_1_claims_are_mapped_onto_the_credential() -> None:
    """VC DM 1.1 §6.3.1: iss, nbf, exp, jti and sub restore the credential's properties."""
    vc = {
        "@context": [VC_V1],
        "type": ["VerifiableCredential"],
        "issuer": {"type": "Profile"},
        "credentialSubject": {"type": "AchievementSubject"},
    }
    payload = {
        "vc": vc,
        "iss": _did(ISSUER),
        "jti": "urn:uuid:1",
        "sub": _did(HOLDER),
        "nbf": 1735689600,
        "exp": 1893456000,
    }
    token = sign_jws(payload, ISSUER, {"typ": "JWT", "kid": _kid(ISSUER)})
    report = verify_jwt_credential(token, _ctx())
    assert report.verified, report.to_json()
    assert report.credential == {
        **vc,
        "issuer": {"type": "Profile", "id": _did(ISSUER)},
        "id": "urn:uuid:1",
        "issuanceDate": "2025-01-01T00:00:00Z",
        "expirationDate": "2030-01-01T00:00:00Z",
        "credentialSubject": {"type": "AchievementSubject", "id": _did(HOLDER)},
    }


def test_vc_1_1_nbf_must_equal_the_stated_date() -> None:
    credential = _credential(ISSUER, HOLDER)
    payload = {"vc": credential, "iss": _did(ISSUER), "nbf": 1735689601}
    token = sign_jws(payload, ISSUER, {"typ": "JWT", "kid": _kid(ISSUER)})
    check = verify_jwt_credential(token, _ctx()).check("format")
    assert check is not None
    assert check.status is CheckStatus.FAILED
    assert "nbf" in check.reason


def test_ob3_payload_is_the_credential_form() -> None:
    """OB 3.0.3 §8.2.4.1: typ JWT, the payload is the credential with iss/jti/nbf/sub."""
    credential = _credential(ISSUER, HOLDER)
    payload = {**credential, "iss": _did(ISSUER), "jti": credential["id"], "nbf": 1735689600}
    token = sign_jws(payload, ISSUER, {"typ": "JWT", "kid": _kid(ISSUER)})
    report = verify_jwt_credential(token, _ctx())
    assert report.verified, report.to_json()
    assert report.format == "jwt_vc_json"


# ------------------------------------------------------------------ jwk header


def _jwk_token(credential: dict[str, Any], signer: PrivateKey, typ: str = "JWT") -> str:
    nbf = int(datetime.fromisoformat(credential["validFrom"]).timestamp())  # OB 3.0 §8.2.4.1
    payload = {"vc": credential, "nbf": nbf}
    return sign_jws(payload, signer, {"typ": typ, "jwk": signer.public_key.to_jwk()})


def test_ob3_jwk_header_bound_to_the_did_issuer() -> None:
    report = verify_jwt_credential(_jwk_token(_credential(ISSUER, HOLDER), ISSUER), _ctx())
    assert report.verified, report.to_json()
    check = report.check("issuer_key")
    assert check is not None
    assert "embedded jwk" in check.reason


def test_hostile_jwk_header_of_another_key_than_the_did_issuer() -> None:
    report = verify_jwt_credential(_jwk_token(_credential(ISSUER, HOLDER), ATTACKER), _ctx())
    assert not report.verified
    assert _status(report, "issuer_key") is CheckStatus.FAILED


def test_hostile_jwk_header_not_bound_to_an_https_issuer() -> None:
    credential = {**_credential(ISSUER, HOLDER), "issuer": "https://university.example/issuers/1"}
    token = _jwk_token(credential, ATTACKER)
    assert _status(verify_jwt_credential(token, _ctx()), "issuer_key") is CheckStatus.FAILED
    relaxed = verify_jwt_credential(token, _ctx(), allow_unbound_jwk=True)
    assert relaxed.verified
    check = relaxed.check("issuer_key")
    assert check is not None
    assert "self-asserted" in check.reason


def test_hostile_jwk_header_with_private_key() -> None:
    credential = _credential(ISSUER, HOLDER)
    head = _b64(json.dumps({"alg": "EdDSA", "typ": "JWT", "jwk": ISSUER.to_jwk()}).encode())
    body = _b64(json.dumps({"vc": credential}).encode())
    report = verify_jwt_credential(f"{head}.{body}.{_b64(b'0' * 64)}", _ctx())
    assert not report.verified
    assert _status(report, "issuer_key") is CheckStatus.FAILED


def test_jwk_header_not_accepted_in_vc_jose_cose() -> None:
    token = sign_jws(
        _credential(ISSUER, HOLDER), ISSUER, {"typ": "vc+jwt", "jwk": ISSUER.public_key.to_jwk()}
    )
    check = verify_jwt_credential(token, _ctx()).check("issuer_key")
    assert check is not None
    assert check.status is CheckStatus.FAILED
    assert "jwk" in check.reason


def test_no_kid_and_no_jwk() -> None:
    token = sign_jws({"vc": _credential(ISSUER, HOLDER)}, ISSUER, {"typ": "JWT"})
    check = verify_jwt_credential(token, _ctx()).check("issuer_key")
    assert check is not None
    assert check.status is CheckStatus.FAILED
    assert "neither" in check.reason


def test_relative_kid_fragment_resolves_against_the_did_issuer() -> None:
    fragment = "#" + _did(ISSUER).removeprefix("did:key:")
    token = sign_jws(_credential(ISSUER, HOLDER), ISSUER, {"typ": "vc+jwt", "kid": fragment})
    assert verify_jwt_credential(token, _ctx()).verified


# ------------------------------------------------------------------ presentations


def _presentation(*credentials: Any, holder: PrivateKey = HOLDER) -> dict[str, Any]:
    return {
        "@context": [VC_V2],
        "type": ["VerifiablePresentation"],
        "holder": _did(holder),
        "verifiableCredential": list(credentials),
    }


def _vc_token(holder: PrivateKey = HOLDER) -> str:
    return sign_vc_jwt(_credential(ISSUER, holder), ISSUER, _kid(ISSUER), profile="vc+jwt")


def test_vp_jwt_with_enveloped_credential_round_trip() -> None:
    vp = _presentation(envelope_vc_jwt(_vc_token()))
    token = sign_vp_jwt(
        vp, HOLDER, _kid(HOLDER), nonce="n-123", audience="https://verifier.example"
    )
    report = verify_jwt_presentation(
        token, _ctx(nonce="n-123", audience="https://verifier.example")
    )
    assert report.verified, report.to_json()
    assert report.format == "vp+jwt"
    assert report.subject == _did(HOLDER)
    assert _status(report, "challenge") is CheckStatus.PASSED
    assert _status(report, "holder_binding") is CheckStatus.PASSED
    assert len(report.credentials) == 1
    assert report.credentials[0].verified
    assert report.credentials[0].format == "vc+jwt"


def test_vc_1_1_vp_claim_with_jwt_string_credentials() -> None:
    vc = sign_vc_jwt(_credential(ISSUER, HOLDER), ISSUER, _kid(ISSUER), profile="jwt_vc_json")
    vp = {"@context": [VC_V1], "type": ["VerifiablePresentation"], "verifiableCredential": [vc]}
    token = sign_jws(
        {"vp": vp, "iss": _did(HOLDER), "nonce": "n-1", "aud": ["https://verifier.example"]},
        HOLDER,
        {"typ": "JWT", "kid": _kid(HOLDER)},
    )
    report = verify_jwt_presentation(token, _ctx(nonce="n-1", audience="https://verifier.example"))
    assert report.verified, report.to_json()
    assert report.format == "jwt_vp_json"
    assert report.credentials[0].format == "jwt_vc_json"


def test_sign_vp_jwt_vc_1_1_profile() -> None:
    token = sign_vp_jwt(_presentation(_vc_token()), HOLDER, _kid(HOLDER), profile="jwt_vp_json")
    jws = parse_jws(token)
    assert jws.header["typ"] == "JWT"
    assert set(jws.payload) == {"vp", "iss"}
    assert verify_jwt_any(token, _ctx()).verified


@pytest.mark.parametrize(
    "ctx_kw",
    [{"nonce": "other"}, {"audience": "https://other.example"}, {"challenge": "other"}],
)
def test_hostile_wrong_nonce_or_audience(ctx_kw: dict[str, str]) -> None:
    token = sign_vp_jwt(
        _presentation(envelope_vc_jwt(_vc_token())),
        HOLDER,
        _kid(HOLDER),
        nonce="n-123",
        audience="https://verifier.example",
    )
    report = verify_jwt_presentation(token, _ctx(**ctx_kw))
    assert not report.verified
    assert _failed(report) == {"challenge"}


def test_hostile_missing_nonce_when_one_was_requested() -> None:
    token = sign_vp_jwt(_presentation(envelope_vc_jwt(_vc_token())), HOLDER, _kid(HOLDER))
    assert _failed(verify_jwt_presentation(token, _ctx(nonce="n-123"))) == {"challenge"}


def test_hostile_holder_is_not_the_subject() -> None:
    stolen = envelope_vc_jwt(_vc_token(holder=HOLDER))
    token = sign_vp_jwt(_presentation(stolen, holder=ATTACKER), ATTACKER, _kid(ATTACKER))
    report = verify_jwt_presentation(token, _ctx())
    assert not report.verified
    assert _failed(report) == {"holder_binding"}
    assert report.credentials[0].verified


def test_hostile_presentation_signed_by_another_key_than_the_holder() -> None:
    vp = _presentation(envelope_vc_jwt(_vc_token()))
    token = sign_jws(vp, ATTACKER, {"typ": "vp+jwt", "kid": _kid(ATTACKER)})
    report = verify_jwt_presentation(token, _ctx())
    assert _status(report, "issuer_key") is CheckStatus.FAILED


def test_hostile_embedded_credential_with_a_bad_signature() -> None:
    head, body, _ = _vc_token().split(".")
    bad = f"{head}.{body}.{_b64(b'0' * 64)}"
    token = sign_vp_jwt(_presentation(envelope_vc_jwt(bad)), HOLDER, _kid(HOLDER))
    report = verify_jwt_presentation(token, _ctx())
    assert not report.verified
    assert _status(report, "proof") is CheckStatus.PASSED
    assert _status(report.credentials[0], "proof") is CheckStatus.FAILED


def test_hostile_enveloped_credential_id_not_a_data_url() -> None:
    item = {"@context": VC_V2, "id": "not-a-credential", "type": "EnvelopedVerifiableCredential"}
    token = sign_vp_jwt(_presentation(item), HOLDER, _kid(HOLDER))
    report = verify_jwt_presentation(token, _ctx())
    assert not report.verified
    assert _status(report.credentials[0], "format") is CheckStatus.FAILED


def test_hostile_too_many_credentials() -> None:
    item = envelope_vc_jwt(_vc_token())
    token = sign_vp_jwt(_presentation(*([item] * 33)), HOLDER, _kid(HOLDER))
    assert _status(verify_jwt_presentation(token, _ctx()), "format") is CheckStatus.FAILED


def test_hostile_expired_presentation() -> None:
    token = sign_vp_jwt(
        _presentation(envelope_vc_jwt(_vc_token())),
        HOLDER,
        _kid(HOLDER),
        expires_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    assert _failed(verify_jwt_presentation(token, _ctx())) == {"validity"}


def test_verify_jwt_any_dispatches_on_the_profile() -> None:
    vp = sign_vp_jwt(_presentation(envelope_vc_jwt(_vc_token())), HOLDER, _kid(HOLDER))
    assert verify_jwt_any(vp, _ctx()).format == "vp+jwt"
    assert verify_jwt_any(_vc_token(), _ctx()).format == "vc+jwt"


def test_a_credential_is_not_a_presentation() -> None:
    report = verify_jwt_presentation(_vc_token(), _ctx())
    assert _status(report, "format") is CheckStatus.FAILED
