"""Canonical N-Quads string escaping, as RDFC-1.0 requires.

Implements: RDF Dataset Canonicalization (RDFC-1.0, W3C REC 2024) §"Canonical N-Quads",
which uses the canonical N-Triples form: in literals ``"``, ``\\``, LF, CR and TAB use ECHAR,
U+0008 and U+000C use ``\\b`` and ``\\f``, and the other characters in U+0000-U+001F and
U+007F use UCHAR with upper-case hex (``\\u007F``).

pyld 3.3 escapes only ``\\``, TAB, LF, CR and ``"`` and writes the other control characters
raw, so a literal holding one canonicalizes differently from rdf-canonize (jsonld.js) and
the signature no longer verifies elsewhere. :func:`install` replaces pyld's escape function
(it is module-level and used by its N-Quads serializer and URDNA2015 hashing alike). The
replacement is checked before (:mod:`shared.jsonld.pyld_compat`: the function and its callers
are still there) and after (a control character now comes out escaped): a pyld that moved
it makes the import fail with :class:`~shared.jsonld.pyld_compat.PyldIncompatibleError`.
"""

from __future__ import annotations

import pyld.nquads

from shared.jsonld.pyld_compat import (
    TESTED_PYLD_VERSION,
    PyldIncompatibleError,
    check_pyld_internals,
    installed_pyld_version,
)

_ESCAPES: dict[int, str] = {i: f"\\u{i:04X}" for i in [*range(0x20), 0x7F]}
_ESCAPES.update({0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r"})
_ESCAPES.update({ord('"'): '\\"', ord("\\"): "\\\\"})


def escape_literal(value: str) -> str:
    """Escape a literal's lexical form for canonical N-Quads."""
    return value.translate(_ESCAPES)


def install() -> None:
    """Make pyld serialize literals in canonical form (idempotent).

    Raises:
        PyldIncompatibleError: the installed pyld no longer escapes through
            ``pyld.nquads.escape``, so the replacement would have no effect.
    """
    check_pyld_internals()
    pyld.nquads.escape = escape_literal
    quad = {
        "subject": {"type": "blank node", "value": "_:b0"},
        "predicate": {"type": "IRI", "value": "urn:p"},
        "object": {"type": "literal", "value": "\x01", "datatype": "urn:t"},
    }
    if "\\u0001" not in pyld.nquads.serialize_nquad(quad):
        raise PyldIncompatibleError(
            f"pyld {installed_pyld_version()} did not take Musette's canonical N-Quads escaping "
            f"(written against pyld {TESTED_PYLD_VERSION}): see shared/jsonld/nquads_escape.py"
        )
