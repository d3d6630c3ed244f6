"""``musette verifier request --template volunteer-hours --min-hours N --year Y``: the request
keeps them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from musette.cli import main
from tests.unit.verifier.test_cli_verifier_rating import _stored_policy


@pytest.mark.parametrize(
    ("extra", "volunteering"),
    [
        ([], {"min_hours": "200", "year": None, "eligible_role": True}),
        (
            ["--min-hours", "100", "--year", "2025"],
            {"min_hours": "100", "year": 2025, "eligible_role": True},
        ),
        (
            ["--min-hours", "12,5", "--any-role"],
            {"min_hours": "12.5", "year": None, "eligible_role": False},
        ),
    ],
)
def test_volunteer_hours_request(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    extra: list[str],
    volunteering: dict[str, Any],
) -> None:
    monkeypatch.setenv("MUSETTE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MUSETTE_DEV", "1")  # the local http addresses of `musette up`
    argv = ["verifier", "request", "--template", "volunteer-hours", *extra, "--json"]
    assert main(argv) == 0
    assert json.loads(capsys.readouterr().out)["template"] == "volunteer-hours"
    policy = _stored_policy(tmp_path)
    assert policy["volunteering"] == volunteering
    assert policy["issuer_kinds"] == ["association"]
    assert "rating" not in policy


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--template", "volunteer-hours", "--year", "25"], "must be a year"),
        (["--template", "volunteer-hours", "--min-hours", "9000"], "at most 8784"),
        (["--template", "volunteer-hours", "--min", "4"], "takes no parameter"),
        (["--template", "rating", "--min-hours", "100"], "takes no parameter"),
    ],
)
def test_bad_volunteer_hours_parameters_are_refused(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    words: str,
) -> None:
    monkeypatch.setenv("MUSETTE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MUSETTE_DEV", "1")
    assert main(["verifier", "request", *argv]) != 0
    assert words in capsys.readouterr().err
