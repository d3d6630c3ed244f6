"""Regenerate docs/problems.md from every VcError subclass in the repository.

Run: ``.venv/bin/python docs/gen_problems.py > docs/problems.md``
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

from shared.errors import VcError
from shared.ui.problem_text import problem_message, problem_title

PACKAGES = ("shared", "servicekit", "issuer", "wallet", "verifier")


def error_classes() -> list[type[VcError]]:
    """Every VcError subclass defined in the four packages, one per code."""
    for name in PACKAGES:
        package = importlib.import_module(name)
        for info in pkgutil.walk_packages(package.__path__, f"{name}."):
            if ".migrations" not in info.name:
                importlib.import_module(info.name)
    found: dict[str, type[VcError]] = {}
    stack: list[type[VcError]] = [VcError]
    while stack:
        cls = stack.pop()
        if cls.__module__.split(".")[0] in PACKAGES:
            found.setdefault(cls.code, cls)
        stack.extend(cls.__subclasses__())
    return sorted(found.values(), key=lambda c: (c.status, c.code))


def render() -> str:
    """The Markdown page."""
    lines = [
        "# Problem types",
        "",
        "Every error Musette raises on purpose has a stable code. Services answer with RFC 9457",
        "`application/problem+json` whose `type` ends in `#<code>`; OAuth and OpenID4VCI/VP",
        "endpoints answer in their own error format instead.",
        "",
    ]
    for cls in error_classes():
        doc = (inspect.getdoc(cls) or cls.title).replace("\n", " ")
        where = cls.__module__.split(".")[0]
        lines += [f"## {cls.title} {{#{cls.code}}}", "", f"HTTP {cls.status} ({where}). {doc}", ""]
        # what a page shows instead of the English detail (shared/ui/problem_text.py)
        for lang in ("fr", "en"):
            said = f"{problem_title(cls.code, lang)} — {problem_message(cls.code, lang)}"
            lines += [f"- page ({lang}): {said}"]
        lines += [""]
    return "\n".join(lines)


if __name__ == "__main__":
    print(render(), end="")  # noqa: T201
