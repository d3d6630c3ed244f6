"""servicekit.early: a service's declared early routes answer in front of its whole stack,
with the request log's id, line and metrics, and hand the request over untouched (body and
request id included) when they decline or fail."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import AsyncIterator

import pytest
from fastapi import Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY
from starlette.background import BackgroundTask

from servicekit.early import EarlyRoute, ServiceApp, app_answer
from servicekit.logs import REQUEST_ID, JsonFormatter, RequestLogMiddleware
from servicekit.problems import install_problem_handlers
from shared.errors import InvalidInputError, VcError
from tests.run_async import run_async

HANDLER_LOG = logging.getLogger("tests.early")
COUNTED: list[str] = []


def _explode() -> None:
    raise RuntimeError("boom")


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
    if body == b"log":  # lines written by the handler and while the answer is sent
        HANDLER_LOG.info("in the handler")

        async def logged() -> AsyncIterator[bytes]:
            HANDLER_LOG.info("while sending")
            yield b"early:log"

        return StreamingResponse(logged(), media_type="text/plain")
    if body == b"boom":  # counted: may not hand over any more (as the issuer's early routes)
        COUNTED.append("boom")
        try:
            _explode()
        except Exception as exc:
            return await app_answer(request, exc)
    return Response(b"early:" + body, media_type="text/plain")


LATER: list[str] = []


ROUTE = EarlyRoute("POST", re.compile(r"/items/[^/]+"), "/items/{item_id}", early_echo)


def error_page(request: Request, exc: VcError) -> Response:
    return Response(exc.code, status_code=exc.status, media_type="text/html")


def build_app(early: bool = True) -> ServiceApp:
    """A service's app, whose early route answers in front of its stack (or none)."""
    app = ServiceApp(early_routes=[ROUTE] if early else [], service="test")
    install_problem_handlers(app, type_base="https://musette.example/p", error_page=error_page)

    @app.post("/items/{item_id}")
    async def full(item_id: str, request: Request) -> Response:
        body = await request.body()
        if body == b"fail":
            return JSONResponse({"problem": "bad"}, status_code=400)
        if body == b"boom":
            _explode()
        return Response(b"full:" + body, media_type="text/plain")

    app.add_middleware(RequestLogMiddleware, service="test")
    return app


@pytest.mark.parametrize(
    ("body", "status", "answer"),
    [
        (b"hello", 200, "early:hello"),
        (b"decline", 200, "full:decline"),  # the body the early handler read is replayed
        (b"fail", 400, '{"problem":"bad"}'),  # an exception: the full app answers
        (b"stream", 200, "early:stream"),  # a streamed answer, with the request id too
    ],
)
def test_early_answer_or_hand_over(body: bytes, status: int, answer: str) -> None:
    with TestClient(build_app()) as client:
        resp = client.post("/items/42", content=body, headers={"X-Request-ID": "rid-7"})
    assert resp.status_code == status
    assert resp.text == answer
    assert resp.headers["x-request-id"] == "rid-7"


def test_other_methods_and_paths_go_the_full_way() -> None:
    with TestClient(build_app()) as client:
        assert client.get("/items/42").status_code == 405
        assert client.post("/items/42/more", content=b"x").status_code == 404


def test_an_early_answer_is_logged_with_the_route_template(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="musette.access")
    with TestClient(build_app()) as client:
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


def test_the_early_routes_are_declared_not_a_middleware() -> None:
    app = build_app()
    assert [route.path for route in app.early_routes] == ["/items/{item_id}"]
    classes: list[object] = [m.cls for m in app.user_middleware]
    assert classes == [RequestLogMiddleware]


@pytest.mark.parametrize("log_service", [None, "another"])
def test_early_routes_need_their_services_request_log_outermost(log_service: str | None) -> None:
    """A handed-over request is logged by the request log, with the id the front made."""
    app = ServiceApp(early_routes=[ROUTE], service="test")
    if log_service is not None:
        app.add_middleware(RequestLogMiddleware, service=log_service)
    with pytest.raises(RuntimeError, match="request-log middleware"), TestClient(app) as client:
        client.post("/items/1", content=b"hello")


def test_an_app_without_early_routes_needs_no_request_log() -> None:
    app = ServiceApp()

    @app.get("/plain")
    def plain() -> dict[str, str]:
        return {"ok": "yes"}

    with TestClient(app) as client:
        assert client.get("/plain").json() == {"ok": "yes"}


def _count(status: str) -> float:
    value = REGISTRY.get_sample_value(
        "musette_http_requests_total",
        {"service": "test", "method": "POST", "route": "/items/{item_id}", "status": status},
    )
    return value or 0.0


@pytest.mark.parametrize(("body", "status"), [(b"hello", "200"), (b"decline", "200")])
def test_the_front_counts_each_request_once(body: bytes, status: str) -> None:
    before = _count(status)
    with TestClient(build_app()) as client:
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
        with TestClient(build_app()) as client:
            resp = client.post("/items/1", content=b"fail", headers={"X-Request-ID": "bad id!"})
    finally:
        for logger in loggers:
            logger.removeHandler(lines)
            logger.setLevel(logging.NOTSET)
    made = resp.headers["x-request-id"]
    assert made != "bad id!"
    assert [line["logger"] for line in lines.lines] == ["musette.early", "musette.access"]
    assert {line["request_id"] for line in lines.lines} == {made}  # one id for both lines


def test_an_early_answers_background_task_runs() -> None:
    LATER.clear()
    with TestClient(build_app()) as client:
        assert client.post("/items/1", content=b"later").text == "early:later"
    assert LATER == ["done"]


def _capture(*names: str) -> tuple[_Lines, list[logging.Logger]]:
    lines = _Lines()
    loggers = [logging.getLogger(name) for name in names]
    for logger in loggers:
        logger.addHandler(lines)
        logger.setLevel(logging.DEBUG)
    return lines, loggers


def _release(lines: _Lines, loggers: list[logging.Logger]) -> None:
    for logger in loggers:
        logger.removeHandler(lines)
        logger.setLevel(logging.NOTSET)


def test_the_request_id_is_set_around_the_handler_and_the_answer_and_reset_after() -> None:
    """One scope: every line the handler and the answer write carries the request id, and
    the caller's context is as it was once the request is answered."""
    sent: list[dict[str, object]] = []

    async def one_request() -> str | None:
        incoming = [{"type": "http.request", "body": b"log", "more_body": False}]

        async def receive() -> dict[str, object]:
            return incoming.pop(0) if incoming else {"type": "http.disconnect"}

        async def send(message: dict[str, object]) -> None:
            sent.append(message)

        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": "/items/1",
            "raw_path": b"/items/1",
            "root_path": "",
            "query_string": b"",
            "headers": [(b"x-request-id", b"rid-9")],
            "client": ("127.0.0.1", 1),
            "server": ("testserver", 80),
        }
        await build_app()(scope, receive, send)  # type: ignore[arg-type]
        return REQUEST_ID.get()

    lines, loggers = _capture("tests.early", "musette.access")
    try:
        after = run_async(one_request())
    finally:
        _release(lines, loggers)
    assert after is None
    assert sent[0]["status"] == 200
    assert [(line["message"], line["request_id"]) for line in lines.lines] == [
        ("in the handler", "rid-9"),
        ("while sending", "rid-9"),
        ("request", "rid-9"),
    ]


@pytest.mark.parametrize("early", [True, False], ids=["early", "full"])
def test_an_unexpected_error_after_counting_is_logged_as_the_full_routes(early: bool) -> None:
    """The service's own error line, with the traceback, the request id and the route
    template, is written for an early route's unexpected error as for a full route's
    (uvicorn's "Exception in ASGI application" line only follows the full route's: see
    docs/decisions/http-fast-path.md)."""
    COUNTED.clear()
    lines, loggers = _capture("musette.problems", "musette.access")
    try:
        with TestClient(build_app(early), raise_server_exceptions=False) as client:
            resp = client.post("/items/s3cr3t", content=b"boom", headers={"X-Request-ID": "rid-b"})
    finally:
        _release(lines, loggers)
    assert len(COUNTED) == int(early)  # counted by the early route only
    assert resp.status_code == 500
    assert resp.json()["type"] == "https://musette.example/p#internal-error"
    assert "boom" not in resp.text
    assert resp.headers["X-Request-ID"] == "rid-b"  # the id the error line carries
    # (the full route's request line comes first: the error passes the request log on its
    # way out to Starlette's error middleware, which answers)
    by_logger = {line["logger"]: line for line in lines.lines}
    assert len(by_logger) == len(lines.lines) == 2
    error, access = by_logger["musette.problems"], by_logger["musette.access"]
    assert error["level"] == "error"
    assert error["message"] == "unexpected RuntimeError on /items/{item_id}"
    assert error["request_id"] == "rid-b"
    trace = str(error["exception"])
    assert trace.startswith("Traceback (most recent call last)")
    assert "in _explode" in trace
    assert trace.endswith("RuntimeError: boom")
    assert (access["path"], access["status"], access["request_id"]) == (
        "/items/{item_id}",
        500,
        "rid-b",
    )
    assert "s3cr3t" not in json.dumps(lines.lines)
