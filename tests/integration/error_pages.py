"""One check for the three services: browsers get an HTML error page (404, 410, 500) in
their language with no English on a French page; API clients get problem+json."""

from __future__ import annotations

import html as htmllib
import re

from fastapi.testclient import TestClient

from shared.errors import GoneError, VcError
from shared.ui.problem_text import problem_message, problem_title
from tests.unit.shared.test_problem_text import ENGLISH


def _visible_main(page: str) -> str:
    main = page.split("<main", 1)[1].split("</main>", 1)[0]
    return htmllib.unescape(re.sub(r"<[^>]+>", " ", main.split(">", 1)[1]))


def check_error_pages(client: TestClient, gone: type[VcError] = GoneError) -> None:
    """404 (an unknown path), 410 (``gone`` raised) and 500 (a crash), both ways."""

    def _gone() -> None:
        raise gone("this was answered already")

    def _crash() -> None:
        raise RuntimeError("boom")

    client.app.add_api_route("/_test/gone", _gone)  # type: ignore[attr-defined]
    client.app.add_api_route("/_test/crash", _crash)  # type: ignore[attr-defined]
    browser = TestClient(client.app, raise_server_exceptions=False)
    cases = [("/no/such/page", 404, "not-found"), ("/_test/gone", 410, gone.code)]
    cases.append(("/_test/crash", 500, "internal-error"))
    for path, status, code in cases:
        for lang in ("fr", "en"):
            page = browser.get(path, headers={"Accept": "text/html", "Accept-Language": lang})
            assert page.status_code == status, (path, page.text)
            assert page.headers["content-type"].startswith("text/html"), path
            assert f'<html lang="{lang}">' in page.text
            text = _visible_main(page.text)
            assert problem_title(code, lang) in text, (path, text)
            assert problem_message(code, lang) in text, (path, text)
            assert "boom" not in text
            assert "answered already" not in text  # the English detail stays in the JSON
            if lang == "fr":
                assert ENGLISH.search(text) is None, (path, text)
        api = browser.get(path, headers={"Accept": "application/json"})
        assert api.status_code == status
        assert api.headers["content-type"].startswith("application/problem+json"), path
        body = api.json()
        assert body["type"].endswith(f"#{code}"), body
        assert body["status"] == status
