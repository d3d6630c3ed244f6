"""Every module here runs on two instances of each service on one PostgreSQL (tests/instances.py).

A round-robin proxy per service sends consecutive requests to alternate instances, so the
journeys imported by these modules run again with each step landing on the other instance
of the one before. ``stack_config`` and ``stack`` are the pair's, for every test here.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from musette.up import UpConfig
from tests.instances import TwoInstances, two_instances


@pytest.fixture(scope="package")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TwoInstances]:
    """Two instances of each service, started once for this folder."""
    if not os.environ.get("MUSETTE_TEST_POSTGRES_URL"):
        pytest.skip("MUSETTE_TEST_POSTGRES_URL is not set (two instances need PostgreSQL)")
    data_dir: Path = tmp_path_factory.mktemp("musette-pair")
    with two_instances(data_dir) as running:
        yield running


@pytest.fixture(scope="package")
def stack_config(pair: TwoInstances) -> UpConfig:
    """The journeys' stack is the pair, at the proxies' addresses."""
    return pair.config


@pytest.fixture(scope="package")
def stack(stack_config: UpConfig) -> dict[str, str]:
    return stack_config.base_urls()


@pytest.fixture(autouse=True)
def _alternate_only(pair: TwoInstances) -> Iterator[None]:
    """Each test starts with plain alternation and pins what it needs."""
    yield
    for proxy in pair.proxies.values():
        proxy.unpin()
