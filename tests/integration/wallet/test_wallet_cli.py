"""``musette wallet …`` on the same data folder as ``musette up``."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from musette.cli import main
from tests.unit.wallet.fake_issuer import FakeIssuer
from tests.unit.wallet.fake_verifier import FakeVerifier, dcql
from tests.unit.wallet.testkit import serve


def test_account_receive_present(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MUSETTE_DEV", "1")
    monkeypatch.setenv("MUSETTE_WALLET_ARGON2_TIME_COST", "1")
    monkeypatch.setenv("MUSETTE_WALLET_ARGON2_MEMORY_KIB", "64")
    data = str(tmp_path / "var")
    # every command that opens the account reads its password on standard input
    monkeypatch.setattr("sys.stdin", io.StringIO("a long password\n" * 10))
    assert (
        main(["wallet", "--data-dir", data, "account", "create", "cli@example.org", "--json"]) == 0
    )
    created = json.loads(capsys.readouterr().out)
    assert created["did"].startswith("did:jwk:")
    assert (tmp_path / "var" / "wallet" / "wallet.db").exists()
    assert (tmp_path / "var" / "wallet" / "master.key").stat().st_mode & 0o777 == 0o600

    issuer, verifier = FakeIssuer(), FakeVerifier()
    with serve(issuer.app()) as ibase, serve(verifier.app()) as vbase:
        issuer.base, verifier.base = ibase, vbase
        offer = issuer.offer("volunteer_sd", tx_code="2468")
        args = [
            "wallet",
            "--data-dir",
            data,
            "receive",
            offer,
            "--account",
            "cli@example.org",
            "--tx-code",
            "2468",
        ]
        assert main(args) == 0
        cid = capsys.readouterr().out.strip()
        assert len(cid) == 32

        link = verifier.request_link(dcql("dc+sd-jwt", [["achievement", "name"]]), signed=True)
        refused = main(
            ["wallet", "--data-dir", data, "present", link, "--account", "cli@example.org"]
        )
        assert refused == 2  # no --yes, no disclosure
        assert verifier.received == []
        args = [
            "wallet",
            "--data-dir",
            data,
            "present",
            link,
            "--account",
            "cli@example.org",
            "--credential",
            cid,
            "--disclose",
            "achievement.name",
            "--yes",
            "--json",
        ]
        assert main(args) == 0
        answer = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
        assert answer["response"]["verified"] is True


def test_offer_at_a_private_address_fails_cleanly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MUSETTE_WALLET_ARGON2_TIME_COST", "1")
    monkeypatch.setenv("MUSETTE_WALLET_ARGON2_MEMORY_KIB", "64")
    # development mode is off by default: outside it the wallet needs an https address
    monkeypatch.setenv("MUSETTE_WALLET_BASE_URL", "https://wallet.example")
    data = str(tmp_path / "var")
    # every command that opens the account reads its password on standard input
    monkeypatch.setattr("sys.stdin", io.StringIO("a long password\n" * 10))
    assert main(["wallet", "--data-dir", data, "account", "create", "cli@example.org"]) == 0
    code = main(
        [
            "wallet",
            "--data-dir",
            data,
            "receive",
            "https://169.254.169.254/offer",
            "--account",
            "cli@example.org",
        ]
    )
    assert code == 2
    assert "refusing to fetch" in capsys.readouterr().err


def test_experience_add_prints_the_self_declared_credential(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """docs/decisions/timeline-spheres.md: ``musette wallet experience add … --json`` signs it as
    the holder."""
    monkeypatch.setenv("MUSETTE_DEV", "1")
    monkeypatch.setenv("MUSETTE_WALLET_ARGON2_TIME_COST", "1")
    monkeypatch.setenv("MUSETTE_WALLET_ARGON2_MEMORY_KIB", "64")
    data = str(tmp_path / "var")
    # every command that opens the account reads its password on standard input
    monkeypatch.setattr("sys.stdin", io.StringIO("a long password\n" * 10))
    assert main(["wallet", "--data-dir", data, "account", "create", "x@example.org"]) == 0
    capsys.readouterr()
    base = [
        "wallet",
        "--data-dir",
        data,
        "experience",
        "add",
        "--account",
        "x@example.org",
        "--title",
        "Livreuse",
        "--org",
        "Roule",
        "--from",
        "2023-01",
    ]
    assert main([*base, "--to", "2024-02", "--sphere", "platform", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out["credential_id"]) == 32
    assert (out["start_date"], out["end_date"], out["kind"]) == ("2023-01-01", "2024-02-29", "gig")
    assert main(base) == 0  # open-ended, plain output: the credential's id alone
    assert len(capsys.readouterr().out.strip()) == 32
    assert main([*base, "--to", "2024-13"]) != 0
    assert main([*base, "--sphere", "moon"]) == 2
