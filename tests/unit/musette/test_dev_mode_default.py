"""Development mode is off unless asked for, said on stderr when on, and production refuses
http base URLs at start-up.

Regression ("dev mode by default in the command line"): ``musette wallet``,
``issuer``, ``verifier`` and ``musette up`` ran in development mode (http and loopback
fetches) unless MUSETTE_DEV=0, ``musette wallet`` without saying so; the wallet and verifier
accepted an http ``base_url`` outside it, and cookies lost ``Secure`` with it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

import musette.up
from issuer.settings import IssuerSettings
from musette.cli import main
from musette.devmode import ANNOUNCEMENT
from verifier.settings import VerifierSettings
from wallet.settings import WalletSettings

ROOT = Path(__file__).parents[3]


@pytest.fixture(autouse=True)
def no_dev_in_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("MUSETTE_DEV", raising=False)
    monkeypatch.setenv("MUSETTE_DATA_DIR", str(tmp_path))
    for service in ("ISSUER", "WALLET", "VERIFIER"):
        monkeypatch.delenv(f"MUSETTE_{service}_DEV", raising=False)
        monkeypatch.delenv(f"MUSETTE_{service}_PUBLIC_URL", raising=False)
        monkeypatch.delenv(f"MUSETTE_{service}_BASE_URL", raising=False)
    monkeypatch.setenv("MUSETTE_VERIFIER_ARGON2_TIME_COST", "1")


@pytest.fixture
def up_calls(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []

    def fake_run_services(**kwargs: Any) -> int:
        calls.append(kwargs)
        return 0

    monkeypatch.setattr(musette.up, "run_services", fake_run_services)
    return calls


def test_dev_mode_by_default_is_off_for_musette_up(
    up_calls: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["up"]) == 0
    assert up_calls[-1]["dev"] is False
    assert "development mode" not in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "env"),
    [(["up", "--dev"], None), (["--dev", "up"], None), (["up"], "1"), (["up"], "true")],
    ids=["flag", "top-level-flag", "env-1", "env-true"],
)
def test_dev_mode_when_asked_for_is_announced_on_stderr(
    argv: list[str],
    env: str | None,
    up_calls: list[dict[str, Any]],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if env is not None:
        monkeypatch.setenv("MUSETTE_DEV", env)
    assert main(argv) == 0
    assert up_calls[-1]["dev"] is True
    captured = capsys.readouterr()
    assert ANNOUNCEMENT in captured.err
    assert ANNOUNCEMENT not in captured.out


def test_dev_mode_zero_in_the_environment_is_off(
    up_calls: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MUSETTE_DEV", "0")
    assert main(["up"]) == 0
    assert up_calls[-1]["dev"] is False


def test_dev_mode_by_default_refuses_the_http_demo_address(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Without --dev, a command on the default (http) verifier stops with the reason."""
    assert main(["verifier", "request", "--template", "rating"]) == 2
    err = capsys.readouterr().err
    assert "base_url must be https outside development mode" in err
    assert "--dev" in err
    assert "input_value" not in err  # the reason, not pydantic's dump of every setting
    assert ANNOUNCEMENT not in err


def test_dev_mode_off_with_an_https_address_works_silently(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MUSETTE_VERIFIER_BASE_URL", "https://verifier.example")
    assert main(["verifier", "request", "--template", "rating", "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["result_url"].startswith("https://verifier.example/")
    assert "development mode" not in captured.err


@pytest.mark.parametrize(
    "argv",
    [
        ["--dev", "verifier", "request", "--template", "rating"],
        ["verifier", "--dev", "request", "--template", "rating"],
        ["wallet", "--dev", "account", "create", "dev@example.org"],
    ],
    ids=["top-level", "verifier", "wallet"],
)
def test_dev_mode_every_service_command_announces_it(
    argv: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MUSETTE_WALLET_ARGON2_TIME_COST", "1")
    monkeypatch.setenv("MUSETTE_WALLET_ARGON2_MEMORY_KIB", "64")
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("a long enough password\n"))
    assert main(argv) == 0, capsys.readouterr().err
    assert ANNOUNCEMENT in capsys.readouterr().err


@pytest.mark.parametrize(
    ("cls", "field"),
    [(WalletSettings, "base_url"), (VerifierSettings, "base_url"), (IssuerSettings, "base_url")],
    ids=["wallet", "verifier", "issuer"],
)
def test_dev_mode_off_refuses_an_http_base_url_at_start_up(
    cls: type[Any], field: str, tmp_path: Path
) -> None:
    common = {"data_dir": str(tmp_path), "database_url": f"sqlite:///{tmp_path / 'x.db'}"}
    with pytest.raises(ValidationError, match=f"{field} must be https outside development"):
        cls(**common, **{field: "http://musette.example"})
    # the defaults are the local http demo: they too need development mode
    with pytest.raises(ValidationError, match="https outside development"):
        cls(**common)
    production = cls(**common, **{field: "https://musette.example"})
    assert production.secure_cookies is True
    demo = cls(**common, dev=True, **{field: "http://127.0.0.1:8000"})
    assert demo.secure_cookies is False
    assert cls(**common, dev=True, **{field: "https://musette.example"}).secure_cookies is True


def test_dev_mode_make_run_asks_for_it_explicitly() -> None:
    """`make run` is the local http demo: it must say --dev now that it is not the default."""
    makefile = (ROOT / "Makefile").read_text()
    run_recipe = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert "musette up --dev" in run_recipe
