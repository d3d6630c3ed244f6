"""Endorsements across wallets (docs/decisions/endorsements-across-wallets.md) over real HTTP: two
wallet servers (separate apps, separate databases). The person on wallet A asks; the colleague, with
an account on wallet B only, endorses through A's link; A holds the endorsement and presents it; the
verifier names the endorser and how well the relationship is proven."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

from musette.up import UpConfig, serving_in_thread
from tests.e2e.test_journeys import TRUSTED_NAME, Clients, clients  # noqa: F401 (fixture)
from tests.instances import _server
from tests.stack import free_port, stack_environment


@pytest.fixture(scope="module")
def wallet_b(stack_config: UpConfig, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A second wallet server, its own SQLite database, trusting the same demo issuers."""
    import wallet
    from wallet.main import create_app

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    folder: Path = tmp_path_factory.mktemp("wallet-b")
    with pytest.MonkeyPatch.context() as env:
        stack_environment(env)
        settings = wallet.settings_for_up(
            folder, {**stack_config.base_urls(), "wallet": base}, True
        )
        app = create_app(settings)
    with serving_in_thread({"wallet-b": _server(app, port)}):
        yield base


def _account(base: str, email: str) -> httpx2.Client:
    password = "colleague-password"
    with httpx2.Client(base_url=base) as anon:
        created = anon.post("/api/accounts", json={"email": email, "password": password})
        assert created.status_code == 201, created.text
        signed_in = anon.post("/api/session", json={"email": email, "password": password})
        assert signed_in.status_code == 200, signed_in.text
        token = anon.post(
            "/api/tokens",
            json={"name": "e2e"},
            headers={"X-CSRF-Token": signed_in.json()["csrf_token"]},
        )
        assert token.status_code == 201, token.text
    return httpx2.Client(
        base_url=base, headers={"Authorization": f"Bearer {token.json()['token']}"}, timeout=60
    )


def test_a_colleague_on_another_wallet_endorses_and_the_verifier_shows_who(
    clients: Clients,  # noqa: F811
    wallet_b: str,
) -> None:
    assert wallet_b != clients.config.base_url("wallet")
    with _account(wallet_b, "colleague-b@e2e.example") as bob:
        # B holds a badge from the (trusted) demo association, in wallet B
        offer = clients.offer("ldp_vc")
        opened = bob.post("/api/offers", json={"offer": offer["offer_uri"]})
        assert opened.status_code == 201, opened.text
        accepted = bob.post(f"/api/offers/{opened.json()['id']}/accept", json={})
        assert accepted.status_code == 201, accepted.text
        (badge,) = accepted.json()["credentials"]
        bob_did = badge["subject"]

        # A (wallet A) describes an experience and creates a link
        exp = clients.wallet.post(
            "/api/experiences",
            json={
                "title": "Animatrice",
                "organisation": "Association Démo",
                "start_date": "2024-02-01",
                "description": "Ateliers du samedi.",
            },
        )
        assert exp.status_code == 201, exp.text
        link = clients.wallet.post(f"/api/experiences/{exp.json()['id']}/requests")
        assert link.status_code == 201, link.text
        url = link.json()["url"]
        assert url.startswith(clients.config.base_url("wallet"))

        # B endorses from wallet B: it reads A's request, signs, delivers to A over HTTP
        done = bob.post(
            "/api/endorse-remote",
            json={
                "link": url,
                "comment": "Elle anime nos ateliers avec moi.",
                "name": "Bruno B.",
                "proof_credential_id": badge["id"],
            },
        )
        assert done.status_code == 201, done.text
        assert done.json()["endorser"] == bob_did
        assert done.json()["evidence_url"].startswith(wallet_b)
        again = bob.post("/api/endorse-remote", json={"link": url, "comment": "b", "name": "B"})
        assert again.status_code == 410, again.text
        assert again.json()["type"].endswith("#endorsement-link-used")

    # A shows it attached to the experience
    (endorsement,) = clients.wallet.get(f"/api/experiences/{exp.json()['id']}").json()[
        "endorsements"
    ]
    assert endorsement["endorser"] == bob_did
    assert endorsement["endorser_name"] == "Bruno B."

    # A presents it; the verifier names B and the proof level (the evidence lives on B)
    links = clients.request("endorsement")
    pending = clients.open_request(links["request_uri"])
    answer = clients.consent(
        pending["id"], {"endorsement_ldp": {"credential_id": endorsement["credential_id"]}}
    )
    assert answer["status"] == 200, answer
    result = clients.result(links)
    assert result["verified"] is True, result["result"]["problems"]
    (report,) = result["result"]["presentations"]["endorsement_ldp"]
    attestation = (report.get("credentials") or [report])[0]["attestation"]
    assert attestation["endorser"] == bob_did
    assert attestation["comment"] == "Elle anime nos ateliers avec moi."
    assert attestation["level"] == "verified-credential", attestation
    assert attestation["proven_by"]["registry_name"] == TRUSTED_NAME
