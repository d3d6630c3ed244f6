"""The report's lookups and JSON form."""

from __future__ import annotations

import json

from shared.verify.report import CheckName, CheckStatus, VerificationReport


def test_check_is_the_last_recorded_under_a_name() -> None:
    report = VerificationReport()
    assert report.check(CheckName.PROOF) is None
    report.passed(CheckName.FORMAT, "read")
    report.failed(CheckName.PROOF, "first")
    report.passed(CheckName.SCHEMA, "fine")
    report.passed(CheckName.PROOF, "second")
    found = report.check(CheckName.PROOF)
    assert found is not None
    assert found.reason == "second"
    assert report.check("proof") is found  # a plain string names the same check
    assert report.check(CheckName.STATUS) is None
    assert not report.verified  # the failed first proof check still counts


def test_statuses_are_plain_text_in_json() -> None:
    report = VerificationReport()
    report.passed(CheckName.PROOF, "ok")
    report.skipped(CheckName.STATUS, "none")
    report.failed("replay", "seen", nonce="n")
    checks = report.to_json()["checks"]
    assert [c["status"] for c in checks] == ["passed", "skipped", "failed"]
    assert all(type(c["status"]) is str for c in checks)
    assert {s.value for s in CheckStatus} == {"passed", "skipped", "failed"}
    assert json.loads(json.dumps(checks))[2] == {
        "name": "replay",
        "status": "failed",
        "reason": "seen",
        "details": {"nonce": "n"},
    }
