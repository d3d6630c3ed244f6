"""Metadata, offers and DID documents against the OIDF conformance schemas; key rotation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema

from shared.protocols.oid4vci import well_known_url
from shared.verify.credential import verify_credential
from tests.integration.issuer.conftest import Env, Wallet

SCHEMAS = Path(__file__).resolve().parents[2] / "data" / "oidf-conformance" / "json-schemas"


def schema_errors(doc: Any, name: str) -> list[jsonschema.ValidationError]:
    schema = json.loads((SCHEMAS / name).read_text())
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    return list(validator.iter_errors(doc))


def test_issuer_metadata_validates(env: Env) -> None:
    url = well_known_url(env.org_base)
    assert url == "http://testserver/.well-known/openid-credential-issuer/orgs/demo-association"
    inserted = env.client.get(url.removeprefix("http://testserver")).json()
    appended = env.client.get("/orgs/demo-association/.well-known/openid-credential-issuer").json()
    assert inserted == appended
    assert inserted["credential_issuer"] == env.org_base
    # OpenID4VCI 1.0 §12.2.4: the REQUIRED members
    assert {
        "credential_issuer",
        "credential_endpoint",
        "credential_configurations_supported",
    } <= set(inserted)
    configs = inserted["credential_configurations_supported"]
    assert {c["format"] for c in configs.values()} == {"ldp_vc", "jwt_vc_json", "dc+sd-jwt"}
    for config in configs.values():
        locales = {d["locale"] for d in config["credential_metadata"]["display"]}
        assert locales == {"fr", "en"}
    assert (
        configs["volunteer_ldp_vc"]["credential_metadata"]["display"][0]["name"]
        == "Bénévole — encadrement"
    )
    errors = schema_errors(inserted, "oid4vci/credential_issuer_metadata-1_0.json")
    # The OIDF schema has no ldp_vc branch: it reports credential_definition and
    # credential_signing_alg_values_supported of ldp_vc entries as unevaluated (a warning
    # in the conformance suite). Anything else is a real error.
    real = [
        e
        for e in errors
        if not (
            e.validator == "unevaluatedProperties"
            and list(e.absolute_path)[-1:] in (["volunteer_ldp_vc"],)
        )
    ]
    assert not real, [e.message for e in real]


def test_authorization_server_metadata_validates(env: Env) -> None:
    url = well_known_url(env.org_base, "oauth-authorization-server").removeprefix(
        "http://testserver"
    )
    doc = env.client.get(url).json()
    assert (
        doc
        == env.client.get("/orgs/demo-association/.well-known/oauth-authorization-server").json()
    )
    assert doc["issuer"] == env.org_base  # byte-identical to credential_issuer and the offer
    assert not schema_errors(doc, "rfc8414/oauth_authorization_server_metadata.json")
    # RFC 8414 §2: REQUIRED members (authorization_endpoint only if a grant uses it, and only
    # the pre-authorized grant is offered); response_types_supported a non-empty array
    assert {"issuer", "token_endpoint", "response_types_supported"} <= set(doc)
    assert isinstance(doc["response_types_supported"], list)
    assert doc["response_types_supported"]
    assert doc["grant_types_supported"] == ["urn:ietf:params:oauth:grant-type:pre-authorized_code"]
    assert "authorization_endpoint" not in doc


def test_offer_validates_and_matches_the_issuer(env: Env, wallet: Wallet) -> None:
    for body in ({}, {"tx_code": True, "formats": ["dc+sd-jwt"]}):
        offer = wallet.resolve(env.offer(**body)["offer_uri"])
        assert not schema_errors(offer, "oid4vci/credential_offer-1_0.json")
        assert offer["credential_issuer"] == env.org_base
        assert not offer["credential_issuer"].endswith("/")


def test_credential_request_we_build_validates(env: Env, wallet: Wallet) -> None:
    request = {
        "credential_configuration_id": "volunteer_ldp_vc",
        "proofs": {"jwt": [wallet.proof("n")]},
    }
    assert not schema_errors(request, "oid4vci/credential_request-1_0.json")


def test_unknown_org(env: Env) -> None:
    assert env.client.get("/.well-known/openid-credential-issuer/orgs/nope").status_code == 404
    response = env.client.post("/orgs/nope/token", data={"grant_type": "x"})
    assert response.json()["error"] == "invalid_request"


def test_did_web_document_and_rotation_keeps_old_keys(env: Env, wallet: Wallet) -> None:
    old_credential = wallet.receive("volunteer_ldp_vc")
    doc = env.client.get("/orgs/demo-association/did.json").json()
    did = "did:web:testserver:orgs:demo-association"
    assert doc["id"] == did
    assert doc["assertionMethod"] == [f"{did}#key-1"]
    rotated = env.client.post("/admin/orgs/demo-association/keys/rotate", headers=env.auth)
    assert rotated.status_code == 200
    doc = env.client.get("/orgs/demo-association/did.json").json()
    assert doc["assertionMethod"] == [f"{did}#key-1", f"{did}#key-2"]
    assert doc["authentication"] == [f"{did}#key-2"]
    # the old credential still verifies, and new ones are signed with key-2
    assert verify_credential(json.dumps(old_credential).encode(), env.verify_ctx()).verified
    new_credential = Wallet(env).receive("volunteer_ldp_vc")
    assert new_credential["proof"]["verificationMethod"] == f"{did}#key-2"
    assert verify_credential(json.dumps(new_credential).encode(), env.verify_ctx()).verified
    # the status lists are the issuer's own (same DID) before and after rotation
    for credential in (old_credential, new_credential):
        report = verify_credential(json.dumps(credential).encode(), env.verify_ctx())
        status = report.check("status")
        assert status is not None
        assert (status.status.value, "not revoked" in status.reason) == ("passed", True)
    info = env.client.get("/admin/orgs/demo-association", headers=env.auth).json()
    assert [k["active"] for k in info["keys"]] == [False, True]


def test_did_key_organisation(env: Env) -> None:
    res = env.client.app.state.resources  # type: ignore[attr-defined]
    from issuer.schemas import AchievementIn
    from issuer.service.achievements import create_achievement
    from issuer.service.orgs import create_api_key, create_org

    with res.sessions.begin() as session:
        org = create_org(
            session,
            res.key_store(session),
            base_url="http://testserver",
            slug="conformance",
            kind="school",
            name="Conformance",
            now=env.clock(),
            did_method="key",
        )
        create_achievement(
            session,
            org,
            "http://testserver/orgs/conformance",
            AchievementIn.model_validate(
                {
                    "id": "b",
                    "name": {"en": "B"},
                    "description": {"en": "B"},
                    "criteria": {"en": "B"},
                }
            ),
            env.clock(),
        )
        _, key = create_api_key(session, org, "k", "t", env.clock())
    assert org.did.startswith("did:key:z6Mk")
    assert env.client.get("/orgs/conformance/did.json").status_code == 404
    response = env.client.post(
        "/admin/orgs/conformance/credentials",
        json={"achievement": "b", "recipient": {"name": "X"}, "language": "en"},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 201, response.text
    credential = response.json()["credential"]
    assert credential["issuer"]["id"] == org.did
    assert verify_credential(json.dumps(credential).encode(), env.verify_ctx()).verified
    rotate = env.client.post(
        "/admin/orgs/conformance/keys/rotate", headers={"Authorization": f"Bearer {key}"}
    )
    assert rotate.status_code == 409
