"""validate_ob3 against the 1EdTech validator's OB 3.0 vectors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from shared.model import validate_ob3

DATA = Path(__file__).parents[3] / "data" / "validator-ob30"

VALID = ["simple.json", "complete.json", "endorsement-valid.json"]

# simple-err-* files whose error is a schema or type error, with a fragment of the
# expected problem.
SCHEMA_ERRORS = {
    "simple-err-context.json": "$['@context']",
    "simple-err-type.json": "$.type",
    "simple-err-issuer.json": "'issuer' is a required property",
    "simple-err-issuer-type.json": "$.issuer.type",
    "simple-err-issuer-otheridentifier-type.json": "$.issuer.otherIdentifier[1].type",
    "simple-err-issuer-parentorg-type.json": "$.issuer.parentOrg.type",
    "simple-err-credential-subject-type.json": "$.credentialSubject.type",
    "simple-err-credential-subject-identifier-type.json": "$.credentialSubject.identifier[0].type",
    "simple-err-credential-subject-profile-type.json": "$.credentialSubject.source.type",
    "simple-err-credential-subject-result-type.json": "$.credentialSubject.result[1].type",
    "simple-err-credential-subject-achievement-result-description-type.json": (
        "$.credentialSubject.achievement.resultDescription[2].type"
    ),
    "simple-err-evidence-type.json": "$.evidence[1].type",
}

# simple-err-* files whose error is not a schema error: proofs and dates are checked
# by the verify pipeline. simple-err-issued.json also lacks an achievement, so it is
# schema-invalid too, for a reason other than the one it tests.
NOT_SCHEMA_ERRORS = [
    "simple-err-expired.json",
    "simple-err-proof-method.json",
    "simple-err-proof-method-no-scheme.json",
    "simple-err-proof-method-unknown-did-method.json",
    "simple-err-proof-method-unknown-scheme.json",
    "simple-err-proof-value.json",
]


def _load(name: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((DATA / name).read_text())
    return doc


def test_every_err_vector_is_classified() -> None:
    err_files = {p.name for p in DATA.glob("simple-err-*.json")}
    classified = set(SCHEMA_ERRORS) | set(NOT_SCHEMA_ERRORS) | {"simple-err-issued.json"}
    assert err_files == classified


@pytest.mark.parametrize("name", VALID, ids=lambda n: n.removesuffix(".json"))
def test_validator_valid_vectors(name: str) -> None:
    assert validate_ob3(_load(name)) == []


@pytest.mark.parametrize(
    ("name", "fragment"), sorted(SCHEMA_ERRORS.items()), ids=lambda v: str(v).removesuffix(".json")
)
def test_validator_schema_error_vectors(name: str, fragment: str) -> None:
    problems = validate_ob3(_load(name))
    assert problems, name
    assert any(fragment in problem for problem in problems), problems


@pytest.mark.parametrize("name", NOT_SCHEMA_ERRORS, ids=lambda n: n.removesuffix(".json"))
def test_validator_proof_and_date_error_vectors_pass_the_schema(name: str) -> None:
    assert validate_ob3(_load(name)) == []


def test_issued_in_future_vector_lacks_an_achievement() -> None:
    assert validate_ob3(_load("simple-err-issued.json")) == [
        "$.credentialSubject: 'achievement' is a required property"
    ]


@pytest.mark.parametrize("name", ["simple_v1.json", "complete_v1.json"])
def test_vcdm_1_1_credentials_fail_the_2_0_schema(name: str) -> None:
    problems = validate_ob3(_load(name))
    assert any("@context" in p for p in problems)


def test_endorsement_with_v1_context_is_invalid() -> None:
    problems = validate_ob3(_load("endorsement-err-schema-status-refresh.json"))
    assert "$: 'validFrom' is a required property" in problems


def test_endorsement_missing_name_uses_endorsement_definition() -> None:
    doc = _load("endorsement-valid.json")
    del doc["name"]
    assert "$: 'name' is a required property" in validate_ob3(doc)


def test_single_string_types_are_checked() -> None:
    doc = _load("simple.json")
    doc["credentialSubject"]["type"] = "InvalidAchievementSubject"
    doc["type"] = "VerifiableCredential"
    problems = validate_ob3(doc)
    assert any(p.startswith("$.credentialSubject.type: must include") for p in problems)
    assert any("'AchievementCredential' or 'OpenBadgeCredential'" in p for p in problems)


@pytest.mark.parametrize(
    ("field", "value"),
    [("validFrom", "2010-01-01"), ("validFrom", "yesterday"), ("awardedDate", "2010-01-01T00:00")],
)
def test_date_time_format_is_asserted(field: str, value: str) -> None:
    doc = _load("simple.json")
    doc[field] = value
    problems = validate_ob3(doc)
    assert any(p.startswith(f"$.{field}:") for p in problems), problems


def test_date_format_is_asserted() -> None:
    doc = _load("simple.json")
    doc["issuer"]["dateOfBirth"] = "1990-1-1"
    assert any("dateOfBirth" in p for p in validate_ob3(doc))


def test_non_object_is_reported() -> None:
    assert validate_ob3([]) == ["$: a credential must be a JSON object, not list"]


def test_long_messages_are_shortened() -> None:
    doc = _load("simple.json")
    doc["credentialSubject"]["achievement"]["criteria"] = "x" * 1000
    assert all(len(p) < 300 for p in validate_ob3(doc))
