"""The wallet's presenting flow stays in small modules named after what they do.

``wallet/service/presenting.py`` grew to 1,061 lines before it was split; each of its
modules is kept under the page modules' limits (tests/unit/repository/test_page_module_size.py):
at most 400 lines, no function over 60.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.unit.repository.test_page_module_size import (
    MAX_MODULE_LINES,
    ROOT,
    long_functions,
)

SERVICE = ROOT / "wallet" / "service"
#: the flow (presenting) and the modules it is made of
PRESENTING = (
    "presenting",
    "presentation_request",
    "verifier_identity",
    "dcql_matching",
    "credential_sets",
    "claim_paths",
    "answer_plan",
    "presentation_formats",
    "direct_post",
    "pending_presentation",
)


def service_imports(path: Path) -> set[str]:
    """The ``wallet.service`` modules ``path`` imports."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module.startswith("wallet.service."):
                found.add(node.module.removeprefix("wallet.service."))
            elif node.module == "wallet.service":
                found |= {alias.name for alias in node.names}
    return found


def test_the_flow_is_made_of_the_listed_modules() -> None:
    """Every listed module is reached from presenting.py (a list that rots fails here)."""
    reached: set[str] = set()
    todo = ["presenting"]
    while todo:
        name = todo.pop()
        if name in reached or name not in PRESENTING:
            continue
        reached.add(name)
        todo.extend(service_imports(SERVICE / f"{name}.py"))
    assert reached == set(PRESENTING)


@pytest.mark.parametrize("name", PRESENTING)
def test_a_presenting_module_is_small(name: str) -> None:
    source = (SERVICE / f"{name}.py").read_text(encoding="utf-8")
    assert len(source.splitlines()) <= MAX_MODULE_LINES, "split it by what it does"
    assert long_functions(source) == []
