"""OpenID4VP 1.0 through the HTTP API, with presentations built in Python in each format."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from tests.integration.verifier.conftest import Served, auth, request_parameters
from tests.unit.verifier.builders import (
    ISSUER,
    OTHER,
    STATUS_URL,
    badge,
    did,
    ldp_vc,
    ldp_vp,
    sd_jwt_presentation,
    sd_jwt_vc,
    status_list,
    vc_jwt,
    vp_jwt,
)


@pytest.fixture(autouse=True)
def _status(served: Served) -> None:
    served.json(STATUS_URL, json.dumps(status_list((7,))).encode())


def _new(client: TestClient, key: str, template: str, prefix: str | None = None) -> dict[str, Any]:
    """A request; with no prefix, the API's default one."""
    body = (
        {"template": template}
        if prefix is None
        else {"template": template, "client_id_prefix": prefix}
    )
    resp = client.post("/oid4vp/requests", json=body, headers=auth(key))
    assert resp.status_code == 201, resp.text
    answer: dict[str, Any] = resp.json()
    return answer


def _request_object(client: TestClient, links: dict[str, Any]) -> dict[str, Any]:
    return request_parameters(client, links["request_uri"], "https://verifier.example")


def _answer(client: TestClient, obj: dict[str, Any], vp_token: dict[str, Any]) -> Any:
    return client.post(
        obj["response_uri"].removeprefix("https://verifier.example"),
        data={"vp_token": json.dumps(vp_token), "state": obj["state"]},
    )


def _present(
    fmt: str, credential: dict[str, Any], obj: dict[str, Any], aud: str | None = None
) -> tuple[str, Any]:
    nonce, aud = obj["nonce"], aud or obj["client_id"]
    if fmt == "ldp_vc":
        return "badge_ldp", ldp_vp([ldp_vc(credential)], challenge=nonce, domain=aud)
    if fmt == "jwt_vc_json":
        return "badge_jwt", vp_jwt(
            [vc_jwt(credential, profile="vc+jwt")], nonce=nonce, audience=aud
        )
    disclose: tuple[tuple[Any, ...], ...] = (("credentialSubject",),)
    if "result" in credential["credentialSubject"]:
        disclose += (
            ("credentialSubject", "result", 0),
            ("credentialSubject", "result", 0, "value"),
        )
    return "badge_sd_jwt", sd_jwt_presentation(
        sd_jwt_vc(credential), nonce=nonce, audience=aud, disclose=disclose
    )


FORMATS = ["ldp_vc", "jwt_vc_json", "dc+sd-jwt"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_any_badge_accepted_in_each_format(client: TestClient, api_key: str, fmt: str) -> None:
    links = _new(client, api_key, "any-badge")
    obj = _request_object(client, links)
    # the default: signed with the verifier's DID, by reference (RFC 9101; OpenID4VP 1.0 §5.10)
    assert obj["header"]["alg"] == "EdDSA"
    assert obj["client_id"].startswith("decentralized_identifier:did:web:")
    assert obj["response_mode"] == "direct_post"
    qid, presentation = _present(fmt, badge(status_index=3), obj)
    resp = _answer(client, obj, {qid: [presentation]})
    assert resp.status_code == 200, resp.text
    result = client.get(links["result_url"].removeprefix("https://verifier.example")).json()
    assert result["status"] == "answered"
    assert result["verified"] is True, result
    # any-badge: any issuer, but the report still says whether it is trusted
    report = result["result"]["presentations"][qid][0]
    trust = report["trust"][0] if isinstance(report["trust"], list) else report["trust"]
    assert trust["trusted"] is False
    assert trust["issuer"] == did(ISSUER)


def test_fresh_nonce_and_state_per_request(client: TestClient, api_key: str) -> None:
    a = _request_object(client, _new(client, api_key, "any-badge"))
    b = _request_object(client, _new(client, api_key, "any-badge"))
    assert a["nonce"] != b["nonce"]
    assert a["state"] != b["state"]


def test_replayed_presentation_is_refused(client: TestClient, api_key: str) -> None:
    obj = _request_object(client, _new(client, api_key, "any-badge"))
    qid, presentation = _present("jwt_vc_json", badge(), obj)
    assert _answer(client, obj, {qid: [presentation]}).status_code == 200
    again = _answer(client, obj, {qid: [presentation]})
    assert again.status_code == 400
    assert "replay" in again.json()["error_description"]


def test_presentation_for_another_request_is_refused(client: TestClient, api_key: str) -> None:
    first = _request_object(client, _new(client, api_key, "any-badge"))
    second = _request_object(client, _new(client, api_key, "any-badge"))
    qid, presentation = _present("ldp_vc", badge(), first)
    assert _answer(client, second, {qid: [presentation]}).status_code == 400


@pytest.mark.parametrize("fmt", FORMATS)
def test_presentation_for_another_verifier_is_refused(
    client: TestClient, api_key: str, fmt: str
) -> None:
    links = _new(client, api_key, "any-badge")
    obj = _request_object(client, links)
    # the bare URL (no prefix) is another audience: aud must be the full client_id
    qid, presentation = _present(fmt, badge(), obj, aud=obj["response_uri"])
    resp = _answer(client, obj, {qid: [presentation]})
    assert resp.status_code == 400
    result = client.get(links["result_url"].removeprefix("https://verifier.example")).json()
    assert result["verified"] is False
    assert any(
        "not bound" in p or "challenge" in p or "does not verify" in p
        for p in result["result"]["problems"]
    )


def test_missing_required_claim_is_refused(client: TestClient, api_key: str) -> None:
    obj = _request_object(client, _new(client, api_key, "rating"))
    token = sd_jwt_vc(badge(rating="4.8"))
    presentation = sd_jwt_presentation(
        token, nonce=obj["nonce"], audience=obj["client_id"], disclose=()
    )
    resp = _answer(client, obj, {"badge_sd_jwt": [presentation]})
    assert resp.status_code == 400
    assert "missing" in resp.json()["error_description"]


# the rating template: tests/integration/verifier/test_verifier_rating.py


def test_volunteering_requires_a_trusted_issuer(client: TestClient, api_key: str) -> None:
    obj = _request_object(client, _new(client, api_key, "volunteering"))
    qid, presentation = _present("ldp_vc", badge(), obj)
    refused = _answer(client, obj, {qid: [presentation]})
    assert refused.status_code == 400
    assert "trust registry" in refused.json()["error_description"]
    client.post(
        "/trust/issuers",
        json={"kind": "did", "value": did(ISSUER), "name": "Association Démo"},
        headers=auth(api_key),
    ).raise_for_status()
    obj = _request_object(client, _new(client, api_key, "volunteering"))
    qid, presentation = _present("ldp_vc", badge(), obj)
    assert _answer(client, obj, {qid: [presentation]}).status_code == 200


def test_volunteering_value_constraint(client: TestClient, api_key: str) -> None:
    client.post(
        "/trust/issuers",
        json={"kind": "did", "value": did(ISSUER), "name": "Association Démo"},
        headers=auth(api_key),
    ).raise_for_status()
    obj = _request_object(client, _new(client, api_key, "volunteering"))
    qid, presentation = _present("dc+sd-jwt", badge(achievement_type="Course"), obj)
    resp = _answer(client, obj, {qid: [presentation]})
    assert resp.status_code == 400
    assert "not one of" in resp.json()["error_description"]


def test_revoked_credential_is_refused(client: TestClient, api_key: str) -> None:
    obj = _request_object(client, _new(client, api_key, "any-badge"))
    qid, presentation = _present("jwt_vc_json", badge(status_index=7), obj)
    resp = _answer(client, obj, {qid: [presentation]})
    assert resp.status_code == 400
    assert "revoked" in resp.json()["error_description"]


def test_holder_is_not_the_subject(client: TestClient, api_key: str) -> None:
    obj = _request_object(client, _new(client, api_key, "any-badge"))
    vp = ldp_vp([ldp_vc(badge())], challenge=obj["nonce"], domain=obj["client_id"], holder=OTHER)
    assert _answer(client, obj, {"badge_ldp": [vp]}).status_code == 400


def test_signed_decentralized_identifier_request(client: TestClient, api_key: str) -> None:
    obj = _request_object(
        client, _new(client, api_key, "any-badge", prefix="decentralized_identifier")
    )
    assert obj["client_id"].startswith("decentralized_identifier:did:web:verifier.example")
    assert obj["header"]["alg"] == "EdDSA"
    assert obj["header"]["typ"] == "oauth-authz-req+jwt"
    # kid is a DID URL of the client_id's DID; no `iss` holding the prefixed client_id, which
    # a reference wallet (@openid4vc/openid4vp 0.4) refuses as a DID other than kid's
    assert obj["header"]["kid"].split("#")[0] == obj["client_id"].removeprefix(
        "decentralized_identifier:"
    )
    assert "iss" not in obj
    did_doc = client.get("/.well-known/did.json").json()
    from shared.did.document import DidDocument
    from shared.proofs.jose import parse_jws, verify_jws

    token = client.get(
        parse_qs(
            urlsplit(
                _new(client, api_key, "any-badge", prefix="decentralized_identifier")["request_uri"]
            ).query
        )["request_uri"][0].removeprefix("https://verifier.example")
    ).text
    jws = parse_jws(token)
    vm = DidDocument.parse(did_doc["id"], did_doc).verification_method(jws.kid or "")
    verify_jws(jws, vm.public_key)
    qid, presentation = _present("ldp_vc", badge(), obj)
    assert _answer(client, obj, {qid: [presentation]}).status_code == 200


@pytest.mark.parametrize("fmt", FORMATS)
def test_redirect_uri_request_is_passed_by_value(
    client: TestClient, api_key: str, fmt: str
) -> None:
    """OpenID4VP 1.0 §5.9.3: a redirect_uri: request cannot be signed; RFC 9101 §5.2 wants a
    signed JWT behind request_uri, so the request travels by value and no unsigned request
    object is ever served."""
    links = _new(client, api_key, "any-badge", prefix="redirect_uri")
    assert links["request_object_uri"] is None
    obj = _request_object(client, links)
    assert obj["header"] is None  # by value: the parameters are in the link
    assert obj["client_id"] == "redirect_uri:" + obj["response_uri"]
    assert obj["client_metadata"]["client_name"]
    assert {"aud", "iat", "exp"}.isdisjoint(obj)  # JWT claims are not request parameters
    # the endpoint that would have served it by reference refuses
    fetched = client.get(
        obj["response_uri"]
        .replace("/response/", "/request/")
        .removeprefix("https://verifier.example")
    )
    assert fetched.status_code == 404
    assert fetched.headers["content-type"].startswith("application/problem+json")
    assert "by value" in fetched.json()["detail"]
    qid, presentation = _present(fmt, badge(status_index=3), obj)
    assert _answer(client, obj, {qid: [presentation]}).status_code == 200
    result = client.get(links["result_url"].removeprefix("https://verifier.example")).json()
    assert result["verified"] is True, result


def test_creating_a_request_needs_authentication(client: TestClient) -> None:
    resp = client.post("/oid4vp/requests", json={"template": "any-badge"})
    assert resp.status_code == 401
    assert resp.headers["content-type"].startswith("application/problem+json")


def test_unknown_template(client: TestClient, api_key: str) -> None:
    resp = client.post("/oid4vp/requests", json={"template": "nope"}, headers=auth(api_key))
    assert resp.status_code == 400


def test_qr_code(client: TestClient, api_key: str) -> None:
    links = _new(client, api_key, "any-badge")
    svg = client.get(links["qr_url"].removeprefix("https://verifier.example"))
    assert svg.status_code == 200
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert b"<svg" in svg.content


# ------------------------------------------------------------ refusals (OpenID4VP 1.0 §8.5)


def _error(client: TestClient, obj: dict[str, Any], **form: str) -> Any:
    return client.post(obj["response_uri"].removeprefix("https://verifier.example"), data=form)


def test_a_refusal_closes_the_request_at_once(client: TestClient, api_key: str) -> None:
    links = _new(client, api_key, "any-badge")
    obj = _request_object(client, links)
    resp = _error(
        client,
        obj,
        error="access_denied",
        state=obj["state"],
        error_description="the holder declined",
    )
    assert resp.status_code == 200, resp.text
    status = client.get(f"/oid4vp/requests/{links['id']}").json()
    assert status["status"] == "refused"
    assert status["verified"] is False
    assert status["result"]["error"] == "access_denied"
    # closed: neither a presentation nor another error is taken afterwards
    qid, vp = _present("ldp_vc", badge(), obj)
    assert _answer(client, obj, {qid: [vp]}).status_code == 400
    assert _error(client, obj, error="access_denied", state=obj["state"]).status_code == 400
    key = obj["response_uri"].rsplit("/", 1)[1]
    assert client.get(f"/oid4vp/request/{key}").status_code == 410  # the wallet is told: gone


def test_a_refusal_for_another_state_is_refused(client: TestClient, api_key: str) -> None:
    links = _new(client, api_key, "any-badge")
    obj = _request_object(client, links)
    resp = _error(client, obj, error="access_denied", state="someone-else")
    assert resp.status_code == 400
    assert client.get(f"/oid4vp/requests/{links['id']}").json()["status"] == "pending"


def test_a_hostile_error_answer_is_kept_short_and_as_text(client: TestClient, api_key: str) -> None:
    links = _new(client, api_key, "any-badge")
    obj = _request_object(client, links)
    huge = "<script>" + "x" * 100_000
    assert _error(client, obj, error=huge, error_description=huge).status_code == 200
    result = client.get(f"/oid4vp/requests/{links['id']}").json()["result"]
    assert len(result["error"]) <= 300
    assert len(result["error_description"]) <= 300
