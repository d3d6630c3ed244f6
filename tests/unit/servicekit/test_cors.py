"""servicekit.cors.PublicCors: CORS (any origin, no credentials) on public paths only.

Fetch standard, CORS protocol: a preflight (OPTIONS with Access-Control-Request-Method) is
answered with the allowed methods and headers; a response to any origin carries
``Access-Control-Allow-Origin: *`` and never ``Access-Control-Allow-Credentials``.
"""

from __future__ import annotations

from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from servicekit.cors import PublicCors

ORIGIN = "https://wallet.example"


async def _ok(request: Request) -> JSONResponse:
    return JSONResponse({"path": request.url.path}, headers={"ETag": '"v1"'})


def _client() -> TestClient:
    app = Starlette(
        routes=[
            Route("/orgs/{slug}/token", _ok, methods=["POST"]),
            Route("/orgs/{slug}/status/{n}", _ok),
            Route("/admin/orgs/{slug}", _ok, methods=["GET", "POST"]),
            Route("/orgs/{slug}/token/extra", _ok, methods=["POST"]),
        ]
    )
    app.add_middleware(PublicCors, patterns=(r"/orgs/[^/]+/token", r"/orgs/[^/]+/status/\d+"))
    return TestClient(app)


def preflight(
    client: TestClient,
    path: str,
    method: str = "POST",
    headers: str = "authorization, content-type",
) -> Any:
    """A browser's CORS preflight from ORIGIN (also used by the services' CORS tests)."""
    return client.options(
        path,
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": headers,
        },
    )


def test_preflight_on_a_public_path_is_answered_without_credentials() -> None:
    resp = preflight(_client(), "/orgs/demo/token")
    assert resp.status_code == 200
    headers = resp.headers
    assert headers["access-control-allow-origin"] == "*"
    assert "POST" in headers["access-control-allow-methods"]
    allowed = headers["access-control-allow-headers"].lower()
    assert "authorization" in allowed
    assert "content-type" in allowed
    assert "access-control-allow-credentials" not in headers


def test_simple_request_on_a_public_path_gets_the_headers() -> None:
    resp = _client().get("/orgs/demo/status/3", headers={"Origin": ORIGIN})
    assert resp.status_code == 200
    assert resp.headers["access-control-allow-origin"] == "*"
    assert "etag" in resp.headers["access-control-expose-headers"].lower()
    assert "access-control-allow-credentials" not in resp.headers


@pytest.mark.parametrize(
    "path",
    [
        "/admin/orgs/demo",
        "/orgs/demo/token/extra",  # a public path's prefix is not enough: the whole path
        "/orgs/demo/status/3x",
        "/orgs/a/b/token",
    ],
)
def test_other_paths_get_no_cors_headers(path: str) -> None:
    client = _client()
    answer = preflight(client, path)
    assert "access-control-allow-origin" not in answer.headers
    assert answer.status_code in {404, 405}
    plain = client.post(path, headers={"Origin": ORIGIN})
    assert "access-control-allow-origin" not in plain.headers


def test_a_cookie_is_never_allowed_cross_origin() -> None:
    """Even when the browser sends a cookie, the answer does not allow credentials, so a
    credentialed request's response stays unreadable to the other origin."""
    client = _client()
    client.cookies.set("session", "secret")
    resp = client.post("/orgs/demo/token", headers={"Origin": ORIGIN})
    assert "access-control-allow-credentials" not in resp.headers
    assert resp.headers["access-control-allow-origin"] == "*"  # never the echoed origin


def test_a_header_outside_the_list_is_refused_at_preflight() -> None:
    resp = preflight(_client(), "/orgs/demo/token", headers="x-evil")
    assert resp.status_code == 400


def test_patterns_are_required() -> None:
    with pytest.raises(ValueError, match="pattern"):
        PublicCors(_client().app, patterns=())
