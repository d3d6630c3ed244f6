"""tests/e2e/test_consent_summary.py again, on two instances of each service (see conftest.py)."""

from tests.e2e.test_consent_summary import *  # noqa: F403 - every test of the journey runs on the pair
