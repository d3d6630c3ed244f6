"""Each refused request gets the spec's error and issues nothing."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from shared.encoding.base64url import b64url_encode
from shared.protocols.oid4vci import PROOF_TYP
from tests.integration.issuer.conftest import Env, Wallet


def issued_count(env: Env) -> int:
    response = env.client.get("/admin/orgs/demo-association/credentials", headers=env.auth)
    assert response.status_code == 200
    return len(response.json())


def token_for(env: Env, wallet: Wallet, **offer_body: Any) -> str:
    created = env.offer(**offer_body)
    response = wallet.token(wallet.resolve(created["offer_uri"]), created.get("tx_code"))
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def assert_oauth_error(response: Any, error: str, status: int = 400) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["error"] == error


def test_token_response_shape(env: Env, wallet: Wallet) -> None:
    created = env.offer()
    response = wallet.token(wallet.resolve(created["offer_uri"]), resource=env.org_base)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] > 0
    assert response.headers["cache-control"] == "no-store"


def test_reused_pre_authorized_code(env: Env, wallet: Wallet) -> None:
    offer = wallet.resolve(env.offer()["offer_uri"])
    assert wallet.token(offer).status_code == 200
    assert_oauth_error(wallet.token(offer), "invalid_grant")
    assert issued_count(env) == 0


def test_expired_pre_authorized_code(env: Env, wallet: Wallet) -> None:
    offer = wallet.resolve(env.offer()["offer_uri"])
    env.clock.advance(minutes=10, seconds=1)
    assert_oauth_error(wallet.token(offer), "invalid_grant")
    assert issued_count(env) == 0


def test_unknown_code_and_grant_type(env: Env, wallet: Wallet) -> None:
    response = env.client.post(
        "/orgs/demo-association/token",
        data={
            "grant_type": "urn:ietf:params:oauth:grant-type:pre-authorized_code",
            "pre-authorized_code": "nope",
        },
    )
    assert_oauth_error(response, "invalid_grant")
    response = env.client.post(
        "/orgs/demo-association/token", data={"grant_type": "authorization_code"}
    )
    assert_oauth_error(response, "unsupported_grant_type")


def test_resource_of_another_issuer_is_refused(env: Env, wallet: Wallet) -> None:
    offer = wallet.resolve(env.offer()["offer_uri"])
    assert_oauth_error(wallet.token(offer, resource="https://elsewhere.example"), "invalid_target")


def test_six_wrong_tx_codes_kill_the_offer(env: Env, wallet: Wallet) -> None:
    created = env.offer(tx_code=True)
    offer = wallet.resolve(created["offer_uri"])
    tx = offer["grants"]["urn:ietf:params:oauth:grant-type:pre-authorized_code"]["tx_code"]
    assert tx["input_mode"] == "numeric"
    assert tx["length"] == 6
    right = created["tx_code"]
    wrong = "000000" if right != "000000" else "111111"
    assert_oauth_error(wallet.token(offer), "invalid_request")  # tx_code missing
    for _ in range(6):
        assert_oauth_error(wallet.token(offer, wrong), "invalid_grant")
    # dead: even the right code is refused now
    assert_oauth_error(wallet.token(offer, right), "invalid_grant")
    assert issued_count(env) == 0


@pytest.mark.parametrize("sent", ["123456", "0"])
def test_tx_code_for_an_offer_without_one_is_an_invalid_request(
    env: Env, wallet: Wallet, sent: str
) -> None:
    """OpenID4VCI 1.0 §6.3: invalid_request when "the Authorization Server does not expect a
    Transaction Code in the Pre-Authorized Code Flow but the Client provides a Transaction
    Code". The offer is not used up: the same code without tx_code still works. (An empty
    ``tx_code=`` form field reads as absent.)"""
    offer = wallet.resolve(env.offer()["offer_uri"])
    assert "tx_code" not in offer["grants"]["urn:ietf:params:oauth:grant-type:pre-authorized_code"]
    refused = wallet.token(offer, sent)
    assert_oauth_error(refused, "invalid_request")
    assert "tx_code" in refused.json()["error_description"]
    assert wallet.token(offer).status_code == 200


def test_right_tx_code_after_a_few_wrong_ones(env: Env, wallet: Wallet) -> None:
    created = env.offer(tx_code=True)
    offer = wallet.resolve(created["offer_uri"])
    for _ in range(4):
        assert_oauth_error(wallet.token(offer, "999999x"), "invalid_grant")
    assert wallet.token(offer, created["tx_code"]).status_code == 200


def test_proof_with_wrong_audience(env: Env, wallet: Wallet) -> None:
    token = token_for(env, wallet)
    proof = wallet.proof(wallet.nonce(), audience="https://other.example/orgs/x")
    assert_oauth_error(wallet.credential(token, "volunteer_ldp_vc", proof), "invalid_proof")
    assert issued_count(env) == 0


def test_proof_with_a_used_nonce(env: Env, wallet: Wallet) -> None:
    token = token_for(env, wallet)
    nonce = wallet.nonce()
    assert wallet.credential(token, "volunteer_ldp_vc", wallet.proof(nonce)).status_code == 200
    response = wallet.credential(token, "volunteer_jwt_vc_json", wallet.proof(nonce))
    assert_oauth_error(response, "invalid_nonce")
    assert issued_count(env) == 1


def test_proof_with_an_expired_nonce(env: Env, wallet: Wallet) -> None:
    token = token_for(env, wallet)
    nonce = wallet.nonce()
    env.clock.advance(minutes=5, seconds=1)
    response = wallet.credential(token, "volunteer_ldp_vc", wallet.proof(nonce))
    assert_oauth_error(response, "invalid_nonce")
    assert issued_count(env) == 0


def test_proof_without_a_nonce(env: Env, wallet: Wallet) -> None:
    token = token_for(env, wallet)
    assert_oauth_error(
        wallet.credential(token, "volunteer_ldp_vc", wallet.proof(None)), "invalid_proof"
    )


def test_proof_with_alg_none(env: Env, wallet: Wallet) -> None:
    token = token_for(env, wallet)
    header = {"alg": "none", "typ": PROOF_TYP, "jwk": wallet.key.public_key.to_jwk()}
    payload = {"aud": env.org_base, "iat": int(env.clock().timestamp()), "nonce": wallet.nonce()}
    unsigned = ".".join(b64url_encode(json.dumps(p).encode()) for p in (header, payload)) + "."
    assert_oauth_error(wallet.credential(token, "volunteer_ldp_vc", unsigned), "invalid_proof")
    assert issued_count(env) == 0


def test_proof_an_hour_old(env: Env, wallet: Wallet) -> None:
    token = token_for(env, wallet)
    proof = wallet.proof(wallet.nonce(), issued_at=env.clock() - timedelta(hours=1))
    assert_oauth_error(wallet.credential(token, "volunteer_ldp_vc", proof), "invalid_proof")
    assert issued_count(env) == 0


def test_proof_with_wrong_typ_or_signature(env: Env, wallet: Wallet) -> None:
    token = token_for(env, wallet)
    good = wallet.proof(wallet.nonce())
    head, body, sig = good.split(".")
    tampered = f"{head}.{body}.{sig[:-4]}AAAA"
    assert_oauth_error(wallet.credential(token, "volunteer_ldp_vc", tampered), "invalid_proof")
    jwt_typ = b64url_encode(json.dumps({"alg": "EdDSA", "typ": "JWT", "kid": wallet.kid}).encode())
    assert_oauth_error(
        wallet.credential(token, "volunteer_ldp_vc", f"{jwt_typ}.{body}.{sig}"), "invalid_proof"
    )


def test_configuration_not_in_the_offer(env: Env, wallet: Wallet) -> None:
    token = token_for(env, wallet, formats=["ldp_vc"])
    response = wallet.credential(token, "volunteer_jwt_vc_json")
    assert_oauth_error(response, "unknown_credential_configuration")
    response = wallet.credential(token, "nothing_ldp_vc")
    assert_oauth_error(response, "unknown_credential_configuration")
    assert issued_count(env) == 0


def test_same_configuration_twice(env: Env, wallet: Wallet) -> None:
    token = token_for(env, wallet)
    assert wallet.credential(token, "volunteer_ldp_vc").status_code == 200
    assert_oauth_error(wallet.credential(token, "volunteer_ldp_vc"), "credential_request_denied")
    assert issued_count(env) == 1


def test_credential_request_needs_a_valid_token(env: Env, wallet: Wallet) -> None:
    response = env.client.post(
        "/orgs/demo-association/credential",
        json={"credential_configuration_id": "volunteer_ldp_vc"},
    )
    assert_oauth_error(response, "invalid_token", 401)
    assert "www-authenticate" in response.headers
    response = wallet.credential("not-a-token", "volunteer_ldp_vc")
    assert_oauth_error(response, "invalid_token", 401)


def test_malformed_credential_requests(env: Env, wallet: Wallet) -> None:
    token = token_for(env, wallet)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    url = "/orgs/demo-association/credential"
    assert_oauth_error(
        env.client.post(url, content=b"{not json", headers=headers), "invalid_credential_request"
    )
    assert_oauth_error(
        env.client.post(url, json={"proofs": {}}, headers=headers), "invalid_credential_request"
    )
    body = {"credential_configuration_id": "volunteer_ldp_vc"}
    assert_oauth_error(env.client.post(url, json=body, headers=headers), "invalid_proof")
    proof = wallet.proof(wallet.nonce())
    both = {**body, "proofs": {"jwt": [proof]}, "proof": {"proof_type": "jwt", "jwt": proof}}
    assert_oauth_error(
        env.client.post(url, json=both, headers=headers), "invalid_credential_request"
    )
    assert issued_count(env) == 0


def test_draft_15_single_proof_is_accepted(env: Env, wallet: Wallet) -> None:
    token = token_for(env, wallet)
    body = {
        "credential_configuration_id": "volunteer_ldp_vc",
        "proof": {"proof_type": "jwt", "jwt": wallet.proof(wallet.nonce())},
    }
    response = env.client.post(
        "/orgs/demo-association/credential", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200, response.text


def test_jwk_bound_proof_gives_a_did_jwk_subject(env: Env) -> None:
    wallet = Wallet(env, use_jwk=True)
    credential = wallet.receive("volunteer_ldp_vc")
    assert credential["credentialSubject"]["id"].startswith("did:jwk:")


def test_five_megabyte_bodies_are_refused_everywhere(env: Env, wallet: Wallet) -> None:
    big = b"{" + b" " * (5 * 1024 * 1024) + b"}"
    for path, headers in [
        ("/orgs/demo-association/credential", {"Authorization": "Bearer x"}),
        ("/orgs/demo-association/token", {}),
        ("/admin/orgs/demo-association/offers", env.auth),
        ("/credentials/issue", env.auth),
    ]:
        response = env.client.post(
            path, content=big, headers={**headers, "Content-Type": "application/json"}
        )
        assert response.status_code == 413, (path, response.status_code)
        assert response.headers["content-type"].startswith("application/problem+json")

    def chunks() -> Any:  # no Content-Length: counted while streaming
        for _ in range(6):
            yield b" " * (1024 * 1024)

    response = env.client.post(
        "/orgs/demo-association/credential",
        content=chunks(),
        headers={"Authorization": "Bearer x", "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert issued_count(env) == 0


def test_a_copied_token_gets_no_credential_for_another_key(env: Env, wallet: Wallet) -> None:
    """Every credential of one offer goes to the key its first credential went to."""
    token = token_for(env, wallet)
    assert wallet.credential(token, "volunteer_ldp_vc").status_code == 200
    thief = Wallet(env)
    assert_oauth_error(thief.credential(token, "volunteer_jwt_vc_json"), "invalid_proof")
    assert_oauth_error(thief.credential(token, "volunteer_sd_jwt"), "invalid_proof")
    assert issued_count(env) == 1
    # the holder's own key still gets the offer's other formats, SD-JWT included
    assert wallet.credential(token, "volunteer_sd_jwt").status_code == 200
    assert wallet.credential(token, "volunteer_jwt_vc_json").status_code == 200


def _offer_path(created: dict[str, Any]) -> str:
    uri: str = parse_qs(urlsplit(created["offer_uri"]).query)["credential_offer_uri"][0]
    return urlsplit(uri).path


def _problem_code(response: Any) -> str:
    assert response.headers["content-type"].startswith("application/problem+json")
    return str(response.json()["type"]).rpartition("#")[2]


def test_used_expired_and_unknown_offers_are_told_apart(env: Env, wallet: Wallet) -> None:
    """A person gets a different message for each: the wallet reads the problem code (on the
    offer URI) or the token error's description (on an offer it already holds)."""
    from wallet.service.receiving import _grant_refusal

    used = env.offer()
    used_offer = wallet.resolve(used["offer_uri"])
    assert wallet.token(used_offer).status_code == 200
    response = env.client.get(_offer_path(used))
    assert response.status_code == 410
    assert _problem_code(response) == "offer-used"
    token = wallet.token(used_offer).json()
    assert _grant_refusal(token["error"], token["error_description"]).code == "offer-used"

    unknown = env.client.get(_offer_path(used).rsplit("/", 1)[0] + "/no-such-offer")
    assert unknown.status_code == 404
    assert _problem_code(unknown) == "offer-unknown"
    forged = env.client.post(
        "/orgs/demo-association/token",
        data={
            "grant_type": "urn:ietf:params:oauth:grant-type:pre-authorized_code",
            "pre-authorized_code": "nope",
        },
    ).json()
    assert _grant_refusal(forged["error"], forged["error_description"]).code == "offer-unknown"

    expired = env.offer()
    expired_offer = wallet.resolve(expired["offer_uri"])
    env.clock.advance(minutes=10, seconds=1)
    response = env.client.get(_offer_path(expired))
    assert response.status_code == 410
    assert _problem_code(response) == "offer-expired"
    token = wallet.token(expired_offer).json()
    assert _grant_refusal(token["error"], token["error_description"]).code == "offer-expired"


def test_a_wrong_tx_code_is_told_as_such(env: Env, wallet: Wallet) -> None:
    from wallet.service.receiving import _grant_refusal

    created = env.offer(tx_code=True)
    offer = wallet.resolve(created["offer_uri"])
    body = wallet.token(offer, "000000" if created["tx_code"] != "000000" else "111111").json()
    assert _grant_refusal(body["error"], body["error_description"]).code == "tx-code-wrong"
