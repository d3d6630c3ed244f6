"""tests/e2e/test_cec_journey.py again, on two instances of each service (see conftest.py)."""

from tests.e2e.test_cec_journey import *  # noqa: F403 - every test of the journey runs on the pair
