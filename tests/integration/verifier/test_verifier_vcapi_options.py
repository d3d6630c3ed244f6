"""VC-API verification (docs/decisions/vc-api-options.md): envelopes, holder binding, options.

* VC DM 2.0 §4.13.1/§4.13.2: an ``EnvelopedVerifiableCredential`` is accepted at
  ``/credentials/verify`` and inside a presentation, an ``EnvelopedVerifiablePresentation``
  at ``/presentations/verify``; a broken envelope is a 400 with ``verified: false``.
* VC DM 2.0 §4.13 requires no holder: at ``/presentations/verify`` binding applies only
  when ``options.requireHolderBinding`` is true, and the report says which.
* VCALM §"Options": an option not understood is an error (400 problem+json naming it).
* VC Data Integrity 1.0 "Proof Sets": another party's proof beside the issuer's verifies, and
  the report says who signed what.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from shared.proofs.data_integrity import add_proof
from shared.proofs.vc_jwt import envelope_vc_jwt
from tests.unit.verifier.builders import (
    CREATED,
    HOLDER,
    OTHER,
    badge,
    did,
    kid,
    ldp_vc,
    ldp_vp,
    vc_jwt,
    vp_jwt,
)

V2 = "https://www.w3.org/ns/credentials/v2"
DOMAIN = "https://verifier.example"


def _token() -> str:
    return vc_jwt(badge(), profile="vc+jwt")


def _verify_vp(client: TestClient, vp: Any, **options: Any) -> Any:
    body = {"verifiablePresentation": vp, "options": {"challenge": "c-1", **options}}
    return client.post("/presentations/verify", json=body)


def test_enveloped_credential_at_credentials_verify(client: TestClient) -> None:
    good = client.post(
        "/credentials/verify", json={"verifiableCredential": envelope_vc_jwt(_token())}
    )
    assert good.status_code == 200, good.json()
    assert good.json()["verified"] is True
    assert good.json()["report"]["format"] == "vc+jwt"


@pytest.mark.parametrize(
    "broken",
    [
        {"id": "not-a-data-url"},
        {"type": "VerifiableCredential"},
        {"@context": []},
        {"@context": "https://www.w3.org/ns/credentials/examples/v2"},
        {"id": "data:text/plain,abc.def.ghi"},
        {"id": "data:application/vc+jwt;base64,!!!"},
    ],
)
def test_broken_envelope_at_credentials_verify_is_400_not_verified(
    client: TestClient, broken: dict[str, Any]
) -> None:
    envelope = {**envelope_vc_jwt(_token()), **broken}
    resp = client.post("/credentials/verify", json={"verifiableCredential": envelope})
    assert resp.status_code == 400, resp.text
    assert resp.json()["verified"] is False
    assert [e["name"] for e in resp.json()["errors"]] == ["format"]


@pytest.mark.parametrize(
    ("presentation", "fmt"),
    [
        (lambda: ldp_vp([ldp_vc(badge())], challenge="c-1", domain=DOMAIN), "ldp_vp"),
        (lambda: vp_jwt([_token()], nonce="c-1", audience=DOMAIN), "vp+jwt"),
    ],
    ids=["data-integrity", "vp+jwt"],
)
def test_a_presentation_at_credentials_verify_is_400_not_verified(
    client: TestClient, presentation: Any, fmt: str
) -> None:
    # the same presentation verifies at /presentations/verify (tests above and below)
    resp = client.post("/credentials/verify", json={"verifiableCredential": presentation()})
    assert resp.status_code == 400, resp.text
    assert resp.json()["verified"] is False
    assert resp.json()["report"]["format"] == fmt
    [error] = resp.json()["errors"]
    assert error["name"] == "format"
    assert "POST /presentations/verify" in error["message"]


def test_enveloped_presentation_at_presentations_verify(client: TestClient) -> None:
    token = vp_jwt([_token()], nonce="c-1", audience=DOMAIN)
    enveloped = {
        "@context": [V2],
        "type": "EnvelopedVerifiablePresentation",
        "id": f"data:application/vp+jwt,{token}",
    }
    ok = _verify_vp(client, enveloped, domain=DOMAIN)
    assert ok.status_code == 200, ok.json()
    report = ok.json()["report"]
    assert report["format"] == "vp+jwt"
    assert [c["verified"] for c in report["credentials"]] == [True]
    not_a_vp = {**enveloped, "type": ["VerifiablePresentation"]}
    assert _verify_vp(client, not_a_vp, domain=DOMAIN).status_code == 400
    bare = {**enveloped, "id": token}
    assert _verify_vp(client, bare, domain=DOMAIN).status_code == 400


def test_enveloped_credential_inside_a_data_integrity_presentation(client: TestClient) -> None:
    vp = ldp_vp([envelope_vc_jwt(_token())], challenge="c-1", domain=DOMAIN)
    ok = _verify_vp(client, vp, domain=DOMAIN)
    assert ok.status_code == 200, ok.json()
    assert ok.json()["report"]["credentials"][0]["format"] == "vc+jwt"


def _holder_binding(resp: Any) -> dict[str, Any]:
    checks = resp.json()["report"]["checks"]
    found: dict[str, Any] = next(c for c in checks if c["name"] == "holder_binding")
    return found


def test_holder_binding_is_optional_by_default_and_required_on_request(
    client: TestClient,
) -> None:
    # a presentation by someone who is not the credential's subject
    vp = ldp_vp([ldp_vc(badge())], challenge="c-1", domain=DOMAIN, holder=OTHER)
    default = _verify_vp(client, vp, domain=DOMAIN)
    assert default.status_code == 200, default.json()
    check = _holder_binding(default)
    assert (check["status"], check["details"]["required"]) == ("skipped", False)
    assert "not required" in check["reason"]
    required = _verify_vp(client, vp, domain=DOMAIN, requireHolderBinding=True)
    assert required.status_code == 400
    assert [_holder_binding(required)[k] for k in ("status", "details")] == [
        "failed",
        {"required": True, "unbound": ["0"]},
    ]
    bound = ldp_vp([ldp_vc(badge())], challenge="c-1", domain=DOMAIN, holder=HOLDER)
    ok = _verify_vp(client, bound, domain=DOMAIN, requireHolderBinding=True)
    assert ok.status_code == 200, ok.json()
    assert [_holder_binding(ok)[k] for k in ("status", "details")] == [
        "passed",
        {"required": True},
    ]


def test_proof_set_with_a_second_party_says_who_signed_what(client: TestClient) -> None:
    signed = ldp_vc(badge())
    both = add_proof(signed, OTHER.sign, kid(OTHER), created=CREATED)
    resp = client.post("/credentials/verify", json={"verifiableCredential": both})
    assert resp.status_code == 200, resp.json()
    proof = next(c for c in resp.json()["report"]["checks"] if c["name"] == "proof")
    assert [(p["controller"], p["signer"]) for p in proof["details"]["proofs"]] == [
        (
            signed["issuer"]["id"] if isinstance(signed["issuer"], dict) else signed["issuer"],
            "issuer",
        ),
        (did(OTHER), "other"),
    ]


@pytest.mark.parametrize(
    ("path", "member", "options", "option"),
    [
        ("/credentials/verify", "verifiableCredential", {"unknownOption": 1}, "unknownOption"),
        ("/credentials/verify", "verifiableCredential", {"checks": ["telepathy"]}, "checks"),
        ("/credentials/verify", "verifiableCredential", {"checks": "proof"}, "checks"),
        ("/credentials/verify", "verifiableCredential", {"challenge": 7}, "challenge"),
        (
            "/credentials/verify",
            "verifiableCredential",
            {"requireHolderBinding": True},
            "requireHolderBinding",
        ),
        (
            "/presentations/verify",
            "verifiablePresentation",
            {"requireHolderBinding": "yes"},
            "requireHolderBinding",
        ),
        (
            "/presentations/verify",
            "verifiablePresentation",
            {"returnCredential": True},
            "returnCredential",
        ),
        ("/presentations/verify", "verifiablePresentation", {"domain": ["a"]}, "domain"),
        # sent as null is not absent; 1 is not true; the first wrong one in the request's order
        ("/credentials/verify", "verifiableCredential", {"challenge": None}, "challenge"),
        ("/credentials/verify", "verifiableCredential", {"returnResults": 1}, "returnResults"),
        ("/credentials/verify", "verifiableCredential", {"checks": ["proof", 1]}, "checks"),
        (
            "/presentations/verify",
            "verifiablePresentation",
            {"domain": 1, "unknownOption": 1},
            "domain",
        ),
        (
            "/presentations/verify",
            "verifiablePresentation",
            {"unknownOption": 1, "domain": 1},
            "unknownOption",
        ),
    ],
)
def test_unknown_or_bad_verify_options_are_400_naming_the_option(
    client: TestClient, path: str, member: str, options: dict[str, Any], option: str
) -> None:
    resp = client.post(path, json={member: ldp_vc(badge()), "options": options})
    assert resp.status_code == 400, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
    assert resp.json()["option"] == option
    assert f"options.{option}" in resp.json()["detail"]


def test_the_test_suites_checks_option_is_understood(client: TestClient) -> None:
    body = {"verifiableCredential": ldp_vc(badge()), "options": {"checks": ["proof"]}}
    resp = client.post("/credentials/verify", json=body)
    assert resp.status_code == 200, resp.json()
    assert resp.json()["verified"] is True
