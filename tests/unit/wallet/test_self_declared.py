"""docs/decisions/timeline-spheres.md: a self-declared experience signed as an OB 3.0 credential by
the holder."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from musette.cli import main
from shared.did import did_jwk_from_public, verification_method_id
from shared.errors import InvalidInputError
from shared.keys import PrivateKey
from shared.model.schema import validate_ob3
from shared.model.vcdm2 import credential_violations
from shared.proofs.data_integrity import RDFC, add_proof
from shared.verify.context import VerifyContext
from shared.verify.credential import verify_credential
from shared.verify.report import issuer_is_subject
from wallet.service import self_declared

AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
BODY: dict[str, object] = {
    "title": "Livreuse à vélo",
    "organisation": "Coopérative Roule",
    "start_date": "2023-01-15",
    "end_date": "2024-06-30",
    "description": "Livraisons en centre-ville",
    "kind": "gig",
    "skills": ["orientation", "relation client"],
}


def _signed(body: dict[str, object] = BODY) -> tuple[dict[str, object], str]:
    key = PrivateKey.generate("Ed25519")
    did = did_jwk_from_public(key.public_key)
    doc = self_declared.build(did, dict(body), at=AT)
    return add_proof(doc, key.sign, verification_method_id(did), cryptosuite=RDFC, created=AT), did


def test_the_experience_is_an_ob3_credential_issued_by_its_subject() -> None:
    signed, did = _signed()
    assert signed["issuer"]["id"] == did  # type: ignore[index]
    subject = signed["credentialSubject"]
    assert subject["id"] == did  # type: ignore[index]
    assert subject["activityStartDate"] == "2023-01-15T00:00:00Z"  # type: ignore[index]
    assert subject["activityEndDate"] == "2024-06-30T00:00:00Z"  # type: ignore[index]
    achievement = subject["achievement"]  # type: ignore[index]
    assert achievement["achievementType"] == "ext:Gig"
    assert achievement["tag"] == ["orientation", "relation client"]
    assert "OpenBadgeCredential" in signed["type"]  # type: ignore[operator]
    assert signed["proof"]["cryptosuite"] == "eddsa-rdfc-2022"  # type: ignore[index]
    unsigned = {k: v for k, v in signed.items() if k != "proof"}
    assert validate_ob3(unsigned) == []
    assert credential_violations(signed) == []


def test_it_verifies_and_the_report_says_self_declared() -> None:
    signed, _did = _signed()
    report = verify_credential(signed, VerifyContext(clock=lambda: AT))
    assert report.verified, report.to_json()
    assert report.self_declared
    assert report.to_json()["self_declared"] is True


def test_a_tampered_period_breaks_the_signature_not_the_label() -> None:
    signed, _did = _signed()
    forged = copy.deepcopy(signed)
    forged["credentialSubject"]["activityStartDate"] = "2019-01-01T00:00:00Z"  # type: ignore[index]
    report = verify_credential(forged, VerifyContext(clock=lambda: AT))
    assert not report.verified
    assert report.self_declared  # still reported for what it claims to be


def test_an_open_ended_experience_has_no_end_date() -> None:
    signed, _did = _signed({**BODY, "end_date": None, "kind": "volunteering"})
    subject = signed["credentialSubject"]
    assert "activityEndDate" not in subject  # type: ignore[operator]
    assert subject["achievement"]["achievementType"] == "CommunityService"  # type: ignore[index]


@pytest.mark.parametrize(
    ("credential", "expected"),
    [
        ({"issuer": "did:x:a", "credentialSubject": {"id": "did:x:a#0"}}, True),
        ({"issuer": {"id": "did:x:a"}, "credentialSubject": {"id": "did:x:a"}}, True),
        ({"issuer": {"id": "did:x:a"}, "credentialSubject": {"id": "did:x:b"}}, False),
        ({"issuer": "did:x:a", "credentialSubject": [{"id": "did:x:b"}, {"id": "did:x:a"}]}, True),
        ({"issuer": "did:x:a", "credentialSubject": [{"id": "did:x:b"}, "did:x:a"]}, False),
        ({"iss": "did:x:a", "sub": "did:x:a#k"}, True),
        ({"iss": "did:x:a", "sub": "did:x:b"}, False),
        ({"issuer": "", "credentialSubject": {"id": ""}}, False),
        ({"issuer": 3, "credentialSubject": {"id": 3}}, False),
        ({"issuer": "did:x:a"}, False),
        ("did:x:a", False),
        (None, False),
    ],
)
def test_issuer_is_subject_on_hostile_shapes(credential: object, expected: bool) -> None:
    assert issuer_is_subject(credential) is expected


@pytest.mark.parametrize("kind", ["", "boss", "JOB "])
def test_kinds_are_a_closed_list(kind: str) -> None:
    if kind.strip().lower() == "job" or not kind:
        assert self_declared.normalize_kind(kind) == "job"
    else:
        with pytest.raises(InvalidInputError):
            self_declared.normalize_kind(kind)


def test_skills_from_one_line_are_trimmed_and_deduplicated() -> None:
    assert self_declared.normalize_skills(" a, b ,a,, ") == ["a", "b"]
    with pytest.raises(InvalidInputError):
        self_declared.normalize_skills(",".join(str(i) for i in range(30)))


@pytest.mark.parametrize(
    ("value", "end", "expected"),
    [
        ("2023-01", False, "2023-01-01"),
        ("2023-12", True, "2023-12-31"),
        ("2024-02", True, "2024-02-29"),
        ("2024-02-10", True, "2024-02-10"),
        ("", False, None),
        (None, True, None),
    ],
)
def test_month_or_day(value: str | None, end: bool, expected: str | None) -> None:
    assert self_declared.month_or_day(value, end=end) == expected


@pytest.mark.parametrize("value", ["2023-13", "2023-1", "23-01-01", "2023/01", "x" * 7, "2023-00"])
def test_month_or_day_refuses_what_is_not_a_date(value: str) -> None:
    with pytest.raises(InvalidInputError):
        self_declared.month_or_day(value)


def test_musette_verify_says_the_issuer_is_the_holder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    signed, did = _signed()
    target = tmp_path / "experience.json"
    target.write_text(json.dumps(signed))
    assert main(["verify", str(target)]) == 0
    out = capsys.readouterr().out
    assert "self-declared: the issuer is the holder" in out
    assert did in out
    assert main(["verify", "--json", str(target)]) == 0
    assert json.loads(capsys.readouterr().out)["self_declared"] is True
