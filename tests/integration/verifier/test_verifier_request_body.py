"""``POST /verifications`` JSON bodies: read by a pydantic model, refused as RFC 9457 problems.

Each refusal is a 400 ``invalid-input`` problem whose detail names the member at fault;
the accepted shapes still reach the verifier.
"""

from __future__ import annotations

import json
from typing import Any, cast

import jsonschema
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from shared.verify.report import CheckName
from tests.unit.verifier.builders import badge, vc_jwt
from verifier.schemas import VerificationRequestIn


def _post(client: TestClient, body: Any) -> Any:
    return client.post(
        "/verifications",
        content=json.dumps(body).encode(),
        headers={"content-type": "application/json"},
    )


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"credential": 5}, "credential"),
        ({"credential": ["a"]}, "credential"),
        ({"credential": "x", "url": "https://example.org/s"}, "exactly one"),
        ({}, "exactly one"),
        ({"policy": {}}, "exactly one"),
        ({"url": 7}, "url"),
        ({"credential": "x", "surprise": 1}, "surprise"),
        ({"credential": "x", "options": {"challenge": 5}}, "options.challenge"),
        ({"credential": "x", "options": {"replay": "no"}}, "options.replay"),
        ({"credential": "x", "options": "challenge"}, "options"),
        ({"credential": "x", "policy": "strict"}, "policy"),
        ("just a string", "JSON object"),
        ([{"credential": "x"}], "JSON object"),
    ],
)
def test_a_wrong_body_is_a_problem_naming_the_member(
    client: TestClient, body: Any, named: str
) -> None:
    resp = _post(client, body)
    assert resp.status_code == 400, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
    problem = resp.json()
    assert problem["type"].endswith("invalid-input"), problem
    assert named in problem["detail"], problem


@pytest.mark.parametrize(
    "body",
    [
        {"credential": "not.a.token"},
        {"presentation": "not.a.token"},
        {"verifiableCredential": {"type": ["VerifiableCredential"]}},
        {"credential": "x.y.z", "options": {"challenge": "c", "domain": "d"}, "policy": None},
        {"type": ["VerifiableCredential"], "anything": "goes"},  # a bare credential
    ],
)
def test_an_accepted_body_reaches_the_verifier(client: TestClient, body: Any) -> None:
    resp = _post(client, body)
    assert resp.status_code == 200, resp.text
    report = resp.json()
    assert report["verified"] is False
    assert report["checks"], report


def test_the_request_model_keeps_the_one_member_given() -> None:
    body = VerificationRequestIn.model_validate({"url": "https://example.org/s"})
    assert body.item_name == "url"
    with pytest.raises(ValueError, match="exactly one"):
        VerificationRequestIn.model_validate({"credential": {}, "presentation": {}})


def test_every_check_name_in_the_reports_is_a_check_name(client: TestClient) -> None:
    """The documented enum covers what the verifier really answers (a token that fails)."""
    report = _post(client, {"credential": "eyJ.eyJ.sig"}).json()
    assert report["checks"]
    for check in report["checks"]:
        assert check["name"] in set(CheckName), check


def test_every_check_the_code_records_has_a_check_name() -> None:
    """Every ``report.passed/failed/skipped("name", …)`` in the engine and the verifier names
    a member of ``CheckName`` (the response schema's enum), so no answer falls off it."""
    import ast
    from pathlib import Path

    import verifier
    from verifier.service.challenges import REPLAY

    root = Path(verifier.__file__).parent.parent
    names: set[str] = set()  # check names written as strings
    members: set[str] = set()  # check names written as CheckName.MEMBER
    for folder in ("shared", "verifier", "wallet"):
        for path in (root / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr in {"passed", "failed", "skipped"}
                    and node.args
                ):
                    continue
                first = node.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    names.add(first.value)
                elif (
                    isinstance(first, ast.Attribute)
                    and isinstance(first.value, ast.Name)
                    and first.value.id == "CheckName"
                ):
                    members.add(first.attr)
    assert len(names | members) > 8  # the scan found the calls
    assert names | {REPLAY} <= set(CheckName), (names | {REPLAY}) - set(CheckName)
    assert members <= set(CheckName.__members__), members - set(CheckName.__members__)


def test_a_stored_result_reads_back_without_added_nulls(client: TestClient) -> None:
    """GET /verifications/{id} goes through its response model: members the stored report
    lacks stay absent (no ``null`` added by the model's optional members)."""
    posted = client.post(
        "/verifications?store=true",
        content=b"eyJ.eyJ.sig",
        headers={"content-type": "text/plain"},
    ).json()
    got = client.get(f"/verifications/{posted['id']}").json()
    assert got["id"] == posted["id"]
    assert got["checks"] == posted["checks"]
    added = {key for key in set(got) - set(posted) if key != "created_at"}
    assert added == set(), added
    assert "credential" not in got
    assert "recipient" not in got


def _documented(client: TestClient, method: str, path: str, status: str) -> dict[str, Any]:
    document = cast(FastAPI, client.app).openapi()
    content = document["paths"][path][method]["responses"][status]["content"]
    return {"components": document["components"], **content["application/json"]["schema"]}


@pytest.mark.parametrize("signed", [True, False])
def test_the_hot_routes_answer_as_documented(client: TestClient, signed: bool) -> None:
    """POST /verifications and the VC-API verify return their Response as built (no
    response-model pass): their real answers match the schema they document."""
    token = vc_jwt(badge()) if signed else "eyJ.eyJ.sig"
    report = _post(client, {"credential": token}).json()
    jsonschema.validate(report, _documented(client, "post", "/verifications", "200"))
    answer = client.post("/credentials/verify", json={"verifiableCredential": token})
    status = str(answer.status_code)
    assert status in {"200", "400"}, answer.text
    jsonschema.validate(answer.json(), _documented(client, "post", "/credentials/verify", status))
