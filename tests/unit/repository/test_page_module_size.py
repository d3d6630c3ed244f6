"""The page modules stay small enough to read: split by resource, not grown into one file.

The page modules are every module of a service (``issuer/``, ``wallet/``, ``verifier/``)
whose file name contains ``page``: ``pages.py``, ``api/pages.py``, ``api/*_pages.py``,
``api/pages_*.py``, ``api/page_*.py`` and ``wallet/page_describe.py``. None is over 400
lines, no function in them is over 60 lines (decorators excluded, docstring included), and
none hides its layout from the formatter (a skip marker).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SERVICES = ("issuer", "wallet", "verifier")
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def page_modules() -> list[Path]:
    found = {p for s in SERVICES for p in (ROOT / s).rglob("*page*.py")}
    return sorted(p for p in found if "migrations" not in p.parts)


def long_functions(source: str) -> list[tuple[str, int]]:
    """(name, lines) of every function or method longer than the limit."""
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            assert node.end_lineno is not None
            length = node.end_lineno - node.lineno + 1
            if length > MAX_FUNCTION_LINES:
                out.append((node.name, length))
    return out


def test_the_page_modules_are_found() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in page_modules()}
    assert {"issuer/api/pages.py", "wallet/pages.py", "verifier/api/pages.py"} <= names


@pytest.mark.parametrize("path", page_modules(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_a_page_module_is_small(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    assert len(source.splitlines()) <= MAX_MODULE_LINES, "split it by resource"
    assert long_functions(source) == []
    assert "fmt: skip" not in source


def test_the_function_check_sees_a_long_function() -> None:
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_FUNCTION_LINES))
    assert long_functions(f"def f() -> None:\n{body}\n") == [("f", MAX_FUNCTION_LINES + 1)]
    assert long_functions("async def g() -> None:\n    pass\n") == []


def test_no_module_hides_its_layout_from_the_formatter() -> None:
    """``ruff format`` lays out every Python file: no skip or off marker hides one."""
    marker = "# fmt" + ": "  # split, so this file does not name the marker itself
    python = [
        p
        for p in ROOT.rglob("*.py")
        if not {".venv", "node_modules", ".git"} & set(p.relative_to(ROOT).parts)
    ]
    hiding = [
        p.relative_to(ROOT).as_posix()
        for p in python
        if any(marker + word in p.read_text(encoding="utf-8") for word in ("skip", "off"))
    ]
    assert len(python) > 100
    assert hiding == []
