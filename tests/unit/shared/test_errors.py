"""Every error code is documented in docs/problems.md, and every documented code exists."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

ROOT = Path(__file__).parents[3]


def test_error_codes_are_documented() -> None:
    spec = importlib.util.spec_from_file_location("gen_problems", ROOT / "docs" / "gen_problems.py")
    assert spec is not None
    assert spec.loader is not None
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    codes = {cls.code for cls in gen.error_classes()}
    text = (ROOT / "docs" / "problems.md").read_text()
    anchors = set(re.findall(r"^## .* \{#([a-z-]+)\}$", text, re.MULTILINE))
    assert codes == anchors, "run: .venv/bin/python docs/gen_problems.py > docs/problems.md"
    assert {"invalid-proof", "unauthorized", "payload-too-large"} <= codes
