"""``musette wallet export --format pdf|europass``: the chosen credentials, on disk."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from musette.cli import main
from tests.unit.wallet import elm
from tests.unit.wallet.fake_issuer import FakeIssuer
from tests.unit.wallet.testkit import serve
from wallet.service.exports import pdf


def test_export_europass_and_pdf(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MUSETTE_DEV", "1")
    monkeypatch.setenv("MUSETTE_WALLET_ARGON2_TIME_COST", "1")
    monkeypatch.setenv("MUSETTE_WALLET_ARGON2_MEMORY_KIB", "64")
    data = str(tmp_path / "var")
    wallet = ["wallet", "--data-dir", data]
    # every command that opens the account reads its password on standard input
    monkeypatch.setattr("sys.stdin", io.StringIO("a long password\n" * 10))
    assert main([*wallet, "account", "create", "cli@example.org"]) == 0
    issuer = FakeIssuer()
    with serve(issuer.app()) as ibase:
        issuer.base = ibase
        offer = issuer.offer("volunteer_sd", tx_code="2468")
        assert (
            main([*wallet, "receive", offer, "--account", "cli@example.org", "--tx-code", "2468"])
            == 0
        )
    cid = capsys.readouterr().out.split()[-1]

    out = tmp_path / "europass.jsonld"
    args = [
        *wallet,
        "export",
        "--account",
        "cli@example.org",
        "--format",
        "europass",
        "--credentials",
        cid,
        "--out",
        str(out),
        "--language",
        "en",
        "--country",
        "FR",
    ]
    assert main(args) == 0
    printed = capsys.readouterr().out.split()
    assert printed[0] == cid
    assert "/s/" in printed[1]
    document = json.loads(out.read_text())
    [claim] = document["credentialSubject"]["hasClaim"]
    assert claim["supplementaryDocument"][0]["contentURL"] == printed[1]
    assert elm.violations(document) <= {"elm:eidasLegalIdentifier", "elm:location"}

    assert (
        main(
            [
                *wallet,
                "export",
                "--account",
                "cli@example.org",
                "--format",
                "europass",
                "--credentials",
                " , ",
                "--out",
                str(out),
            ]
        )
        != 0
    )
    if pdf.weasyprint_available():
        cv = tmp_path / "cv.pdf"
        args = [
            *wallet,
            "export",
            "--account",
            "cli@example.org",
            "--format",
            "pdf",
            "--credentials",
            cid,
            "--out",
            str(cv),
            "--language",
            "fr",
        ]
        assert main(args) == 0
        assert cv.read_bytes().startswith(b"%PDF-")
