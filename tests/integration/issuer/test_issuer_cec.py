"""An association's CEC profile and volunteer badges that say what the CEC asks
(docs/decisions/cec-rules.md): RNA / SIREN / SIRET, declaration date and field in
the issuer profile of every credential (OB 3.0 ``otherIdentifier``), a closed role, the hours within
what the period allows, in each format; and the wallet's estimate reads them back."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from shared.model.cec import ID_DECLARED_ON, ID_FIELD, ID_RNA, ID_SIRET, role_label
from shared.verify.credential import verify_credential
from tests.integration.issuer.conftest import Env
from wallet.service import rights
from wallet.service.credential_status import CLEAR, StatusFlag
from wallet.service.storage import CredentialView

PROFILE = {
    "rna": "W751234567",
    "siren": "732 829 320 00074",
    "declared_on": "2015-03-01",
    "field": "social",
    "valideur_name": "Claire Dupont",
    "valideur_email": "valideur@association.example",
}


def _profile(env: Env, **body: Any) -> Any:
    return env.client.patch("/admin/orgs/demo-association/association", json=body, headers=env.auth)


def _issue(env: Env, fmt: str = "ldp_vc", **subject: Any) -> Any:
    body = {
        "achievement": "volunteer",
        "recipient": {"name": "Camille Martin"},
        "subject": {
            "results": {"hours": "150"},
            "cec_role": "board",
            "activity_start_date": "2025-01-01T00:00:00Z",
            "activity_end_date": "2025-12-31T00:00:00Z",
            **subject,
        },
        "format": fmt,
        "subject_id": "did:example:camille",
    }
    return env.client.post("/admin/orgs/demo-association/credentials", json=body, headers=env.auth)


def test_the_association_profile_is_edited_and_read(env: Env) -> None:
    resp = _profile(env, **PROFILE)
    assert resp.status_code == 200, resp.text
    assert resp.json()["siren"] == "73282932000074"
    info = env.client.get("/admin/orgs/demo-association", headers=env.auth).json()
    assert info["association"] == {**PROFILE, "siren": "73282932000074"}
    # a partial update leaves the rest; an empty string clears one
    assert _profile(env, valideur_email="").json()["valideur_email"] is None
    assert _profile(env, field="sportif").json()["rna"] == "W751234567"


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"rna": "751234567"}, "RNA"),
        ({"rna": "W75123456"}, "RNA"),
        ({"siren": "732829321"}, "check digit"),
        ({"siren": "7328293200007"}, "SIREN has 9 digits"),
        ({"field": "commerce"}, "field must be one of"),
        ({"declared_on": "2999-01-01"}, "future"),
        ({"declared_on": "2015-02-30"}, ""),
        ({"valideur_email": "not an address"}, "email"),
        ({"rna": ["W751234567"]}, ""),
        ({"unknown": "x"}, ""),
    ],
)
def test_a_bad_profile_is_refused_with_a_problem(
    env: Env, body: dict[str, Any], words: str
) -> None:
    resp = _profile(env, **body)
    assert resp.status_code in (400, 422), resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
    assert words in resp.json()["detail"] or words in json.dumps(resp.json())


@pytest.mark.parametrize("fmt", ["ldp_vc", "jwt_vc_json", "dc+sd-jwt"])
def test_a_volunteer_badge_carries_the_association_and_the_role(env: Env, fmt: str) -> None:
    assert _profile(env, **PROFILE).status_code == 200
    resp = _issue(env, fmt)
    assert resp.status_code == 201, resp.text
    credential = resp.json()["credential"]
    data = credential if isinstance(credential, str) else json.dumps(credential).encode()
    report = verify_credential(data, env.verify_ctx())
    assert report.verified, [(c.name, c.reason) for c in report.checks]
    claims = report.credential
    assert isinstance(claims, dict)
    # the wallet's estimate reads back what the issuer wrote, whatever the format
    view = CredentialView(
        "c",
        fmt,
        datetime.now(UTC),
        {"issuer_name": "Association"},
        {"credential": "", "claims": claims},
    )
    record = rights.read_volunteer(view)
    assert record is not None
    assert (record.hours, record.role, record.start, record.end) == (
        Decimal(150),
        "board",
        date(2025, 1, 1),
        date(2025, 12, 31),
    )
    assert (record.facts.rna, record.facts.siren, record.facts.field) == (
        "W751234567",
        "73282932000074",
        "social",
    )
    assert record.facts.declared_on == date(2015, 3, 1)
    estimate = rights.estimate_rights([view], lambda _: StatusFlag(CLEAR), today=date(2026, 2, 1))
    assert estimate.years[0].hours_total == 150


def test_the_issuer_profile_in_open_badges_terms(env: Env) -> None:
    assert _profile(env, **PROFILE).status_code == 200
    doc = _issue(env).json()["credential"]
    entries = {e["identifierType"]: e for e in doc["issuer"]["otherIdentifier"]}
    assert entries[ID_RNA] == {
        "type": "IdentifierEntry",
        "identifier": "W751234567",
        "identifierType": ID_RNA,
    }
    assert entries[ID_SIRET]["identifier"] == "73282932000074"
    assert entries[ID_DECLARED_ON]["identifier"] == "2015-03-01"
    assert entries[ID_FIELD]["identifier"] == "social"
    assert "Claire" not in json.dumps(doc)  # the valideur is not published
    assert doc["credentialSubject"]["role"] == role_label("board", "fr")


def test_a_badge_without_a_profile_has_no_identifiers(env: Env) -> None:
    cleared = _profile(env, **dict.fromkeys(PROFILE, ""))  # the demo's, cleared
    assert cleared.json() == dict.fromkeys(PROFILE)
    doc = _issue(env).json()["credential"]
    assert "otherIdentifier" not in doc["issuer"]


@pytest.mark.parametrize(
    ("subject", "words"),
    [
        (
            {
                "activity_start_date": "2025-03-01T00:00:00Z",
                "activity_end_date": "2025-03-02T00:00:00Z",
                "results": {"hours": "49"},
            },
            "2 day(s) allow at most 48",
        ),
        ({"activity_start_date": None, "activity_end_date": None}, "needs its period"),
        ({"activity_start_date": "2024-12-01T00:00:00Z"}, "within one civil year"),
        ({"results": {}}, "needs the number of hours"),
        ({"cec_role": "president"}, ""),
        (
            {
                "activity_end_date": "2024-12-31T00:00:00Z",
                "activity_start_date": "2025-12-31T00:00:00Z",
            },
            "ends before it starts",
        ),
    ],
)
def test_what_the_period_cannot_hold_is_refused(
    env: Env, subject: dict[str, Any], words: str
) -> None:
    resp = _issue(env, **subject)
    assert resp.status_code in (400, 422), resp.text
    assert words in resp.text


def test_the_hours_a_period_allows_are_accepted(env: Env) -> None:
    resp = _issue(
        env,
        activity_start_date="2025-03-01T00:00:00Z",
        activity_end_date="2025-03-02T00:00:00Z",
        results={"hours": "48"},
    )
    assert resp.status_code == 201, resp.text
    # without a CEC role, a period across two years is allowed, the hours still checked
    free = _issue(env, cec_role=None, role="Trésorière", activity_start_date="2024-12-01T00:00:00Z")
    assert free.status_code == 201, free.text
    assert free.json()["credential"]["credentialSubject"]["role"] == "Trésorière"
    too_many = _issue(env, cec_role=None, results={"hours": "9000"})
    assert too_many.status_code == 400


def test_offers_are_checked_as_they_are_made(env: Env) -> None:
    resp = env.client.post(
        "/admin/orgs/demo-association/offers",
        json={
            "achievement": "volunteer",
            "recipient": {"name": "Camille"},
            "subject": {"cec_role": "supervision", "results": {"hours": "100"}},
        },
        headers=env.auth,
    )
    assert resp.status_code == 400
    assert "needs its period" in resp.json()["detail"]


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_the_migration_goes_up_and_down(tmp_path: Any, backend: str) -> None:
    import os

    from alembic import command
    from sqlalchemy import inspect

    from issuer.db.base import make_engine
    from issuer.db.migrate import alembic_config

    if backend == "postgres":
        url = os.environ.get("MUSETTE_TEST_POSTGRES_URL")
        if not url:
            pytest.skip("MUSETTE_TEST_POSTGRES_URL is not set")
        engine = make_engine(url)
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP SCHEMA IF EXISTS cec_migration CASCADE")
            connection.exec_driver_sql("CREATE SCHEMA cec_migration")
        engine.dispose()
        engine = make_engine(url)
        from sqlalchemy import event

        @event.listens_for(engine, "connect")
        def _schema(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.execute("SET search_path TO cec_migration")
    else:
        engine = make_engine(f"sqlite:///{tmp_path}/m.db")
    config = alembic_config()
    try:
        for target, present in (("head", True), ("0004", False), ("head", True)):
            with engine.begin() as connection:
                config.attributes["connection"] = connection
                (command.upgrade if target == "head" else command.downgrade)(config, target)
            columns = {c["name"] for c in inspect(engine).get_columns("organisations")}
            assert ({"rna", "siren", "declared_on", "activity_field"} <= columns) is present
    finally:
        if backend == "postgres":
            with engine.begin() as connection:
                connection.exec_driver_sql("DROP SCHEMA cec_migration CASCADE")
        engine.dispose()
