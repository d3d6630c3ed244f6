"""docs/decisions/vc-api-options.md: the engine behind the VC-API, one test per spec statement.

* VC DM 2.0 §4.13.1/§4.13.2: enveloped credentials and presentations, wherever a
  credential or presentation is accepted, and refused when the envelope breaks a rule.
* VC DM 2.0 §4.13: a presentation need not name a holder; binding is a verifier's policy.
* VC Data Integrity 1.0 "Proof Sets" and "Proof Chains": each proof is checked
  with its own controller's key, and the report says who signed what.
* VC Data Integrity 1.0 §2.4.2: a VC 1.1 document gets the Data Integrity context.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared.did import did_key_from_public, verification_method_id
from shared.keys import PrivateKey
from shared.proofs.data_integrity import DATA_INTEGRITY_V2, JCS, RDFC, add_proof
from shared.proofs.vc_jwt import envelope_vc_jwt, sign_vc_jwt, sign_vp_jwt
from shared.verify.context import VerifyContext
from shared.verify.credential import verify_credential
from shared.verify.envelope import MAX_ENVELOPED_TOKEN_CHARS
from shared.verify.presentation import verify_presentation
from shared.verify.report import CheckStatus, VerificationReport
from tests.conftest import load_json

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
VC_V2 = "https://www.w3.org/ns/credentials/v2"
VC_V1 = "https://www.w3.org/2018/credentials/v1"


def _key(label: str) -> PrivateKey:
    return PrivateKey.from_raw("Ed25519", hashlib.sha256(f"vcapi/{label}".encode()).digest())


ISSUER, HOLDER, WITNESS = _key("issuer"), _key("holder"), _key("witness")


def _did(key: PrivateKey) -> str:
    return did_key_from_public(key.public_key)


def _kid(key: PrivateKey) -> str:
    return verification_method_id(_did(key))


def _ctx(**kw: Any) -> VerifyContext:
    return VerifyContext(clock=lambda: NOW, **kw)


def _check(report: VerificationReport, name: str) -> tuple[CheckStatus, str]:
    check = report.check(name)
    assert check is not None, report.to_json()
    return check.status, check.reason


def _badge() -> dict[str, Any]:
    doc: dict[str, Any] = load_json("peers", "ob3-credential.unsigned.json")
    doc["issuer"] = {**doc["issuer"], "id": _did(ISSUER)}
    doc["credentialSubject"]["id"] = _did(HOLDER)
    doc["validFrom"] = "2025-01-01T00:00:00Z"
    return doc


def _signed(doc: dict[str, Any], key: PrivateKey = ISSUER, **kw: Any) -> dict[str, Any]:
    kw.setdefault("created", NOW - timedelta(days=1))
    return add_proof(doc, key.sign, _kid(key), **kw)


def _vc_jwt() -> str:
    return sign_vc_jwt(_badge(), ISSUER, _kid(ISSUER), profile="vc+jwt")


def _envelope(media: str, token: str, kind: str = "EnvelopedVerifiableCredential") -> Any:
    return {"@context": [VC_V2], "type": kind, "id": f"data:{media},{token}"}


def _di_vp(*items: Any, holder: PrivateKey | None = HOLDER, suite: str = RDFC) -> dict[str, Any]:
    vp: dict[str, Any] = {
        "@context": [VC_V2],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": list(items),
    }
    if holder is not None:
        vp["holder"] = _did(holder)
    signer = holder or WITNESS
    return _signed(
        vp,
        signer,
        proof_purpose="authentication",
        challenge="c-1",
        domain="d.example",
        cryptosuite=suite,
    )


# ------------------------------------------------- VC DM 2.0 §4.13.1 enveloped credentials


@pytest.mark.parametrize(
    "media", ["application/vc+jwt", "application/jwt", "application/vc+jwt;base64"]
)
def test_enveloped_credential_verifies_where_a_credential_is_expected(media: str) -> None:
    # "The id value of the object MUST be a data: URL [RFC2397] that expresses a secured
    # verifiable credential using an enveloping security scheme"
    token = _vc_jwt()
    data = base64.b64encode(token.encode()).decode() if media.endswith(";base64") else token
    report = verify_credential(_envelope(media, data), _ctx(), json_text=False)
    assert report.verified, report.to_json()
    assert report.format == "vc+jwt"
    assert report.issuer == _did(ISSUER)


def test_envelope_vc_jwt_output_verifies_inside_a_data_integrity_presentation() -> None:
    vp = _di_vp(envelope_vc_jwt(_vc_jwt()))
    report = verify_presentation(vp, _ctx(challenge="c-1", domain="d.example"))
    assert report.verified, report.to_json()
    assert [sub.format for sub in report.credentials] == ["vc+jwt"]


def test_enveloped_presentation_verifies_at_the_presentation_entry_point() -> None:
    # VC DM 2.0 §4.13.2: "The type value of the object MUST be EnvelopedVerifiablePresentation"
    vp = {
        "@context": [VC_V2],
        "type": ["VerifiablePresentation"],
        "holder": _did(HOLDER),
        "verifiableCredential": [envelope_vc_jwt(_vc_jwt())],
    }
    token = sign_vp_jwt(vp, HOLDER, _kid(HOLDER), nonce="n-1", audience="https://v.example")
    enveloped = _envelope("application/vp+jwt", token, "EnvelopedVerifiablePresentation")
    report = verify_presentation(enveloped, _ctx(nonce="n-1", audience="https://v.example"))
    assert report.verified, report.to_json()
    assert report.format == "vp+jwt"
    assert [sub.verified for sub in report.credentials] == [True]


def _broken(what: str) -> Any:
    token = _vc_jwt()
    good = _envelope("application/vc+jwt", token)
    cases: dict[str, Any] = {
        "not a data: URL": {**good, "id": token},
        "no comma": {**good, "id": f"data:application/vc+jwt;{token}"},
        "media type of a presentation": _envelope("application/vp+jwt", token),
        "unknown media type": _envelope("text/plain", token),
        "no media type": _envelope("", token),
        "bad base64": _envelope("application/vc+jwt;base64", "@@@" + token),
        "base64 of something else": _envelope(
            "application/vc+jwt;base64", base64.b64encode(b'{"a": 1}').decode()
        ),
        "JSON in the data": _envelope("application/vc+jwt", "%7B%22a%22%3A1%7D"),
        "bad percent-encoding": _envelope("application/vc+jwt", "%FF%FE"),
        "huge": _envelope("application/vc+jwt", "a" * (MAX_ENVELOPED_TOKEN_CHARS + 1)),
        "empty context": {**good, "@context": []},
        "examples context only": {
            **good,
            "@context": "https://www.w3.org/ns/credentials/examples/v2",
        },
        "no context": {k: v for k, v in good.items() if k != "@context"},
        "two types": {**good, "type": ["EnvelopedVerifiableCredential", "Other"]},
        "a presentation token": _envelope(
            "application/vc+jwt",
            sign_vp_jwt(
                {"@context": [VC_V2], "type": ["VerifiablePresentation"], "holder": _did(HOLDER)},
                HOLDER,
                _kid(HOLDER),
            ),
        ),
        "id is a number": {**good, "id": 7},
    }
    return cases[what]


BROKEN = [
    "not a data: URL",
    "no comma",
    "media type of a presentation",
    "unknown media type",
    "no media type",
    "bad base64",
    "base64 of something else",
    "JSON in the data",
    "bad percent-encoding",
    "huge",
    "empty context",
    "examples context only",
    "no context",
    "two types",
    "a presentation token",
    "id is a number",
]


@pytest.mark.parametrize("what", BROKEN)
def test_hostile_enveloped_credential_is_refused_as_a_format_failure(what: str) -> None:
    report = verify_credential(_broken(what), _ctx(), json_text=False)
    assert not report.verified
    assert _check(report, "format")[0] is CheckStatus.FAILED


@pytest.mark.parametrize("what", BROKEN)
def test_hostile_enveloped_credential_inside_a_presentation_fails_that_credential(
    what: str,
) -> None:
    # eddsa-jcs-2022: some broken envelopes are not JSON-LD a presentation could be signed as
    report = verify_presentation(_di_vp(_broken(what), suite=JCS), _ctx())
    assert not report.verified
    failed = [c for sub in report.credentials for c in sub.checks if c.status is CheckStatus.FAILED]
    presentation_format = report.check("format")
    assert failed or (
        presentation_format is not None and presentation_format.status is CheckStatus.FAILED
    )


def test_an_enveloped_presentation_is_not_a_credential_of_a_presentation() -> None:
    token = sign_vp_jwt(
        {"@context": [VC_V2], "type": ["VerifiablePresentation"], "holder": _did(HOLDER)},
        HOLDER,
        _kid(HOLDER),
    )
    inner = _envelope("application/vp+jwt", token, "EnvelopedVerifiablePresentation")
    report = verify_presentation(_di_vp(inner), _ctx())
    assert not report.verified


def test_enveloped_presentation_with_a_credential_media_type_is_refused() -> None:
    enveloped = _envelope("application/vc+jwt", _vc_jwt(), "EnvelopedVerifiablePresentation")
    report = verify_presentation(enveloped, _ctx())
    assert not report.verified
    assert "media type" in _check(report, "format")[1]


# ------------------------------------------------- VC DM 2.0 §4.13: holder binding policy


def test_presentation_without_holder_verifies_when_binding_is_not_required() -> None:
    # VC DM 2.0 §4.13: "holder ... If present, ..." — a presentation may name no holder
    vp = _di_vp(_signed(_badge()), holder=None)
    relaxed = verify_presentation(vp, _ctx(require_holder_binding=False))
    assert relaxed.verified, relaxed.to_json()
    status, reason = _check(relaxed, "holder_binding")
    assert status is CheckStatus.SKIPPED
    assert "not required" in reason
    strict = verify_presentation(vp, _ctx())  # OpenID4VP's default: required
    assert _check(strict, "holder_binding")[0] is CheckStatus.FAILED
    assert not strict.verified


def test_holder_who_is_not_the_subject_is_reported_not_failed_when_not_required() -> None:
    vp = _di_vp(_signed(_badge()), holder=WITNESS)
    relaxed = verify_presentation(vp, _ctx(require_holder_binding=False))
    assert relaxed.verified, relaxed.to_json()
    check = relaxed.check("holder_binding")
    assert check is not None
    assert check.status is CheckStatus.SKIPPED
    assert check.details == {"required": False, "unbound": ["0"]}
    assert not verify_presentation(vp, _ctx()).verified


# ------------------------------------------ VC Data Integrity 1.0 sets and chains


def _proof_entries(report: VerificationReport) -> list[dict[str, Any]]:
    check = report.check("proof")
    assert check is not None
    entries: list[dict[str, Any]] = check.details["proofs"]
    return entries


def test_proof_set_with_another_partys_proof_names_who_signed_what() -> None:
    credential = _signed(_signed(_badge()), WITNESS, cryptosuite=JCS)
    report = verify_credential(credential, _ctx())
    assert report.verified, report.to_json()
    entries = _proof_entries(report)
    assert [(e["controller"], e["signer"], e["verified"]) for e in entries] == [
        (_did(ISSUER), "issuer", True),
        (_did(WITNESS), "other", True),
    ]
    assert [e["cryptosuite"] for e in entries] == [RDFC, JCS]


@pytest.mark.parametrize("suite", [RDFC, JCS])
def test_proof_chain_with_previous_proof_verifies_each_with_its_own_key(suite: str) -> None:
    first = _signed(_badge(), proof_id="urn:uuid:proof-1", cryptosuite=suite)
    chained = _signed(
        first,
        WITNESS,
        proof_id="urn:uuid:proof-2",
        previous_proof="urn:uuid:proof-1",
        cryptosuite=suite,
    )
    report = verify_credential(chained, _ctx())
    assert report.verified, report.to_json()
    entries = _proof_entries(report)
    assert entries[1]["previousProof"] == "urn:uuid:proof-1"
    assert entries[1]["signer"] == "other"
    # the chained signature covers the first proof: altering it breaks both
    tampered = {**chained, "proof": [dict(chained["proof"][0]), chained["proof"][1]]}
    tampered["proof"][0]["created"] = "2026-11-19T12:00:00Z"
    assert not verify_credential(tampered, _ctx()).verified


def test_chain_naming_a_missing_previous_proof_fails() -> None:
    first = _signed(_badge(), proof_id="urn:uuid:proof-1")
    chained = _signed(
        first, WITNESS, proof_id="urn:uuid:proof-2", previous_proof="urn:uuid:proof-1"
    )
    chained["proof"][1]["previousProof"] = "urn:uuid:nowhere"
    report = verify_credential(chained, _ctx())
    assert not report.verified


def test_credential_signed_only_by_another_party_is_not_issued_by_its_issuer() -> None:
    credential = _signed(_badge(), WITNESS)
    report = verify_credential(credential, _ctx())
    assert not report.verified
    status, reason = _check(report, "issuer_key")
    assert status is CheckStatus.FAILED
    assert _did(ISSUER) in reason
    assert _proof_entries(report)[0]["signer"] == "other"


def test_another_partys_bad_signature_fails_the_set() -> None:
    credential = _signed(_signed(_badge()), WITNESS)
    credential["proof"][1]["proofValue"] = credential["proof"][0]["proofValue"][:-2] + "zz"
    assert not verify_credential(credential, _ctx()).verified


# --------------------------------------------- VC Data Integrity 1.0 §2.4.2 VC 1.1 input


@pytest.mark.parametrize("suite", [RDFC, JCS])
def test_vc11_credential_gets_the_data_integrity_context_and_verifies(suite: str) -> None:
    # §2.4.2: an implementation SHOULD add the Data Integrity context when the document's
    # contexts do not define the proof terms (VC 1.1's does not define 'created')
    doc = {
        "@context": [VC_V1],
        "type": ["VerifiableCredential"],
        "issuer": _did(ISSUER),
        "issuanceDate": "2025-01-01T00:00:00Z",
        "credentialSubject": {"id": _did(HOLDER)},
    }
    signed = _signed(doc, cryptosuite=suite)
    assert signed["@context"][-1] == DATA_INTEGRITY_V2
    report = verify_credential(signed, _ctx())
    assert report.verified, report.to_json()


def test_vc2_credential_contexts_are_left_alone() -> None:
    signed = _signed(_badge())
    assert signed["@context"] == _badge()["@context"]


def test_presentation_signed_only_by_another_party_than_its_holder_fails() -> None:
    vp = _di_vp(_signed(_badge()))
    unsigned = {k: v for k, v in vp.items() if k != "proof"}
    by_witness = _signed(
        unsigned, WITNESS, proof_purpose="authentication", challenge="c-1", domain="d.example"
    )
    report = verify_presentation(by_witness, _ctx(challenge="c-1", domain="d.example"))
    assert not report.verified
    assert _check(report, "issuer_key")[0] is CheckStatus.FAILED
    assert _proof_entries(report)[0]["signer"] == "other"
    both = _signed(vp, WITNESS, proof_purpose="authentication", challenge="c-1", domain="d.example")
    report = verify_presentation(both, _ctx(challenge="c-1", domain="d.example"))
    assert report.verified, report.to_json()
    assert [e["signer"] for e in _proof_entries(report)] == ["holder", "other"]
