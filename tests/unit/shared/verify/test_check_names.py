"""Check names are CheckName members in the engine, and plain text in a report's JSON."""

from __future__ import annotations

from shared.verify.report import CHECK_NAMES, CheckName, VerificationReport


def test_a_check_named_by_the_enum_is_plain_text_in_json() -> None:
    report = VerificationReport()
    report.passed(CheckName.PROOF, "the signature verifies")
    (check,) = report.to_json()["checks"]
    assert check["name"] == "proof"
    assert type(check["name"]) is str
    assert report.check("proof") is report.check(CheckName.PROOF) is not None


def test_every_engine_check_name_is_a_member() -> None:
    assert set(CHECK_NAMES) <= {n.value for n in CheckName}
