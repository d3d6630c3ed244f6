"""The issuer's errors: an HTML page for browsers, problem+json for API clients."""

from __future__ import annotations

from shared.errors import OfferUsedError
from tests.integration.error_pages import check_error_pages
from tests.integration.issuer.conftest import Env


def test_404_410_500_are_pages_for_browsers_and_problems_for_clients(env: Env) -> None:
    check_error_pages(env.client, OfferUsedError)
