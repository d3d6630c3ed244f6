"""French typography in every French catalogue: a non-breaking space (U+00A0 or U+202F)
before ":" ";" "!" "?" used as punctuation ("Rôle :", never "Rôle:" nor a breakable space)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).parents[2]
CATALOGUES = sorted(ROOT.glob("*/locales/fr/LC_MESSAGES/messages.po"))
# punctuation as punctuation: followed by a space, the end, or a closing quote/bracket
PUNCT = re.compile(r"(.)([:;!?])(?=\s|$|»|\)|\")")
TECHNICAL = re.compile(r"\{[^}]*\}|[a-z][a-z0-9+.-]*://\S*")


def misplaced(text: str) -> list[str]:
    plain = TECHNICAL.sub("X", text)
    return [m.group(0) for m in PUNCT.finditer(plain) if m.group(1) not in "\u00a0\u202f"]


def test_there_are_french_catalogues() -> None:
    assert {p.parts[-5] for p in CATALOGUES} >= {"issuer", "wallet", "verifier", "servicekit"}


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.parts[-5])
def test_a_non_breaking_space_before_double_punctuation(path: Path) -> None:
    with path.open("rb") as handle:
        catalogue = read_po(handle, locale="fr")
    wrong = {
        str(text): str(text)
        for m in catalogue
        if m.id
        for text in (m.string if isinstance(m.string, tuple | list) else (m.string,))
        if isinstance(text, str) and misplaced(text)
    }
    assert wrong == {}, f"{len(wrong)} strings: " + "; ".join(list(wrong.values())[:5])


def test_the_check_can_fail() -> None:
    assert misplaced("Rôle: bénévole")
    assert misplaced("Vérifié : oui")
    assert misplaced("Vraiment ?")
    assert not misplaced("Vérifié\u00a0: oui\u00a0; non\u202f!")
    assert not misplaced("did:web:example.org et https://x.example/a?b=1 et {count}")
