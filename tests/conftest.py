"""Shared fixtures: test data paths, a fixed clock, vector loaders."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.stack import stack, stack_config  # noqa: F401 - one session-wide stack for all tests

DATA = Path(__file__).parent / "data"
FIXED_NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def data_path(*parts: str) -> Path:
    """Path of a test data file."""
    return DATA.joinpath(*parts)


def load_json(*parts: str) -> Any:
    """Parse a JSON test data file."""
    return json.loads(data_path(*parts).read_text())


@pytest.fixture
def fixed_clock() -> Any:
    return lambda: FIXED_NOW
