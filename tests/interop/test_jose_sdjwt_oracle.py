"""`jose` and `@sd-jwt/sd-jwt-vc` as test oracles for what Musette signs as JWT / SD-JWT VC.

``verify_jose_sdjwt.mjs`` verifies with ``jose`` 6.2.17 (``jwtVerify`` with the issuer's
public JWK, the algorithm pinned and ``typ`` checked) and ``@sd-jwt/sd-jwt-vc`` 0.19.0 (issuer
signature, disclosures, KB-JWT signed by ``cnf.jwk`` with the nonce; the script checks
``aud`` itself, which @sd-jwt 0.19 does not). Node runs once per test with every case of the
test in one call.

The oracle is weaker than Musette in one known way (PITFALLS.md): @sd-jwt 0.19 silently
drops a disclosure that no digest references, where RFC 9901 §7.1 step 5 says the SD-JWT
MUST be rejected. ``test_unreferenced_disclosure_*`` pins that: Musette rejects, the
oracle accepts.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from shared.did import did_key_from_public, verification_method_id
from shared.keys import PrivateKey
from shared.proofs.jose import sign_jws
from shared.proofs.sd_jwt import (
    KB_JWT_TYP,
    SdJwt,
    compute_sd_hash,
    create_disclosure,
    parse_sd_jwt,
    present_sd_jwt,
)
from shared.proofs.sd_jwt_vc import issue_ob3_sd_jwt_vc
from shared.proofs.vc_jwt import sign_vc_jwt
from shared.verify.context import VerifyContext
from shared.verify.credential import verify_credential
from shared.verify.presentation import verify_presentation
from shared.verify.report import CheckStatus
from tests.conftest import load_json

pytestmark = pytest.mark.interop

HERE = Path(__file__).parent
SCRIPT = HERE / "verify_jose_sdjwt.mjs"
NODE_TIMEOUT_S = 60
NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
AUD, NONCE = "https://verifier.example", "n-oracle-1"


def _need_oracle() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    for package in ("jose", "@sd-jwt/sd-jwt-vc", "@sd-jwt/crypto-nodejs"):
        if not (HERE / "node_modules" / package).is_dir():
            pytest.skip(f"node_modules/{package} missing: run `npm ci` in tests/interop")
    return node


def oracle(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    node = _need_oracle()
    done = subprocess.run(
        [node, str(SCRIPT)],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        cwd=HERE,
        timeout=NODE_TIMEOUT_S,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    results: list[dict[str, Any]] = json.loads(done.stdout)
    assert len(results) == len(cases)
    return results


def _key(label: str, kind: str) -> PrivateKey:
    return PrivateKey.from_raw(kind, hashlib.sha256(f"musette-oracle/{label}".encode()).digest())


ISSUERS = {"EdDSA": _key("issuer", "Ed25519"), "ES256": _key("issuer", "P-256")}
HOLDERS = {"Ed25519": _key("holder", "Ed25519"), "P-256": _key("holder", "P-256")}


def _did(key: PrivateKey) -> str:
    return did_key_from_public(key.public_key)


def _badge(issuer: PrivateKey, holder: PrivateKey) -> dict[str, Any]:
    doc: dict[str, Any] = load_json("peers", "ob3-credential.unsigned.json")
    doc["issuer"] = {**doc["issuer"], "id": _did(issuer)}
    doc["credentialSubject"]["id"] = _did(holder)
    doc["credentialSubject"]["result"] = [
        {"type": ["Result"], "resultDescription": "urn:rating:score", "value": "4.9"},
        {"type": ["Result"], "resultDescription": "urn:rating:count", "value": "1287"},
    ]
    doc["validUntil"] = "2030-01-01T00:00:00Z"
    return doc


def _ctx(**kw: Any) -> VerifyContext:
    return VerifyContext(clock=lambda: NOW, **kw)


def _now() -> int:
    return int(NOW.timestamp())


# ------------------------------------------------------------------ vc+jwt with jose


@pytest.mark.parametrize("alg", ["EdDSA", "ES256"])
def test_jose_verifies_our_vc_jwt(alg: str) -> None:
    issuer = ISSUERS[alg]
    jwk = issuer.public_key.to_jwk()
    vc_jwt = sign_vc_jwt(
        _badge(issuer, HOLDERS["Ed25519"]),
        issuer,
        verification_method_id(_did(issuer)),
        profile="vc+jwt",
    )
    ob3_jwt = sign_vc_jwt(
        _badge(issuer, HOLDERS["Ed25519"]),
        issuer,
        verification_method_id(_did(issuer)),
        profile="jwt_vc_json",
    )
    other = ISSUERS["ES256" if alg == "EdDSA" else "EdDSA"]
    head, body, sig = vc_jwt.split(".")
    tampered = f"{head}.{body[:-2]}{'A' if body[-2] != 'A' else 'B'}{body[-1]}.{sig}"
    base = {"kind": "jwt", "jwk": jwk, "alg": alg, "now": _now()}
    results = oracle(
        [
            {**base, "token": vc_jwt, "typ": "vc+jwt"},
            {**base, "token": ob3_jwt, "typ": "JWT"},
            {**base, "token": vc_jwt, "typ": "JWT"},  # jose checks typ: must refuse
            {**base, "token": tampered, "typ": "vc+jwt"},
            {**base, "token": vc_jwt, "typ": "vc+jwt", "jwk": other.public_key.to_jwk()},
        ]
    )
    assert [r["verified"] for r in results] == [True, True, False, False, False], results
    assert results[0]["claims"]["iss"] == _did(issuer)
    assert results[1]["claims"]["vc"]["credentialSubject"]["id"] == _did(HOLDERS["Ed25519"])
    # and Musette agrees on what it signed
    assert verify_credential(vc_jwt, _ctx()).verified
    assert verify_credential(ob3_jwt, _ctx()).verified


# ------------------------------------------------------------------ SD-JWT VC with @sd-jwt


def _sd_jwt_vc(alg: str, holder: PrivateKey) -> str:
    issuer = ISSUERS[alg]
    return issue_ob3_sd_jwt_vc(
        _badge(issuer, holder),
        issuer_key=issuer,
        kid=verification_method_id(_did(issuer)),
        holder_jwk=holder.public_key.to_jwk(),
        issued_at=NOW - timedelta(days=1),
        decoys=2,
    )


def _present(token: str, holder: PrivateKey, nonce: str = NONCE) -> str:
    return present_sd_jwt(
        token,
        disclose=[("credentialSubject", "id"), ("credentialSubject", "result", 0, "value")],
        holder_key=holder,
        audience=AUD,
        nonce=nonce,
        issued_at=NOW,
    )


@pytest.mark.parametrize("alg", ["EdDSA", "ES256"])
@pytest.mark.parametrize("holder_kind", ["Ed25519", "P-256"])
def test_sd_jwt_vc_oracle_verifies_our_kb_presentations(alg: str, holder_kind: str) -> None:
    holder = HOLDERS[holder_kind]
    shown = _present(_sd_jwt_vc(alg, holder), holder)
    stale_nonce = _present(_sd_jwt_vc(alg, holder), holder, nonce="another")
    jwk = ISSUERS[alg].public_key.to_jwk()
    base = {"kind": "sd-jwt-vc", "jwk": jwk, "now": _now()}
    results = oracle(
        [
            {**base, "token": shown, "nonce": NONCE, "aud": AUD},
            {**base, "token": stale_nonce, "nonce": NONCE, "aud": AUD},
            {**base, "token": shown, "nonce": NONCE, "aud": "https://elsewhere.example"},
        ]
    )
    assert [r["verified"] for r in results] == [True, False, False], results
    ours = verify_presentation(shown, _ctx(nonce=NONCE, audience=AUD))
    assert ours.verified, ours.to_json()
    their_claims = results[0]["claims"]
    our_claims = ours.credentials[0].credential
    assert our_claims is not None
    assert their_claims["credentialSubject"] == our_claims["credentialSubject"]
    assert [r["value"] for r in their_claims["credentialSubject"]["result"]] == ["4.9"]
    assert {k: v for k, v in their_claims.items() if k != "_sd_alg"} == our_claims
    assert not verify_presentation(stale_nonce, _ctx(nonce=NONCE, audience=AUD)).verified


def test_unreferenced_disclosure_our_verifier_rejects_the_oracle_accepts() -> None:
    """RFC 9901 §7.1 step 5: a Disclosure no digest points to MUST make the SD-JWT rejected.

    @sd-jwt/sd-jwt-vc 0.19 drops it silently and verifies (the weaker oracle, see
    PITFALLS.md); Musette fails the ``proof`` check of the credential and the presentation.
    """
    holder = HOLDERS["Ed25519"]
    issued = parse_sd_jwt(_sd_jwt_vc("EdDSA", holder))
    stray = create_disclosure(bytes(range(16)), "given_name", "Mallory")
    presented = SdJwt(issued.issuer_jwt, (*issued.disclosures, stray.encoded))
    kb = sign_jws(
        {"iat": _now(), "aud": AUD, "nonce": NONCE, "sd_hash": compute_sd_hash(presented)},
        holder,
        {"typ": KB_JWT_TYP},
    )
    token = SdJwt(presented.issuer_jwt, presented.disclosures, kb).serialize()
    [theirs] = oracle(
        [
            {
                "kind": "sd-jwt-vc",
                "token": token,
                "jwk": ISSUERS["EdDSA"].public_key.to_jwk(),
                "nonce": NONCE,
                "aud": AUD,
                "now": _now(),
            }
        ]
    )
    assert theirs["verified"] is True, theirs  # the oracle is weaker here
    assert "given_name" not in theirs["claims"]
    ours = verify_presentation(token, _ctx(nonce=NONCE, audience=AUD))
    assert not ours.verified
    proof = ours.credentials[0].check("proof")
    assert proof is not None
    assert proof.status is CheckStatus.FAILED
    assert "match no digest" in proof.reason
