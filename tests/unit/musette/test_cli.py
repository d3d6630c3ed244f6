"""The command line: keys new, sign, verify exit codes (0 verified, 1 not, 2 unusable), dev mode."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from musette.cli import main
from tests.conftest import data_path


def _new_key(tmp_path: Path, kind: str = "ed25519") -> tuple[Path, str]:
    out = tmp_path / f"{kind}.json"
    assert main(["keys", "new", "--type", kind, "--out", str(out)]) == 0
    return out, json.loads(out.read_text())["controller"]


def test_keys_new_writes_private_file_and_prints_did(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, did = _new_key(tmp_path, "p256")
    assert did.startswith("did:key:zDn")
    assert did in capsys.readouterr().out
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.parametrize("fmt", ["ldp_vc", "ldp_vc-jcs"])
def test_sign_then_verify(tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    key, did = _new_key(tmp_path)
    capsys.readouterr()
    assert (
        main(
            [
                "sign",
                "--key",
                str(key),
                "--format",
                fmt,
                str(data_path("peers", "ob3-credential.unsigned.json")),
            ]
        )
        == 0
    )
    signed = json.loads(capsys.readouterr().out)
    assert signed["issuer"]["id"] == did
    assert signed["proof"]["verificationMethod"].startswith(did + "#")
    target = tmp_path / "signed.json"
    target.write_text(json.dumps(signed))
    assert main(["verify", str(target)]) == 0
    assert "VERIFIED" in capsys.readouterr().out
    assert main(["verify", "--json", str(target)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["verified"] is True
    assert {c["name"] for c in report["checks"]} >= {
        "format",
        "proof",
        "issuer_key",
        "validity",
        "schema",
        "status",
    }


def test_verify_exit_1_when_not_verified(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", str(data_path("peers", "neg-di-tampered-claim.json"))]) == 1
    assert "NOT VERIFIED" in capsys.readouterr().out


def test_verify_exit_2_when_unusable(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"\x00\x01 not a credential")
    assert main(["verify", str(junk)]) == 2
    assert main(["verify", str(tmp_path / "missing.json")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_sign_refuses_non_object(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    key, _ = _new_key(tmp_path)
    bad = tmp_path / "list.json"
    bad.write_text("[1, 2]")
    assert main(["sign", "--key", str(key), str(bad)]) == 2
    assert "JSON object" in capsys.readouterr().err


def test_dev_mode_is_announced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    target = data_path("peers", "ob3-di-eddsa-rdfc-2022.json")
    assert main(["verify", str(target)]) == 0
    assert "development mode" not in capsys.readouterr().err
    monkeypatch.setenv("MUSETTE_DEV", "1")
    assert main(["verify", str(target)]) == 0
    assert "development mode is ON" in capsys.readouterr().err
    monkeypatch.delenv("MUSETTE_DEV")
    assert main(["verify", "--dev", str(target)]) == 0
    assert "development mode is ON" in capsys.readouterr().err


def test_verify_status_needs_dev_mode_for_loopback(capsys: pytest.CaptureFixture[str]) -> None:
    """The peers' status list is on http://127.0.0.1: without --dev the fetch is refused."""
    assert main(["verify", str(data_path("peers", "ob3-di-status-active.json"))]) == 1
    assert "https" in capsys.readouterr().out


def test_verify_at_a_moment(capsys: pytest.CaptureFixture[str]) -> None:
    """`--at TIME` verifies as of TIME: the peers' VC-JWT was valid in 2020 only."""
    expired = str(data_path("peers", "neg-vc-jwt-expired.jwt"))
    assert main(["verify", expired]) == 1
    assert "expired" in capsys.readouterr().out
    assert main(["verify", "--at", "2020-06-01T12:00:00Z", expired]) == 0
    assert "VERIFIED" in capsys.readouterr().out
    assert main(["verify", "--at", "2020-06-01", "--json", expired]) == 0
    assert json.loads(capsys.readouterr().out)["verified"] is True
    assert main(["verify", "--at", "2019-12-01T00:00:00+01:00", expired]) == 1
    assert "not valid before" in capsys.readouterr().out


@pytest.mark.parametrize("moment", ["yesterday", "2020-13-01", "1590000000", ""])
def test_verify_at_refuses_what_is_not_iso_8601(
    moment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    target = str(data_path("peers", "ob3-di-eddsa-rdfc-2022.json"))
    with pytest.raises(SystemExit) as exit_info:
        main(["verify", "--at", moment, target])
    assert exit_info.value.code == 2
    assert "ISO 8601" in capsys.readouterr().err


def test_verify_at_the_end_of_time_is_refused_not_a_crash(
    capsys: pytest.CaptureFixture[str],
) -> None:
    target = str(data_path("peers", "ob3-di-eddsa-rdfc-2022.json"))
    assert main(["verify", "--at", "9999-12-31T23:59:59Z", target]) == 2
    assert "between the years" in capsys.readouterr().err
