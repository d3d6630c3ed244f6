"""The repository stands alone: no file names a path outside it."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Collection
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
#: Absolute paths of one machine (a home, a workspace, a mount, a scratch folder) or a climb
#: out of the checkout (scratch folders come from mktemp / tempfile, which honour TMPDIR).
BINARY = frozenset({".png", ".gz", ".mo", ".ico", ".jpg"})
OUTSIDE = re.compile(r"(?<![\w.])(/(work|home|Users|root|mnt|srv|tmp)/|\.\./shared/)")


def tracked_files() -> list[Path]:
    try:
        out = subprocess.run(
            ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout: git ls-files is needed to list the repository's files")
    return [ROOT / name for name in out.decode().split("\0") if name]


def offending_lines(pattern: re.Pattern[str], skip: Collection[str] = BINARY) -> list[str]:
    """``path:line: text`` of every line of a tracked text file that ``pattern`` finds."""
    offenders = []
    for path in tracked_files():
        if not path.is_file() or path.suffix in skip:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            if pattern.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:120]}")
    return offenders


def test_no_file_names_a_path_outside_the_repository() -> None:
    assert offending_lines(OUTSIDE) == []


def test_the_pattern_catches_what_it_is_for() -> None:
    # built from pieces, so that this file does not name such a path itself
    assert OUTSIDE.search('VECTORS = Path("/' + 'work/shared/vectors")')
    assert OUTSIDE.search("see ../" + "shared/PITFALLS.md")
    assert OUTSIDE.search("out=/" + "tmp/musette-run/log")
    assert not OUTSIDE.search("https://example.org/work/item")
    assert not OUTSIDE.search("tests/data/README.md")
