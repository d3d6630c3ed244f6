"""OpenID4VP 1.0 ``direct_post.jwt`` at the verifier (§5.1 client_metadata.jwks, §8.3, §8.3.1).

The request object carries a P-256 ECDH-ES key of that request only; the answer is a compact
JWE in the ``response`` form field. The JWEs here are built with jwcrypto directly (not with
``shared.protocols.response_encryption``), as another wallet would.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from jwcrypto.jwe import JWE
from jwcrypto.jwk import JWK
from sqlalchemy import create_engine, text

from tests.integration.verifier.conftest import Served, auth, request_parameters
from tests.integration.verifier.test_verifier_oid4vp import FORMATS, _present
from tests.unit.verifier.builders import STATUS_URL, badge, status_list
from verifier.settings import VerifierSettings

BASE = "https://verifier.example"


@pytest.fixture(autouse=True)
def _status(served: Served) -> None:
    served.json(STATUS_URL, json.dumps(status_list((7,))).encode())


def _new(
    client: TestClient,
    key: str,
    *,
    mode: str = "direct_post.jwt",
    prefix: str = "decentralized_identifier",
) -> dict[str, Any]:
    resp = client.post(
        "/oid4vp/requests",
        json={"template": "any-badge", "client_id_prefix": prefix, "response_mode": mode},
        headers=auth(key),
    )
    assert resp.status_code == 201, resp.text
    return dict(resp.json())


def _object(client: TestClient, links: dict[str, Any]) -> dict[str, Any]:
    return request_parameters(client, links["request_uri"], BASE)


def _jwe(payload: Any, jwk: dict[str, Any], *, enc: str = "A128GCM", **header: Any) -> str:
    protected = {"alg": "ECDH-ES", "enc": enc, "kid": jwk["kid"], **header}
    raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    token = JWE(raw, protected=json.dumps(protected))
    token.add_recipient(JWK(**{k: jwk[k] for k in ("kty", "crv", "x", "y")}))
    out: str = token.serialize(compact=True)
    return out


def _answer(client: TestClient, obj: dict[str, Any], vp_token: dict[str, Any], **kw: Any) -> Any:
    """The wallet's encrypted answer: {vp_token, state} in a JWE to the request's key."""
    (jwk,) = obj["client_metadata"]["jwks"]["keys"]
    payload = {"vp_token": vp_token, "state": obj["state"]}
    return _post(client, obj, {"response": _jwe(payload, jwk, **kw)})


def _post(client: TestClient, obj: dict[str, Any], form: dict[str, str]) -> Any:
    return client.post(obj["response_uri"].removeprefix(BASE), data=form)


def _result(client: TestClient, links: dict[str, Any]) -> dict[str, Any]:
    return dict(client.get(links["result_url"].removeprefix(BASE)).json())


def test_request_object_offers_a_per_request_encryption_key(
    client: TestClient, api_key: str
) -> None:
    links = _new(client, api_key)
    obj = _object(client, links)
    assert obj["response_mode"] == "direct_post.jwt"
    meta = obj["client_metadata"]
    (jwk,) = meta["jwks"]["keys"]
    assert jwk["kty"] == "EC"
    assert jwk["crv"] == "P-256"
    assert jwk["use"] == "enc"
    assert jwk["alg"] == "ECDH-ES"
    assert jwk["kid"] == JWK(**jwk).thumbprint()
    assert "d" not in jwk
    assert meta["encrypted_response_enc_values_supported"] == ["A128GCM", "A256GCM"]
    assert meta["vp_formats_supported"]
    # the same key each time this request is fetched; another request has another key
    assert _object(client, links)["client_metadata"]["jwks"] == meta["jwks"]
    other = _object(client, _new(client, api_key))["client_metadata"]["jwks"]["keys"][0]
    assert other["kid"] != jwk["kid"]
    assert _result(client, links)["response_mode"] == "direct_post.jwt"


def test_direct_post_request_has_no_encryption_metadata(client: TestClient, api_key: str) -> None:
    meta = _object(client, _new(client, api_key, mode="direct_post"))["client_metadata"]
    assert "jwks" not in meta
    assert "encrypted_response_enc_values_supported" not in meta


def test_unknown_response_mode_is_refused(client: TestClient, api_key: str) -> None:
    resp = client.post(
        "/oid4vp/requests",
        json={"template": "any-badge", "response_mode": "fragment"},
        headers=auth(api_key),
    )
    assert resp.status_code == 400


def test_no_private_key_is_stored(
    client: TestClient, api_key: str, settings: VerifierSettings
) -> None:
    engine = create_engine(settings.database_url)
    with engine.connect() as conn:
        before = conn.execute(text("select id from keys")).scalars().all()
    _object(client, _new(client, api_key))
    with engine.connect() as conn:
        assert conn.execute(text("select id from keys")).scalars().all() == before
    engine.dispose()


@pytest.mark.parametrize("enc", ["A128GCM", "A256GCM"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_encrypted_answer_accepted_in_each_format(
    client: TestClient, api_key: str, fmt: str, enc: str
) -> None:
    links = _new(client, api_key)
    obj = _object(client, links)
    qid, presentation = _present(fmt, badge(status_index=3), obj)
    resp = _answer(client, obj, {qid: [presentation]}, enc=enc)
    assert resp.status_code == 200, resp.text
    result = _result(client, links)
    assert result["status"] == "answered"
    assert result["verified"] is True, result
    assert list(result["result"]["presentations"]) == [qid]


@pytest.mark.parametrize("prefix", ["decentralized_identifier", "redirect_uri"])
def test_signed_or_by_value_request_with_direct_post_jwt(
    client: TestClient, api_key: str, prefix: str
) -> None:
    """Signed by reference, or unsigned by value with the key in the link's client_metadata."""
    links = _new(client, api_key, prefix=prefix)
    obj = _object(client, links)
    if prefix == "redirect_uri":
        assert obj["header"] is None  # by value
        assert links["request_object_uri"] is None
    else:
        assert obj["header"]["alg"] == "EdDSA"
    qid, presentation = _present("ldp_vc", badge(), obj)
    assert _answer(client, obj, {qid: [presentation]}).status_code == 200
    assert _result(client, links)["verified"] is True


def _refused_and_still_pending(resp: Any, client: TestClient, links: dict[str, Any]) -> str:
    assert resp.status_code == 400, resp.text
    body = resp.json()
    assert body["error"] == "invalid_request"
    status = _result(client, links)
    assert status["status"] == "pending"  # nothing accepted, nothing stored
    assert "result" not in status
    return str(body["error_description"])


def _flip(token: str, part: int) -> str:
    parts = token.split(".")
    value = parts[part]
    parts[part] = ("A" if value[0] != "A" else "B") + value[1:]
    return ".".join(parts)


@pytest.mark.parametrize(("part", "why"), [(0, ""), (2, ""), (3, "decrypt"), (4, "decrypt")])
def test_tampered_jwe_is_refused_and_the_request_stays_usable(
    client: TestClient, api_key: str, part: int, why: str
) -> None:
    links = _new(client, api_key)
    obj = _object(client, links)
    (jwk,) = obj["client_metadata"]["jwks"]["keys"]
    qid, presentation = _present("jwt_vc_json", badge(), obj)
    token = _jwe({"vp_token": {qid: [presentation]}, "state": obj["state"]}, jwk)
    detail = _refused_and_still_pending(
        _post(client, obj, {"response": _flip(token, part)}), client, links
    )
    assert why in detail
    # the genuine answer still gets through: a bad post did not use up the request
    assert _post(client, obj, {"response": token}).status_code == 200
    assert _result(client, links)["verified"] is True


def test_jwe_to_another_key_is_refused(client: TestClient, api_key: str) -> None:
    links = _new(client, api_key)
    obj = _object(client, links)
    other = _object(client, _new(client, api_key))["client_metadata"]["jwks"]["keys"][0]
    qid, presentation = _present("ldp_vc", badge(), obj)
    payload = {"vp_token": {qid: [presentation]}, "state": obj["state"]}
    # encrypted to another request's key: refused by kid, and without kid by decryption
    _refused_and_still_pending(
        _post(client, obj, {"response": _jwe(payload, other)}), client, links
    )
    stranger = JWK.generate(kty="EC", crv="P-256").export_public(as_dict=True)
    stranger["kid"] = obj["client_metadata"]["jwks"]["keys"][0]["kid"]
    detail = _refused_and_still_pending(
        _post(client, obj, {"response": _jwe(payload, stranger)}), client, links
    )
    assert "decrypt" in detail


def test_jwe_with_a_refused_algorithm(client: TestClient, api_key: str) -> None:
    links = _new(client, api_key)
    obj = _object(client, links)
    qid, presentation = _present("ldp_vc", badge(), obj)
    payload = json.dumps({"vp_token": {qid: [presentation]}, "state": obj["state"]}).encode()
    secret = JWK.generate(kty="oct", size=128)
    direct = JWE(payload, protected=json.dumps({"alg": "dir", "enc": "A128GCM"}))
    direct.add_recipient(secret)
    detail = _refused_and_still_pending(
        _post(client, obj, {"response": direct.serialize(compact=True)}), client, links
    )
    assert "alg" in detail
    (jwk,) = obj["client_metadata"]["jwks"]["keys"]
    cbc = _jwe(json.loads(payload), jwk, enc="A128CBC-HS256")
    assert "enc" in _refused_and_still_pending(_post(client, obj, {"response": cbc}), client, links)


def test_plain_answer_to_an_encrypted_request_is_refused(client: TestClient, api_key: str) -> None:
    links = _new(client, api_key)
    obj = _object(client, links)
    qid, presentation = _present("jwt_vc_json", badge(), obj)
    form = {"vp_token": json.dumps({qid: [presentation]}), "state": obj["state"]}
    detail = _refused_and_still_pending(_post(client, obj, form), client, links)
    assert "direct_post.jwt" in detail


def test_encrypted_answer_to_a_plain_request_is_refused(client: TestClient, api_key: str) -> None:
    links = _new(client, api_key, mode="direct_post")
    obj = _object(client, links)
    key = JWK.generate(kty="EC", crv="P-256").export_public(as_dict=True)
    key["kid"] = "k"
    qid, presentation = _present("jwt_vc_json", badge(), obj)
    token = _jwe({"vp_token": {qid: [presentation]}, "state": obj["state"]}, key)
    _refused_and_still_pending(_post(client, obj, {"response": token}), client, links)


def test_payload_that_is_not_a_response_is_refused(client: TestClient, api_key: str) -> None:
    links = _new(client, api_key)
    obj = _object(client, links)
    (jwk,) = obj["client_metadata"]["jwks"]["keys"]
    for payload in (b"not json", b"[1, 2]", json.dumps({"state": obj["state"]}).encode()):
        _refused_and_still_pending(
            _post(client, obj, {"response": _jwe(payload, jwk)}), client, links
        )


def test_replayed_encrypted_answer_is_refused(client: TestClient, api_key: str) -> None:
    obj = _object(client, _new(client, api_key))
    qid, presentation = _present("dc+sd-jwt", badge(), obj)
    (jwk,) = obj["client_metadata"]["jwks"]["keys"]
    token = _jwe({"vp_token": {qid: [presentation]}, "state": obj["state"]}, jwk)
    assert _post(client, obj, {"response": token}).status_code == 200
    again = _post(client, obj, {"response": token})
    assert again.status_code == 400
    assert "replay" in again.json()["error_description"]


def test_state_inside_the_jwe_must_match(client: TestClient, api_key: str) -> None:
    links = _new(client, api_key)
    obj = _object(client, links)
    qid, presentation = _present("ldp_vc", badge(), obj)
    resp = _answer(client, {**obj, "state": "another-state"}, {qid: [presentation]})
    assert resp.status_code == 400
    assert "state" in resp.json()["error_description"]
    assert _result(client, links)["verified"] is False


def test_wallet_error_may_come_unencrypted(client: TestClient, api_key: str) -> None:
    """§8.3.1: a wallet unable to encrypt MAY send its error response without encryption."""
    links = _new(client, api_key)
    obj = _object(client, links)
    resp = _post(client, obj, {"error": "access_denied", "state": obj["state"]})
    assert resp.status_code == 200  # acknowledged: the recruiter's page turns to "refused"
    status = _result(client, links)
    assert status["status"] == "refused"
    assert status["verified"] is False
    assert status["result"]["error"] == "access_denied"
