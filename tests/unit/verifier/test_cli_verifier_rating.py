"""``musette verifier request --template rating --min X --scale Y``: the request keeps them."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from musette.cli import main


def _stored_policy(data: Path) -> dict[str, object]:
    con = sqlite3.connect(data / "verifier" / "verifier.db")
    try:
        (policy,) = con.execute(
            "SELECT policy FROM presentation_requests ORDER BY created_at DESC LIMIT 1"
        ).fetchone()
    finally:
        con.close()
    out: dict[str, object] = json.loads(policy)
    return out


@pytest.mark.parametrize(
    ("extra", "rating"),
    [
        ([], {"minimum": "4.5", "scale": "5"}),
        (["--min", "9", "--scale", "10"], {"minimum": "9", "scale": "10"}),
        (["--min", "4,8"], {"minimum": "4.8", "scale": "5"}),
    ],
)
def test_rating_request_with_threshold_and_scale(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    extra: list[str],
    rating: dict[str, str],
) -> None:
    monkeypatch.setenv("MUSETTE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MUSETTE_DEV", "1")  # the local http addresses of `musette up`
    assert main(["verifier", "request", "--template", "rating", *extra, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["template"] == "rating"
    policy = _stored_policy(tmp_path)
    assert policy["rating"] == rating
    assert policy["issuer_kinds"] == ["platform"]


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--template", "rating", "--min", "6", "--scale", "5"], "between 0 and the scale"),
        (["--template", "rating", "--min", "beaucoup"], "must be a number"),
        (["--template", "any-badge", "--min", "4"], "takes no parameter"),
    ],
)
def test_bad_rating_parameters_are_refused(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    words: str,
) -> None:
    monkeypatch.setenv("MUSETTE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MUSETTE_DEV", "1")  # the local http addresses of `musette up`
    assert main(["verifier", "request", *argv]) != 0
    assert words in capsys.readouterr().err
