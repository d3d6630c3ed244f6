"""Generic VCDM parsing: shape errors, version detection, validity windows."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

import shared.model
from shared.errors import MalformedCredentialError
from shared.model import (
    DataModelVersion,
    data_model_version,
    parse_achievement_credential,
    parse_credential,
    parse_presentation,
    read_validity_window,
)

DATA = Path(__file__).parents[3] / "data" / "validator-ob30"


def _load(name: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((DATA / name).read_text())
    return doc


def _isort_key(name: str) -> tuple[int, str]:
    # ruff RUF022 order: CONSTANTS, then Classes, then functions.
    kind = 0 if name.isupper() else 1 if name[:1].isupper() else 2
    return kind, name


def test_all_is_sorted() -> None:
    assert list(shared.model.__all__) == sorted(shared.model.__all__, key=_isort_key)
    assert len(set(shared.model.__all__)) == len(shared.model.__all__)


def test_parse_simple_v2() -> None:
    credential = parse_credential(_load("simple.json"))
    assert credential.version is DataModelVersion.V2_0
    assert credential.issuer_id == "https://example.com/issuers/876543"
    assert "OpenBadgeCredential" in credential.types
    window = credential.validity_window()
    assert window.valid_from == datetime(2010, 1, 1, tzinfo=UTC)
    assert window.valid_until is None


def test_parse_v1_reads_issuance_date() -> None:
    doc = _load("simple_v1.json")
    credential = parse_credential(doc)
    assert credential.version is DataModelVersion.V1_1
    assert data_model_version(doc) is DataModelVersion.V1_1
    window = read_validity_window(doc)
    assert window.valid_from is not None
    assert window.valid_from.tzinfo is not None
    assert credential.validity_window() == window


def test_v1_expiration_date_is_read() -> None:
    doc = _load("simple_v1.json")
    doc["expirationDate"] = "2030-01-01T00:00:00+02:00"
    window = read_validity_window(doc)
    assert window.valid_until == datetime(2029, 12, 31, 22, tzinfo=UTC)
    assert window.contains(datetime(2020, 1, 1, tzinfo=UTC))
    assert not window.contains(datetime(2031, 1, 1, tzinfo=UTC))


def test_validity_window_v2_with_until() -> None:
    doc = _load("simple.json")
    doc["validUntil"] = "2011-01-01T00:00:00.123456789Z"
    window = read_validity_window(doc)
    assert window.valid_until == datetime(2011, 1, 1, 0, 0, 0, 123456, tzinfo=UTC)
    assert not window.contains(datetime(2009, 1, 1, tzinfo=UTC))
    assert window.contains(datetime(2010, 6, 1, tzinfo=timezone(timedelta(hours=5))))


def test_parse_complete_and_ob3_model() -> None:
    doc = _load("complete.json")
    badge = parse_achievement_credential(doc)
    assert badge.credential_subject.achievement is not None
    # Round trip keeps every property (numbers stay integers, extras kept).
    assert badge.to_json() == doc


def test_parse_endorsement_is_generic_credential() -> None:
    credential = parse_credential(_load("endorsement-valid.json"))
    assert "EndorsementCredential" in credential.types


def test_parse_presentation() -> None:
    vp = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": "did:example:holder",
        "verifiableCredential": [_load("simple.json")],
    }
    presentation = parse_presentation(vp)
    assert presentation.types == ["VerifiablePresentation"]
    with pytest.raises(MalformedCredentialError, match="VerifiablePresentation"):
        parse_presentation({**vp, "type": ["VerifiableCredential"]})
    with pytest.raises(MalformedCredentialError, match="JSON object"):
        parse_presentation([vp])


def _without(key: str) -> dict[str, Any]:
    doc = _load("simple.json")
    del doc[key]
    return doc


def _with(**changes: Any) -> dict[str, Any]:
    doc = _load("simple.json")
    for key, value in changes.items():
        doc[key.replace("_", "")] = value
    return doc


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ([], "must be a JSON object, not an array"),
        ("{}", "must be a JSON object, not a string"),
        (None, "must be a JSON object, not null"),
        (3, "not a number"),
        (_without("@context"), "no @context"),
        ({**_load("simple.json"), "@context": []}, "empty @context"),
        ({**_load("simple.json"), "@context": [3]}, "URLs or objects"),
        (
            {
                **_load("simple.json"),
                "@context": ["https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
            },
            "first @context must be",
        ),
        ({**_load("simple.json"), "@context": [{"@vocab": "x"}]}, "inline context object"),
        (_without("type"), "no type"),
        (_with(type=["OpenBadgeCredential"]), "VerifiableCredential"),
        (_with(type=[["VerifiableCredential"]]), "VerifiableCredential"),
        (_without("issuer"), "no issuer"),
        (_with(issuer={"name": "x"}), "string id"),
        (_with(issuer=""), "URL or an object"),
        (_with(issuer=7), "URL or an object"),
        (_without("credentialSubject"), "no credentialSubject"),
        (_with(credentialSubject="did:example:1"), "object or array of objects"),
        (_with(credentialSubject=[]), "object or array of objects"),
        (
            _with(validFrom="2010-01-01"),
            "validFrom '2010-01-01' is not a date-time with a time zone",
        ),
        (_with(validFrom="2010-01-01T00:00:00"), "time zone"),
        (_with(validFrom="2010-13-01T00:00:00Z"), "not a valid date-time"),
        (_with(validFrom=1262304000), "must be a date-time string"),
        (_with(validUntil="2000-01-01T00:00:00Z"), "validUntil is earlier than validFrom"),
    ],
)
def test_parse_credential_errors_are_readable(doc: dict[str, Any], message: str) -> None:
    with pytest.raises(MalformedCredentialError, match=message):
        parse_credential(doc)


def test_v1_requires_issuance_date() -> None:
    doc = _load("simple_v1.json")
    del doc["issuanceDate"]
    with pytest.raises(MalformedCredentialError, match="issuanceDate"):
        parse_credential(doc)


def test_pydantic_errors_become_readable() -> None:
    doc = _load("simple.json")
    doc["proof"] = "not a proof"
    with pytest.raises(MalformedCredentialError, match=r"credential is malformed: proof"):
        parse_credential(doc)


def test_snake_case_keys_are_not_read_from_the_wire() -> None:
    doc = _load("simple.json")
    del doc["credentialSubject"]
    doc["credential_subject"] = {"id": "did:example:1"}
    with pytest.raises(MalformedCredentialError, match="no credentialSubject"):
        parse_credential(doc)


def test_parse_achievement_credential_requires_ob_type_and_achievement() -> None:
    doc = _load("simple.json")
    doc["type"] = ["VerifiableCredential"]
    with pytest.raises(MalformedCredentialError, match="OpenBadgeCredential"):
        parse_achievement_credential(doc)
    doc = _load("simple.json")
    del doc["credentialSubject"]["achievement"]
    with pytest.raises(MalformedCredentialError, match="achievement"):
        parse_achievement_credential(doc)
    with pytest.raises(MalformedCredentialError, match="JSON object"):
        parse_achievement_credential("x")


def test_parse_achievement_credential_reports_field_errors() -> None:
    doc = copy.deepcopy(_load("simple.json"))
    doc["credentialSubject"]["achievement"]["achievementType"] = "NotAType"
    with pytest.raises(MalformedCredentialError, match="achievementType 'NotAType'"):
        parse_achievement_credential(doc)
