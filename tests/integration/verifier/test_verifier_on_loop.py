"""A plain anonymous ``POST /verifications`` runs on the event loop (no worker-thread hop)
when it needs neither the database nor the network; anything else still takes the worker
thread, and a verification that reaches for a fetch on the loop starts over there, counted
once (verifier/service/on_loop.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

from tests.integration.verifier.conftest import NOW, Served, make_fetcher, make_settings
from tests.run_async import run_async
from tests.unit.verifier.builders import STATUS_URL, badge, status_list, vc_jwt
from verifier.api import verifications
from verifier.deps import SESSION
from verifier.main import create_app
from verifier.service.on_loop import NO_DATABASE, WouldBlock, on_loop
from verifier.service.retention import PurgeSchedule
from verifier.service.store import _SCHEDULES

PLAIN = vc_jwt(badge())  # did:key issuer, no credentialStatus: nothing to fetch
WITH_STATUS = vc_jwt(badge(status_index=3))


class Hops:
    """Counts the worker-thread hops of ``POST /verifications``."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        original = verifications.__dict__["run_in_threadpool"]  # what the module calls

        async def counted(func: Any, *args: Any) -> Any:
            self.count += 1
            return await original(func, *args)

        monkeypatch.setattr(verifications, "run_in_threadpool", counted)


@pytest.fixture
def hops(monkeypatch: pytest.MonkeyPatch) -> Hops:
    return Hops(monkeypatch)


@pytest.fixture
def app_client(tmp_path: Path, served: Served) -> Iterator[TestClient]:
    import json

    served.json(STATUS_URL, json.dumps(status_list(())).encode())
    settings = make_settings(tmp_path, rate_limit_verifications="off")
    with TestClient(create_app(settings, fetcher=make_fetcher(served), clock=lambda: NOW)) as c:
        yield c


def _verified(client: TestClient, token: str, query: str = "", **headers: str) -> dict[str, Any]:
    resp = client.post(
        f"/verifications{query}",
        content=token,
        headers={"content-type": "application/vc+jwt", **headers},
    )
    assert resp.status_code == 200, resp.text
    body: dict[str, Any] = resp.json()
    assert body["verified"] is True, body
    return body


def _counted(fmt: str) -> float:
    value = REGISTRY.get_sample_value(
        "musette_verifications_total", {"format": fmt, "outcome": "verified"}
    )
    return value or 0.0


def test_a_plain_verification_takes_no_thread_once_the_purge_is_done(
    app_client: TestClient, hops: Hops
) -> None:
    _verified(app_client, PLAIN)  # a fresh process: the purge is due, it needs the database
    assert hops.count == 1
    _verified(app_client, PLAIN)
    _verified(app_client, PLAIN)
    assert hops.count == 1


def test_a_fetch_on_the_loop_starts_over_in_a_thread_and_counts_once(
    app_client: TestClient, served: Served, hops: Hops
) -> None:
    fmt = _verified(app_client, PLAIN)["format"]  # the purge turn
    before = _counted(fmt)
    body = _verified(app_client, WITH_STATUS)  # the list is not cached yet: a fetch
    assert [c["status"] for c in body["checks"] if c["name"] == "status"] == ["passed"]
    assert hops.count == 2
    assert served.count(STATUS_URL) == 1
    assert _counted(fmt) == before + 1
    _verified(app_client, WITH_STATUS)  # the cached list: on the loop
    assert hops.count == 2
    assert served.count(STATUS_URL) == 1


@pytest.mark.parametrize(
    ("query", "headers"),
    [
        ("?store=true", {}),
        ("", {"authorization": "Bearer not-a-key-but-a-caller"}),
        ("", {"cookie": "musette_verifier_session=x"}),
    ],
)
def test_stored_or_identified_calls_take_the_thread(
    app_client: TestClient, hops: Hops, query: str, headers: dict[str, str]
) -> None:
    _verified(app_client, PLAIN)
    resp = app_client.post(
        f"/verifications{query}",
        content=PLAIN,
        headers={"content-type": "application/vc+jwt", **headers},
    )
    assert resp.status_code in {200, 401}, resp.text
    assert hops.count == 2


def test_a_challenge_takes_the_thread(app_client: TestClient, hops: Hops) -> None:
    _verified(app_client, PLAIN)
    resp = app_client.post(
        "/verifications", json={"credential": PLAIN, "options": {"challenge": "abc"}}
    )
    assert resp.status_code == 200, resp.text
    assert hops.count == 2


def test_with_the_rate_limit_on_every_call_takes_the_thread(
    tmp_path: Path, served: Served, hops: Hops
) -> None:
    settings = make_settings(tmp_path, rate_limit_verifications="100/minute")
    with TestClient(create_app(settings, fetcher=make_fetcher(served), clock=lambda: NOW)) as c:
        _verified(c, PLAIN)
        _verified(c, PLAIN)
    assert hops.count == 2


def test_the_purge_turn_is_not_lost_to_a_call_on_the_loop(
    app_client: TestClient, hops: Hops
) -> None:
    _verified(app_client, PLAIN)
    settings = app_client.app.state.resources.settings  # type: ignore[attr-defined]
    _SCHEDULES[settings.database_url] = PurgeSchedule()  # due again
    _verified(app_client, PLAIN)
    assert hops.count == 2  # the purge's turn went to a thread
    assert not _SCHEDULES[settings.database_url].pending(NOW)


def test_no_database_and_guarded_fetches_refuse_on_the_loop_only(served: Served) -> None:
    from verifier.service.on_loop import LoopGuardedFetcher

    guarded = LoopGuardedFetcher(make_fetcher(served))
    served.json("http://127.0.0.1/x.json", b"{}")
    assert guarded.fetch_json("http://127.0.0.1/x.json") == {}
    with on_loop():
        with pytest.raises(WouldBlock):
            guarded.fetch_json("http://127.0.0.1/x.json")
        with pytest.raises(WouldBlock):
            guarded.request("GET", "http://127.0.0.1/x.json")
        with pytest.raises(WouldBlock):
            NO_DATABASE.execute("select 1")
    assert served.count("http://127.0.0.1/x.json") == 1


def test_the_early_route_answers_as_the_full_route_does(
    app_client: TestClient, hops: Hops, monkeypatch: pytest.MonkeyPatch
) -> None:
    _verified(app_client, PLAIN)  # the purge turn (full route, a thread)
    full_calls: list[int] = []
    original = verifications._plain

    def spied(*args: Any) -> bool:
        full_calls.append(1)
        return original(*args)

    monkeypatch.setattr(verifications, "_plain", spied)
    early = _verified(app_client, PLAIN)
    assert len(full_calls) == 1  # the early handler's check only: no second pass
    full = _verified(app_client, PLAIN, "?store=false")  # a query: the full route
    assert len(full_calls) == 2  # declined at the query, checked once by the full route
    assert early == full
    assert hops.count == 1


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        (b'{"credential": ', "application/json"),
        (b'{"credential": "x", "bogus": 1}', "application/json"),
        (b"", "application/vc+jwt"),
    ],
)
def test_hostile_bodies_get_the_full_routes_problem(
    app_client: TestClient, body: bytes, kind: str
) -> None:
    early = app_client.post("/verifications", content=body, headers={"content-type": kind})
    full = app_client.post(
        "/verifications?store=false", content=body, headers={"content-type": kind}
    )
    assert early.status_code == full.status_code
    assert early.headers["content-type"] == full.headers["content-type"]
    if early.headers["content-type"].startswith("application/problem+json"):
        assert early.json()["type"] == full.json()["type"]
    else:
        assert early.json()["verified"] is False


def test_the_running_service_keeps_its_start_up_heap_frozen(app_client: TestClient) -> None:
    import gc

    assert gc.get_freeze_count() > 0  # servicekit.operations.settled_heap, in the lifespan


@pytest.mark.parametrize(
    "kinds",
    [("application/vc+jwt", "application/json"), ("application/json", "application/vc+jwt")],
)
def test_two_content_types_the_early_route_reads_the_first_as_the_full_route_does(
    app_client: TestClient, kinds: tuple[str, str]
) -> None:
    headers = [("content-type", kind) for kind in kinds]
    early = app_client.post("/verifications", content=PLAIN, headers=headers)
    full = app_client.post("/verifications?store=false", content=PLAIN, headers=headers)
    assert early.status_code == full.status_code
    assert early.headers["content-type"] == full.headers["content-type"]
    if kinds[0] == "application/vc+jwt":
        assert early.json()["verified"] is full.json()["verified"] is True
    else:  # the token read as JSON: the same problem either way
        assert early.status_code == 400
        assert early.json()["type"] == full.json()["type"]


def _early_answer(client: TestClient, headers: list[tuple[bytes, bytes]]) -> Any:
    """The early handler's own answer (None: it hands the request over)."""

    from starlette.requests import Request

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": PLAIN.encode(), "more_body": False}

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/verifications",
        "query_string": b"",
        "headers": [(b"content-type", b"application/vc+jwt"), *headers],
        "app": client.app,
    }
    return run_async(verifications.early_verification(Request(scope, receive)))


def test_an_authorization_or_session_cookie_anywhere_declines_the_early_route(
    app_client: TestClient,
) -> None:
    _verified(app_client, PLAIN)  # the purge turn (full route, a thread)
    session = SESSION.name.encode()
    assert _early_answer(app_client, [(b"cookie", b"a=b")]) is not None
    assert _early_answer(app_client, [(b"cookie", b"a=b"), (b"cookie", session + b"=x")]) is None
    assert _early_answer(app_client, [(b"x-other", b"1"), (b"authorization", b"Bearer x")]) is None


def _outcome(fmt: str, outcome: str) -> float:
    value = REGISTRY.get_sample_value(
        "musette_verifications_total", {"format": fmt, "outcome": outcome}
    )
    return value or 0.0


def test_each_verification_is_counted_once_under_its_outcome(app_client: TestClient) -> None:
    header, payload, signature = PLAIN.split(".")
    tampered = f"{header}.{payload}.{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"
    cases = [(PLAIN, "verified"), (tampered, "not_verified"), ("not a token", "unusable")]
    for token, outcome in cases:
        kinds = ("jwt_vc_json", "vc+jwt", "jwt", "unknown")
        before = {(k, o): _outcome(k, o) for k in kinds for _, o in cases}
        resp = app_client.post(
            "/verifications", content=token, headers={"content-type": "application/vc+jwt"}
        )
        assert resp.status_code == 200, resp.text
        after = {key: _outcome(*key) for key in before}
        moved = {key: after[key] - before[key] for key in before if after[key] != before[key]}
        assert list(moved.values()) == [1.0], (token, moved)
        assert next(iter(moved))[1] == outcome


def _early_reads(messages: list[dict[str, Any]], declared: bytes | None, limit: int) -> Any:
    """What the early route's body reader makes of these ASGI messages."""
    from starlette.requests import Request

    pending = list(messages)

    async def receive() -> dict[str, Any]:
        return pending.pop(0)

    request = Request({"type": "http", "headers": []}, receive)
    return run_async(verifications._early_body(request, declared, limit))


def test_the_early_body_reader_keeps_read_cappeds_rules() -> None:
    parts = [
        {"type": "http.request", "body": b"ab", "more_body": True},
        {"type": "http.request", "body": b"", "more_body": True},
        {"type": "http.request", "body": b"cd", "more_body": False},
    ]
    assert _early_reads(parts, b"4", 4) == b"abcd"
    assert _early_reads([{"type": "http.request"}], None, 4) == b""  # no body member at all
    # over the cap, declared or streamed: the full route answers (its 413)
    assert _early_reads(parts, b"5", 4) is None
    assert _early_reads(parts, None, 3) is None
    # a declared length that is not a number is not trusted, the bytes are counted
    assert _early_reads(parts, b"-1", 4) == b"abcd"
    # a client gone mid-body: the full route's to answer
    assert _early_reads([parts[0], {"type": "http.disconnect"}], None, 4) is None


def test_an_oversized_body_gets_the_full_routes_413(app_client: TestClient) -> None:
    settings = app_client.app.state.resources.settings  # type: ignore[attr-defined]
    body = "x" * (settings.max_verification_bytes + 1)
    resp = app_client.post(
        "/verifications", content=body, headers={"content-type": "application/vc+jwt"}
    )
    assert resp.status_code == 413
    assert resp.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("declared", [b"\xb2", b"\xd9\xa3", b"1e3", b" 12"])
def test_a_declared_length_of_no_ascii_digits_is_not_trusted_by_either_reader(
    declared: bytes,
) -> None:
    """Both readers read the body and count it (the early one and :func:`read_capped`)."""
    from starlette.requests import Request

    from verifier.api.bodies import read_capped

    message = {"type": "http.request", "body": b"abcd", "more_body": False}

    async def receive() -> dict[str, Any]:
        return message

    request = Request({"type": "http", "headers": [(b"content-length", declared)]}, receive)
    assert run_async(read_capped(request, 4)) == b"abcd"
    assert _early_reads([message], declared, 4) == b"abcd"
