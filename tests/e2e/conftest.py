"""The three services over real HTTP on 127.0.0.1, as `musette up` runs them (demo data)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from musette.up import SERVICES, UpConfig, build_servers, serving_in_thread


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Base URLs of every built service, running with demo data in a temporary folder."""
    data_dir: Path = tmp_path_factory.mktemp("musette-up")
    config = UpConfig(
        host="127.0.0.1",
        ports={name: free_port() for name in SERVICES},
        data_dir=data_dir,
        dev=True,
    )
    servers = build_servers(config)
    if set(servers) != set(SERVICES):
        pytest.skip(f"not every service is built yet: {sorted(set(SERVICES) - set(servers))}")
    with serving_in_thread(servers):
        yield config.base_urls()
