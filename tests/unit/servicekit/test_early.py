"""servicekit.early: early routes answer before FastAPI's routing, inside the request log,
and hand the request over untouched (body included) when they decline or fail."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY
from starlette.background import BackgroundTask

from servicekit.early import EarlyRoute, EarlyRoutes, ServiceApp, front_early_routes
from servicekit.logs import JsonFormatter, RequestLogMiddleware
from shared.errors import InvalidInputError


async def early_echo(request: Request) -> Response | None:
    body = await request.body()
    if body == b"decline":
        return None
    if body == b"fail":
        raise InvalidInputError("the early handler failed")
    if body == b"stream":

        async def parts() -> AsyncIterator[bytes]:
            yield b"early:"
            yield body

        return StreamingResponse(parts(), media_type="text/plain")
    if body == b"later":
        return Response(b"early:later", background=BackgroundTask(LATER.append, "done"))
    return Response(b"early:" + body, media_type="text/plain")


LATER: list[str] = []


def build_app(fronted: bool = False) -> FastAPI:
    """``fronted``: a service's app, whose early routes answer in front of its stack."""
    app = ServiceApp() if fronted else FastAPI()

    @app.post("/items/{item_id}")
    async def full(item_id: str, request: Request) -> Response:
        body = await request.body()
        if body == b"fail":
            return JSONResponse({"problem": "bad"}, status_code=400)
        return Response(b"full:" + body, media_type="text/plain")

    route = EarlyRoute("POST", re.compile(r"/items/[^/]+"), "/items/{item_id}", early_echo)
    app.add_middleware(EarlyRoutes, routes=[route])
    app.add_middleware(RequestLogMiddleware, service="test")
    if fronted:
        front_early_routes(app, "test")
    return app


BOTH = pytest.mark.parametrize("fronted", [False, True], ids=["middleware", "front"])


@pytest.mark.parametrize(
    ("body", "status", "answer"),
    [
        (b"hello", 200, "early:hello"),
        (b"decline", 200, "full:decline"),  # the body the early handler read is replayed
        (b"fail", 400, '{"problem":"bad"}'),  # an exception: the full app answers
        (b"stream", 200, "early:stream"),  # a streamed answer, with the request id too
    ],
)
@BOTH
def test_early_answer_or_hand_over(body: bytes, status: int, answer: str, fronted: bool) -> None:
    with TestClient(build_app(fronted)) as client:
        resp = client.post("/items/42", content=body, headers={"X-Request-ID": "rid-7"})
    assert resp.status_code == status
    assert resp.text == answer
    assert resp.headers["x-request-id"] == "rid-7"


@BOTH
def test_other_methods_and_paths_go_the_full_way(fronted: bool) -> None:
    with TestClient(build_app(fronted)) as client:
        assert client.get("/items/42").status_code == 405
        assert client.post("/items/42/more", content=b"x").status_code == 404


@BOTH
def test_an_early_answer_is_logged_with_the_route_template(
    caplog: pytest.LogCaptureFixture, fronted: bool
) -> None:
    caplog.set_level(logging.INFO, logger="musette.access")
    with TestClient(build_app(fronted)) as client:
        client.post("/items/s3cr3t", content=b"hello")
        client.post("/items/s3cr3t", content=b"decline")
    lines = [
        json.loads(JsonFormatter().format(r)) for r in caplog.records if r.name == "musette.access"
    ]
    assert [(line["path"], line["status"]) for line in lines] == [
        ("/items/{item_id}", 200),
        ("/items/{item_id}", 200),
    ]
    assert "s3cr3t" not in json.dumps(lines)


def test_the_front_takes_the_early_routes_out_of_the_stack() -> None:
    app = build_app(fronted=True)
    assert isinstance(app, ServiceApp)
    assert [route.path for route in app.early_routes] == ["/items/{item_id}"]
    classes: list[object] = [m.cls for m in app.user_middleware]
    assert classes == [RequestLogMiddleware]


def test_no_front_unless_the_early_routes_are_right_inside_the_request_log() -> None:
    app = ServiceApp()
    app.add_middleware(RequestLogMiddleware, service="test")
    app.add_middleware(EarlyRoutes, routes=[])  # outside the request log: left alone
    front_early_routes(app, "test")
    assert app.early_routes == ()
    assert len(app.user_middleware) == 2


def _count(status: str) -> float:
    value = REGISTRY.get_sample_value(
        "musette_http_requests_total",
        {"service": "test", "method": "POST", "route": "/items/{item_id}", "status": status},
    )
    return value or 0.0


@pytest.mark.parametrize(("body", "status"), [(b"hello", "200"), (b"decline", "200")])
def test_the_front_counts_each_request_once(body: bytes, status: str) -> None:
    before = _count(status)
    with TestClient(build_app(fronted=True)) as client:
        client.post("/items/1", content=body)
    assert _count(status) == before + 1


class _Lines(logging.Handler):
    """JSON lines formatted as they are written (the request id is the running request's)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(JsonFormatter())
        self.lines: list[dict[str, object]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(self.format(record)))


def test_a_handed_over_request_keeps_the_id_the_front_made() -> None:
    lines = _Lines()
    loggers = [logging.getLogger("musette.access"), logging.getLogger("musette.early")]
    for logger in loggers:
        logger.addHandler(lines)
        logger.setLevel(logging.DEBUG)
    try:
        with TestClient(build_app(fronted=True)) as client:
            resp = client.post("/items/1", content=b"fail", headers={"X-Request-ID": "bad id!"})
    finally:
        for logger in loggers:
            logger.removeHandler(lines)
            logger.setLevel(logging.NOTSET)
    made = resp.headers["x-request-id"]
    assert made != "bad id!"
    assert [line["logger"] for line in lines.lines] == ["musette.early", "musette.access"]
    assert {line["request_id"] for line in lines.lines} == {made}  # one id for both lines


@BOTH
def test_an_early_answers_background_task_runs(fronted: bool) -> None:
    LATER.clear()
    with TestClient(build_app(fronted)) as client:
        assert client.post("/items/1", content=b"later").text == "early:later"
    assert LATER == ["done"]
