"""Receiving from issuers that require DPoP (RFC 9449), from an SD-JWT VC issuer whose key is
in its ``/.well-known/jwt-vc-issuer`` metadata, and offers of which one credential fails."""

from __future__ import annotations

import html as htmllib
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shared.protocols.dpop import access_token_hash
from tests.integration.wallet.test_wallet_pages import csrf_of, page, sign_in
from tests.unit.wallet.fake_issuer import FakeIssuer
from tests.unit.wallet.testkit import Holder


def accept(holder: Holder, issuer: FakeIssuer, *configs: str) -> tuple[int, dict[str, Any]]:
    preview = holder.post("/api/offers", json={"offer": issuer.offer(*configs)}).json()
    resp = holder.post(f"/api/offers/{preview['id']}/accept", json={})
    return resp.status_code, resp.json()


# --------------------------------------------------------------------------- DPoP


@pytest.mark.parametrize("mode", ["dpop", "dpop_unadvertised"])
def test_receive_from_an_issuer_that_requires_dpop(
    issuer: FakeIssuer, alice: Holder, mode: str
) -> None:
    issuer.modes.add(mode)
    status, body = accept(alice, issuer, "volunteer_sd")
    assert status == 201, body
    assert [c["format"] for c in body["credentials"]] == ["dc+sd-jwt"]
    proofs = issuer.dpop.proofs
    token_proofs = [p for p in proofs if p["claims"]["htu"].endswith("/token")]
    credential_proofs = [p for p in proofs if p["claims"]["htu"].endswith("/credential")]
    # the first token proof had no nonce, the retry the server's (§8)
    assert "nonce" not in token_proofs[0]["claims"]
    assert token_proofs[-1]["claims"]["nonce"] in issuer.dpop.nonces
    # the credential request: ath of the DPoP-bound token, retried with the RS nonce (§9)
    (access,) = issuer.dpop.bound
    assert credential_proofs[-1]["claims"]["ath"] == access_token_hash(access)
    assert credential_proofs[-1]["claims"]["nonce"] in issuer.dpop.nonces
    # one ephemeral key for the whole offer, never the holder's credential key
    keys = {str(sorted(p["header"]["jwk"].items())) for p in proofs}
    assert len(keys) == 1
    assert proofs[0]["header"]["jwk"]["kty"] == "EC"  # ES256 chosen from ["RS512", "ES256"]


def test_an_issuer_without_dpop_gets_no_proof(issuer: FakeIssuer, alice: Holder) -> None:
    status, body = accept(alice, issuer, "volunteer_jwt")
    assert status == 201, body
    assert issuer.dpop.proofs == []


# --------------------------------------------------------------------------- jwt-vc-issuer


def test_receive_sd_jwt_vc_whose_key_is_in_jwt_vc_issuer_metadata(
    issuer: FakeIssuer, alice: Holder
) -> None:
    issuer.modes.add("jwt_vc_issuer")
    status, body = accept(alice, issuer, "volunteer_sd")
    assert status == 201, body
    (stored,) = body["credentials"]
    assert stored["format"] == "dc+sd-jwt"
    full = alice.get(f"/api/credentials/{stored['id']}").json()
    assert full["issuer"] == issuer.sd_issuer


def test_sd_jwt_vc_with_a_metadata_issuer_mismatch_is_not_stored(
    issuer: FakeIssuer, alice: Holder
) -> None:
    issuer.modes.update({"jwt_vc_issuer", "jwt_vc_issuer_mismatch"})
    status, body = accept(alice, issuer, "volunteer_sd")
    assert status == 422, body
    assert "not the 'iss'" in str(body["detail"])
    assert alice.get("/api/credentials").json()["credentials"] == []


# --------------------------------------------------------------------------- partial offers


def test_one_failing_credential_leaves_the_others_kept(issuer: FakeIssuer, alice: Holder) -> None:
    issuer.modes.add("fail:volunteer_jwt")
    status, body = accept(alice, issuer, "volunteer_ldp", "volunteer_jwt", "volunteer_sd")
    assert status == 201, body
    assert sorted(c["format"] for c in body["credentials"]) == ["dc+sd-jwt", "ldp_vc"]
    (failed,) = body["failed"]
    assert failed["configuration_id"] == "volunteer_jwt"
    assert failed["name"] == "Bénévole (volunteer_jwt)"
    assert "not today" in failed["detail"]
    assert len(alice.get("/api/credentials").json()["credentials"]) == 2


def test_a_credential_failing_verification_does_not_discard_the_others(
    issuer: FakeIssuer, alice: Holder
) -> None:
    issuer.modes.add("tampered")  # the ldp_vc one no longer verifies
    status, body = accept(alice, issuer, "volunteer_ldp", "volunteer_jwt")
    assert status == 201, body
    assert [c["format"] for c in body["credentials"]] == ["vc+jwt"]
    assert [f["code"] for f in body["failed"]] == ["verification-failed"]


def test_when_everything_fails_the_error_is_raised(issuer: FakeIssuer, alice: Holder) -> None:
    issuer.modes.update({"fail:volunteer_jwt", "fail:volunteer_ldp"})
    status, body = accept(alice, issuer, "volunteer_ldp", "volunteer_jwt")
    assert status == 400
    assert "not today" in str(body["detail"])
    assert alice.get("/api/credentials").json()["credentials"] == []


@pytest.mark.parametrize(
    ("lang", "heading", "why"),
    [
        ("fr", "Offre reçue en partie", "Non reçus"),
        ("en", "Offer received in part", "Not received"),
    ],
)
def test_the_page_says_which_credential_failed(
    wallet: TestClient, alice: Holder, issuer: FakeIssuer, lang: str, heading: str, why: str
) -> None:
    issuer.modes.add("fail:volunteer_jwt")
    sign_in(wallet, alice)
    html = page(
        wallet,
        f"/receive?credential_offer_uri={issuer.offer('volunteer_ldp', 'volunteer_jwt')}",
        lang,
    )
    offer_id = re.search(r'action="/receive/([^/]+)/accept"', html)
    assert offer_id
    resp = wallet.post(
        f"/receive/{offer_id.group(1)}/accept",
        data={"csrf_token": csrf_of(html)},
        headers={"Accept-Language": lang},
        follow_redirects=False,
    )
    assert resp.status_code == 200, resp.text
    text = htmllib.unescape(resp.text)
    assert heading in text
    assert why in text
    assert 'data-failed="1"' in text
    assert "Bénévole (volunteer_jwt)" in text
    assert "not today" in text  # the issuer's own words, under the technical details
    assert re.search(r'href="/credentials/[^"]+"', text)
