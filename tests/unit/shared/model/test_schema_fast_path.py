"""The compiled (fastjsonschema) OB 3.0 schema gives the same verdict as jsonschema.

validate_ob3 trusts the compiled validator's "valid" and only runs jsonschema to explain a
failure, so the two must agree on every document: valid ones, the 1EdTech error samples,
and many randomly mutated credentials.
"""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from typing import Any

import pytest

from shared.model.schema import _fast_valid, _validator
from tests.conftest import data_path

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
]


def _kind(doc: Any) -> str:
    types = doc.get("type") if isinstance(doc, dict) else None
    types = types if isinstance(types, list) else [types]
    return "EndorsementCredential" if "EndorsementCredential" in types else "AchievementCredential"


def _full_valid(doc: Any) -> bool:
    return not any(True for _ in _validator(_kind(doc)).iter_errors(doc))


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*prefix, i))
    return out


def _mutate(doc: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    path = rng.choice(_paths(doc))
    parent: Any = doc
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if rng.random() < 0.3 and isinstance(parent, dict):
        del parent[last]
    else:
        parent[last] = copy.deepcopy(rng.choice(BAD_VALUES))
    return doc


def _mutants(count: int) -> list[dict[str, Any]]:
    rng = random.Random(20261121)
    seeds = [json.loads(Path(p).read_text()) for p in SEEDS]
    return [_mutate(rng.choice(seeds), rng) for _ in range(count)]


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
