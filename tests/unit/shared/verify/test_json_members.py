"""A credential taken from a parsed JSON document is a map or a token, never JSON text.

Regression: ``{"verifiableCredential": "{…}"}`` was verified as a credential.
VC DM 2.0 §4.13 (presentation entries) and the VC-API body members hold objects.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from shared.errors import MalformedCredentialError
from shared.verify.credential import read_input, verify_credential
from shared.verify.presentation import verify_presentation
from tests.unit.verifier.builders import badge, ldp_vc, ldp_vp


def _format(report: Any) -> tuple[str, str]:
    check = report.check("format")
    assert check is not None, report.to_json()
    return check.status.value, check.reason


@pytest.mark.parametrize("text", ["{}", ' {"a": 1}', "[]", "\n[{}]\n", '{"@context": 1'])
def test_read_input_refuses_json_text_in_a_member(text: str) -> None:
    with pytest.raises(MalformedCredentialError, match="not a string holding JSON"):
        read_input(text, json_text=False)


def test_read_input_keeps_tokens_and_maps_in_a_member() -> None:
    assert read_input("a.b.c", json_text=False) == "a.b.c"
    assert read_input({"a": 1}, json_text=False) == {"a": 1}
    assert read_input('{"a": 1}') == {"a": 1}  # raw text (a file, the command line) is JSON


def test_regression_14_json_string_credential() -> None:
    credential = ldp_vc(badge())
    assert verify_credential(credential).verified
    assert verify_credential(json.dumps(credential)).verified  # a stored or uploaded text
    report = verify_credential(json.dumps(credential), json_text=False)
    status, reason = _format(report)
    assert (status, report.verified) == ("failed", False)
    assert "JSON object" in reason


def test_regression_14_json_string_presentation() -> None:
    vp = ldp_vp([ldp_vc(badge())], challenge="c", domain="https://v.example")
    report = verify_presentation(json.dumps(vp), json_text=False)
    assert _format(report)[0] == "failed"
    assert not report.verified


@pytest.mark.parametrize("value", [None, 0, True, [], [1], 1.5, "", "   ", "x"])
def test_hostile_members_end_in_a_failed_format_check(value: Any) -> None:
    for run in (verify_credential, verify_presentation):
        report = run(value, json_text=False)
        assert not report.verified
        assert _format(report)[0] == "failed"
