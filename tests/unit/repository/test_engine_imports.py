"""The engine imports what it uses at the top of each module, and names its entry points.

A function-level import or an ``importlib.import_module`` hides a dependency from
import-linter (and from the reader): ``shared.proofs`` once reached ``shared.verify`` that way.
"""

from __future__ import annotations

import ast
from pathlib import Path

import shared.verify

ROOT = Path(__file__).resolve().parents[3]


def hidden_imports(source: str) -> list[str]:
    """``line: what`` for each import inside a function and each dynamic import."""
    found: list[str] = []
    tree = ast.parse(source)
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.Import | ast.ImportFrom):
                found.append(f"{node.lineno}: import inside {function.name}()")
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = ast.unparse(node.func)
            if name in {"importlib.import_module", "import_module", "__import__"}:
                found.append(f"{node.lineno}: {name}()")
    return found


def test_shared_has_no_function_level_or_dynamic_import() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{hit}"
        for path in sorted((ROOT / "shared").rglob("*.py"))
        for hit in hidden_imports(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_check_sees_what_it_is_for() -> None:
    assert hidden_imports("def f():\n    from shared.verify import tokens\n")
    assert hidden_imports("async def f():\n    import json\n")
    assert hidden_imports("import importlib\nm = importlib.import_module('shared.proofs')\n")
    assert not hidden_imports("from importlib import resources\nimport json\n")


def test_every_public_name_of_shared_verify_resolves() -> None:
    assert shared.verify.__all__
    for name in shared.verify.__all__:
        value = getattr(shared.verify, name)
        if name != "Clock":  # a type alias: Callable[[], datetime]
            assert value.__module__.startswith("shared.verify."), name
