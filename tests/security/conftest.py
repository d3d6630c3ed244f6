"""Print the security suites' tables in the test run's summary."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.security.corpus import TALLY
from tests.security.report import LINES


@pytest.fixture(scope="session", autouse=True)
def _corpus_table() -> Iterator[None]:
    """After the run, the corpus table (per family) joins the lines printed below."""
    yield
    if TALLY.counts:
        LINES.extend(TALLY.table())


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if LINES:
        terminalreporter.section("security suites")
        for line in LINES:
            terminalreporter.write_line(line)
