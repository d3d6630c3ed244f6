"""Print the security suites' tables in the test run's summary."""

from __future__ import annotations

from typing import Any

from tests.security.report import LINES


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if LINES:
        terminalreporter.section("security suites")
        for line in LINES:
            terminalreporter.write_line(line)
