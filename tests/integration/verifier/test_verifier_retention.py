"""Personal data kept forever (issue "A hostile world"): an anonymous API verification keeps
no credential contents; results, requests and challenges go after the retention period
(docs/decisions/verification-retention.md)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from musette.cli import main
from musette.up import config_from_env
from tests.integration.verifier.conftest import (
    NOW,
    MovingClock,
    Served,
    auth,
    make_fetcher,
    make_settings,
)
from tests.unit.verifier.builders import badge, vc_jwt
from verifier import settings_for_up
from verifier.db.base import make_engine, run_migrations
from verifier.main import create_app
from verifier.settings import VerifierSettings

#: what the badge says of its holder: none of it may stay in an anonymous API result
PERSONAL = ("Encadrante du samedi", "Bénévole — encadrement", "Encadrement d'une équipe")


@pytest.fixture
def clock() -> MovingClock:
    return MovingClock()


@pytest.fixture
def settings(tmp_path: Path) -> VerifierSettings:
    return make_settings(tmp_path)


@pytest.fixture
def client(settings: VerifierSettings, served: Served, clock: MovingClock) -> Iterator[TestClient]:
    app = create_app(settings, fetcher=make_fetcher(served), clock=clock)
    with TestClient(app) as c:
        yield c


def _dump(settings: VerifierSettings) -> str:
    """Every text the verifier's database holds about verifications."""
    engine = create_engine(settings.database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT * FROM verifications")).all()
    finally:
        engine.dispose()
    return "\n".join(repr(tuple(r)) for r in rows)


def _count(settings: VerifierSettings, table: str) -> int:
    engine = create_engine(settings.database_url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())  # noqa: S608
    finally:
        engine.dispose()


def _credential_text() -> str:
    credential = badge()
    credential["credentialSubject"]["role"] = "Encadrante du samedi"
    text_ = json.dumps(credential, ensure_ascii=False)
    assert all(word in text_ for word in PERSONAL)  # the test can fail: the badge says them
    return vc_jwt(credential)


def test_an_anonymous_api_verification_stores_nothing_unless_asked(
    client: TestClient, settings: VerifierSettings
) -> None:
    resp = client.post("/verifications", json={"credential": _credential_text()})
    answer = resp.json()
    assert answer["verified"] is True
    assert answer["credential"]["credentialSubject"]  # the caller gets the contents once
    assert "id" not in answer
    assert "result_url" not in answer
    assert _count(settings, "verifications") == 0


def test_regression_an_anonymous_result_asked_for_keeps_the_verdict_not_the_credential(
    client: TestClient, settings: VerifierSettings, clock: MovingClock
) -> None:
    resp = client.post("/verifications?store=true", json={"credential": _credential_text()})
    answer = resp.json()
    assert answer["verified"] is True
    assert answer["credential"]["credentialSubject"]  # the caller gets the contents once
    assert answer["result_url"] == f"https://verifier.example/verifications/{answer['id']}"
    assert answer["expires_at"].startswith("2026-11-22T12:00")  # 24 h by default
    stored = _dump(settings)
    assert _count(settings, "verifications") == 1
    assert answer["id"] in stored
    for word in PERSONAL:
        assert word not in stored
    assert "credentialSubject" not in stored
    # what stays is the verdict summary, at the result URL
    again = client.get(answer["result_url"].removeprefix("https://verifier.example")).json()
    assert again["verified"] is True
    assert [c["name"] for c in again["checks"]] == [c["name"] for c in answer["checks"]]
    assert again["created_at"].startswith("2026-11-21T12:00")
    assert again["expires_at"] == answer["expires_at"]
    assert "credential" not in again
    # past the retention: not served, even before the purge has run ...
    clock.now = NOW + timedelta(hours=24)
    assert client.get(f"/verifications/{answer['id']}").status_code == 404
    assert _count(settings, "verifications") == 1
    # ... then deleted by the next purge
    clock.now = NOW + timedelta(hours=24, minutes=11)
    client.post("/verifications", json={"credential": vc_jwt(badge())})
    assert _count(settings, "verifications") == 0


def test_the_stored_anonymous_result_retention_is_a_setting(
    tmp_path: Path, served: Served, clock: MovingClock
) -> None:
    settings = make_settings(tmp_path, anonymous_stored_result_seconds=60)
    with TestClient(create_app(settings, fetcher=make_fetcher(served), clock=clock)) as client:
        answer = client.post("/verifications?store=true", json={"credential": vc_jwt(badge())})
        url = f"/verifications/{answer.json()['id']}"
        clock.now = NOW + timedelta(seconds=59)
        assert client.get(url).status_code == 200
        clock.now = NOW + timedelta(seconds=60)
        assert client.get(url).status_code == 404


def test_store_is_a_boolean(client: TestClient, settings: VerifierSettings) -> None:
    resp = client.post("/verifications?store=perhaps", json={"credential": vc_jwt(badge())})
    assert resp.status_code in {400, 422}
    assert resp.headers["content-type"].startswith("application/problem+json")
    assert _count(settings, "verifications") == 0


def test_a_recruiters_own_api_result_keeps_its_contents_for_the_retention(
    client: TestClient, settings: VerifierSettings, api_key: str
) -> None:
    resp = client.post(
        "/verifications", json={"credential": _credential_text()}, headers=auth(api_key)
    )
    kept = client.get(f"/verifications/{resp.json()['id']}", headers=auth(api_key)).json()
    assert kept["credential"]["credentialSubject"]["role"] == "Encadrante du samedi"


def test_an_anonymous_console_check_keeps_its_contents_one_hour(
    client: TestClient, settings: VerifierSettings, clock: MovingClock
) -> None:
    page = client.post("/verify?lang=fr", data={"credential": _credential_text()})
    assert "Encadrante du samedi" in page.text
    result_url = str(page.url)
    assert "Encadrante du samedi" in _dump(settings)
    clock.now = NOW + timedelta(hours=1, minutes=11)  # past the hour and the purge interval
    client.post("/verifications", json={"credential": vc_jwt(badge())})  # purges when due
    for word in PERSONAL:
        assert word not in _dump(settings)
    later = client.get(result_url)
    assert later.status_code == 200
    assert "✔ Vérifié" in later.text  # the verdict stays for the retention period
    assert "Encadrante du samedi" not in later.text


def test_the_purge_removes_what_is_older_than_the_retention(
    client: TestClient, settings: VerifierSettings, clock: MovingClock, api_key: str
) -> None:
    client.post("/verifications", json={"credential": vc_jwt(badge())}, headers=auth(api_key))
    client.post("/challenges")
    made = client.post("/oid4vp/requests", json={"template": "volunteering"}, headers=auth(api_key))
    assert made.status_code == 201, made.text
    assert _count(settings, "verifications") == 1
    assert _count(settings, "challenges") == 1
    assert _count(settings, "presentation_requests") == 1
    clock.now = NOW + timedelta(days=29)
    client.post("/verifications", json={"credential": vc_jwt(badge())}, headers=auth(api_key))
    assert _count(settings, "verifications") == 2  # 29 days: still kept
    clock.now = NOW + timedelta(days=30, minutes=1)
    client.post("/verifications", json={"credential": vc_jwt(badge())}, headers=auth(api_key))
    assert _count(settings, "verifications") == 2  # the first one went, a new one came
    assert _count(settings, "challenges") == 0
    assert _count(settings, "presentation_requests") == 0


def test_the_purge_command_applies_the_retention(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MUSETTE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MUSETTE_DEV", "1")  # the local http addresses of `musette up`
    monkeypatch.setenv("MUSETTE_VERIFIER_VERIFICATION_RETENTION_DAYS", "1")
    config = config_from_env("127.0.0.1", None, True)
    settings = settings_for_up(config.data_dir / "verifier", config.base_urls(), True)
    engine = make_engine(settings.database_url)
    run_migrations(engine)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO verifications (id, source, format, verified, report, created_at) "
                "VALUES ('old', 'json', 'vc+jwt', 1, '{}', '2020-01-01 00:00:00'),"
                " ('new', 'json', 'vc+jwt', 1, '{}', '2999-01-01 00:00:00')"
            )
        )
    engine.dispose()
    assert main(["verifier", "purge", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["verifications"] == 1
    assert _count(settings, "verifications") == 1


def test_the_migration_splits_existing_results_into_summary_and_contents(tmp_path: Path) -> None:
    from alembic import command
    from alembic.config import Config

    from verifier.db.base import MIGRATIONS

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    old = {"verified": True, "format": "vc+jwt", "checks": [], "credential": {"role": "Tutrice"}}
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0002")
        conn.execute(
            text(
                "INSERT INTO verifications (id, source, format, verified, report, created_at) "
                "VALUES ('v1', 'json', 'vc+jwt', 1, :report, '2026-01-01 00:00:00')"
            ),
            {"report": json.dumps(old)},
        )
    run_migrations(engine)
    with engine.connect() as conn:
        report, full = conn.execute(
            text("SELECT report, full_report FROM verifications WHERE id = 'v1'")
        ).one()
    engine.dispose()
    assert json.loads(report) == {"verified": True, "format": "vc+jwt", "checks": []}
    assert json.loads(full) == old
