"""`musette wallet local` with the REFERENCE issuer and verifier (@openid4vc on Node).

The local wallet runs as a real `musette wallet local` process on a temporary folder
(tests/local_wallet.py); the reference OpenID4VCI issuer and OpenID4VP verifier are the
ones the hosted wallet is tested with (wallet_reference_issuer_test.py,
wallet_reference_verifier_test.py). It receives each of the three formats from the
reference issuer, then presents the badges this repository's issuer delivered in each format
to the reference verifier, which checks them with its own libraries.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

from musette.up import UpConfig
from tests.e2e.test_journeys import Clients, _issuer_client, _verifier_client
from tests.interop.wallet_reference_issuer_test import FORMATS as REFERENCE_CONFIGS
from tests.interop.wallet_reference_issuer_test import running_reference_issuer
from tests.interop.wallet_reference_verifier_test import (
    FORMATS,
    QUERY_IDS,
    running_reference_verifier,
)
from tests.local_wallet import LocalWallet, running_local_wallet, sign_up, token_client

pytestmark = pytest.mark.interop


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalWallet]:
    with running_local_wallet(tmp_path_factory.mktemp("local-wallet-interop")) as wallet:
        assert sign_up(wallet.base).status_code == 201
        yield wallet


@pytest.fixture(scope="module")
def clients(stack_config: UpConfig, local: LocalWallet) -> Iterator[Clients]:
    with (
        _issuer_client(stack_config) as issuer,
        token_client(local.base) as wallet,
        _verifier_client(stack_config) as verifier,
    ):
        yield Clients(stack_config, issuer, wallet, verifier)


@pytest.fixture(scope="module")
def reference_issuer() -> Iterator[dict[str, Any]]:
    with running_reference_issuer() as started:
        yield started


@pytest.fixture(scope="module")
def reference_verifier() -> Iterator[httpx2.Client]:
    with running_reference_verifier() as base, httpx2.Client(base_url=base, timeout=60) as http:
        yield http


@pytest.mark.parametrize("config", sorted(REFERENCE_CONFIGS))
def test_local_wallet_receives_from_the_reference_issuer(
    reference_issuer: dict[str, Any], clients: Clients, config: str
) -> None:
    (cred,) = clients.receive(reference_issuer["offers"][config]["plain"])
    stored = clients.wallet_credential(cred["id"])
    assert stored["format"] == REFERENCE_CONFIGS[config]
    issuer = reference_issuer["ldp_issuer_did" if config == "badge_ldp" else "issuer_did"]
    assert stored["issuer"] == issuer
    assert stored["verified_at"]
    assert stored["title"] == "Interop 101"
    assert stored["trusted_issuer"] is False


@pytest.mark.parametrize("fmt", FORMATS)
def test_local_wallet_presents_to_the_reference_verifier(
    clients: Clients, reference_verifier: httpx2.Client, fmt: str
) -> None:
    (cred,) = clients.receive(clients.offer(fmt)["offer_uri"])
    asked = reference_verifier.post("/admin/requests", json={"format": fmt})
    assert asked.status_code == 201, asked.text
    request = asked.json()
    pending = clients.open_request(request["link"])
    assert pending["verifier"]["client_id"] == request["client_id"]
    assert pending["satisfied"] is True, pending
    (query,) = pending["queries"]
    assert query["id"] == QUERY_IDS[fmt]
    answer = clients.consent(pending["id"], {query["id"]: {"credential_id": cred["id"]}})
    result = reference_verifier.get(f"/admin/results/{request['id']}").json()
    assert answer["status"] == 200, (answer, result)
    assert result["verified"] is True, result
    assert result["expected_nonce"] == request["nonce"]
    (claims,) = result["claims"][QUERY_IDS[fmt]]
    subject = claims if fmt == "dc+sd-jwt" else claims["credentialSubject"]
    assert subject["achievement"]["name"] == "Bénévole — encadrement"
