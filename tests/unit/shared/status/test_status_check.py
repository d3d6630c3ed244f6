"""check_status: the Validate Algorithm after retrieval and proof checking."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from shared.errors import MalformedCredentialError, VerificationError
from shared.model import BitstringStatusList, BitstringStatusListCredential
from shared.status import MIN_BITSTRING_BITS, STATUS_ERROR_BASE, StatusList, check_status

DATA = Path(__file__).parents[3] / "data" / "status"


def _peer_list() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((DATA / "status-list-1.json").read_text())
    return doc


def _entry(index: object = "7", **extra: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": f"http://127.0.0.1:8787/status/1#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": index,
        "statusListCredential": "http://127.0.0.1:8787/status/1",
    }
    entry.update(extra)
    return entry


def _list_credential(
    status_list: StatusList, purpose: str | list[str] = "message"
) -> dict[str, Any]:
    return BitstringStatusListCredential(
        id="https://issuer.example/status/9",
        issuer="did:example:issuer",
        valid_from=datetime(2025, 1, 1, tzinfo=UTC),
        valid_until=datetime(2026, 1, 1, tzinfo=UTC),
        credential_subject=BitstringStatusList(
            id="https://issuer.example/status/9#list",
            status_purpose=purpose,
            encoded_list=status_list.encode(),
        ),
    ).to_json()


MESSAGES = [
    {"status": "0x0", "message": "pending_review"},
    {"status": "0x1", "message": "accepted"},
    {"status": "0x2", "message": "rejected"},
    {"status": "0x3", "message": "undefined"},
]


def test_peer_list_index_7_is_revoked() -> None:
    result = check_status(_entry("7"), _peer_list())
    assert result.revoked
    assert not result.valid
    assert (result.status, result.message, result.index) == (1, "set", 7)


def test_peer_list_index_3_is_not_revoked() -> None:
    result = check_status(_entry("3"), _peer_list())
    assert result.valid
    assert not result.revoked
    assert result.message == "unset"


def test_validator_revoked_credential_with_integer_index() -> None:
    # 1EdTech validator vector: statusListIndex is the JSON number 23.
    credential = json.loads((DATA / "credential-status-revoked.json").read_text())
    status_list = json.loads((DATA / "testlist").read_text())
    with pytest.raises(MalformedCredentialError, match="string of base-10 digits"):
        check_status(credential["credentialStatus"], status_list)
    result = check_status(credential["credentialStatus"], status_list, allow_integer_index=True)
    assert result.revoked


def test_suspension_purpose() -> None:
    status_list = StatusList.create()
    status_list.set(42, True)
    doc = _list_credential(status_list, "suspension")
    result = check_status(_entry("42", statusPurpose="suspension"), doc)
    assert result.suspended
    assert not result.revoked


def test_list_with_several_purposes() -> None:
    doc = _list_credential(StatusList.create(), ["revocation", "suspension"])
    assert check_status(_entry("1", statusPurpose="suspension"), doc).valid


def test_multi_bit_message_status() -> None:
    status_list = StatusList.create(MIN_BITSTRING_BITS * 2, 2)
    status_list.set(492_84, 2)
    doc = _list_credential(status_list)
    entry = _entry("49284", statusPurpose="message", statusSize=2, statusMessage=MESSAGES)
    result = check_status(entry, doc)
    assert (result.status, result.message, result.valid) == (2, "rejected", False)
    entry["statusListIndex"] = "49285"
    assert check_status(entry, doc).message == "pending_review"


def test_purpose_mismatch_is_a_verification_error() -> None:
    with pytest.raises(VerificationError, match="does not match") as info:
        check_status(_entry("7", statusPurpose="suspension"), _peer_list())
    assert info.value.extensions["status_error"] == STATUS_ERROR_BASE + "STATUS_VERIFICATION_ERROR"


@pytest.mark.parametrize("index", ["131072", "999999999999"])
def test_index_outside_list_is_a_range_error(index: str) -> None:
    with pytest.raises(VerificationError, match=r"outside|beyond") as info:
        check_status(_entry(index), _peer_list())
    assert info.value.extensions["status_error"].endswith("RANGE_ERROR")


def test_huge_index_is_refused_without_parsing_it_all() -> None:
    with pytest.raises(VerificationError, match="beyond"):
        check_status(_entry("9" * 5000), _peer_list())


@pytest.mark.parametrize("index", ["-1", "1.0", "0x10", "", " 7", "7 ", "٣", 7, None, True, "1e3"])
def test_malformed_index(index: object) -> None:
    with pytest.raises(MalformedCredentialError, match="statusListIndex"):
        check_status(_entry(index), _peer_list())


def test_leading_zeros_are_base_10() -> None:
    assert check_status(_entry("007"), _peer_list()).revoked


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"type": "StatusList2021Entry"}, "BitstringStatusListEntry"),
        ({"statusPurpose": ""}, "statusPurpose"),
        ({"statusPurpose": 3}, "statusPurpose"),
        ({"statusListCredential": None}, "statusListCredential"),
        ({"statusSize": 0}, "statusSize"),
        ({"statusSize": "2"}, "statusSize"),
        ({"statusSize": 2}, "statusMessage is required"),
        ({"statusSize": 2, "statusMessage": MESSAGES[:3]}, "needs 4"),
        ({"statusSize": 1, "statusMessage": "x"}, "must be an array"),
        ({"statusSize": 1, "statusMessage": [MESSAGES[0], MESSAGES[0]]}, "twice"),
        ({"statusSize": 1, "statusMessage": [MESSAGES[0], MESSAGES[2]]}, "does not fit"),
        ({"statusSize": 1, "statusMessage": [MESSAGES[0], {"status": "1"}]}, "0x-prefixed"),
        ({"statusSize": 1, "statusMessage": [MESSAGES[0], {"status": "0x1"}]}, "message"),
        ({"statusSize": 1, "statusMessage": [MESSAGES[0], "x"]}, "object"),
        ({"statusSize": 40}, "larger than"),
    ],
)
def test_malformed_entry(change: dict[str, Any], message: str) -> None:
    with pytest.raises(MalformedCredentialError, match=message):
        check_status(_entry("7", **change), _peer_list())


def test_entry_must_be_an_object() -> None:
    with pytest.raises(MalformedCredentialError, match="JSON object"):
        check_status(["not", "an", "entry"], _peer_list())


def _mutated_list(path: list[str], value: Any) -> dict[str, Any]:
    doc = copy.deepcopy(_peer_list())
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return doc


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (["type"], ["VerifiableCredential"], "BitstringStatusListCredential"),
        (["credentialSubject"], [], "one credentialSubject"),
        (["credentialSubject", "type"], "StatusList2021", "BitstringStatusList"),
        (["credentialSubject", "statusPurpose"], [], "one or more strings"),
        (["credentialSubject", "encodedList"], "zABC", "prefix 'u'"),
        (["credentialSubject", "encodedList"], None, "must be a string"),
    ],
)
def test_malformed_list_credential(path: list[str], value: object, message: str) -> None:
    with pytest.raises(MalformedCredentialError, match=message):
        check_status(_entry("7"), _mutated_list(path, value))


def test_list_credential_must_be_an_object() -> None:
    with pytest.raises(MalformedCredentialError, match="JSON object"):
        check_status(_entry("7"), "not a credential")


def test_multi_bit_list_needs_enough_entries() -> None:
    doc = _list_credential(StatusList.create(), "message")
    entry = _entry("1", statusPurpose="message", statusSize=2, statusMessage=MESSAGES)
    with pytest.raises(MalformedCredentialError, match="entries") as info:
        check_status(entry, doc)
    assert info.value.extensions["status_error"].endswith("STATUS_LIST_LENGTH_ERROR")


def test_minimum_entries_can_be_raised_by_an_ecosystem() -> None:
    with pytest.raises(MalformedCredentialError, match="at least 262144"):
        check_status(_entry("7"), _peer_list(), minimum_entries=262_144)


def test_list_validity_is_checked_when_now_is_given() -> None:
    doc = _list_credential(StatusList.create(), "revocation")
    entry = _entry("1")
    assert check_status(entry, doc, now=datetime(2025, 6, 1, tzinfo=UTC)).valid
    with pytest.raises(VerificationError, match="not valid now"):
        check_status(entry, doc, now=datetime(2027, 1, 1, tzinfo=UTC))
