"""Every problem code has a French and an English message for pages, and the French one is
entirely French (the English ``detail`` stays in the JSON for machines)."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from shared.ui.problem_text import PROBLEM_MESSAGES, problem_message, problem_title

ROOT = Path(__file__).parents[3]

# Words and patterns that only English text has: none of them is a French word, a French
# word's prefix or a name a French sentence uses ("Musette", "CSV" are fine).
ENGLISH = re.compile(
    r"\b(the|is|are|not|was|were|has|have|this|that|with|from|must|should|cannot|"
    r"answered|unknown|invalid|expired|refused|wrong|error|missing|failed|please|"
    r"offer|request|credential|token|grant|tx_code|issuer|wallet|verifier|badge's|"
    r"http|https|json|jwt|did|null|none|true|false|of|to|and|or|by|it|its|you|your)\b"
    r"|[a-z]+_[a-z_]+|HTTP \d{3}",
    re.IGNORECASE,
)


def _all_codes() -> set[str]:
    spec = importlib.util.spec_from_file_location("gen_problems", ROOT / "docs" / "gen_problems.py")
    assert spec is not None
    assert spec.loader is not None
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    return {cls.code for cls in gen.error_classes()}


CODES = sorted(_all_codes())


def test_every_problem_code_has_both_messages() -> None:
    missing = [c for c in CODES if set(PROBLEM_MESSAGES.get(c, {})) != {"fr", "en"}]
    assert missing == []
    assert len(CODES) > 30


@pytest.mark.parametrize("code", CODES)
def test_french_message_has_no_english_word(code: str) -> None:
    for text in (problem_title(code, "fr"), problem_message(code, "fr")):
        assert ENGLISH.search(text) is None, f"{code}: {text!r}"
        assert text != problem_message(code, "en")


@pytest.mark.parametrize("code", CODES)
def test_french_punctuation_has_a_non_breaking_space(code: str) -> None:
    text = problem_message(code, "fr")
    assert re.search(r"[^\u00a0\u202f][:;!?]", text) is None, f"{code}: {text!r}"


def test_the_english_word_check_can_fail() -> None:
    for english in (
        "(invalid_grant the tx_code is wrong)",
        "https://x answered HTTP 404",
        "Format : unknown",
    ):
        assert ENGLISH.search(english) is not None


def test_unknown_code_falls_back_to_a_generic_message() -> None:
    assert problem_message("no-such-code", "fr") == problem_message("internal-error", "fr")
    assert problem_message("offer-used", "en") != problem_message("offer-expired", "en")
