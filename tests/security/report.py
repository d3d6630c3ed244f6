"""Lines the security suites print at the end of the run (tables per family)."""

from __future__ import annotations

LINES: list[str] = []
