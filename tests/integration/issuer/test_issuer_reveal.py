"""docs/decisions/reveal-less.md: the recipient's name is salted and hashed unless the offer asks
for it in clear."""

from __future__ import annotations

import argparse
import base64
import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from issuer.db.models import Offer
from musette.cli_issuer import register
from shared.model.identity import identity_matches
from tests.integration.issuer.conftest import Env, Wallet
from tests.integration.issuer.test_issuer_batch import upload
from tests.integration.issuer.test_issuer_pages import admin as admin  # the fixture
from tests.integration.issuer.test_issuer_pages import get, issue_offer

NAME = "Camille Martin"


def _b64(part: str) -> str:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)).decode()


def _text(credential: Any) -> str:
    """Everything a verifier given this credential can read: JSON, JWT payload, disclosures."""
    if isinstance(credential, dict):
        return json.dumps(credential, ensure_ascii=False)
    jwt, *disclosures = credential.split("~")
    return _b64(jwt.split(".")[1]) + "".join(_b64(d) for d in disclosures if d and "." not in d)


def _names(text: str) -> list[dict[str, Any]]:
    """The name IdentityObjects in the credential (ldp_vc JSON or jwt_vc_json payload)."""
    doc = json.loads(text)
    found = doc.get("vc", doc)["credentialSubject"]["identifier"]
    return [i for i in found if isinstance(i, dict) and i.get("identityType") == "name"]


@pytest.mark.parametrize("config_id", ["volunteer_ldp_vc", "volunteer_jwt_vc_json"])
def test_the_name_is_hashed_by_default(env: Env, wallet: Wallet, config_id: str) -> None:
    text = _text(wallet.receive(config_id))
    assert NAME not in text
    assert "camille@example.org" not in text
    (name,) = _names(text)
    assert name["hashed"] is True
    assert name["identityHash"].startswith("sha256$")
    assert identity_matches(name, NAME) is True
    assert identity_matches(name, " camille  Martin") is False  # case counts in a name
    assert identity_matches(name, "Camille  Martin ") is True  # spaces do not


@pytest.mark.parametrize("config_id", ["volunteer_ldp_vc", "volunteer_jwt_vc_json"])
def test_an_issuer_can_ask_for_the_name_in_clear(env: Env, wallet: Wallet, config_id: str) -> None:
    recipient = {"name": NAME, "email": "camille@example.org", "name_in_clear": True}
    text = _text(wallet.receive(config_id, recipient=recipient))
    (name,) = _names(text)
    assert name == {
        "type": "IdentityObject",
        "hashed": False,
        "identityHash": NAME,
        "identityType": "name",
    }
    assert "camille@example.org" not in text  # the email stays hashed


def test_sd_jwt_keeps_the_name_disclosable(env: Env, wallet: Wallet) -> None:
    """In dc+sd-jwt the holder chooses whether to disclose the name: it is in clear there."""
    credential = wallet.receive("volunteer_sd_jwt")
    jwt, *disclosures = credential.split("~")
    assert NAME not in _b64(jwt.split(".")[1])  # only in a disclosure
    assert any(NAME in _b64(d) for d in disclosures if d and "." not in d)


def test_hashes_are_salted_afresh_per_credential(env: Env, wallet: Wallet) -> None:
    first = _names(_text(wallet.receive("volunteer_ldp_vc")))[0]
    second = _names(_text(wallet.receive("volunteer_ldp_vc")))[0]
    assert first["salt"] != second["salt"]
    assert first["identityHash"] != second["identityHash"]


@pytest.mark.parametrize("ticked", [False, True])
def test_the_console_form_offers_the_name_in_clear_unticked(
    admin: TestClient, env: Env, ticked: bool
) -> None:
    html = get(admin, "/console/achievements/volunteer/issue", "fr").text
    box = re.search(r'<input type="checkbox" name="name_in_clear" value="1"([^>]*)>', html)
    assert box
    assert "checked" not in box.group(1)  # hashed unless the admin asks
    assert "Nom en clair\u00a0:" in html
    res = env.client.app.state.resources  # type: ignore[attr-defined]
    with res.sessions.begin() as session:
        before = set(session.scalars(select(Offer.id)))
    issue_offer(admin, **({"name_in_clear": "1"} if ticked else {}))
    with res.sessions.begin() as session:
        rows = session.execute(select(Offer.id, Offer.name_in_clear)).all()
    assert [flag for oid, flag in rows if oid not in before] == [ticked]


def test_the_cli_asks_for_the_name_in_clear() -> None:
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    base = ["issuer", "offer", "--org", "o", "--achievement", "a", "--recipient", "Léa"]
    assert parser.parse_args(base).name_in_clear is False
    assert parser.parse_args([*base, "--name-in-clear"]).name_in_clear is True


@pytest.mark.parametrize(("field", "expected"), [({}, False), ({"name_in_clear": "true"}, True)])
def test_a_batch_can_ask_for_the_names_in_clear(
    env: Env, field: dict[str, str], expected: bool
) -> None:
    created = upload(env, "nom;heures\nLéa Dubois;7,5\n", **field)
    assert created.status_code == 201, created.text
    res = env.client.app.state.resources  # type: ignore[attr-defined]
    with res.sessions.begin() as session:
        flags = list(
            session.scalars(select(Offer.name_in_clear).where(Offer.batch_id.is_not(None)))
        )
    assert flags == [expected]
