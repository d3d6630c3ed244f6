"""Issue 17: the recipient's name is salted and hashed unless the offer asks for it in clear."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from conftest import Env, Wallet

from shared.model.identity import identity_matches

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
