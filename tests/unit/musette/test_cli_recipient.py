"""``musette verify --recipient``: check a name or email against a badge's hashed identifier."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from musette.cli import main
from shared.model.identity import hashed_identity
from tests.conftest import data_path


def _hashed_badge(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    key = tmp_path / "key.json"
    assert main(["keys", "new", "--type", "ed25519", "--out", str(key)]) == 0
    doc = json.loads(data_path("peers", "ob3-credential.unsigned.json").read_text())
    subjects = doc["credentialSubject"]
    subject = subjects[0] if isinstance(subjects, list) else subjects
    subject.pop("identifier", None)
    subject["identifier"] = [
        {"type": "IdentityObject", **_camel(hashed_identity("Léa Dubois", "name"))},
        {"type": "IdentityObject", **_camel(hashed_identity("lea@example.org", "emailAddress"))},
    ]
    unsigned = tmp_path / "unsigned.json"
    unsigned.write_text(json.dumps(doc))
    capsys.readouterr()
    assert main(["sign", "--key", str(key), "--format", "ldp_vc", str(unsigned)]) == 0
    signed = tmp_path / "signed.json"
    signed.write_text(capsys.readouterr().out)
    return signed


def _camel(obj: dict[str, object]) -> dict[str, object]:
    names = {"identity_hash": "identityHash", "identity_type": "identityType"}
    return {names.get(k, k): v for k, v in obj.items()}


def test_the_right_name_and_email_match(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    badge = _hashed_badge(tmp_path, capsys)
    args = ["verify", "--recipient", "Léa  Dubois", "--recipient-email", "LEA@example.org"]
    assert main([*args, str(badge)]) == 0
    out = capsys.readouterr().out
    assert "recipient name: ✔ matches" in out
    assert "recipient emailAddress: ✔ matches" in out


def test_another_name_does_not_match_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    badge = _hashed_badge(tmp_path, capsys)
    assert main(["verify", "--json", "--recipient", "Léa Durand", str(badge)]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["verified"] is True  # the badge is fine; it is not this person's
    assert report["recipient"] == {"name": False}


def test_a_badge_without_identifier_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = tmp_path / "key.json"
    assert main(["keys", "new", "--type", "ed25519", "--out", str(key)]) == 0
    doc = json.loads(data_path("peers", "ob3-credential.unsigned.json").read_text())
    subjects = doc["credentialSubject"]
    (subjects[0] if isinstance(subjects, list) else subjects).pop("identifier", None)
    unsigned = tmp_path / "u.json"
    unsigned.write_text(json.dumps(doc))
    capsys.readouterr()
    assert main(["sign", "--key", str(key), "--format", "ldp_vc", str(unsigned)]) == 0
    signed = tmp_path / "s.json"
    signed.write_text(capsys.readouterr().out)
    assert main(["verify", "--recipient", "Léa Dubois", str(signed)]) == 1
    assert "recipient name: - not in the credential" in capsys.readouterr().out
