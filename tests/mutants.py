"""Mutated JSON documents for differential and hostile-input tests: one value replaced (or
one member removed) at a random place."""

from __future__ import annotations

import copy
import random
from collections.abc import Sequence
from typing import Any


def json_paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path (keys and indexes) to a value inside ``value``."""
    out = [prefix] if prefix else []
    if isinstance(value, dict):
        for k, v in value.items():
            out += json_paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += json_paths(v, (*prefix, i))
    return out


def mutate(
    doc: dict[str, Any], values: Sequence[Any], rng: random.Random, *, delete_rate: float = 0.0
) -> dict[str, Any]:
    """A copy of ``doc`` with one value replaced by one of ``values`` (or a member deleted)."""
    doc = copy.deepcopy(doc)
    path = rng.choice(json_paths(doc))
    parent: Any = doc
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if rng.random() < delete_rate and isinstance(parent, dict):
        del parent[last]
    else:
        parent[last] = copy.deepcopy(rng.choice(values))
    return doc
