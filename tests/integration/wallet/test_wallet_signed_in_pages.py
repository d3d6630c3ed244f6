"""Every wallet page for a signed-in person sends a signed-out visitor to sign in, then back.

The routes are walked from the app, so a new page that forgets ``SignedInPage`` (or answers
something else to a stranger) fails here until it is listed as open on purpose.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from servicekit.pages import local_path
from tests.security.test_corpus_web import walk
from tests.unit.wallet.testkit import PASSWORD, sign_up

#: (method, route) -> why a signed-out visitor gets something other than the sign-in redirect
OPEN: dict[tuple[str, str], str] = {
    ("GET", "/signin"): "the sign-in form",
    ("POST", "/signin"): "signing in",
    ("GET", "/signup"): "the sign-up form",
    ("POST", "/signup"): "signing up",
    ("GET", "/recover"): "forgot password: the recovery kit form",
    ("POST", "/recover"): "forgot password: the recovery kit",
    ("POST", "/signout"): "signing out: back to /signin, signed in or not",
    ("GET", "/s/{token}"): "a share link: its token is the capability",
    ("GET", "/s/{token}/raw"): "a share link: its token is the capability",
    ("GET", "/p/{token}"): "a public profile: its token is the capability",
    ("GET", "/p/{token}/{index}/raw"): "a public profile: its token is the capability",
    ("GET", "/static/musette.css"): "the style sheet",
    ("GET", "/healthz"): "operations",
    ("GET", "/readyz"): "operations",
    ("GET", "/metrics"): "operations",
    ("GET", "/openapi.json"): "API description",
    ("GET", "/docs"): "API description",
    ("GET", "/docs/oauth2-redirect"): "API description",
    ("GET", "/redoc"): "API description",
}

#: pages whose way back is not "this very address"
BACK_TO: dict[tuple[str, str], str] = {
    # every form of the keys page leads back to the page (a POST cannot be replayed)
    ("GET", "/account/keys"): "/account/keys",
    ("POST", "/account/password"): "/account/keys",
    ("POST", "/account/recovery-kit"): "/account/keys",
}


def person_pages(app: FastAPI) -> list[tuple[str, str]]:
    """Every (method, route) outside the JSON API and not open on purpose."""
    return sorted(
        (method, path)
        for path, route in walk(app.routes)
        for method in route.methods or ()
        if not path.startswith("/api/") and (method, path) not in OPEN and method != "HEAD"
    )


def test_the_walk_finds_the_pages_and_every_open_route_still_exists(
    wallet: TestClient,
) -> None:
    app = wallet.app
    assert isinstance(app, FastAPI)
    pages = person_pages(app)
    # the walk reaches into the included routers (a walk that found nothing would pass)
    assert ("GET", "/") in pages
    assert ("POST", "/credentials/{credential_id}/delete") in pages
    assert len(pages) >= 40
    routes = {(m, p) for p, r in walk(app.routes) for m in r.methods or ()}
    assert set(OPEN) <= routes, set(OPEN) - routes
    assert set(BACK_TO) <= set(pages), set(BACK_TO) - set(pages)


@pytest.mark.parametrize("accept", ["text/html", "application/json"])
def test_every_person_page_sends_a_stranger_to_sign_in_and_back(
    wallet: TestClient, accept: str
) -> None:
    app = wallet.app
    assert isinstance(app, FastAPI)
    wallet.cookies.clear()
    wrong: list[str] = []
    for method, route in person_pages(app):
        here = re.sub(r"\{[^}]+\}", "x1", route) + "?lang=en&back=%2Fa%20b"
        data = {"offer": "x", "link": "x", "old_password": "x", "new_password": "x"}
        resp = wallet.request(
            method,
            here,
            headers={"accept": accept},
            data=data if method == "POST" else None,
            follow_redirects=False,
        )
        expected = BACK_TO.get((method, route), here)
        location = urlsplit(resp.headers.get("location", ""))
        back = parse_qs(location.query).get("next", [""])
        if (
            resp.status_code != 303
            or location.path != "/signin"
            or back != [expected]
            or local_path(back[0], "") != back[0]
            or f"next={quote(expected, safe='')}" != location.query
        ):
            wrong.append(f"{method} {route}: {resp.status_code} {resp.headers.get('location')}")
    assert not wrong, "\n".join(wrong)


def test_a_signed_in_person_gets_the_page_itself(
    make_wallet: Callable[..., TestClient],
) -> None:
    """The guard lets the person through (the same pages, a session cookie)."""
    client = make_wallet("signed-in")
    holder = sign_up(client, "carol@example.org")
    signed = client.post("/api/session", json={"email": holder.email, "password": PASSWORD})
    assert signed.status_code == 200, signed.text
    for page in (
        "/",
        "/history",
        "/experiences",
        "/profiles",
        "/export",
        "/account/keys",
        "/rights",
    ):
        resp = client.get(page, headers={"accept": "text/html"}, follow_redirects=False)
        assert resp.status_code == 200, (page, resp.status_code, resp.headers.get("location"))
