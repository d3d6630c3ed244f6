"""Shared fixtures: test data paths, a fixed clock, vector loaders."""

from __future__ import annotations

import json
import os
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


@pytest.fixture(autouse=True)
def _restore_musette_environment() -> Any:
    """Commands under test (``musette migrate --dev``, ``musette serve``) set MUSETTE_* and
    PROMETHEUS_MULTIPROC_DIR in this process, as they must for their workers; put the
    environment back after each test so no later test starts in development mode by accident."""
    kept = {k: v for k, v in os.environ.items() if k.startswith(("MUSETTE_", "PROMETHEUS_"))}
    yield
    for key in [k for k in os.environ if k.startswith(("MUSETTE_", "PROMETHEUS_"))]:
        if key not in kept:
            del os.environ[key]
    os.environ.update(kept)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """One line per group of tests that could not run, saying how to enable it."""
    reasons: dict[str, int] = {}
    for report in terminalreporter.stats.get("skipped", []):
        longrepr = report.longrepr
        reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
        reason = reason.removeprefix("Skipped: ")
        reasons[reason] = reasons.get(reason, 0) + 1
    for reason, count in sorted(reasons.items(), key=lambda item: -item[1]):
        terminalreporter.write_line(f"skipped {count}: {reason}")
