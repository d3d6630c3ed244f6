"""The database-backed rate limiter: limits as settings, windows, atomic counts across
threads (SQLite always, PostgreSQL when MUSETTE_TEST_POSTGRES_URL is set), purge, and the
429 answers (problem+json with Retry-After, or a French/English page)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from pydantic import BaseModel, ValidationError
from sqlalchemy import MetaData, Table, create_engine, event, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from servicekit.ratelimit import (
    RATE_LIMIT_TABLE,
    Limit,
    LimitSetting,
    RateLimitedError,
    RateLimiter,
    account_and_ip,
    client_ip,
    install_rate_limits,
    limiter_of,
    rate_limit_columns,
)
from tests.databases import DIALECTS, database_url

T0 = datetime(2026, 12, 7, 10, 0, 5, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _sessions(url: str) -> sessionmaker[Session]:
    engine = create_engine(url, connect_args={"timeout": 30} if url.startswith("sqlite") else {})
    Table(RATE_LIMIT_TABLE, MetaData(), *rate_limit_columns()).create(engine)
    return sessionmaker(engine)


@pytest.fixture(params=DIALECTS)
def sessions(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    with database_url(request.param, tmp_path, "ratelimit") as url:
        made = _sessions(url)
        yield made
        made.kw["bind"].dispose()


def _rows(sessions: sessionmaker[Session]) -> list[Any]:
    with sessions() as session:
        return list(session.execute(text("SELECT * FROM rate_limits")).mappings())


# --------------------------------------------------------------------------- limits


@pytest.mark.parametrize(
    ("text_", "expected"),
    [
        ("10/minute", Limit(10, 60)),
        ("60/hour", Limit(60, 3600)),
        ("5/30s", Limit(5, 30)),
        (" 3 / 2 min ", Limit(3, 120)),
        ("1000/day", Limit(1000, 86_400)),
        ("OFF", None),
    ],
)
def test_limits_read_like_people_write_them(text_: str, expected: Limit | None) -> None:
    assert Limit.parse(text_) == expected


@pytest.mark.parametrize(
    "bad",
    ["", "10", "ten/minute", "10/fortnight", "0/minute", "5/0s", "-1/minute", "10/minute;drop"],
)
def test_a_malformed_limit_is_refused_when_the_settings_are_read(bad: str) -> None:
    class Settings(BaseModel):
        limit: LimitSetting

    with pytest.raises(ValidationError):
        Settings(limit=bad)


# --------------------------------------------------------------------------- counting


def test_the_limit_refuses_the_request_after_the_last_allowed_one(
    sessions: sessionmaker[Session],
) -> None:
    clock = Clock()
    limiter = RateLimiter(sessions, clock)
    for _ in range(3):
        limiter.hit("signin", "a@example.org|10.0.0.1", "3/minute")
    with pytest.raises(RateLimitedError) as caught:
        limiter.hit("signin", "a@example.org|10.0.0.1", "3/minute")
    # the window started at 10:00:00 and the clock says 10:00:05
    assert caught.value.retry_after == 55
    assert caught.value.status == 429
    # another account, another scope: their own counters
    limiter.hit("signin", "b@example.org|10.0.0.1", "3/minute")
    limiter.hit("verifications", "a@example.org|10.0.0.1", "3/minute")
    # the next window starts afresh
    clock.now = T0 + timedelta(seconds=55)
    limiter.hit("signin", "a@example.org|10.0.0.1", "3/minute")


def test_off_counts_nothing(sessions: sessionmaker[Session]) -> None:
    limiter = RateLimiter(sessions, Clock())
    for _ in range(50):
        limiter.hit("links", "10.0.0.1", "off")
    assert _rows(sessions) == []


def test_the_table_holds_no_email_and_no_address(sessions: sessionmaker[Session]) -> None:
    RateLimiter(sessions, Clock()).hit("signin", "camille@example.org|192.0.2.7", "3/minute")
    (row,) = _rows(sessions)
    assert "camille" not in row["key"]
    assert "192.0.2" not in row["key"]
    assert row["key"].startswith("signin:")
    assert row["hits"] == 1


def test_ended_windows_are_purged_when_a_new_one_opens(sessions: sessionmaker[Session]) -> None:
    clock = Clock()
    limiter = RateLimiter(sessions, clock)
    for n in range(4):
        limiter.hit("links", f"10.0.0.{n}", "5/minute")
    assert len(_rows(sessions)) == 4
    clock.now = T0 + timedelta(minutes=2)
    limiter.hit("links", "10.0.0.1", "5/minute")  # a new window: the old rows go
    assert [r["hits"] for r in _rows(sessions)] == [1]
    clock.now = T0 + timedelta(minutes=10)
    assert limiter.purge() == 1
    assert _rows(sessions) == []


def test_new_windows_purge_at_most_every_ten_seconds(sessions: sessionmaker[Session]) -> None:
    clock = Clock()
    limiter = RateLimiter(sessions, clock)
    purges: list[int] = []
    original = limiter.purge

    def counted(now: int | None = None) -> int:
        purges.append(1)
        return original(now)

    limiter.purge = counted  # type: ignore[method-assign]
    for n in range(4):
        limiter.hit("links", f"10.0.0.{n}", "5/minute")  # four new windows at once
    assert len(purges) == 1
    clock.now = T0 + timedelta(seconds=RateLimiter.PURGE_EVERY)
    limiter.hit("links", "10.0.0.9", "5/minute")
    assert len(purges) == 2


def test_concurrent_attempts_never_get_more_than_the_limit(
    sessions: sessionmaker[Session],
) -> None:
    """20 threads at once against a limit of 5: exactly 5 pass, every hit is counted."""
    limiter = RateLimiter(sessions, Clock())
    workers = 20
    start = threading.Barrier(workers)
    passed: list[int] = []
    refused: list[int] = []
    errors: list[BaseException] = []

    def attempt(n: int) -> None:
        start.wait()
        try:
            limiter.hit("tx_code", "198.51.100.9", "5/minute")
            passed.append(n)
        except RateLimitedError:
            refused.append(n)
        except BaseException as err:  # pragma: no cover - reported below
            errors.append(err)

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(passed) == 5
    assert len(refused) == 15
    with sessions() as session:
        total = session.execute(text("SELECT hits FROM rate_limits")).scalar_one()
    assert total == workers


def test_two_limiters_on_one_database_share_the_counts(sessions: sessionmaker[Session]) -> None:
    """Two instances of a service: one counter."""
    clock = Clock()
    a, b = RateLimiter(sessions, clock), RateLimiter(sessions, clock)
    a.hit("signin", "x|1", "2/minute")
    b.hit("signin", "x|1", "2/minute")
    with pytest.raises(RateLimitedError):
        a.hit("signin", "x|1", "2/minute")
    with sessions() as session:
        table = Table(RATE_LIMIT_TABLE, MetaData(), autoload_with=session.get_bind())
        assert session.execute(select(func.count()).select_from(table)).scalar_one() == 1


# --------------------------------------------------------------------------- answers


@pytest.fixture
def app(tmp_path: Path) -> FastAPI:
    made = FastAPI()
    install_rate_limits(made, type_base="https://musette.example/problems")
    made.state.rate_limiter = RateLimiter(_sessions(f"sqlite:///{tmp_path / 'a.db'}"), Clock())

    @made.post("/signin")
    def signin(request: Request) -> dict[str, str]:
        limiter_of(request).hit("signin", account_and_ip("Camille@Example.org ", request), "1/hour")
        return {"ip": client_ip(request)}

    return made


def test_over_the_limit_an_api_client_gets_problem_json_with_retry_after(app: FastAPI) -> None:
    with TestClient(app) as client:
        assert client.post("/signin").json() == {"ip": "testclient"}
        resp = client.post("/signin")
    assert resp.status_code == 429
    assert resp.headers["content-type"].startswith("application/problem+json")
    assert resp.headers["retry-after"] == "3595"
    body = resp.json()
    assert body["type"] == "https://musette.example/problems#rate-limited"
    assert body["status"] == 429
    assert body["retry_after"] == 3595
    assert "3595 seconds" in body["detail"]


@pytest.mark.parametrize(
    ("language", "expected", "absent"),
    [
        ("fr-FR,fr;q=0.9", "Attendez 3\u202f595 secondes, puis réessayez.", "Wait"),
        ("en-GB", "Wait 3,595 seconds, then try again.", "Attendez"),
    ],
)
def test_over_the_limit_a_browser_form_gets_a_page_in_its_language(
    app: FastAPI, language: str, expected: str, absent: str
) -> None:
    headers = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8", "Accept-Language": language}
    with TestClient(app) as client:
        client.post("/signin", data={"email": "x"}, headers=headers)
        resp = client.post("/signin", data={"email": "x"}, headers=headers)
    assert resp.status_code == 429
    assert resp.headers["content-type"].startswith("text/html")
    assert resp.headers["retry-after"] == "3595"
    assert f'<html lang="{language[:2]}">' in resp.text
    assert expected in resp.text
    assert absent not in resp.text


def test_email_case_and_spaces_do_not_open_a_new_counter() -> None:
    class Peer:
        client = type("C", (), {"host": "192.0.2.1"})()

    request: Any = Peer()
    assert account_and_ip(" Camille@Example.ORG", request) == "camille@example.org|192.0.2.1"


def test_a_hit_is_one_statement_in_autocommit(sessions: sessionmaker[Session]) -> None:
    """No BEGIN and COMMIT round trips around the one upsert (it commits on its own)."""
    limiter = RateLimiter(sessions, Clock())
    limiter.hit("token", "192.0.2.1", "5/minute")  # the first of a window may purge
    levels: list[tuple[str, str | None]] = []
    event.listen(
        sessions.kw["bind"],
        "before_cursor_execute",
        lambda conn, _cur, statement, *_: levels.append(
            (statement.split()[0], conn.get_execution_options().get("isolation_level"))
        ),
    )
    limiter.hit("token", "192.0.2.1", "5/minute")
    assert levels == [("INSERT", "AUTOCOMMIT")]
    assert [row["hits"] for row in _rows(sessions)] == [2]
