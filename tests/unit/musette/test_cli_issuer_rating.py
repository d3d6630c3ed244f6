"""``musette issuer offer --org demo-platform --achievement rating --rating … --scale …
--count … --period START/END``: an offer for a rating, on the data of ``musette up``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from issuer import settings_for_up
from issuer.demo import seed_demo
from musette.cli import main
from musette.up import config_from_env

ARGV = [
    "issuer",
    "offer",
    "--org",
    "demo-platform",
    "--achievement",
    "rating",
    "--recipient",
    "Samir Haddad",
    "--format",
    "dc+sd-jwt",
    "--json",
]


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MUSETTE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MUSETTE_DEV", "1")  # the local http addresses of `musette up`
    monkeypatch.setenv("MUSETTE_ISSUER_ARGON2_TIME_COST", "1")
    monkeypatch.setenv("MUSETTE_ISSUER_ARGON2_MEMORY_KIB", "64")
    config = config_from_env("127.0.0.1", None, True)
    seed_demo(settings_for_up(config.data_dir / "issuer", config.base_urls(), True))
    return tmp_path


def _offer_subject(data: Path, offer_uri: str) -> dict[str, object]:
    import sqlite3

    con = sqlite3.connect(data / "issuer" / "issuer.db")
    try:
        (subject,) = con.execute(
            "SELECT subject FROM offers ORDER BY rowid DESC LIMIT 1"
        ).fetchone()
    finally:
        con.close()
    out: dict[str, object] = json.loads(subject)
    return out


def test_offer_a_rating(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = [
        *ARGV,
        "--rating",
        "4.8",
        "--scale",
        "5",
        "--count",
        "230",
        "--period",
        "2026-01-01/2026-06-30",
    ]
    assert main(argv) == 0, capsys.readouterr().err
    out = json.loads(capsys.readouterr().out)
    assert out["offer_uri"].startswith("openid-credential-offer://")
    assert out["credential_configuration_ids"] == ["rating_sd_jwt"]
    subject = _offer_subject(data, out["offer_uri"])
    assert subject["results"] == {"rating": "4.8", "count": "230"}
    assert subject["activity_start_date"] == "2026-01-01T00:00:00Z"
    assert subject["activity_end_date"] == "2026-06-30T00:00:00Z"


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        (
            ["--rating", "4.8", "--scale", "10", "--period", "2026-01-01/2026-06-30"],
            "rates out of 5",
        ),
        (["--rating", "7", "--period", "2026-01-01/2026-06-30"], "at most 5"),
        (["--rating", "4.8"], "needs its period"),
        (["--rating", "4.8", "--period", "2026-01-01"], "START/END"),
        (["--rating", "4.8", "--period", "2026-01-01/juin"], "is not a date"),
        (
            ["--rating", "4.8", "--scale", "cinq", "--period", "2026-01-01/2026-06-30"],
            "not a number",
        ),
    ],
)
def test_a_bad_rating_offer_is_refused_with_a_reason(
    data: Path, capsys: pytest.CaptureFixture[str], extra: list[str], words: str
) -> None:
    assert main([*ARGV, *extra]) != 0
    assert words in capsys.readouterr().err
