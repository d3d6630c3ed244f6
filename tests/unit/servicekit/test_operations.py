"""servicekit's operations kit: /healthz, /readyz, /metrics, JSON request logs with request
ids, settings from files, and the ``musette migrate`` / ``musette serve`` commands."""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from issuer.db.base import make_engine
from issuer.db.migrate import MIGRATIONS
from issuer.settings import IssuerSettings
from musette import serve
from musette.cli import main
from servicekit import metrics, operations
from servicekit.config import settings_from_env, values_from_files
from servicekit.logs import REQUEST_ID, JsonFormatter, request_id_from
from servicekit.migrations import SchemaOutdatedError, schema_state, upgrade_to_head
from servicekit.operations import install_operations

TYPE_BASE = "https://musette.example/problems"


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    db = make_engine(f"sqlite:///{tmp_path / 'issuer.db'}")
    upgrade_to_head(db, MIGRATIONS, "issuer")
    yield db
    db.dispose()


def build_app(db: Engine, *, catch_all: bool = False) -> FastAPI:
    app = FastAPI()
    app.state.engine = db
    nested = APIRouter()

    @nested.get("/{item_id}")
    def item(item_id: str) -> dict[str, str]:
        return {"item": item_id}

    app.include_router(nested, prefix="/api/items")
    app.mount("/static", StaticFiles(directory=Path(__file__).parent), name="static")

    @app.get("/orgs/{slug}/offers/{offer_id}")
    def offer(slug: str, offer_id: str) -> dict[str, str]:
        return {"slug": slug}

    if catch_all:

        @app.get("/{anything:path}")
        def everything(anything: str) -> dict[str, str]:
            return {"caught": anything}

    install_operations(
        app,
        service="issuer",
        migrations=MIGRATIONS,
        engine=lambda a: a.state.engine,
        type_base=TYPE_BASE,
    )
    return app


# --------------------------------------------------------------------------- health


def test_healthz_answers_without_a_database(tmp_path: Path) -> None:
    broken = make_engine(f"sqlite:///{tmp_path / 'missing' / 'dir' / 'x.db'}")
    with TestClient(build_app(broken)) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.headers["content-type"] == "application/problem+json"
    body = ready.json()
    assert body["type"] == f"{TYPE_BASE}#not-ready"
    assert "cannot be reached" in body["detail"]
    assert str(tmp_path) not in body["detail"]  # no URL, no path


def test_readyz_wants_the_schema_at_head(engine: Engine) -> None:
    with TestClient(build_app(engine)) as client:
        assert client.get("/readyz").status_code == 200
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = '0004'"))
        ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.headers["retry-after"] == "5"
    detail = ready.json()["detail"]
    assert "at 0004" in detail
    assert "musette migrate issuer" in detail


def test_readyz_answers_even_when_the_database_hangs(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()

    def hanging(*_args: Any) -> None:
        release.wait(30)

    monkeypatch.setattr(operations, "readiness", hanging)
    monkeypatch.setattr(operations, "READY_TIMEOUT_SECONDS", 0.05)
    with TestClient(build_app(engine)) as client:
        try:
            ready = client.get("/readyz")
        finally:
            release.set()  # before the client waits for its threads
    assert ready.status_code == 503
    assert "did not answer within 0.05 s" in ready.json()["detail"]


def test_operations_routes_come_before_a_catch_all(engine: Engine) -> None:
    with TestClient(build_app(engine, catch_all=True)) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        assert client.get("/other").json() == {"caught": "other"}
        assert "/healthz" not in client.get("/openapi.json").text


# --------------------------------------------------------------------------- request logs


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("abc-123_X:9", True),
        ("a" * 64, True),
        ("a" * 65, False),
        ("eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0.c2ln", False),  # a JWT is not a request id
        ("has space", False),
        ("new\nline", False),
        ("", False),
    ],
)
def test_request_id_is_kept_only_when_sane(sent: str, kept: bool) -> None:
    got = request_id_from([(b"X-Request-ID", sent.encode())])
    assert (got == sent) is kept
    if not kept:
        assert len(got) == 32
        int(got, 16)


def test_a_fresh_request_id_each_time_none_is_sent() -> None:
    assert request_id_from([]) != request_id_from([])


def test_one_json_line_per_request_with_the_route_template(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="musette.access")
    with TestClient(build_app(engine)) as client:
        resp = client.get(
            "/orgs/demo/offers/0ff3r-s3cr3t?pre-authorized_code=c0de-s3cr3t",
            headers={"X-Request-ID": "req-42"},
        )
        fresh = client.get("/nowhere", headers={"X-Request-ID": "bad id"})
        client.get("/api/items/it3m-s3cr3t")
        client.post("/api/items/it3m-s3cr3t")
        client.get("/static/test_operations.py")
        client.request("BR3W", "/orgs/demo/offers/x")
    assert resp.headers["x-request-id"] == "req-42"
    assert fresh.headers["x-request-id"] != "bad id"
    records = [r for r in caplog.records if r.name == "musette.access"]
    lines = [json.loads(JsonFormatter().format(r)) for r in records]
    assert [(line["method"], line["path"], line["status"]) for line in lines] == [
        ("GET", "/orgs/{slug}/offers/{offer_id}", 200),
        ("GET", "<unmatched>", 404),
        ("GET", "/api/items/{item_id}", 200),  # an included router: its prefix too
        ("POST", "/api/items/{item_id}", 405),  # the route, another method
        ("GET", "/static/{path}", 200),
        ("OTHER", "/orgs/{slug}/offers/{offer_id}", 405),  # no label from client text
    ]
    assert lines[0]["service"] == "issuer"
    assert lines[0]["duration_ms"] >= 0
    text_of_logs = json.dumps(lines)
    assert "s3cr3t" not in text_of_logs
    assert "req-42" not in text_of_logs  # the formatter adds it from the context only
    assert REQUEST_ID.get() is None  # reset after the request


def test_the_formatter_adds_the_request_id_and_the_exception() -> None:
    token = REQUEST_ID.set("rid-1")
    try:
        try:
            raise ValueError("boom")
        except ValueError:
            record = logging.getLogger("t").makeRecord(
                "t", logging.ERROR, "f", 1, "failed %s", ("x",), sys.exc_info()
            )
        line = json.loads(JsonFormatter().format(record))
    finally:
        REQUEST_ID.reset(token)
    assert line["request_id"] == "rid-1"
    assert line["message"] == "failed x"
    assert line["level"] == "error"
    assert "ValueError: boom" in line["exception"]


# --------------------------------------------------------------------------- metrics


def sample(name: str, **labels: str) -> float:
    from prometheus_client import REGISTRY

    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_metrics_count_requests_by_route_template_and_status(engine: Engine) -> None:
    labels = {"service": "issuer", "method": "GET", "route": "/orgs/{slug}/offers/{offer_id}"}
    before = sample("musette_http_requests_total", **labels, status="200")
    with TestClient(build_app(engine)) as client:
        client.get("/orgs/a/offers/1")
        client.get("/orgs/b/offers/2")
        exposed = client.get("/metrics")
    assert sample("musette_http_requests_total", **labels, status="200") == before + 2
    assert sample("musette_http_request_duration_seconds_count", **labels, status="200") >= 2
    assert exposed.headers["content-type"].startswith("text/plain")
    assert 'route="/orgs/{slug}/offers/{offer_id}"' in exposed.text
    assert 'route="/orgs/a/' not in exposed.text


def test_credential_and_verification_counters() -> None:
    issued = sample("musette_credentials_issued_total", format="dc+sd-jwt")
    metrics.credential_issued("dc+sd-jwt")
    assert sample("musette_credentials_issued_total", format="dc+sd-jwt") == issued + 1
    other = sample("musette_verifications_total", format="other", outcome="unusable")
    metrics.verification_done("<script>", metrics.outcome(False, False))
    assert sample("musette_verifications_total", format="other", outcome="unusable") == other + 1
    assert metrics.outcome(True, True) == "verified"
    assert metrics.outcome(False, True) == "not_verified"


def test_verification_counter_children_are_remembered_within_a_bound() -> None:
    before = sample("musette_verifications_total", format="jwt_vc_json", outcome="verified")
    for _ in range(3):  # the second and third go through the remembered child
        metrics.verification_done("jwt_vc_json", "verified")
    after = sample("musette_verifications_total", format="jwt_vc_json", outcome="verified")
    assert after == before + 3
    other = sample("musette_verifications_total", format="other", outcome="unusable")
    for n in range(metrics._VERIFIED_CHILDREN_MAX + 50):  # client-made names: all "other"
        metrics.verification_done(f"<{n}>", "unusable")
    assert len(metrics._VERIFIED_CHILDREN) <= metrics._VERIFIED_CHILDREN_MAX
    assert sample("musette_verifications_total", format="other", outcome="unusable") == (
        other + metrics._VERIFIED_CHILDREN_MAX + 50
    )


def test_metrics_token_when_configured(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MUSETTE_METRICS_TOKEN", "scrape-me")
    with TestClient(build_app(engine)) as client:
        assert client.get("/metrics").status_code == 401
        wrong = client.get("/metrics", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        ok = client.get("/metrics", headers={"Authorization": "Bearer scrape-me"})
    assert ok.status_code == 200


# --------------------------------------------------------------------------- settings


def test_settings_from_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = tmp_path / "master"
    secret.write_text("c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA\n")
    monkeypatch.setenv("MUSETTE_ISSUER_MASTER_SECRET_FILE", str(secret))
    settings = settings_from_env(IssuerSettings, dev=True, migrate=False)
    assert settings.master_secret == "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA"
    assert settings.migrate is False


def test_a_setting_and_its_file_together_are_refused(tmp_path: Path) -> None:
    env = {"P_TOKEN": "x", "P_TOKEN_FILE": str(tmp_path / "t")}
    with pytest.raises(ValueError, match="P_TOKEN or P_TOKEN_FILE, not both"):
        values_from_files("P_", {"token": None}, env)


def test_an_unreadable_secret_file_is_named_not_shown(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="P_TOKEN_FILE: cannot read") as err:
        values_from_files("P_", {"token": None}, {"P_TOKEN_FILE": str(tmp_path / "none")})
    binary = tmp_path / "bin"
    binary.write_bytes(b"\xff\xfesecret")
    with pytest.raises(ValueError, match="not UTF-8") as err:
        values_from_files("P_", {"token": None}, {"P_TOKEN_FILE": str(binary)})
    assert "secret" not in str(err.value).replace(str(tmp_path), "")


# --------------------------------------------------------------------------- commands


@pytest.fixture
def issuer_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("MUSETTE_DEV", "1")
    monkeypatch.setenv("MUSETTE_ISSUER_DATABASE_URL", url)
    monkeypatch.setenv("MUSETTE_ISSUER_DATA_DIR", str(tmp_path))
    return url


def test_serve_refuses_an_outdated_schema_and_names_migrate(
    issuer_env: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[Any] = []
    monkeypatch.setattr("uvicorn.run", lambda *a, **k: started.append((a, k)))
    assert main(["serve", "issuer"]) == serve.EXIT_SCHEMA
    err = capsys.readouterr().err
    assert "run `musette migrate issuer` first" in err
    assert "empty" in err
    assert started == []
    with pytest.raises(SchemaOutdatedError, match="musette migrate issuer"):
        serve.issuer_app()


def test_migrate_then_serve_starts_uvicorn_workers_from_the_factory(
    issuer_env: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert main(["migrate", "issuer"]) == 0
    db = make_engine(issuer_env)
    try:
        assert schema_state(db, MIGRATIONS).at_head
    finally:
        db.dispose()
    started: list[Any] = []
    monkeypatch.setattr("uvicorn.run", lambda *a, **k: started.append((a, k)))
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", "")
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))  # where serve makes the folder
    assert main(["serve", "issuer", "--workers", "2", "--port", "9001"]) == 0
    ((args, kwargs),) = started
    assert args == ("musette.serve:issuer_app",)
    assert kwargs["factory"] is True
    assert kwargs["workers"] == 2
    assert kwargs["port"] == 9001
    assert kwargs["access_log"] is False
    assert kwargs["timeout_worker_healthcheck"] == 30  # not uvicorn's 5 s: slow hosts restart-loop
    folder = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    assert folder.parent == tmp_path
    assert not folder.exists()  # made for the workers, removed once they stopped
    assert (tmp_path / "master.key").exists()  # made once, before the workers start
    app = serve.issuer_app()  # what each worker builds: at head, so it starts
    assert {"/healthz", "/readyz", "/metrics"} <= {getattr(r, "path", "") for r in app.routes}
    app.state.resources.dispose()


def test_migrate_names_an_unknown_service(
    issuer_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["migrate", "issuer", "payroll"]) == 2
    assert "no service 'payroll'" in capsys.readouterr().err


def test_migrate_needs_only_the_database_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No development mode, no https public URL: the service checks those when it starts."""
    monkeypatch.delenv("MUSETTE_DEV", raising=False)
    monkeypatch.setenv("MUSETTE_ISSUER_DATABASE_URL", f"sqlite:///{tmp_path / 'prod.db'}")
    assert main(["migrate", "issuer"]) == 0
    db = make_engine(f"sqlite:///{tmp_path / 'prod.db'}")
    try:
        assert schema_state(db, MIGRATIONS).at_head
    finally:
        db.dispose()


def test_migrate_says_when_the_database_cannot_be_reached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = "postgresql+psycopg://musette:pa55-w0rd@127.0.0.1:1/nothing"  # a closed port
    monkeypatch.setenv("MUSETTE_ISSUER_DATABASE_URL", url)
    assert main(["migrate", "issuer"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("musette: the issuer database: OperationalError: ")
    assert "pa55-w0rd" not in err
    assert "Traceback" not in err


def test_the_heap_is_settled_while_the_service_runs(engine: Engine) -> None:
    import gc

    from servicekit.operations import settled_heap

    before = gc.get_freeze_count()
    with settled_heap():
        assert gc.get_freeze_count() > before  # the start-up objects: out of the collector's way
    assert gc.get_freeze_count() == 0  # handed back at shutdown
