"""The pyld internals Musette overrides or patches, checked before they are used.

Three places reach into pyld (pinned to :data:`TESTED_PYLD_VERSION`) below its public API:

* :mod:`shared.jsonld.nquads_escape` replaces the module-level ``pyld.nquads.escape``, which
  ``serialize_nquad`` (used by pyld's N-Quads output and its URDNA2015 hashing) calls;
* :mod:`shared.jsonld.context_cache` overrides ``JsonLdProcessor._process_context`` and
  ``_expand_iri`` and relies on the ``_uuid`` pyld gives each frozen active context;
* :mod:`shared.jsonld.canon` overrides ``URDNA2015.hash_n_degree_quads``.

A pyld release that renames, removes or reshapes one of these would otherwise fail
silently: the patch would land on nothing, and signatures would stop verifying elsewhere
(or a work limit would stop applying). :func:`check_pyld_internals` checks each one at
import and raises :class:`PyldIncompatibleError`, naming the installed pyld version, when
one is absent or changed.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from importlib import metadata
from typing import Any, Final

import pyld.canon
import pyld.jsonld
import pyld.nquads

#: The pyld release these internals were read from (pyproject.toml pins it).
TESTED_PYLD_VERSION: Final = "3.3.0"

#: (owner, attribute) -> the parameter names our override or patch assumes.
_SIGNATURES: Final[dict[tuple[str, str], tuple[str, ...]]] = {
    ("pyld.nquads", "escape"): ("value",),
    ("pyld.nquads", "serialize_nquad"): ("triple", "graph_name"),
    ("JsonLdProcessor", "_process_context"): (
        "self",
        "active_ctx",
        "local_ctx",
        "options",
        "override_protected",
        "propagate",
        "validate_scoped",
        "cycles",
    ),
    ("JsonLdProcessor", "_expand_iri"): (
        "self",
        "active_ctx",
        "value",
        "base",
        "vocab",
        "local_ctx",
        "defined",
    ),
    ("URDNA2015", "hash_n_degree_quads"): ("self", "id_", "issuer"),
    ("URDNA2015", "main"): ("self", "dataset", "options"),
}


class PyldIncompatibleError(RuntimeError):
    """The installed pyld lacks (or reshaped) an internal Musette overrides or patches."""


def installed_pyld_version() -> str:
    """The installed pyld distribution's version ("unknown" when not recorded)."""
    try:
        return metadata.version("PyLD")
    except metadata.PackageNotFoundError:
        return "unknown"


def _owner(name: str) -> Any:
    return {
        "pyld.nquads": pyld.nquads,
        "JsonLdProcessor": pyld.jsonld.JsonLdProcessor,
        "URDNA2015": pyld.canon.URDNA2015,
    }[name]


def _parameters(function: Callable[..., Any]) -> tuple[str, ...]:
    return tuple(inspect.signature(function).parameters)


def pyld_problems() -> list[str]:
    """What in the installed pyld differs from the internals Musette relies on (empty: none)."""
    problems: list[str] = []
    for (owner, attribute), expected in _SIGNATURES.items():
        function = getattr(_owner(owner), attribute, None)
        if not callable(function):
            problems.append(f"{owner}.{attribute} is missing")
            continue
        try:
            found = _parameters(function)
        except (TypeError, ValueError):
            problems.append(f"{owner}.{attribute} has no readable signature")
            continue
        if found != expected:
            problems.append(
                f"{owner}.{attribute}({', '.join(found)}) is not "
                f"{owner}.{attribute}({', '.join(expected)})"
            )
    serialize = getattr(pyld.nquads, "serialize_nquad", None)
    code = getattr(serialize, "__code__", None)
    if code is not None and (
        "escape" not in code.co_names
        or getattr(serialize, "__globals__", None) is not vars(pyld.nquads)
    ):
        problems.append("pyld.nquads.serialize_nquad no longer calls the module's escape()")
    if getattr(pyld.canon, "serialize_nquad", None) is not serialize:
        problems.append("pyld.canon no longer hashes quads with pyld.nquads.serialize_nquad")
    process = getattr(pyld.jsonld.JsonLdProcessor, "_process_context", None)
    if "_uuid" not in getattr(getattr(process, "__code__", None), "co_consts", ()):
        problems.append("JsonLdProcessor._process_context no longer tags contexts with _uuid")
    return problems


def check_pyld_internals() -> None:
    """Raise :class:`PyldIncompatibleError` when an internal Musette relies on has changed."""
    problems = pyld_problems()
    if problems:
        raise PyldIncompatibleError(
            f"pyld {installed_pyld_version()} is not compatible with Musette's JSON-LD "
            f"canonicalization (written against pyld {TESTED_PYLD_VERSION}): "
            + "; ".join(problems)
            + f". Install pyld=={TESTED_PYLD_VERSION}, or review shared/jsonld/pyld_compat.py "
            "and the modules it names before moving the pin."
        )
