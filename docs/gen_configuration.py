"""Regenerate docs/configuration.md from the three services' settings classes.

Run: ``.venv/bin/python docs/gen_configuration.py > docs/configuration.md``

A field's description is the ``#:`` comment above it in its class (``BaseServiceSettings``
for the fields every service shares).
"""

from __future__ import annotations

import inspect
import re
from typing import Any

from pydantic_settings import BaseSettings

from issuer.settings import IssuerSettings
from servicekit.settings import BaseServiceSettings
from verifier.settings import VerifierSettings
from wallet.settings import WalletSettings

SERVICES: tuple[tuple[str, type[BaseServiceSettings]], ...] = (
    ("issuer", IssuerSettings),
    ("wallet", WalletSettings),
    ("verifier", VerifierSettings),
)

_FIELD = re.compile(r"^    (\w+)\s*:")


def field_comments(cls: type[BaseSettings]) -> dict[str, str]:
    """``{field: the #: comment right above it}`` over ``cls`` and its settings bases.

    A comment above a run of fields describes the first only here: a field without a comment
    of its own shows none rather than a neighbour's (which is often about something else).
    """
    comments: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        if not (isinstance(klass, type) and issubclass(klass, BaseServiceSettings)):
            continue
        pending: list[str] = []
        for line in inspect.getsource(klass).splitlines():
            stripped = line.strip()
            if stripped.startswith("#:"):
                pending.append(stripped[2:].strip())
                continue
            match = _FIELD.match(line)
            if match and pending:
                comments[match.group(1)] = " ".join(pending)
            pending = []
    return comments


def _default(value: Any) -> str:
    if value == "" or value == [] or value == {}:
        return "(empty)"
    return f"`{value}`"


def render() -> str:
    """The Markdown page."""
    lines = [
        "# Configuration",
        "",
        "Generated from the settings classes by `docs/gen_configuration.py` (a test checks it is",
        "current). Every service reads its settings from the environment only: a field `name`",
        "of the issuer is `MUSETTE_ISSUER_NAME`, and so on. Any variable may instead be given as",
        "`<VARIABLE>_FILE`, the path of a file holding the value (a Docker or Kubernetes secret).",
        "Fields every service shares come from `servicekit.settings.BaseServiceSettings`; the",
        "outbound-fetch ones of the wallet and the verifier from `FetchingServiceSettings`.",
        "A variable's former name still works, with a warning in the log; the new name wins.",
        "",
    ]
    for service, cls in SERVICES:
        prefix = str(cls.model_config.get("env_prefix", ""))
        comments = field_comments(cls)
        lines += [
            f"## {service.capitalize()} (`{prefix}*`)",
            "",
            "| Variable | Default | Meaning |",
            "|---|---|---|",
        ]
        for name, info in cls.model_fields.items():
            meaning = comments.get(name, "").replace("|", "\\|")
            former = [f"`{prefix}{old.upper()}`" for old in cls.renamed.get(name, ())]
            if former:
                meaning += f" (formerly {', '.join(former)}: still read, with a warning)"
            lines.append(f"| `{prefix}{name.upper()}` | {_default(info.default)} | {meaning} |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(render(), end="")  # noqa: T201
