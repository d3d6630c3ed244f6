"""Every error code is documented in docs/problems.md, and every documented code exists."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import shared.errors as errors


def test_error_codes_are_documented() -> None:
    codes = {
        cls.code
        for _, cls in inspect.getmembers(errors, inspect.isclass)
        if issubclass(cls, errors.VcError)
    }
    text = (Path(__file__).parents[3] / "docs" / "problems.md").read_text()
    anchors = set(re.findall(r"^## .* \{#([a-z-]+)\}$", text, re.MULTILINE))
    assert codes == anchors
