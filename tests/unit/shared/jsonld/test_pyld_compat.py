"""The pyld patch fails loudly when the internals it patches are absent or changed."""

from __future__ import annotations

from typing import Any

import pyld.canon
import pyld.jsonld
import pyld.nquads
import pytest

from shared.jsonld import nquads_escape
from shared.jsonld.pyld_compat import (
    TESTED_PYLD_VERSION,
    PyldIncompatibleError,
    check_pyld_internals,
    installed_pyld_version,
    pyld_problems,
)


def test_installed_pyld_has_every_internal_we_patch() -> None:
    assert installed_pyld_version() == TESTED_PYLD_VERSION  # the pin in pyproject.toml
    assert pyld_problems() == []
    check_pyld_internals()


def _refused(match: str) -> str:
    with pytest.raises(PyldIncompatibleError, match=match) as info:
        check_pyld_internals()
    message = str(info.value)
    assert f"pyld {installed_pyld_version()} is not compatible" in message
    assert f"pyld=={TESTED_PYLD_VERSION}" in message
    return message


def test_pyld_patch_fails_loudly_when_escape_is_absent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(pyld.nquads, "escape")
    _refused(r"pyld\.nquads\.escape is missing")
    with pytest.raises(PyldIncompatibleError):
        nquads_escape.install()


def test_pyld_patch_fails_loudly_when_a_signature_changed(monkeypatch: pytest.MonkeyPatch) -> None:
    def reshaped(self: Any, active_ctx: Any, local_ctx: Any, options: Any) -> Any:
        raise AssertionError("never called")

    monkeypatch.setattr(pyld.jsonld.JsonLdProcessor, "_process_context", reshaped)
    _refused(r"_process_context\(self, active_ctx, local_ctx, options\) is not")


def test_pyld_patch_fails_loudly_when_an_override_target_is_gone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delattr(pyld.canon.URDNA2015, "hash_n_degree_quads")
    _refused(r"URDNA2015\.hash_n_degree_quads is missing")


def test_pyld_patch_fails_loudly_when_escape_is_no_longer_called(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def serialize_nquad(triple: Any, graph_name: Any = None) -> str:
        return str(triple)  # a serializer with its own escaping: our patch would be ignored

    monkeypatch.setattr(pyld.nquads, "serialize_nquad", serialize_nquad)
    message = _refused("no longer calls the module's escape")
    assert "pyld.canon no longer hashes quads" in message


def test_canonical_escaping_is_in_effect() -> None:
    quad = {
        "subject": {"type": "blank node", "value": "_:b0"},
        "predicate": {"type": "IRI", "value": "urn:p"},
        "object": {"type": "literal", "value": "a\x7fb\x0c", "datatype": "urn:t"},
    }
    assert '"a\\u007Fb\\f"' in pyld.nquads.serialize_nquad(quad)
