"""The engine against a hostile world: one regression test per hole found.

Data Integrity proof dates and duplicates, the status list's issuer, Open Badges rules
beyond the JSON Schema, and verifying as of a given moment. The policy rules are written
in docs/threat-model.md, "Engine checks".
"""

from __future__ import annotations

import copy
import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared.did import DidResolver, did_key_from_public, verification_method_id
from shared.keys import PrivateKey
from shared.model.schema import validate_ob3
from shared.net.fetch import StaticFetcher
from shared.proofs.data_integrity import add_proof
from shared.proofs.jose import sign_jws
from shared.status import StatusList
from shared.verify.context import VerifyContext, fixed_clock
from shared.verify.credential import verify_credential
from shared.verify.presentation import verify_presentation
from shared.verify.report import CheckStatus, VerificationReport
from shared.verify.status_memo import StatusListMemo
from tests.conftest import load_json

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
STATUS_URL = "https://issuer.example/status/13"


def _key(label: str) -> PrivateKey:
    return PrivateKey.from_raw("Ed25519", hashlib.sha256(f"issue-13/{label}".encode()).digest())


ISSUER, OTHER, HOLDER = _key("issuer"), _key("other"), _key("holder")


def _did(key: PrivateKey) -> str:
    return did_key_from_public(key.public_key)


def _ctx(fetcher: StaticFetcher | None = None, **kw: Any) -> VerifyContext:
    fetcher = fetcher or StaticFetcher({})
    return VerifyContext(fetcher=fetcher, resolver=DidResolver(fetcher), clock=lambda: NOW, **kw)


def _unsigned(issuer: PrivateKey = ISSUER, **extra: Any) -> dict[str, Any]:
    doc: dict[str, Any] = copy.deepcopy(load_json("peers", "ob3-credential.unsigned.json"))
    doc["issuer"]["id"] = _did(issuer)
    doc.update(extra)
    return doc


def _signed(doc: dict[str, Any], key: PrivateKey = ISSUER, **proof: Any) -> dict[str, Any]:
    proof.setdefault("created", NOW - timedelta(days=1))
    return add_proof(doc, key.sign, verification_method_id(_did(key)), **proof)


def _check(report: VerificationReport, name: str) -> tuple[CheckStatus, str]:
    check = report.check(name)
    assert check is not None, report.to_json()
    return check.status, check.reason


def _failed(report: VerificationReport, name: str) -> str:
    status, reason = _check(report, name)
    assert status is CheckStatus.FAILED, report.to_json()
    assert not report.verified
    return reason


# ------------------------------------------------------------- Data Integrity dates


def test_future_created_is_refused() -> None:
    credential = _signed(_unsigned(), created=NOW + timedelta(minutes=6))
    reason = _failed(verify_credential(credential, _ctx()), "proof")
    assert "created in the future" in reason
    assert "5 min" in reason


def test_created_within_the_clock_skew_is_accepted() -> None:
    credential = _signed(_unsigned(), created=NOW + timedelta(minutes=4))
    assert verify_credential(credential, _ctx()).verified


def test_clock_skew_allowance_comes_from_the_context() -> None:
    credential = _signed(_unsigned(), created=NOW + timedelta(minutes=4))
    report = verify_credential(credential, _ctx(clock_skew=timedelta(minutes=1)))
    assert "1 min" in _failed(report, "proof")


def test_expired_proof_is_refused() -> None:
    credential = _signed(_unsigned(), expires=NOW - timedelta(hours=1))
    assert credential["proof"]["expires"] == "2026-11-21T11:00:00Z"
    reason = _failed(verify_credential(credential, _ctx()), "proof")
    assert reason == "the proof expired on 2026-11-21T11:00:00Z"


def test_proof_expiring_later_is_accepted() -> None:
    credential = _signed(_unsigned(), expires=NOW + timedelta(days=30))
    assert verify_credential(credential, _ctx()).verified


@pytest.mark.parametrize("value", ["tomorrow", 1_790_000_000, None, "2026-13-01T00:00:00Z"])
def test_malformed_proof_expires_is_refused(value: Any) -> None:
    credential = _signed(_unsigned())
    credential["proof"]["expires"] = value
    assert "proof.expires" in _failed(verify_credential(credential, _ctx()), "proof")


def test_expires_cannot_be_removed_from_a_signed_proof() -> None:
    credential = _signed(_unsigned(), expires=NOW - timedelta(hours=1))
    del credential["proof"]["expires"]  # the expiry is signed: dropping it breaks the proof
    assert "does not match" in _failed(verify_credential(credential, _ctx()), "proof")


# ------------------------------------------------------------------ duplicate proofs


def test_an_exact_copy_of_a_proof_is_counted_once() -> None:
    # Data Integrity "Proof Sets": every proof must verify; a copy is the same proof (Ed25519
    # is deterministic), so it verifies once and is never reported as a second signature
    credential = _signed(_unsigned())
    credential["proof"] = [credential["proof"], copy.deepcopy(credential["proof"])]
    report = verify_credential(credential, _ctx()).to_json()
    proof = next(c for c in report["checks"] if c["name"] == "proof")
    assert proof["status"] == "passed", proof
    assert "the proof verifies" in proof["reason"]
    assert "1 exact copy of a proof counted once" in proof["reason"]
    assert "all 2 proofs verify" not in str(report)
    assert len(proof["details"]["proofs"]) == 1


def test_a_copied_proof_in_a_set_with_a_forged_one_still_fails() -> None:
    credential = _signed(_unsigned())
    forged = {**credential["proof"], "created": "2020-01-01T00:00:00Z"}
    credential["proof"] = [credential["proof"], copy.deepcopy(credential["proof"]), forged]
    assert _failed(verify_credential(credential, _ctx()), "proof")


def test_duplicate_proof_values_with_other_members_are_refused() -> None:
    credential = _signed(_unsigned())
    twin = {**credential["proof"], "id": "urn:uuid:another-name-for-the-same-signature"}
    credential["proof"] = [credential["proof"], twin]
    assert "more than once" in _failed(verify_credential(credential, _ctx()), "proof")


def test_two_distinct_proofs_still_verify_as_a_set() -> None:
    once = _signed(_unsigned())
    # a second signer: Data Integrity "Proof Sets", its proof is checked with its own key and
    # reported as another party's, beside the issuer's own (docs/decisions/vc-api-options.md)
    twice = _signed(once, OTHER)
    distinct = _signed(once, created=NOW - timedelta(days=2))  # same key, another proof
    assert len(distinct["proof"]) == 2
    status, reason = _check(verify_credential(distinct, _ctx()), "proof")
    assert (status, reason.startswith("all 2 proofs verify")) == (CheckStatus.PASSED, True)
    report = verify_credential(twice, _ctx())
    assert report.verified
    assert f"also signed by {_did(OTHER)}" in _check(report, "proof")[1]


def test_duplicate_proofs_on_a_presentation_are_refused() -> None:
    presentation = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": _did(HOLDER),
        "verifiableCredential": [_signed(_unsigned())],
    }
    signed = _signed(presentation, HOLDER, proof_purpose="authentication")
    twin = {**signed["proof"], "id": "urn:uuid:another-name-for-the-same-signature"}
    signed["proof"] = [signed["proof"], twin]
    assert "more than once" in _failed(verify_presentation(signed, _ctx()), "proof")


# ---------------------------------------------------------- status list issuer rule


def _status_list(signer: PrivateKey, revoked: tuple[int, ...] = ()) -> dict[str, Any]:
    bits = StatusList.create()
    for index in revoked:
        bits.set(index, 1)
    status_list = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": STATUS_URL,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": _did(signer),
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {
            "id": STATUS_URL + "#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": bits.encode(),
        },
    }
    return _signed(status_list, signer)


def _with_status(issuer: PrivateKey, index: int = 7) -> dict[str, Any]:
    entry = {
        "id": f"{STATUS_URL}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": str(index),
        "statusListCredential": STATUS_URL,
    }
    return _signed(_unsigned(issuer, credentialStatus=entry), issuer)


def test_status_list_of_another_issuer_is_refused() -> None:
    ctx = _ctx(StaticFetcher({STATUS_URL: _status_list(OTHER)}))
    report = verify_credential(_with_status(ISSUER), ctx)
    reason = _failed(report, "status")
    assert f"issued by {_did(OTHER)}, not by the credential's issuer {_did(ISSUER)}" in reason
    # a refused list says nothing about the bit: it is not reported as a revocation
    assert "purpose" not in (report.check("status").details or {})  # type: ignore[union-attr]


def test_status_list_of_the_issuer_itself_is_accepted() -> None:
    ctx = _ctx(StaticFetcher({STATUS_URL: _status_list(ISSUER, revoked=(3,))}))
    assert _check(verify_credential(_with_status(ISSUER, 7), ctx), "status")[0] is (
        CheckStatus.PASSED
    )
    assert "revoked by its issuer" in _failed(
        verify_credential(_with_status(ISSUER, 3), ctx), "status"
    )


def test_status_list_issuer_rule_holds_with_a_remembered_list() -> None:
    """A list remembered as verified (for its own issuer) still cannot speak for another."""
    memo = StatusListMemo()
    fetcher = StaticFetcher({STATUS_URL: _status_list(OTHER)})
    own = verify_credential(_with_status(OTHER), _ctx(fetcher, status_lists=memo))
    assert own.verified, own.to_json()
    foreign = verify_credential(_with_status(ISSUER), _ctx(fetcher, status_lists=memo))
    assert "not by the credential's issuer" in _failed(foreign, "status")


def test_status_list_without_an_issuer_is_refused() -> None:
    unsigned_list = _status_list(ISSUER)
    del unsigned_list["issuer"]
    ctx = _ctx(StaticFetcher({STATUS_URL: unsigned_list}))
    assert "names no issuer" in _failed(verify_credential(_with_status(ISSUER), ctx), "status")


# ------------------------------------------------------ Open Badges beyond the schema


def test_ob3_subject_without_id_or_identifier_is_refused() -> None:
    doc = _unsigned()
    del doc["credentialSubject"]["id"]
    report = verify_credential(_signed(doc), _ctx())
    assert "needs an id or at least one identifier" in _failed(report, "schema")
    assert any("OB 3.0 §B.1.3" in p for p in validate_ob3(doc))


def test_ob3_subject_with_an_identifier_only_is_accepted() -> None:
    doc = _unsigned()
    del doc["credentialSubject"]["id"]
    doc["credentialSubject"]["identifier"] = [
        {
            "type": "IdentityObject",
            "identityType": "emailAddress",
            "hashed": False,
            "identityHash": "camille@example.org",
        }
    ]
    report = verify_credential(_signed(doc), _ctx())
    assert report.verified, report.to_json()


def test_ob3_subject_with_an_empty_identifier_list_is_refused() -> None:
    doc = _unsigned()
    del doc["credentialSubject"]["id"]
    doc["credentialSubject"]["identifier"] = []
    assert validate_ob3(doc)


def _ob3_jwt(**claims: Any) -> str:
    credential = _unsigned()
    kid = verification_method_id(_did(ISSUER))
    payload = {"vc": credential, "iss": _did(ISSUER), **claims}
    return sign_jws(payload, ISSUER, {"typ": "JWT", "kid": kid})


def test_ob3_vc_jwt_without_nbf_is_refused() -> None:
    report = verify_credential(_ob3_jwt(), _ctx())
    assert report.format == "jwt_vc_json"
    assert "must carry the nbf claim" in _failed(report, "validity")


def test_ob3_vc_jwt_with_nbf_is_accepted() -> None:
    nbf = int(datetime(2025, 1, 1, tzinfo=UTC).timestamp())
    report = verify_credential(_ob3_jwt(nbf=nbf), _ctx())
    assert report.verified, report.to_json()


def test_vc_jwt_that_is_not_an_open_badge_may_omit_nbf() -> None:
    credential = {
        "@context": ["https://www.w3.org/2018/credentials/v1"],
        "type": ["VerifiableCredential"],
        "issuer": _did(ISSUER),
        "issuanceDate": "2025-01-01T00:00:00Z",
        "credentialSubject": {"id": _did(HOLDER)},
    }
    kid = verification_method_id(_did(ISSUER))
    token = sign_jws({"vc": credential}, ISSUER, {"typ": "JWT", "kid": kid})
    assert verify_credential(token, _ctx()).verified


# ------------------------------------------------------------- verify as of a moment


def test_verify_clock_parameter_judges_as_of_a_moment() -> None:
    doc = _unsigned(validUntil="2026-06-01T00:00:00Z")
    credential = _signed(doc, created=datetime(2025, 1, 2, tzinfo=UTC))
    assert "expired" in _failed(verify_credential(credential, _ctx()), "validity")
    then = fixed_clock(datetime(2026, 1, 15, tzinfo=UTC))
    assert verify_credential(credential, _ctx(), clock=then).verified
    before = fixed_clock(datetime(2025, 1, 1, 12, tzinfo=UTC))  # before the proof was made
    assert "created in the future" in _failed(
        verify_credential(credential, _ctx(), clock=before), "proof"
    )


def test_verify_presentation_clock_parameter() -> None:
    credential = _unsigned()
    credential["credentialSubject"]["id"] = _did(HOLDER)
    presentation = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": _did(HOLDER),
        "verifiableCredential": [_signed(credential, created=datetime(2025, 6, 1, tzinfo=UTC))],
    }
    signed = _signed(
        presentation,
        HOLDER,
        proof_purpose="authentication",
        created=datetime(2025, 6, 2, tzinfo=UTC),
    )
    assert verify_presentation(signed, _ctx()).verified
    early = fixed_clock(datetime(2025, 5, 1, tzinfo=UTC))
    report = verify_presentation(signed, _ctx(), clock=early)
    assert "created in the future" in _failed(report, "proof")
    assert not report.credentials[0].verified  # the clock reaches the credentials inside


def test_fixed_clock_needs_a_time_zone() -> None:
    with pytest.raises(ValueError, match="time zone"):
        fixed_clock(datetime(2026, 1, 1))  # naive on purpose


@pytest.mark.parametrize("moment", [datetime.max, datetime.min])
def test_fixed_clock_refuses_the_ends_of_time(moment: datetime) -> None:
    with pytest.raises(ValueError, match="between the years"):
        fixed_clock(moment.replace(tzinfo=UTC))
