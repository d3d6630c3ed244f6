"""Replays on ``POST /verifications`` (issue "A hostile world"): challenges from
``POST /challenges`` are single use and short-lived; a caller-chosen nonce is reported as
"not checked for replay", never passed silently."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import sessionmaker

from shared.verify.report import VerificationReport
from tests.databases import DIALECTS, database_url
from tests.integration.verifier.conftest import (
    NOW,
    MovingClock,
    Served,
    make_fetcher,
    make_settings,
)
from tests.unit.verifier.builders import badge, ldp_vc, ldp_vp, sd_jwt_presentation, sd_jwt_vc
from verifier.db.base import make_engine, run_migrations
from verifier.main import create_app
from verifier.service import challenges
from verifier.service.verifying import Expectations

BASE = "https://verifier.example"


@pytest.fixture
def clock() -> MovingClock:
    return MovingClock()


@pytest.fixture
def client(tmp_path: Path, served: Served, clock: MovingClock) -> Iterator[TestClient]:
    app = create_app(make_settings(tmp_path), fetcher=make_fetcher(served), clock=clock)
    with TestClient(app) as c:
        yield c


def _challenge(client: TestClient, **body: str) -> dict[str, Any]:
    resp = client.post("/challenges", json=body or None)
    assert resp.status_code == 201, resp.text
    return dict(resp.json())


def _check(report: dict[str, Any], name: str) -> dict[str, Any]:
    found = [c for c in report["checks"] if c["name"] == name]
    assert len(found) == 1, report["checks"]
    return dict(found[0])


def _submit(client: TestClient, vp: Any, **options: str) -> dict[str, Any]:
    body: dict[str, Any] = {"presentation": vp}
    if options:
        body["options"] = options
    resp = client.post("/verifications", json=body)
    assert resp.status_code == 200, resp.text
    return dict(resp.json())


def test_a_challenge_is_random_short_lived_and_names_the_domain(client: TestClient) -> None:
    a, b = _challenge(client), _challenge(client)
    assert a["challenge"] != b["challenge"]
    assert len(a["challenge"]) >= 32
    assert a["domain"] == BASE
    assert a["expires_in"] == 300
    assert a["expires_at"].startswith("2026-11-21T12:05:00")
    assert _challenge(client, domain="https://rh.example")["domain"] == "https://rh.example"


@pytest.mark.parametrize("body", [{"domain": ""}, {"domain": 3}, {"other": "x"}])
def test_a_malformed_challenge_request_is_a_problem(client: TestClient, body: Any) -> None:
    resp = client.post("/challenges", json=body)
    assert resp.status_code == 400
    assert resp.headers["content-type"].startswith("application/problem+json")


def test_the_openapi_document_describes_the_challenge_endpoint(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    op = doc["paths"]["/challenges"]["post"]
    assert op["responses"]["201"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ChallengeResponse"
    }
    schema = doc["components"]["schemas"]["ChallengeResponse"]
    assert set(schema["required"]) == {"challenge", "domain", "expires_at", "expires_in"}


def test_regression_replay_of_a_presentation_with_an_issued_challenge(
    client: TestClient,
) -> None:
    """Before: the same presentation verified again and again. Now the second submission
    fails its replay check."""
    issued = _challenge(client)
    vp = ldp_vp([ldp_vc(badge())], challenge=issued["challenge"], domain=issued["domain"])
    first = _submit(client, vp, challenge=issued["challenge"])
    assert first["verified"] is True, first["checks"]
    assert _check(first, "challenge")["status"] == "passed"
    assert _check(first, "replay")["status"] == "passed"
    again = _submit(client, vp, challenge=issued["challenge"])
    assert again["verified"] is False
    replay = _check(again, "replay")
    assert replay["status"] == "failed"
    assert replay["reason"].startswith("challenge: already used")


def test_an_sd_jwt_answering_an_issued_nonce_is_used_once(client: TestClient) -> None:
    issued = _challenge(client)
    vp = sd_jwt_presentation(
        sd_jwt_vc(badge()), nonce=issued["challenge"], audience=issued["domain"]
    )
    assert _check(_submit(client, vp, nonce=issued["challenge"]), "replay")["status"] == "passed"
    again = _submit(client, vp, nonce=issued["challenge"])
    assert _check(again, "replay")["status"] == "failed"
    assert again["verified"] is False


def test_an_expired_challenge_fails_as_expired(client: TestClient, clock: MovingClock) -> None:
    issued = _challenge(client)
    vp = ldp_vp([ldp_vc(badge())], challenge=issued["challenge"], domain=issued["domain"])
    clock.now = NOW + timedelta(minutes=5, seconds=1)
    report = _submit(client, vp, challenge=issued["challenge"])
    assert report["verified"] is False
    assert _check(report, "replay")["reason"] == "challenge: expired"


def test_an_issued_challenge_binds_the_presentation_to_its_domain(client: TestClient) -> None:
    issued = _challenge(client)
    vp = ldp_vp(
        [ldp_vc(badge())], challenge=issued["challenge"], domain="https://elsewhere.example"
    )
    report = _submit(client, vp, challenge=issued["challenge"])
    assert report["verified"] is False
    assert _check(report, "challenge")["status"] == "failed"
    # the challenge was not used up by a presentation made for someone else
    good = ldp_vp([ldp_vc(badge())], challenge=issued["challenge"], domain=issued["domain"])
    assert _submit(client, good, challenge=issued["challenge"])["verified"] is True


def test_a_caller_chosen_challenge_is_reported_as_not_checked_for_replay(
    client: TestClient,
) -> None:
    vp = ldp_vp([ldp_vc(badge())], challenge="mine-123", domain=BASE)
    for _ in range(2):
        report = _submit(client, vp, challenge="mine-123", domain=BASE)
        replay = _check(report, "replay")
        assert replay["status"] == "skipped"
        assert "not checked for replay" in replay["reason"]
        assert report["verified"] is True  # its other checks hold; the caller is told


def test_a_presentation_with_no_challenge_asked_is_not_checked_for_replay(
    client: TestClient,
) -> None:
    vp = ldp_vp([ldp_vc(badge())], challenge="whatever", domain=BASE)
    replay = _check(_submit(client, vp), "replay")
    assert replay["status"] == "skipped"
    assert "not checked for replay" in replay["reason"]


def test_a_credential_alone_has_no_replay_check(client: TestClient) -> None:
    resp = client.post("/verifications", json={"credential": ldp_vc(badge())})
    assert "replay" not in {c["name"] for c in resp.json()["checks"]}


def test_the_result_page_words_the_replay_in_french(client: TestClient) -> None:
    issued = _challenge(client)
    vp = ldp_vp([ldp_vc(badge())], challenge=issued["challenge"], domain=issued["domain"])
    _submit(client, vp, challenge=issued["challenge"])  # not stored: the challenge is used up
    body = {"presentation": vp, "options": {"challenge": issued["challenge"]}}
    again = client.post("/verifications?store=true", json=body).json()
    page = client.get(f"/results/{again['id']}?lang=fr")
    assert page.status_code == 200
    assert "<strong>Usage unique</strong>" in page.text
    assert "ceci est une copie rejouée" in page.text


@pytest.fixture(params=DIALECTS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with database_url(request.param, tmp_path, "challenges") as made:
        yield made


def test_concurrent_submissions_use_a_challenge_once(url: str) -> None:
    """Eight verifications of one presentation at once, each in its own transaction (as
    many instances would): exactly one uses the challenge up."""
    engine = make_engine(url)
    run_migrations(engine)
    sessions = sessionmaker(engine, expire_on_commit=False)
    with sessions.begin() as session:
        value = challenges.issue_challenge(
            session, domain=BASE, account_id=None, now=NOW, ttl=timedelta(minutes=5)
        ).challenge
    expect = Expectations(challenge=value, domain=BASE)
    workers = 8
    start = threading.Barrier(workers)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def submit() -> None:
        report = VerificationReport(format="ldp_vp")
        report.passed("proof", "ok")
        report.passed("challenge", "ok")
        start.wait()
        try:
            with sessions.begin() as session:
                challenges.check_replay(session, report, expect, NOW)
            check = report.check("replay")
            assert check is not None
            outcomes.append(check.status.value)
        except BaseException as err:  # pragma: no cover - reported below
            errors.append(err)

    threads = [threading.Thread(target=submit) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    engine.dispose()
    assert errors == []
    assert sorted(outcomes) == ["failed"] * (workers - 1) + ["passed"]


def test_the_vc_api_uses_an_issued_challenge_once_too(client: TestClient) -> None:
    issued = _challenge(client)
    vp = ldp_vp([ldp_vc(badge())], challenge=issued["challenge"], domain=issued["domain"])
    body = {"verifiablePresentation": vp, "options": {"challenge": issued["challenge"]}}
    first = client.post("/presentations/verify", json=body)
    assert first.status_code == 200, first.json()
    assert "replay" in first.json()["checks"]
    again = client.post("/presentations/verify", json=body)
    assert again.status_code == 400
    assert {
        "name": "replay",
        "message": "challenge: already used (this presentation is a replay)",
    } in again.json()["errors"]
