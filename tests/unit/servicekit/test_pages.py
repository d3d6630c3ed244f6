"""servicekit's page helpers: where a sign-in may lead back, the sign-in redirect, languages."""

from __future__ import annotations

import pytest
from fastapi import Request
from fastapi.responses import Response

from servicekit.pages import language_url, local_path, remember_language, sign_in_redirect


def request_for(path: str, query: str = "", method: str = "GET") -> Request:
    return Request(
        {
            "type": "http",
            "method": method,
            "path": path,
            "query_string": query.encode(),
            "headers": [],
        }
    )


@pytest.mark.parametrize(
    "target",
    ["/", "/console", "/console/achievements?x=1", "/e/abc-DEF_1?lang=en#top", "/a//b"],
)
def test_a_local_path_is_kept(target: str) -> None:
    assert local_path(target, "/home") == target


@pytest.mark.parametrize(
    "target",
    [
        None,
        "",
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "\\\\evil.example",
        "/\t/evil.example",  # browsers drop the tab: //evil.example
        "/\n/evil.example",
        "/\x00",
        "/\x7f",
        "javascript:alert(1)",
        "evil.example",
        "console",
        "///evil.example",
        "/ok\\..\\evil",
    ],
)
def test_anything_else_goes_to_the_default(target: str | None) -> None:
    assert local_path(target, "/home") == "/home"


def test_sign_in_comes_back_to_the_page_with_its_query() -> None:
    answer = sign_in_redirect(request_for("/console/achievements", "x=1&y=a b"))
    assert answer.status_code == 303
    assert (
        answer.headers["location"] == "/signin?next=%2Fconsole%2Fachievements%3Fx%3D1%26y%3Da%20b"
    )


def test_sign_in_after_a_form_comes_back_to_the_given_page() -> None:
    answer = sign_in_redirect(request_for("/requests", method="POST"), "/requests/new")
    assert answer.headers["location"] == "/signin?next=%2Frequests%2Fnew"


def test_the_other_language_keeps_the_query_and_replaces_lang() -> None:
    request = request_for("/results/7", "tab=checks&lang=fr&tab=raw")
    assert language_url(request, "en") == "/results/7?tab=checks&tab=raw&lang=en"
    assert language_url(request, "en", here="/check") == "/check?tab=checks&tab=raw&lang=en"


@pytest.mark.parametrize(
    ("query", "lang", "kept"),
    [("lang=en", "en", True), ("", "en", False), ("lang=de", "fr", False)],
)
def test_a_lang_choice_is_remembered(query: str, lang: str, kept: bool) -> None:
    response = Response()
    remember_language(request_for("/", query), response, lang)
    cookie = response.headers.get("set-cookie", "")
    assert (f"musette_lang={lang};" in cookie) is kept
