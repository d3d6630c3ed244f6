"""VC-API issue options (docs/decisions/vc-api-options.md).

* ``options.cryptosuite`` (with ``options.type: DataIntegrityProof``, as the W3C test-suite
  implementations send it) chooses eddsa-rdfc-2022 or eddsa-jcs-2022.
* ``options.format: application/vc+jwt`` answers an ``EnvelopedVerifiableCredential``
  whose id is ``data:application/vc+jwt,<jwt>`` (VC-JOSE-COSE §3.1.1, VC DM 2.0 §4.13.1).
* VCALM §"Options": "Implementations MUST throw an error if an endpoint receives data,
  options, or option values that it does not understand" — 400 naming the option.
* VC Data Integrity 1.0 §2.4.2: VC 1.1 input gets the Data Integrity context.
"""

from __future__ import annotations

from typing import Any

import pytest

from shared.proofs.jose import parse_jws
from shared.verify.credential import verify_credential
from tests.integration.issuer.conftest import Env

V2 = "https://www.w3.org/ns/credentials/v2"
V1 = "https://www.w3.org/2018/credentials/v1"
EXAMPLES = "https://www.w3.org/ns/credentials/examples/v2"
DI_V2 = "https://w3id.org/security/data-integrity/v2"
ORG_DID = "did:web:testserver:orgs:demo-association"
LIST = "/admin/orgs/demo-association/credentials"


def _credential(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "@context": [V2, EXAMPLES],
        "type": ["VerifiableCredential", "ExampleCredential"],
        "credentialSubject": {"id": "did:example:subject", "name": "Camille"},
    }
    doc.update(changes)
    return doc


def _issue(env: Env, credential: dict[str, Any], options: dict[str, Any] | None = None) -> Any:
    body: dict[str, Any] = {"credential": credential}
    if options is not None:
        body["options"] = options
    return env.client.post("/credentials/issue", json=body, headers=env.auth)


def _issued_count(env: Env) -> int:
    body = env.client.get(LIST, headers=env.auth).json()
    return len(body["credentials"] if isinstance(body, dict) else body)


@pytest.mark.parametrize(
    ("options", "suite"),
    [
        (None, "eddsa-rdfc-2022"),
        ({"cryptosuite": "eddsa-rdfc-2022"}, "eddsa-rdfc-2022"),
        ({"type": "DataIntegrityProof", "cryptosuite": "eddsa-jcs-2022"}, "eddsa-jcs-2022"),
        ({"format": "application/vc", "cryptosuite": "eddsa-jcs-2022"}, "eddsa-jcs-2022"),
    ],
)
def test_options_cryptosuite_chooses_the_data_integrity_suite(
    env: Env, options: dict[str, Any] | None, suite: str
) -> None:
    response = _issue(env, _credential(), options)
    assert response.status_code == 201, response.text
    signed = response.json()["verifiableCredential"]
    assert signed["proof"]["cryptosuite"] == suite
    report = verify_credential(signed, env.verify_ctx())
    assert report.verified, report.to_json()


def test_options_format_vc_jwt_answers_an_enveloped_credential(env: Env) -> None:
    before = _issued_count(env)
    response = _issue(env, _credential(), {"format": "application/vc+jwt"})
    assert response.status_code == 201, response.text
    enveloped = response.json()["verifiableCredential"]
    # VC DM 2.0 §4.13.1: @context, type EnvelopedVerifiableCredential, a data: URL id
    assert enveloped["@context"] == [V2]
    assert enveloped["type"] == "EnvelopedVerifiableCredential"
    prefix = "data:application/vc+jwt,"
    assert enveloped["id"].startswith(prefix)
    jws = parse_jws(enveloped["id"].removeprefix(prefix))
    assert jws.header["typ"] == "vc+jwt"  # VC-JOSE-COSE §3.1.1
    assert jws.payload["issuer"] == ORG_DID
    report = verify_credential(enveloped, env.verify_ctx(), json_text=False)
    assert report.verified, report.to_json()
    assert report.format == "vc+jwt"
    assert _issued_count(env) == before + 1


@pytest.mark.parametrize(
    ("options", "option"),
    [
        ({"cryptosuite": "ecdsa-rdfc-2019"}, "cryptosuite"),
        ({"cryptosuite": ["eddsa-rdfc-2022"]}, "cryptosuite"),
        ({"type": "Ed25519Signature2020"}, "type"),
        ({"format": "application/vc+cose"}, "format"),
        ({"format": "application/vc+jwt", "cryptosuite": "eddsa-jcs-2022"}, "cryptosuite"),
        ({"format": "application/vc+jwt", "type": "DataIntegrityProof"}, "type"),
        ({"mandatoryPointers": ["/issuer"]}, "mandatoryPointers"),
        ({"whatever": True}, "whatever"),
        ({"credentialStatus": {"type": "StatusList2021Entry"}}, "credentialStatus"),
    ],
)
def test_unknown_or_unsupported_options_are_400_naming_the_option(
    env: Env, options: dict[str, Any], option: str
) -> None:
    before = _issued_count(env)
    response = _issue(env, _credential(), options)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["option"] == option
    assert f"options.{option}" in problem["detail"]
    assert _issued_count(env) == before


def test_vc_jwt_of_a_vc11_credential_is_refused(env: Env) -> None:
    doc = {
        "@context": [V1],
        "type": ["VerifiableCredential"],
        "issuanceDate": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:subject"},
    }
    response = _issue(env, doc, {"format": "application/vc+jwt"})
    assert response.status_code == 400, response.text
    assert response.json()["option"] == "format"


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "eddsa-jcs-2022"])
def test_regression_14_vc11_input_gets_the_data_integrity_context(env: Env, suite: str) -> None:
    # was: 400 "property 'created' is not defined" (VC 1.1's context lacks the proof terms)
    doc = {
        "@context": [V1],
        "type": ["VerifiableCredential"],
        "issuanceDate": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:subject"},
    }
    response = _issue(env, doc, {"cryptosuite": suite})
    assert response.status_code == 201, response.text
    signed = response.json()["verifiableCredential"]
    assert signed["@context"] == [V1, DI_V2]
    report = verify_credential(signed, env.verify_ctx())
    assert report.verified, report.to_json()
