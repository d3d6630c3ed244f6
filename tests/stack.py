"""The three services over real HTTP on 127.0.0.1, as `musette up` runs them (demo data).

One session-wide stack for every test that asks for it (tests/conftest.py registers these
fixtures once; importing them into another module would start a second stack)."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from musette.up import SERVICES, UpConfig, build_servers, serving_in_thread


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stack_environment(env: pytest.MonkeyPatch) -> None:
    """The environment every test stack runs with (set only while its settings are built)."""
    # The issuer keeps its default `max-age=300`: a verdict a person reads revalidates the
    # list anyway (If-None-Match → 304 while unchanged), so revocation journeys need no sleep.
    # API verifications (POST /verifications) may reuse a list for a short window (5 s by
    # default); here the window is 0, i.e. it "has passed" before every call, so the journeys
    # assert nothing about the clock.
    env.setenv("MUSETTE_VERIFIER_STATUS_REVALIDATE_SECONDS", "0")
    # every journey signs in, verifies and opens links from 127.0.0.1 within minutes:
    # the limits stay on (and counted in the database) but far above what a run needs
    for service, limit in (
        ("ISSUER", "SIGNIN"),
        ("ISSUER", "TOKEN"),
        ("ISSUER", "TX_CODE"),
        ("WALLET", "SIGNIN"),
        ("WALLET", "LINKS"),
        ("VERIFIER", "SIGNIN"),
        ("VERIFIER", "VERIFICATIONS"),
    ):
        env.setenv(f"MUSETTE_{service}_RATE_LIMIT_{limit}", "10000/minute")


@pytest.fixture(scope="session")
def stack_config(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UpConfig]:
    """The running stack's configuration: ports, base URLs and the data folder.

    With ``MUSETTE_E2E_EXTERNAL_DATA_DIR`` set, the journeys run against services started
    elsewhere (``make container-test``: the containers of docker/compose.yaml, at the
    ``MUSETTE_<SERVICE>_BASE_URL`` addresses, their demo files in that folder).
    """
    external = os.environ.get("MUSETTE_E2E_EXTERNAL_DATA_DIR")
    if external:
        yield UpConfig(
            host="127.0.0.1", ports=dict.fromkeys(SERVICES, 0), data_dir=Path(external), dev=True
        )
        return
    data_dir: Path = tmp_path_factory.mktemp("musette-up")
    config = UpConfig(
        host="127.0.0.1",
        ports={name: free_port() for name in SERVICES},
        data_dir=data_dir,
        dev=True,
    )
    with pytest.MonkeyPatch.context() as env:
        stack_environment(env)
        servers = build_servers(config)
    with serving_in_thread(servers):
        yield config


@pytest.fixture(scope="session")
def stack(stack_config: UpConfig) -> dict[str, str]:
    """Base URLs of every built service, running with demo data in a temporary folder."""
    return stack_config.base_urls()
