"""servicekit's sign-in glue: Bearer parsing, the session cookie, the 401 of a missing caller."""

from __future__ import annotations

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse, Response
from fastapi.testclient import TestClient

from servicekit.auth import SessionCookie, bearer_token, signed_in
from shared.errors import UnauthorizedError
from wallet.settings import WalletSettings


def request_with(headers: dict[str, str]) -> Request:
    raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
    return Request({"type": "http", "method": "GET", "path": "/", "headers": raw})


@pytest.mark.parametrize(
    ("header", "token"),
    [
        (None, None),
        ("Bearer mik_a_b", "mik_a_b"),
        ("bearer mik_a_b", "mik_a_b"),  # the scheme is case-insensitive (RFC 9110 §11.1)
        ("BEARER   spaced  ", "spaced"),
        ("Bearer", ""),  # a Bearer header with no token: refused by the lookup, not ignored
        ("Bearer ", ""),
        ("Basic dXNlcjpwYXNz", None),
        ("Bearerx token", None),
        ("DPoP token", None),
        ("", None),
    ],
)
def test_bearer_token_reads_only_the_bearer_scheme(header: str | None, token: str | None) -> None:
    headers = {} if header is None else {"Authorization": header}
    assert bearer_token(request_with(headers)) == token


def test_bearer_token_survives_hostile_header_bytes() -> None:
    raw = [(b"authorization", b"Bearer \xff\xfe\x00tok")]
    request = Request({"type": "http", "method": "GET", "path": "/", "headers": raw})
    assert bearer_token(request) == "\xff\xfe\x00tok"  # latin-1, as HTTP headers are read


def test_signed_in_is_a_401_without_a_caller() -> None:
    assert signed_in("someone") == "someone"
    with pytest.raises(UnauthorizedError, match="an API token"):
        signed_in(None, key_name="an API token")


@pytest.mark.parametrize(("dev", "base_url", "secure"), [(True, "http://127.0.0.1", False)])
def test_the_session_cookie_is_httponly_and_lives_as_long_as_the_session(
    dev: bool, base_url: str, secure: bool
) -> None:
    settings = WalletSettings(dev=dev, base_url=base_url, session_hours=2)
    cookie = SessionCookie("wallet", samesite="strict")
    app = FastAPI()

    @app.get("/in")
    def sign_in() -> Response:
        response = PlainTextResponse("in")
        cookie.open(response, "t0ken", settings)
        return response

    @app.get("/who")
    def who(request: Request) -> str:
        return cookie.read(request) or "nobody"

    @app.get("/out")
    def sign_out() -> Response:
        response = PlainTextResponse("out")
        cookie.clear(response)
        return response

    client = TestClient(app)
    header = client.get("/in").headers["set-cookie"]
    assert header.startswith("musette_wallet_session=t0ken;")
    assert "HttpOnly" in header
    assert "SameSite=strict" in header
    assert "Max-Age=7200" in header
    assert "Path=/" in header
    assert ("Secure" in header) is secure
    assert client.get("/who").json() == "t0ken"
    client.get("/out")
    assert client.get("/who").json() == "nobody"


def test_the_session_cookie_is_secure_outside_development_mode() -> None:
    settings = WalletSettings(dev=False, base_url="https://wallet.example")
    response = Response()
    SessionCookie("wallet").open(response, "t", settings)
    header = response.headers["set-cookie"]
    assert "Secure" in header
    assert "SameSite=lax" in header
