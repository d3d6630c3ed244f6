"""The Rust-compiled (jsonschema-rs) OB 3.0 schema gives the verdict of jsonschema + type walk.

validate_ob3 trusts the compiled validator's "valid" and only runs jsonschema to explain a
failure, so the two must agree on every document: valid ones, the 1EdTech error samples,
and many randomly mutated credentials.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from shared.model.schema import _fast_valid, _type_problems, _validator, validate_ob3
from tests.conftest import data_path
from tests.mutants import mutate

SEEDS = [
    data_path("peers", "ob3-credential.unsigned.json"),
    data_path("validator-ob30", "simple.json"),
    data_path("validator-ob30", "complete.json"),
    data_path("validator-ob30", "endorsement-valid.json"),
]
BAD_VALUES: list[Any] = [
    None,
    42,
    1.5,
    True,
    "",
    "not-a-date",
    "2024-13-45T99:00:00Z",
    [],
    {},
    ["x"],
    {"type": "Wrong"},
    "Profile",
    ["Achievement"],
    ["Result", {}],
]


def _kind(doc: Any) -> str:
    types = doc.get("type") if isinstance(doc, dict) else None
    types = types if isinstance(types, list) else [types]
    return "EndorsementCredential" if "EndorsementCredential" in types else "AchievementCredential"


def _full_valid(doc: Any) -> bool:
    """jsonschema finds nothing and the type walk finds nothing."""
    kind = _kind(doc)
    if any(True for _ in _validator(kind).iter_errors(doc)):
        return False
    return not list(_type_problems(doc, kind, "$"))


def _mutants(count: int) -> list[dict[str, Any]]:
    rng = random.Random(20261121)
    seeds = [json.loads(Path(p).read_text()) for p in SEEDS]
    return [mutate(rng.choice(seeds), BAD_VALUES, rng, delete_rate=0.3) for _ in range(count)]


@pytest.mark.parametrize(
    "path", sorted(data_path("validator-ob30").glob("*.json")), ids=lambda p: p.name
)
def test_same_verdict_on_1edtech_samples(path: Path) -> None:
    doc = json.loads(path.read_text())
    assert _fast_valid(_kind(doc), doc) == _full_valid(doc)


def test_same_verdict_on_600_mutated_credentials() -> None:
    mutants = _mutants(600)
    verdicts = [(_fast_valid(_kind(d), d), _full_valid(d)) for d in mutants]
    disagreements = [d for d, (fast, full) in zip(mutants, verdicts, strict=True) if fast != full]
    assert disagreements == []
    # the mutations must exercise both verdicts, or the comparison proves little
    assert {full for _, full in verdicts} == {True, False}


def test_600_mutants_exercise_the_type_rules() -> None:
    # mutants that pass jsonschema but break a class name: only the type rules catch them
    mutants = _mutants(600)
    caught = [
        d
        for d in mutants
        if not any(True for _ in _validator(_kind(d)).iter_errors(d))
        and list(_type_problems(d, _kind(d), "$"))
    ]
    assert caught
    assert not any(_fast_valid(_kind(d), d) for d in caught)


def test_a_type_entry_that_is_an_object_is_a_problem_not_a_crash() -> None:
    doc = json.loads(Path(SEEDS[0]).read_text())
    doc["type"] = ["VerifiableCredential", {}]
    problems = validate_ob3(doc)
    assert any("must include 'AchievementCredential'" in p for p in problems)


TRICKY_DATE_TIMES = [
    "2024-05-01T09:30:00Z",
    "2024-05-01T09:30:00.123456789+02:00",
    "2024-05-01t09:30:00z",
    "2024-05-01 09:30:00Z",
    "2024-05-01T09:30:00",
    "2024-02-29T00:00:00Z",
    "2023-02-29T00:00:00Z",
    "2016-12-31T23:59:60Z",
    "2024-05-01T24:00:00Z",
    "2024-05-01T09:30:00+24:00",
    "2024-05-01T09:30:00+05:60",
    "0000-01-01T00:00:00Z",
    "0001-01-01T00:00:00Z",
    "٢٠٢٤-05-01T09:30:00Z",
    "2024-W01-1T09:30:00Z",
    "2024-05-01T09:30Z",
    "+2024-05-01T09:30:00Z",
]
TRICKY_DATES = ["2000-01-01", "2024-W01-1", "20240101", "0000-01-01", "2023-02-29", "٢٠٠٠-01-01"]


@pytest.mark.parametrize("value", TRICKY_DATE_TIMES)
def test_same_verdict_on_tricky_date_times(value: str) -> None:
    doc = json.loads(Path(SEEDS[0]).read_text())
    doc["validFrom"] = value
    doc["credentialSubject"]["activityEndDate"] = value
    assert _fast_valid(_kind(doc), doc) == _full_valid(doc)


@pytest.mark.parametrize("value", TRICKY_DATES)
def test_same_verdict_on_tricky_dates(value: str) -> None:
    doc = json.loads(Path(SEEDS[0]).read_text())
    doc["issuer"]["dateOfBirth"] = value
    assert _fast_valid(_kind(doc), doc) == _full_valid(doc)


def test_tricky_dates_exercise_both_verdicts() -> None:
    doc = json.loads(Path(SEEDS[0]).read_text())
    verdicts = set()
    for value in TRICKY_DATE_TIMES:
        doc["validFrom"] = value
        verdicts.add(_full_valid(doc))
    assert verdicts == {True, False}
