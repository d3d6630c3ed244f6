"""No file cites a tracker issue by number where a design note belongs: a reader of a fresh
clone has no tracker, so the reason lives in a decision record (docs/decisions/) and the file
links to it. The decision index lists every record."""

from __future__ import annotations

import re

from tests.unit.repository.test_stands_alone import BINARY, ROOT, offending_lines

# built from pieces, so that this file does not cite an issue itself
ISSUE = "iss" + "ue"
#: the word and a number (with or without "#"), or "#1x" alone; not the verb ("to issue 2,000")
CITED = re.compile(
    rf"\b[{ISSUE[0].upper()}{ISSUE[0]}]{ISSUE[1:]}s? #?\d{{1,3}}\b(?![,.]\d)|(?<![\w&/#-])#1\d\b(?![\w-])"
)
#: test vectors and other data: their numbers are data
DATA = frozenset({".svg", ".json", ".jsonld", ".jwt"})


def test_no_file_cites_an_issue_number() -> None:
    assert offending_lines(CITED, BINARY | DATA) == []


def test_the_pattern_catches_what_it_is_for() -> None:
    assert CITED.search(f"salted hash ({ISSUE} 17)")
    assert CITED.search(f"{ISSUE.capitalize()} #" + "16 asks for")
    assert CITED.search('"""#' + "17 point 2 over real HTTP")
    assert not CITED.search(f"8 workers {ISSUE} 2,000 credentials")
    assert not CITED.search("color: #123456; see docs/decisions/reveal-less.md")


def test_the_decision_index_lists_every_record() -> None:
    folder = ROOT / "docs" / "decisions"
    index = (folder / "README.md").read_text(encoding="utf-8")
    linked = set(re.findall(r"\]\(([\w.-]+\.md)\)", index))
    records = {p.name for p in folder.glob("*.md")} - {"README.md"}
    assert records - linked == set(), "add it to docs/decisions/README.md"
    assert linked - records == set(), "the index links a record that does not exist"
