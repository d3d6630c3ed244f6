"""OB 3.0 IdentityHash: sha256$ + hex(sha256(identity + salt)), and hostile objects."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from shared.model.identity import hash_identity, hashed_identity, identity_matches


def test_the_hash_is_sha256_of_identity_then_salt() -> None:
    expected = hashlib.sha256(b"camille@example.org" + b"s4lt").hexdigest()
    assert hash_identity("Camille@Example.org ", "s4lt", "emailAddress") == f"sha256${expected}"
    assert (
        hash_identity("Léa Dubois", "", "name")
        == "sha256$" + hashlib.sha256("Léa Dubois".encode()).hexdigest()
    )


def test_a_fresh_object_matches_its_identity_only() -> None:
    obj = hashed_identity("Léa Dubois", "name")
    wire = {
        "identityType": "name",
        "hashed": True,
        "identityHash": obj["identity_hash"],
        "salt": obj["salt"],
    }
    assert identity_matches(wire, "Léa Dubois") is True
    assert identity_matches(wire, "Le\u0301a Dubois") is True  # NFD input, same name
    assert identity_matches(wire, "Léa Durand") is False
    upper = {**wire, "identityHash": "SHA256$" + obj["identity_hash"][7:].upper()}
    assert identity_matches(upper, "Léa Dubois") is True  # hex either case (OB 3.0)


@pytest.mark.parametrize(
    "obj",
    [
        {},
        {"identityType": "name", "hashed": True, "identityHash": "md5$00", "salt": "x"},
        {"identityType": "name", "hashed": True, "identityHash": 42},
        {"identityType": None, "hashed": True, "identityHash": "sha256$00"},
        {"identityType": "name", "hashed": True, "identityHash": "sha256$00", "salt": ["x"]},
    ],
)
def test_objects_that_cannot_be_checked_say_so(obj: dict[str, Any]) -> None:
    assert identity_matches(obj, "Léa Dubois") is None


def test_an_empty_candidate_is_not_checked() -> None:
    obj = {"identityType": "name", "hashed": False, "identityHash": ""}
    assert identity_matches(obj, "  ") is None
