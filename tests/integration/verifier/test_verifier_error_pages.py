"""The verifier's errors: an HTML page for browsers, problem+json for API clients."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.integration.error_pages import check_error_pages
from verifier.errors import RequestGoneError


def test_404_410_500_are_pages_for_browsers_and_problems_for_clients(client: TestClient) -> None:
    check_error_pages(client, RequestGoneError)
