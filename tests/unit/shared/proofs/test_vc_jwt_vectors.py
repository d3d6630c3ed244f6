"""JWT vectors from other implementations (provenance in tests/data/README.md, jose/)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jwt
import pytest

from shared.did.document import VerificationMethod
from shared.keys.keypair import PublicKey
from shared.verify import verify_jwt_any, verify_jwt_credential, verify_jwt_presentation
from shared.verify.context import VerifyContext
from shared.verify.report import CheckStatus, VerificationReport

DATA = Path(__file__).parents[3] / "data" / "jose"
NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def _ctx(now: datetime = NOW, **kw: Any) -> VerifyContext:
    return VerifyContext(clock=lambda: now, **kw)


def _token(name: str) -> str:
    return (DATA / name).read_text().strip()


def _vm(name: str) -> VerificationMethod:
    raw = json.loads((DATA / name).read_text())
    return VerificationMethod(
        raw["id"], raw["type"], raw["controller"], PublicKey.from_jwk(raw["publicKeyJwk"])
    )


def _status(report: VerificationReport, name: str) -> CheckStatus | None:
    check = report.check(name)
    return check.status if check else None


def _failed(report: VerificationReport) -> set[str]:
    return {c.name for c in report.checks if c.status is CheckStatus.FAILED}


# ------------------------------------------------ peers/ (manifest.json verdicts)

PEERS = [v for v in json.loads(_token("peers-manifest.json"))["vectors"] if v["format"] == "vc+jwt"]


@pytest.mark.parametrize("vector", PEERS, ids=[v["file"] for v in PEERS])
def test_peers_manifest_verdict(vector: dict[str, Any]) -> None:
    report = verify_jwt_any(_token("peers-" + vector["file"]), _ctx())
    assert report.verified is (vector["expected"] == "valid"), report.to_json()


def test_peers_ob3_vc_jwt_eddsa_details() -> None:
    report = verify_jwt_credential(_token("peers-ob3-vc-jwt-eddsa.jwt"), _ctx())
    assert report.format == "vc+jwt"
    assert report.issuer == "did:key:z6MkoEzer67i71t3aNMa2gyqqjb6e97bEGNYUxGbfCYyhpGh"
    assert report.subject == "did:key:z6MkeeRvA8idUAyU6MmcMmGWmfJCoTNt47umDfw2pE7cdgRZ"
    assert _status(report, "schema") is CheckStatus.PASSED


def test_peers_neg_vc_jwt_expired_fails_on_validity_only() -> None:
    report = verify_jwt_credential(_token("peers-neg-vc-jwt-expired.jwt"), _ctx())
    assert _failed(report) == {"validity"}
    assert _status(report, "proof") is CheckStatus.PASSED


def test_peers_neg_vc_jwt_alg_none_fails_on_proof() -> None:
    report = verify_jwt_credential(_token("peers-neg-vc-jwt-alg-none.jwt"), _ctx())
    assert _failed(report) == {"proof"}
    assert report.credential is None


# --------------------------------- w3c/vc-jose-cose-test-suite tests/input (JOSE)

# (file, verification method, expected verified, the check that must fail)
JOSE_SUITE = [
    ("credential-jose-minimal.txt", "vm-p256.json", True, None),  # suite test 6
    ("credential-issuer-match-signed.txt", "vm-ed25519.json", True, None),  # test 8
    ("credential-jose-unknown-extensions.txt", "vm-ed25519.json", False, "proof"),  # test 9
    ("credential-jose-bad-signature.txt", "vm-ed25519.json", False, "proof"),  # test 12
    ("credential-jose-bad-media-type.txt", "vm-ed25519.json", False, "format"),  # test 13
    ("credential-jose-vc-vp-claims.txt", "vm-ed25519.json", False, "format"),  # test 15
]


@pytest.mark.parametrize(
    ("name", "vm", "expected", "failing"), JOSE_SUITE, ids=[row[0] for row in JOSE_SUITE]
)
def test_vc_jose_cose_suite_credential(
    name: str, vm: str, expected: bool, failing: str | None
) -> None:
    report = verify_jwt_credential(_token(name), _ctx(), keys=[_vm(vm)])
    assert report.verified is expected, report.to_json()
    if failing:
        assert _status(report, failing) is CheckStatus.FAILED


def test_vc_jose_cose_suite_pinned_key_of_another_controller_is_refused() -> None:
    other = _vm("vm-p256.json")
    pinned = VerificationMethod(other.id, other.type, "https://attacker.example", other.public_key)
    report = verify_jwt_credential(_token("credential-jose-minimal.txt"), _ctx(), keys=[pinned])
    assert _status(report, "issuer_key") is CheckStatus.FAILED


def test_vc_jose_cose_suite_presentation_bad_media_type() -> None:  # suite test 14
    report = verify_jwt_presentation(
        _token("presentation-jose-bad-media-type.txt"), _ctx(), keys=[_vm("vm-ed25519.json")]
    )
    assert not report.verified
    assert _status(report, "format") is CheckStatus.FAILED


def test_vc_jose_cose_suite_presentation_bad_credential() -> None:  # suite test 16
    # inside the presentation's iat..exp window, so only the credential is at fault
    inside = datetime(2024, 12, 15, 12, 0, tzinfo=UTC)
    report = verify_jwt_presentation(
        _token("presentation-jose-bad-credential.txt"), _ctx(inside), keys=[_vm("vm-ed25519.json")]
    )
    assert not report.verified
    assert _status(report, "proof") is CheckStatus.PASSED
    assert _status(report.credentials[0], "format") is CheckStatus.FAILED


@pytest.mark.parametrize(
    ("name", "vm", "alg"),
    [
        ("presentation-jose-multiple.txt", "vm-p384.json", "ES384"),  # suite test 7
        ("credential-jose-unknown-extensions.txt", "vm-p521.json", "ES512"),
    ],
)
def test_vc_jose_cose_suite_es384_es512_are_genuine_but_not_allow_listed(
    name: str, vm: str, alg: str
) -> None:
    """The signatures are good (checked with pyjwt); Musette refuses the algorithms."""
    raw = json.loads((DATA / vm).read_text())
    key = jwt.PyJWK(raw["publicKeyJwk"]).key
    jwt.PyJWS().decode(_token(name), key, algorithms=[alg])
    report = verify_jwt_any(_token(name), _ctx())
    check = report.check("proof")
    assert check is not None
    assert check.status is CheckStatus.FAILED
    assert alg in check.reason


# --------------------------- 1EdTech digital-credentials-public-validator ob30/


def test_ob3_validator_simple_jwt_svg_rs256_jwk_header() -> None:
    """OB 3.0.3 form (payload is the credential), RS256, key in a jwk header."""
    token = _token("ob3-validator-simple-jwt.svg.jwt")
    report = verify_jwt_credential(token, _ctx(), allow_unbound_jwk=True)
    assert report.verified, report.to_json()
    assert report.format == "jwt_vc_json"
    assert report.issuer == "https://1edtech.edu/issuers/565049"
    # by default a jwk nothing ties to the https issuer does not prove who issued it
    strict = verify_jwt_credential(token, _ctx())
    assert not strict.verified
    assert _failed(strict) == {"issuer_key"}


def test_ob3_validator_simple_jwt_v1_svg_vc_claim() -> None:
    """VC 1.1 ``vc`` claim, RS256, jwk header: the signature and claims hold.

    The OB 3.0.3 JSON Schema covers VC DM 2.0 only, so the schema check is skipped for this
    VC 1.1 credential (the 1EdTech validator reports a warning: testSimpleV1JsonSVGJWTValid).
    """
    report = verify_jwt_credential(
        _token("ob3-validator-simple-jwt_v1.svg.jwt"), _ctx(), allow_unbound_jwk=True
    )
    assert _status(report, "proof") is CheckStatus.PASSED
    assert _failed(report) == set()
    assert _status(report, "schema") is CheckStatus.SKIPPED
    assert report.credential is not None
    assert report.credential["issuanceDate"] == "2010-01-01T00:00:00Z"


def test_ob3_validator_simple_jwt_has_no_key_to_verify_with() -> None:
    """simple.jwt has neither kid nor jwk (OB 3.0 §8.2.3 requires one): not verifiable."""
    report = verify_jwt_credential(_token("ob3-validator-simple.jwt"), _ctx(check_schema=False))
    assert not report.verified
    assert report.format == "jwt_vc_json"
    assert _failed(report) == {"issuer_key"}
    assert report.credential is not None
    assert report.credential["id"] == "http://example.edu/credentials/3732"


def test_ob3_validator_velocity_jwt_kid_of_another_did() -> None:
    """The kid is a did:velocity URL, not a method of the did:web issuer: refused. Its
    credentialStatus is of a type Musette does not read, so the status check fails too
    (a revocation cannot be ruled out)."""
    report = verify_jwt_credential(_token("ob3-validator-velocity.jwt"), _ctx(check_schema=False))
    assert not report.verified
    assert _failed(report) == {"issuer_key", "status"}
    status = report.check("status")
    assert status is not None
    assert "is not a status method Musette reads" in status.reason
