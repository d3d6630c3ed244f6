"""servicekit.early: early routes answer before FastAPI's routing, inside the request log,
and hand the request over untouched (body included) when they decline or fail."""

from __future__ import annotations

import json
import logging
import re

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from fastapi.testclient import TestClient

from servicekit.early import EarlyRoute, EarlyRoutes
from servicekit.logs import JsonFormatter, RequestLogMiddleware
from shared.errors import InvalidInputError


async def early_echo(request: Request) -> Response | None:
    body = await request.body()
    if body == b"decline":
        return None
    if body == b"fail":
        raise InvalidInputError("the early handler failed")
    return Response(b"early:" + body, media_type="text/plain")


def build_app() -> FastAPI:
    app = FastAPI()

    @app.post("/items/{item_id}")
    async def full(item_id: str, request: Request) -> Response:
        body = await request.body()
        if body == b"fail":
            return JSONResponse({"problem": "bad"}, status_code=400)
        return Response(b"full:" + body, media_type="text/plain")

    route = EarlyRoute("POST", re.compile(r"/items/[^/]+"), "/items/{item_id}", early_echo)
    app.add_middleware(EarlyRoutes, routes=[route])
    app.add_middleware(RequestLogMiddleware, service="test")
    return app


@pytest.mark.parametrize(
    ("body", "status", "answer"),
    [
        (b"hello", 200, "early:hello"),
        (b"decline", 200, "full:decline"),  # the body the early handler read is replayed
        (b"fail", 400, '{"problem":"bad"}'),  # an exception: the full app answers
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
