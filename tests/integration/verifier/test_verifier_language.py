"""The reader's language on a real page: ?lang=, then the cookie, then Accept-Language by weight."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient


def _lang(client: TestClient, url: str, **headers: str) -> str:
    response = client.get(url, headers={"accept": "text/html", **headers})
    assert response.status_code == 200, response.text[:300]
    found = re.search(r'<html lang="(\w+)">', response.text)
    assert found is not None
    return found.group(1)


@pytest.mark.parametrize(
    ("accept", "lang"),
    [
        ("fr-FR;q=0.8, en;q=0.9", "en"),
        ("en;q=0.9, fr-FR", "fr"),
        ("de, en-GB;q=0.5", "en"),
        ("fr;q=0, *", "en"),
        ("en;q=7, <script>", "fr"),  # nothing well-formed: French
        ("en," * 3000, "fr"),  # over-long: ignored
    ],
)
def test_the_header_is_read_by_weight(client: TestClient, accept: str, lang: str) -> None:
    assert _lang(client, "/signin", **{"accept-language": accept}) == lang


def test_the_query_and_the_cookie_still_win(client: TestClient) -> None:
    english = "en;q=1"
    assert _lang(client, "/signin?lang=fr", **{"accept-language": english}) == "fr"
    # the ?lang= choice is remembered in a cookie that beats the header next time
    assert _lang(client, "/signin", **{"accept-language": english}) == "fr"
    client.cookies.clear()
    assert _lang(client, "/signin", **{"accept-language": english}) == "en"
