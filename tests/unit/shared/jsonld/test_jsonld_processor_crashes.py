"""Hostile contexts on which pyld itself crashes are refused as malformed, never a 500.

Regression: ``{"@vocab": null}`` in a context (valid JSON-LD 1.1, "If value is
null, remove any vocabulary mapping") made pyld 3.3 raise ``KeyError: '@vocab'``.
"""

from __future__ import annotations

from typing import Any

import pytest

from shared.errors import MalformedCredentialError
from shared.jsonld.canon import canonize, canonize_plain

VC_V2 = "https://www.w3.org/ns/credentials/v2"


def _doc(contexts: Any, subject: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "@context": contexts,
        "type": ["VerifiableCredential", "ExampleTestCredential"],
        "issuer": "did:example:issuer",
        "credentialSubject": subject or {"id": "did:example:subject"},
    }


@pytest.mark.parametrize(
    "document",
    [
        _doc([VC_V2, {"@vocab": None}]),
        _doc([{"@vocab": None}, VC_V2]),
        _doc([VC_V2], {"@context": {"@vocab": None}, "id": "did:example:s", "x": 1}),
    ],
    ids=["after-v2", "before-v2", "nested"],
)
@pytest.mark.parametrize("safe_mode", [False, True])
def test_regression_14_vocab_null_is_malformed_not_a_crash(
    document: dict[str, Any], safe_mode: bool
) -> None:
    for run in (canonize, canonize_plain):
        with pytest.raises(MalformedCredentialError, match="@context"):
            run(document, safe_mode=safe_mode)


def test_a_reset_base_still_canonicalizes() -> None:
    assert "<did:example:subject>" in canonize(_doc([VC_V2, {"@base": None}]))
