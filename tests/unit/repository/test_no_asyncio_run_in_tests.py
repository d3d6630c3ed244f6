"""Tests start coroutines through ``tests.run_async``, never with ``asyncio.run`` directly.

The browser tests run first, and Playwright's sync API leaves an event loop running in the
main thread: ``asyncio.run`` then refuses to start, and the coroutine it was given, never
awaited, is reported (as an error, since warnings are errors) in whichever later test the
garbage collector happens to run, far from its cause.
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[2]
ALLOWED = {TESTS / "run_async.py"}


def _asyncio_run_calls(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "run"
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "asyncio"
    ]


def test_no_test_calls_asyncio_run() -> None:
    found = [
        f"{path.relative_to(TESTS)}:{line}"
        for path in sorted(TESTS.rglob("*.py"))
        if "node_modules" not in path.parts and path not in ALLOWED
        for line in _asyncio_run_calls(path)
    ]
    assert found == [], f"use tests.run_async.run_async instead: {found}"


def test_the_scan_sees_a_call(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import asyncio\n\nasyncio.run(main())\nloop.run(x)\n")
    assert _asyncio_run_calls(sample) == [3]
