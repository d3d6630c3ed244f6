"""The vertical slice: offer → token → nonce → credential in each format, and it verifies."""

from __future__ import annotations

import json

import pytest

from shared.protocols.oid4vci import PRE_AUTHORIZED_GRANT
from shared.verify.credential import verify_credential
from tests.integration.issuer.conftest import Env, Wallet


@pytest.mark.parametrize(
    "config_id", ["volunteer_ldp_vc", "volunteer_jwt_vc_json", "volunteer_sd_jwt"]
)
def test_wallet_receives_a_credential_that_verifies(
    env: Env, wallet: Wallet, config_id: str
) -> None:
    credential = wallet.receive(config_id)
    report = verify_credential(
        credential if isinstance(credential, str) else json.dumps(credential).encode(),
        env.verify_ctx(),
    )
    assert report.verified, [
        (c.name, c.reason) for c in report.checks if c.status.value == "failed"
    ]
    checks = {c.name: c.status.value for c in report.checks}
    assert checks["status"] == "passed"
    if config_id == "volunteer_ldp_vc":
        assert credential["credentialSubject"]["id"] == wallet.did
        assert credential["issuer"]["id"] == "did:web:testserver:orgs:demo-association"


def test_offer_by_reference_is_json_with_the_issuer_url(env: Env, wallet: Wallet) -> None:
    created = env.offer()
    assert created["offer_uri"].startswith("openid-credential-offer://?credential_offer_uri=")
    assert created["wallet_link"].startswith("http://wallet.test/receive?credential_offer_uri=")
    offer = wallet.resolve(created["offer_uri"])
    assert offer["credential_issuer"] == env.org_base
    assert "tx_code" not in offer["grants"][PRE_AUTHORIZED_GRANT]
    assert offer["credential_configuration_ids"] == [
        "volunteer_ldp_vc",
        "volunteer_jwt_vc_json",
        "volunteer_sd_jwt",
    ]
