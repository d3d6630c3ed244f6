"""servicekit's CSRF tokens: the one implementation the three services use."""

from __future__ import annotations

import pytest
from fastapi import Depends, FastAPI, Request
from fastapi.responses import PlainTextResponse, Response
from fastapi.testclient import TestClient

from servicekit.csrf import (
    AnonymousCsrf,
    changes_state,
    new_csrf_token,
    same_token,
    supplied_token,
)

SESSION_TOKEN = "s3ssion-t0ken"


@pytest.mark.parametrize(
    ("sent", "expected", "same"),
    [
        ("abc", "abc", True),
        ("abc", "abd", False),
        ("", "", False),  # no token is never a match, even with no token expected
        (None, "abc", False),
        ("abc", None, False),
        (["abc"], "abc", False),  # a repeated form field is not a token
        ("abc", "abcd", False),
        ("é", "é", True),
    ],
)
def test_tokens_match_only_when_both_are_there_and_equal(
    sent: object, expected: object, same: bool
) -> None:
    assert same_token(sent, expected) is same


def test_new_tokens_are_long_and_differ() -> None:
    first, second = new_csrf_token(), new_csrf_token()
    assert first != second
    assert len(first) >= 43  # 32 random bytes, base64url


def make_app() -> FastAPI:
    app = FastAPI()
    anonymous = AnonymousCsrf("test_csrf")

    async def check(request: Request) -> None:
        if changes_state(request) and not same_token(await supplied_token(request), SESSION_TOKEN):
            raise PermissionError

    @app.exception_handler(PermissionError)
    async def refused(request: Request, exc: PermissionError) -> Response:
        return PlainTextResponse("refused", status_code=403)

    @app.api_route("/change", methods=["GET", "POST"], dependencies=[Depends(check)])
    def change() -> str:
        return "done"

    @app.get("/signin")
    def form(request: Request) -> Response:
        token = anonymous.token(request)
        response = PlainTextResponse(token)
        anonymous.keep(request, response, token)
        return response

    @app.post("/signin")
    async def signin(request: Request) -> str:
        form = await request.form()
        return "in" if anonymous.matches(request, form.get("csrf_token")) else "refused"

    return app


def test_a_state_change_needs_the_token_in_the_header_or_the_form() -> None:
    client = TestClient(make_app())
    assert client.get("/change").status_code == 200  # a safe method needs none
    assert client.post("/change").status_code == 403
    assert client.post("/change", headers={"X-CSRF-Token": "wrong"}).status_code == 403
    assert client.post("/change", headers={"X-CSRF-Token": SESSION_TOKEN}).status_code == 200
    assert client.post("/change", data={"csrf_token": SESSION_TOKEN}).status_code == 200
    assert client.post("/change", data={"csrf_token": "wrong"}).status_code == 403
    # a JSON body's field is not read: scripts send the header
    assert client.post("/change", json={"csrf_token": SESSION_TOKEN}).status_code == 403


def test_the_double_submit_cookie_must_be_copied_into_the_form() -> None:
    client = TestClient(make_app())
    token = client.get("/signin").text
    assert client.cookies.get("test_csrf") == token
    assert client.get("/signin").text == token  # kept while the browser has it
    assert client.post("/signin", data={"csrf_token": token}).json() == "in"
    assert client.post("/signin", data={"csrf_token": "guess"}).json() == "refused"
    assert client.post("/signin", data={}).json() == "refused"
    client.cookies.clear()  # another site's form: the browser's cookie is not readable there
    assert client.post("/signin", data={"csrf_token": token}).json() == "refused"
