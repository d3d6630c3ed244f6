"""Audit of the verdict: inputs that must never read as verified (rule of the product).

Each test builds a credential signed for real by its issuer, so only the rule under test can
refuse it. Cases already in the hostile corpus (tests/security/test_corpus_*.py) are not
repeated here.
"""

from __future__ import annotations

from typing import Any

from shared.net.fetch import StaticFetcher
from shared.proofs.data_integrity import JCS, add_proof
from shared.proofs.vc_jwt import sign_vp_jwt
from shared.verify.context import VerifyContext
from shared.verify.credential import verify_credential
from shared.verify.presentation import verify_presentation
from shared.verify.report import CheckStatus, VerificationReport
from tests.integration.verifier.conftest import NOW
from tests.security.test_corpus_sd_jwt import digest, disclosure, forge, split
from tests.unit.verifier.builders import (
    CREATED,
    OTHER,
    STATUS_URL,
    VC_V2,
    badge,
    did,
    kid,
    ldp_vc,
    sd_jwt_vc,
    status_list,
)

REVOKED = 5


def status_ctx() -> VerifyContext:
    """Status checked, against a list in which index ``REVOKED`` is set."""
    fetcher = StaticFetcher({STATUS_URL: status_list(revoked=(REVOKED,))})
    return VerifyContext(clock=lambda: NOW, fetcher=fetcher)


def state(report: VerificationReport, name: str) -> CheckStatus | None:
    """What the report says of check ``name`` (None: not recorded)."""
    check = report.check(name)
    return None if check is None else check.status


def held_by_other(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` signed as a presentation by ``OTHER`` (an ``authentication`` proof)."""
    document["holder"] = did(OTHER)
    return add_proof(
        document,
        OTHER.sign,
        kid(OTHER),
        cryptosuite=JCS,
        proof_purpose="authentication",
        created=CREATED,
    )


def test_sd_jwt_vc_with_a_credential_status_claim_is_checked() -> None:
    # An OB 3.0 SD-JWT VC whose issuer kept the VC name ``credentialStatus`` for the entry
    # (instead of SD-JWT VC's ``status``): the entry is shown with the credential, so it
    # must be checked, and a set revocation bit must fail the verdict.
    head, body, disclosures = split(sd_jwt_vc(badge(status_index=REVOKED)))
    body["credentialStatus"] = body.pop("status")
    report = verify_credential(forge(head, body, disclosures), status_ctx())
    assert state(report, "proof") is CheckStatus.PASSED
    assert state(report, "status") is CheckStatus.FAILED
    assert not report.verified


def test_sd_jwt_vc_with_both_status_claims_checks_both() -> None:
    # ``status`` clear (index 6) but ``credentialStatus`` revoked (index 5): revoked wins.
    head, body, disclosures = split(sd_jwt_vc(badge(status_index=REVOKED)))
    body["credentialStatus"] = dict(body["status"])
    body["status"] = {**body["status"], "statusListIndex": str(REVOKED + 1)}
    report = verify_credential(forge(head, body, disclosures), status_ctx())
    assert state(report, "status") is CheckStatus.FAILED
    assert not report.verified


def test_sd_jwt_vc_status_disclosed_selectively_is_refused() -> None:
    # SD-JWT VC §3.2.2.2: status MUST NOT be selectively disclosed. When it is (and the
    # holder discloses it), the token is refused. (When the holder withholds it nothing in
    # the token can tell: see the report of this audit.)
    head, body, disclosures = split(sd_jwt_vc(badge(status_index=REVOKED)))
    extra = disclosure("c2FsdC1zYWx0LXNhbHQ", "status", body.pop("status"))
    body["_sd"] = [*body["_sd"], digest(extra)]
    report = verify_credential(forge(head, body, [*disclosures, extra]), status_ctx())
    assert not report.verified
    assert state(report, "proof") is CheckStatus.FAILED


def test_a_status_method_the_engine_cannot_check_does_not_read_verified() -> None:
    credential = badge()
    credential["credentialStatus"] = {
        "id": "https://issuer.example/revocations/1",
        "type": "1EdTechRevocationList",
    }
    context = VerifyContext(clock=lambda: NOW, fetcher=StaticFetcher({}))
    report = verify_credential(ldp_vc(credential), context)
    assert state(report, "proof") is CheckStatus.PASSED
    assert state(report, "status") is CheckStatus.FAILED
    assert not report.verified
    check = report.check("status")
    assert check is not None
    # no purpose: the pages must not say "revoked", only that it could not be ruled out
    assert "purpose" not in check.details
    assert "1EdTechRevocationList" in check.reason
    assert "could not be checked" in check.reason


def test_a_status_list_shaped_as_a_presentation_is_not_believed() -> None:
    # Whoever serves the list URL (not the issuer: no issuer key) answers a clear list typed
    # as a VerifiablePresentation, "held" and signed by their own DID, naming the issuer.
    # Verified as a presentation, its proof holds; it must not clear a revoked credential.
    forged = status_list(revoked=())
    del forged["proof"]
    forged["type"] = ["VerifiablePresentation", "BitstringStatusListCredential"]
    forged = held_by_other(forged)
    context = VerifyContext(clock=lambda: NOW, fetcher=StaticFetcher({STATUS_URL: forged}))
    report = verify_credential(ldp_vc(badge(status_index=REVOKED)), context)
    assert state(report, "proof") is CheckStatus.PASSED
    assert state(report, "status") is CheckStatus.FAILED
    assert not report.verified


def test_a_credential_typed_also_as_a_presentation_does_not_verify() -> None:
    # A badge naming the real issuer, typed VerifiablePresentation too and signed by its
    # "holder" (anyone): read as a badge by a person, it must not verify as a presentation.
    forged = badge(subject=did(OTHER))
    forged["type"] = ["VerifiablePresentation", *forged["type"]]
    forged = held_by_other(forged)
    report = verify_credential(forged, VerifyContext(clock=lambda: NOW, check_status=False))
    assert state(report, "format") is CheckStatus.FAILED
    assert not report.verified


def test_a_presentation_inside_a_vp_jwt_is_not_a_verified_credential() -> None:
    # VC API /presentations/verify does not require holder binding by default: a vp+jwt whose
    # "credential" is a presentation signed by the presenter read verified, credential and all.
    inner = held_by_other({"@context": [VC_V2], "type": ["VerifiablePresentation"]})
    outer = {
        "@context": [VC_V2],
        "type": ["VerifiablePresentation"],
        "holder": did(OTHER),
        "verifiableCredential": [inner],
    }
    token = sign_vp_jwt(outer, OTHER, kid(OTHER), nonce="n-audit", audience="aud-audit")
    context = VerifyContext(
        clock=lambda: NOW,
        check_status=False,
        nonce="n-audit",
        audience="aud-audit",
        require_holder_binding=False,
    )
    report = verify_presentation(token, context)
    assert state(report, "proof") is CheckStatus.PASSED
    assert [state(sub, "format") for sub in report.credentials] == [CheckStatus.FAILED]
    assert not report.verified
