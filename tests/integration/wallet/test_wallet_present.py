"""Presenting over OpenID4VP 1.0 to a verifier served over real HTTP on 127.0.0.1, and the
requests that must be refused with nothing sent."""

from __future__ import annotations

from typing import Any

import pytest

from shared.keys import PrivateKey
from tests.unit.wallet.fake_verifier import FakeVerifier, dcql
from tests.unit.wallet.testkit import Holder, IssuerKit


@pytest.mark.parametrize(
    ("fmt", "signed"), [("ldp_vc", False), ("jwt_vc_json", True), ("ldp_vc", True)]
)
def test_present_w3c_formats(
    verifier: FakeVerifier, alice: Holder, kit: IssuerKit, fmt: str, signed: bool
) -> None:
    if fmt == "ldp_vc":
        cid = alice.import_credential(kit.ldp(alice.did, name="Animateur"))["id"]
    else:
        cid = alice.import_credential(kit.vc_jwt(alice.did, name="Animateur"))["id"]
    link = verifier.request_link(
        dcql(fmt, [["credentialSubject", "achievement", "name"]]), signed=signed
    )
    opened = alice.post("/api/presentations", json={"request": link})
    assert opened.status_code == 201, opened.text
    pending = opened.json()
    assert pending["verifier"]["name"] == "Recruteur Démo"
    assert pending["satisfied"] is True
    option = pending["queries"][0]["options"][0]
    assert option["credential_id"] == cid
    assert option["selective"] is False
    assert verifier.received == []  # nothing sent before consent
    answer = alice.post(f"/api/presentations/{pending['id']}/consent", json={})
    assert answer.status_code == 200, answer.text
    assert answer.json()["response"]["verified"] is True, verifier.reports
    logged = alice.get("/api/history", params={"kind": "presented"}).json()["entries"]
    assert logged[0]["verifier"].startswith(("redirect_uri:", "decentralized_identifier:"))
    assert logged[0]["credentials"][0]["credential_id"] == cid
    assert logged[0]["credentials"][0]["claims"] == "all"


def test_present_sd_jwt_discloses_only_what_the_person_chose(
    verifier: FakeVerifier, alice: Holder, kit: IssuerKit
) -> None:
    cid = alice.import_credential(kit.sd_jwt(alice.did, name="Note 4,8/5"))["id"]
    link = verifier.request_link(dcql("dc+sd-jwt", [["achievement", "name"]]))
    pending = alice.post("/api/presentations", json={"request": link}).json()
    option = pending["queries"][0]["options"][0]
    assert option["selective"] is True
    assert ["credentialSubject"] in option["disclosable"]
    assert "credentialSubject" not in option["disclosed"]
    answer = alice.post(
        f"/api/presentations/{pending['id']}/consent",
        json={
            "selections": {"badge": {"credential_id": cid, "disclose": [["achievement", "name"]]}}
        },
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["response"]["verified"] is True, verifier.reports
    report = verifier.reports[-1]
    shown = report.get("credential") or report["credentials"][0]["credential"]
    assert shown["achievement"]["name"] == "Note 4,8/5"
    assert "credentialSubject" not in shown
    entry = alice.get("/api/history").json()["entries"][0]
    assert entry["credentials"][0]["claims"] == [["achievement", "name"]]
    export = alice.get("/api/history/export")
    assert export.status_code == 200
    assert "Note 4,8/5" in export.text


def test_pairwise_key_is_per_verifier(
    verifier: FakeVerifier, alice: Holder, kit: IssuerKit
) -> None:
    alice.import_credential(kit.vc_jwt(alice.did))
    dids = []
    for _ in range(2):
        pending = alice.post(
            "/api/presentations",
            json={"request": verifier.request_link(dcql("jwt_vc_json"), signed=True)},
        ).json()
        alice.post(f"/api/presentations/{pending['id']}/consent", json={"pairwise": True})
        dids.append(alice.get("/api/history").json()["entries"][0]["pairwise_did"])
    assert dids[0] == dids[1]
    assert dids[0] != alice.did
    verifier.key = PrivateKey.generate("Ed25519")  # another verifier: another client_id
    pending = alice.post(
        "/api/presentations",
        json={"request": verifier.request_link(dcql("jwt_vc_json"), signed=True)},
    ).json()
    alice.post(f"/api/presentations/{pending['id']}/consent", json={"pairwise": True})
    assert alice.get("/api/history").json()["entries"][0]["pairwise_did"] not in {
        dids[0],
        alice.did,
    }


def test_tampered_signed_request_is_refused(
    verifier: FakeVerifier, alice: Holder, kit: IssuerKit
) -> None:
    alice.import_credential(kit.vc_jwt(alice.did))
    resp = alice.post(
        "/api/presentations",
        json={"request": verifier.request_link(dcql("jwt_vc_json"), signed=True, tamper=True)},
    )
    assert resp.status_code == 400
    assert resp.json()["type"].endswith("#request-refused")
    assert "signature" in resp.json()["detail"]
    assert verifier.received == []


def test_unknown_client_id_prefix_is_refused(
    verifier: FakeVerifier, alice: Holder, kit: IssuerKit
) -> None:
    alice.import_credential(kit.vc_jwt(alice.did))
    for client_id in ("verifier_attestation:verifier.example", "https://verifier.example"):
        link = verifier.request_link(dcql("jwt_vc_json"), client_id=client_id)
        resp = alice.post("/api/presentations", json={"request": link})
        assert resp.status_code == 400
        assert "prefix" in resp.json()["detail"]
    assert verifier.received == []


def test_response_uri_on_another_host_is_refused(
    verifier: FakeVerifier, alice: Holder, kit: IssuerKit
) -> None:
    alice.import_credential(kit.vc_jwt(alice.did))
    link = verifier.request_link(
        dcql("jwt_vc_json"),
        client_id="redirect_uri:https://verifier.example/response",
        response_uri=f"{verifier.base}/response/x",
    )
    resp = alice.post("/api/presentations", json={"request": link})
    assert resp.status_code == 400
    assert "response_uri" in resp.json()["detail"]
    assert verifier.received == []


def test_did_web_client_must_answer_on_its_own_host(verifier: FakeVerifier) -> None:
    from wallet.errors import RequestRefusedError
    from wallet.service.presentation_request import check_response_uri

    check_response_uri(
        "decentralized_identifier:did:web:verifier.example", "https://verifier.example/cb"
    )
    with pytest.raises(RequestRefusedError):
        check_response_uri(
            "decentralized_identifier:did:web:verifier.example", "https://evil.example/cb"
        )


def test_no_matching_credential(verifier: FakeVerifier, alice: Holder) -> None:
    pending = alice.post(
        "/api/presentations", json={"request": verifier.request_link(dcql("ldp_vc"))}
    ).json()
    assert pending["satisfied"] is False
    resp = alice.post(f"/api/presentations/{pending['id']}/consent", json={})
    assert resp.status_code == 400
    assert verifier.received == []


# --------------------------------------------------------------------------- direct_post.jwt


@pytest.mark.parametrize(
    ("fmt", "encs", "expected_enc"),
    [
        ("jwt_vc_json", None, "A128GCM"),  # §8.3: A128GCM when the verifier lists none
        ("ldp_vc", ["A256GCM", "A128GCM"], "A256GCM"),
        ("dc+sd-jwt", ["A128CBC-HS256", "A256GCM"], "A256GCM"),  # the first one we support
    ],
)
def test_present_with_direct_post_jwt(
    verifier: FakeVerifier,
    alice: Holder,
    kit: IssuerKit,
    fmt: str,
    encs: list[str] | None,
    expected_enc: str,
) -> None:
    """The answer is one ``response`` field: a JWE to the verifier's client_metadata.jwks key,
    whose payload holds vp_token (an object) and state (OpenID4VP 1.0 §8.3, §8.3.1)."""
    if fmt == "ldp_vc":
        alice.import_credential(kit.ldp(alice.did))
    elif fmt == "jwt_vc_json":
        alice.import_credential(kit.vc_jwt(alice.did))
    else:
        alice.import_credential(kit.sd_jwt(alice.did))
    metadata: dict[str, Any] = {"jwks": {"keys": [verifier.enc_jwk()]}}
    if encs is not None:
        metadata["encrypted_response_enc_values_supported"] = encs
    link = verifier.request_link(
        dcql(fmt), response_mode="direct_post.jwt", client_metadata=metadata
    )
    pending = alice.post("/api/presentations", json={"request": link}).json()
    assert pending["verifier"]["encrypted"] is True
    answer = alice.post(f"/api/presentations/{pending['id']}/consent", json={})
    assert answer.status_code == 200, answer.text
    assert answer.json()["response"]["verified"] is True, verifier.reports
    (form,) = verifier.received
    assert set(form) == {"response"}  # nothing in the clear: no vp_token, no state
    assert form["response"].count(".") == 4  # compact JWE
    (header,) = verifier.jwe_headers
    assert header["alg"] == "ECDH-ES"
    assert header["enc"] == expected_enc
    assert header["kid"] == "enc-1"
    assert header["epk"]["crv"] == "P-256"
    assert answer.json()["response"]["state"]  # the state travelled inside the JWE


@pytest.mark.parametrize(
    ("metadata", "why"),
    [
        ({}, "no keys"),
        ({"jwks": {"keys": []}}, "no keys"),
        ({"jwks": {"keys": ["SIG"]}}, "use"),
        ({"jwks": {"keys": ["NOALG"]}}, "alg"),
        ({"jwks": {"keys": ["RSA"]}}, "alg"),
        ({"jwks": {"keys": ["DIR"]}}, "alg"),
        ({"jwks": {"keys": ["P384"]}}, "curve"),
        (
            {
                "jwks": {"keys": ["OK"]},
                "encrypted_response_enc_values_supported": ["A128CBC-HS256"],
            },
            "enc",
        ),
    ],
)
def test_direct_post_jwt_without_a_usable_key_is_refused(
    verifier: FakeVerifier, alice: Holder, kit: IssuerKit, metadata: dict[str, Any], why: str
) -> None:
    alice.import_credential(kit.vc_jwt(alice.did))
    keys = {
        "OK": verifier.enc_jwk(),
        "SIG": verifier.enc_jwk(use="sig"),
        "NOALG": {k: v for k, v in verifier.enc_jwk().items() if k != "alg"},
        "RSA": verifier.enc_jwk(alg="RSA-OAEP-256"),
        "DIR": verifier.enc_jwk(alg="dir"),
        "P384": verifier.enc_jwk(crv="P-384"),
    }
    if "jwks" in metadata:
        metadata = {**metadata, "jwks": {"keys": [keys[k] for k in metadata["jwks"]["keys"]]}}
    link = verifier.request_link(
        dcql("jwt_vc_json"), response_mode="direct_post.jwt", client_metadata=metadata
    )
    resp = alice.post("/api/presentations", json={"request": link})
    assert resp.status_code == 400, resp.text
    assert resp.json()["type"].endswith("#request-refused")
    assert "direct_post.jwt" in resp.json()["detail"]
    assert why in resp.json()["detail"]
    assert verifier.received == []


@pytest.mark.parametrize("mode", ["direct_post", "direct_post.jwt"])
def test_present_to_an_unsigned_request_by_value(
    verifier: FakeVerifier, alice: Holder, kit: IssuerKit, mode: str
) -> None:
    """OpenID4VP 1.0 §5: a request passed by value carries its JSON parameters (dcql_query,
    client_metadata) JSON-encoded in the link; with direct_post.jwt the answer is encrypted to
    the key in that client_metadata.jwks (§8.3), so client_metadata must be read as JSON."""
    alice.import_credential(kit.vc_jwt(alice.did))
    link = verifier.request_link(dcql("jwt_vc_json"), response_mode=mode, by_value=True)
    assert "request_uri=" not in link
    assert "client_metadata=" in link
    opened = alice.post("/api/presentations", json={"request": link})
    assert opened.status_code == 201, opened.text
    pending = opened.json()
    assert pending["verifier"]["name"] == "Recruteur Démo"  # read from client_metadata
    assert pending["verifier"]["encrypted"] is (mode == "direct_post.jwt")
    answer = alice.post(f"/api/presentations/{pending['id']}/consent", json={})
    assert answer.status_code == 200, answer.text
    assert answer.json()["response"]["verified"] is True, verifier.reports
    (form,) = verifier.received
    assert ("response" in form) is (mode == "direct_post.jwt")


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("{not json", "client_metadata is not JSON"),
        ("[1, 2]", "client_metadata must be a JSON object"),
        ('"a string"', "client_metadata must be a JSON object"),
        ("[" * 5000 + "]" * 5000, "client_metadata is not JSON"),  # too deep
    ],
)
def test_hostile_client_metadata_by_value_is_refused(
    verifier: FakeVerifier, alice: Holder, value: str, why: str
) -> None:
    from urllib.parse import parse_qsl, urlencode

    link = verifier.request_link(dcql("jwt_vc_json"), by_value=True)
    params = dict(parse_qsl(link.split("?", 1)[1]))
    params["client_metadata"] = value
    resp = alice.post("/api/presentations", json={"request": "openid4vp://?" + urlencode(params)})
    assert resp.status_code == 400, resp.text
    assert resp.json()["type"].endswith("#request-refused")
    assert why in resp.json()["detail"]
    assert verifier.received == []
