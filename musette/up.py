"""``musette up``: the issuer, wallet and verifier in one process, with demo data.

Each service package provides ``settings_for_up(data_dir, base_urls, dev) -> Settings``,
``main.create_app(settings)`` and ``demo.seed_demo(settings) -> list[str]`` (lines to print).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn

import issuer
import issuer.demo
import issuer.main
import verifier
import verifier.demo
import verifier.main
import wallet
import wallet.demo
import wallet.main

SERVICES = ("issuer", "wallet", "verifier")
DEFAULT_PORTS = {"issuer": 8001, "wallet": 8002, "verifier": 8003}
#: Each service's package (``settings_for_up``), ``main`` (``create_app``) and ``demo``.
_MODULES: dict[str, tuple[Any, Any, Any]] = {
    "issuer": (issuer, issuer.main, issuer.demo),
    "wallet": (wallet, wallet.main, wallet.demo),
    "verifier": (verifier, verifier.main, verifier.demo),
}


@dataclass(frozen=True)
class UpConfig:
    """Where the services listen and keep their data."""

    host: str
    ports: dict[str, int]
    data_dir: Path
    dev: bool

    def base_url(self, service: str) -> str:
        """The public base URL of a service (env MUSETTE_<SERVICE>_BASE_URL overrides; the
        former MUSETTE_<SERVICE>_PUBLIC_URL too, with a warning from the settings class)."""
        prefix = f"MUSETTE_{service.upper()}_"
        env = os.environ.get(f"{prefix}BASE_URL") or os.environ.get(f"{prefix}PUBLIC_URL")
        return (env or f"http://{self.host}:{self.ports[service]}").rstrip("/")

    def base_urls(self) -> dict[str, str]:
        """Base URLs of all three services."""
        return {name: self.base_url(name) for name in SERVICES}


def config_from_env(host: str, data_dir: str | None, dev: bool) -> UpConfig:
    """Ports from MUSETTE_<SERVICE>_PORT, data folder from --data-dir or MUSETTE_DATA_DIR."""
    ports = {
        name: int(os.environ.get(f"MUSETTE_{name.upper()}_PORT", port))
        for name, port in DEFAULT_PORTS.items()
    }
    folder = Path(data_dir or os.environ.get("MUSETTE_DATA_DIR", "var")).resolve()
    return UpConfig(host=host, ports=ports, data_dir=folder, dev=dev)


def load_service(name: str, config: UpConfig) -> tuple[Any, Any]:
    """(settings, app) of one service, seeded with demo data."""
    package, main, demo = _MODULES[name]
    settings = package.settings_for_up(config.data_dir / name, config.base_urls(), config.dev)
    for line in demo.seed_demo(settings):
        print(f"  [{name}] {line}")
    return settings, main.create_app(settings)


def _serve(server: uvicorn.Server) -> None:
    asyncio.run(server.serve())


def build_servers(config: UpConfig) -> dict[str, uvicorn.Server]:
    """A uvicorn server per service, seeded with demo data."""
    servers = {}
    for name in SERVICES:
        print(f"{name}: {config.base_url(name)}")
        _, app = load_service(name, config)
        uv = uvicorn.Config(app, host=config.host, port=config.ports[name], log_level="warning")
        servers[name] = uvicorn.Server(uv)
    return servers


@contextlib.contextmanager
def serving_in_thread(servers: dict[str, uvicorn.Server]) -> Iterator[list[threading.Thread]]:
    """Run each server in a thread of its own (with its own event loop) until the block ends.

    One loop per service, as separate processes would have: a request handler that blocks
    its loop while it calls another service (the wallet posting to the verifier, which
    fetches from the issuer) then stalls only its own service instead of deadlocking all.
    """
    threads: list[threading.Thread] = []
    deadline = time.monotonic() + 30
    # one after the other: start-up runs Alembic migrations, whose context is process-global
    for name, server in servers.items():
        thread = threading.Thread(target=_serve, args=(server,), name=f"musette-{name}")
        thread.daemon = True
        thread.start()
        threads.append(thread)
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                for started in servers.values():
                    started.should_exit = True
                raise RuntimeError(f"the {name} service did not start")
            time.sleep(0.05)
    try:
        yield threads
    finally:
        for server in servers.values():
            server.should_exit = True
        for thread in threads:
            thread.join(timeout=10)


def run_services(*, dev: bool, host: str = "127.0.0.1", data_dir: str | None = None) -> int:
    """Start every built service and block until interrupted."""
    config = config_from_env(host, data_dir, dev)
    config.data_dir.mkdir(parents=True, exist_ok=True)
    servers = build_servers(config)
    if not servers:
        print("musette: no service to run yet", file=sys.stderr)
        return 1
    stop = threading.Event()
    with contextlib.suppress(KeyboardInterrupt), serving_in_thread(servers) as threads:
        while all(t.is_alive() for t in threads):  # until Ctrl-C, or a service stops
            stop.wait(0.5)
    return 0
