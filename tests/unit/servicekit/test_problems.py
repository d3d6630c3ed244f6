"""servicekit's problem handlers: one behaviour for the three services (RFC 9457)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Annotated

import pytest
from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.testclient import TestClient
from pydantic import BaseModel

from servicekit.logs import RequestLogMiddleware
from servicekit.problems import BodyLimitMiddleware, install_problem_handlers
from shared.errors import ConflictError, VcError

TYPE_BASE = "https://musette.example/problems"


class Item(BaseModel):
    name: str


def error_page(request: Request, exc: VcError) -> Response:
    return HTMLResponse(f"<p>page {exc.code}</p>", status_code=exc.status)


def make_client(*, max_bytes: int | None = None) -> TestClient:
    app = FastAPI()
    install_problem_handlers(app, type_base=TYPE_BASE, error_page=error_page)

    @app.get("/crash/{capability}")
    def crash(capability: str) -> None:
        raise RuntimeError("database password is hunter2")

    @app.get("/conflict")
    def conflict() -> None:
        raise ConflictError("already there", existing="x")

    @app.post("/items")
    def create(item: Item) -> dict[str, str]:
        return {"name": item.name}

    @app.post("/form")
    def form(name: Annotated[str, Form()]) -> dict[str, str]:
        return {"name": name}

    if max_bytes is not None:
        app.add_middleware(BodyLimitMiddleware, max_bytes=max_bytes, type_base=TYPE_BASE)
    app.add_middleware(RequestLogMiddleware, service="test")
    return TestClient(app, raise_server_exceptions=False)


def test_a_crash_is_logged_with_its_request_id_and_answers_nothing_of_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = make_client()
    with caplog.at_level(logging.ERROR, logger="musette.problems"):
        answer = client.get("/crash/cap-7f3a", headers={"X-Request-ID": "req-42"})
    assert answer.status_code == 500
    assert answer.headers["content-type"] == "application/problem+json"
    body = answer.json()
    assert body["type"] == f"{TYPE_BASE}#internal-error"
    assert "hunter2" not in answer.text
    assert "RuntimeError" not in answer.text
    [record] = [r for r in caplog.records if r.name == "musette.problems"]
    assert getattr(record, "request_id", None) == "req-42"
    assert "/crash/{capability}" in record.getMessage()  # the template, never the path
    assert "cap-7f3a" not in record.getMessage()
    assert record.exc_info is not None


def test_a_browser_gets_the_services_page_for_a_crash() -> None:
    answer = make_client().get("/crash/x", headers={"Accept": "text/html"})
    assert answer.status_code == 500
    assert answer.text == "<p>page internal-error</p>"


def test_a_domain_error_keeps_its_type_status_and_extensions() -> None:
    answer = make_client().get("/conflict")
    assert answer.status_code == 409
    assert answer.json() == {
        "type": f"{TYPE_BASE}#conflict",
        "title": "Conflict",
        "status": 409,
        "detail": "already there",
        "instance": "/conflict",
        "existing": "x",
    }


def test_a_body_of_the_wrong_shape_says_which_field() -> None:
    answer = make_client().post("/items", json={"nom": "x"})
    assert answer.status_code == 400
    body = answer.json()
    assert body["type"] == f"{TYPE_BASE}#invalid-input"
    assert body["errors"][0]["loc"] == ["body", "name"]


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [("GET", "/nowhere", 404, "not-found"), ("DELETE", "/items", 405, "method-not-allowed")],
)
def test_unknown_paths_and_methods_answer_problems(
    method: str, path: str, status: int, code: str
) -> None:
    answer = make_client().request(method, path)
    assert answer.status_code == status
    assert answer.json()["type"] == f"{TYPE_BASE}#{code}"
    assert answer.json()["status"] == status
    if status == 405:
        assert answer.headers["allow"] == "POST"


def test_a_body_over_the_limit_is_refused_before_parsing() -> None:
    answer = make_client(max_bytes=10).post("/items", json={"name": "x" * 50})
    assert answer.status_code == 413
    assert answer.json()["type"] == f"{TYPE_BASE}#payload-too-large"


def _streamed(*parts: bytes) -> Iterator[bytes]:
    """A body sent in chunks, with no ``Content-Length``."""
    yield from parts


_FORM = {"content-type": "application/x-www-form-urlencoded"}
_JSON = {"content-type": "application/json"}


@pytest.mark.parametrize(
    ("path", "headers", "first", "rest"),
    [
        ("/form", _FORM, b"name=", b"x" * 50),  # FastAPI's form parsing: a 400 otherwise
        ("/items", _JSON, b'{"name": "', b"x" * 50 + b'"}'),  # its JSON body: the same
        ("/form", {**_FORM, "accept": "text/html"}, b"name=", b"x" * 50),  # a browser
        ("/items", _JSON, b"{" * 40, b"}" * 40),  # not even JSON: the size comes first
    ],
)
def test_a_streamed_body_over_the_limit_gets_the_declared_lengths_413(
    path: str, headers: dict[str, str], first: bytes, rest: bytes
) -> None:
    client = make_client(max_bytes=10)
    declared = client.post(path, content=first + rest, headers=headers)
    streamed = client.post(path, content=_streamed(first, rest), headers=headers)
    assert declared.status_code == streamed.status_code == 413
    assert streamed.headers["content-type"] == "application/problem+json"
    assert streamed.json()["type"] == f"{TYPE_BASE}#payload-too-large"
    assert streamed.json() == declared.json()  # the app's own answer is not appended


@pytest.mark.parametrize("spare", [0, 10])  # exactly at the limit, or under it
@pytest.mark.parametrize(
    ("path", "headers", "parts"),
    [("/form", _FORM, (b"name=", b"abc")), ("/items", _JSON, (b'{"name": ', b'"abc"}'))],
)
def test_a_streamed_body_within_the_limit_is_read(
    path: str, headers: dict[str, str], parts: tuple[bytes, ...], spare: int
) -> None:
    client = make_client(max_bytes=len(b"".join(parts)) + spare)
    answer = client.post(path, content=_streamed(*parts), headers=headers)
    assert answer.status_code == 200
    assert answer.json() == {"name": "abc"}


def test_a_401_says_how_to_authenticate() -> None:
    from shared.errors import UnauthorizedError

    app = FastAPI()
    install_problem_handlers(app, type_base=TYPE_BASE, error_page=error_page)

    @app.get("/me")
    def me() -> None:
        raise UnauthorizedError("sign in first")

    answer = TestClient(app).get("/me")
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"].startswith("Bearer")
