"""Two instances of each service on one PostgreSQL, behind a round-robin proxy per service.

Each service runs twice (two app objects from the same settings: same database, same master
secret), each on its own uvicorn server and event loop, and a tiny proxy on the service's
public address hands consecutive requests to alternate instances. The public base URLs stay
those of the proxies, so the services, their command lines and the tests talk to the pair as
they would to one service behind a load balancer.

A proxy logs which instance served each request, and a test may pin some requests to an
instance (``RoundRobinProxy.pin``) to make a given pair of steps land on different ones.
"""

from __future__ import annotations

import base64
import contextlib
import importlib
import re
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2
import pytest
import sqlalchemy
import uvicorn

import servicekit.db
from musette.up import SERVICES, UpConfig, serving_in_thread
from tests.databases import database_url
from tests.stack import free_port, stack_environment

INSTANCES = ("A", "B")
#: hop-by-hop headers (RFC 9110 §7.6.1) are not forwarded; Host is, so that each instance
#: sees the public address
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)


@dataclass(frozen=True)
class Served:
    """One request the proxy forwarded: what, and to which instance."""

    method: str
    path: str
    instance: str


@dataclass
class RoundRobinProxy:
    """An ASGI app forwarding each request to the next upstream in turn (HTTP only)."""

    upstreams: dict[str, str]
    log: list[Served] = field(default_factory=list)
    _pins: list[tuple[str, re.Pattern[str], str]] = field(default_factory=list)
    _turn: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _client: httpx2.AsyncClient | None = None

    def pin(self, method: str, path_pattern: str, instance: str) -> None:
        """Send every ``method`` request whose path matches ``path_pattern`` to ``instance``."""
        with self._lock:
            self._pins.append((method, re.compile(path_pattern), instance))

    def unpin(self) -> None:
        with self._lock:
            self._pins.clear()

    def served(self, method: str, path_pattern: str) -> list[str]:
        """The instances that served matching requests, in order."""
        pattern = re.compile(path_pattern)
        with self._lock:
            return [s.instance for s in self.log if s.method == method and pattern.search(s.path)]

    def _choose(self, method: str, path: str) -> str:
        names = list(self.upstreams)
        with self._lock:
            pinned = next((i for m, p, i in self._pins if m == method and p.search(path)), None)
            instance = pinned or names[self._turn % len(names)]
            # the next request goes to another instance than this one, pinned or not
            self._turn = names.index(instance) + 1
            self.log.append(Served(method, path, instance))
        return instance

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    self._client = httpx2.AsyncClient(timeout=60)
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    if self._client is not None:
                        await self._client.aclose()
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http" or self._client is None:
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        path = scope.get("raw_path") or scope["path"].encode()
        query = scope.get("query_string") or b""
        target = path.decode("latin-1") + ("?" + query.decode("latin-1") if query else "")
        instance = self._choose(scope["method"], scope["path"])
        headers = [
            (k.decode("latin-1"), v.decode("latin-1"))
            for k, v in scope["headers"]
            if k.decode("latin-1").lower() not in HOP_BY_HOP
        ]
        request = self._client.build_request(
            scope["method"], self.upstreams[instance] + target, headers=headers, content=body
        )
        response = await self._client.send(request, stream=True)
        try:
            out = [
                (k.encode("latin-1"), v.encode("latin-1"))
                for k, v in response.headers.multi_items()
                if k.lower() not in HOP_BY_HOP
            ]
            await send(
                {"type": "http.response.start", "status": response.status_code, "headers": out}
            )
            async for chunk in response.aiter_raw():
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            await response.aclose()


@dataclass(frozen=True)
class TwoInstances:
    """The running pair of each service: public config, proxies, settings of each service."""

    config: UpConfig
    proxies: dict[str, RoundRobinProxy]
    settings: dict[str, Any]


#: connections each instance may hold: the test's PostgreSQL is shared (other test runs, and
#: six instances here); requests beyond it wait for a connection, as under a real pool limit
POOL_SIZE, POOL_OVERFLOW = 3, 2


def _small_pools(env: pytest.MonkeyPatch) -> None:
    """Each service's PostgreSQL engines get a small pool (SQLite ones are left alone)."""
    real = sqlalchemy.create_engine  # what servicekit.db imports and calls

    def create_engine(url: Any, *args: Any, **kwargs: Any) -> Any:
        if str(url).startswith("postgresql"):
            kwargs.update(pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW)
        return real(url, *args, **kwargs)

    env.setattr(servicekit.db, "create_engine", create_engine)


def _server(app: Any, port: int) -> uvicorn.Server:
    return uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )


@contextlib.contextmanager
def two_instances(data_dir: Path) -> Iterator[TwoInstances]:
    """Start the services twice each on fresh PostgreSQL schemas, behind their proxies."""
    config = UpConfig(
        host="127.0.0.1",
        ports={name: free_port() for name in SERVICES},
        data_dir=data_dir,
        dev=True,
    )
    with contextlib.ExitStack() as stack, pytest.MonkeyPatch.context() as env:
        stack_environment(env)
        _small_pools(env)
        for name in SERVICES:
            # the environment wins over settings_for_up's defaults, and reaches the command
            # lines the journeys run (they open the same databases)
            url = stack.enter_context(database_url("postgresql", data_dir, name))
            env.setenv(f"MUSETTE_{name.upper()}_DATABASE_URL", url)
            secret = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")
            env.setenv(f"MUSETTE_{name.upper()}_MASTER_SECRET", secret)
        servers: dict[str, uvicorn.Server] = {}
        proxies: dict[str, RoundRobinProxy] = {}
        settings: dict[str, Any] = {}
        for name in SERVICES:
            package = importlib.import_module(name)
            main = importlib.import_module(f"{name}.main")
            demo = importlib.import_module(f"{name}.demo")
            settings[name] = package.settings_for_up(data_dir / name, config.base_urls(), True)
            demo.seed_demo(settings[name])
            upstreams = {}
            for instance in INSTANCES:
                port = free_port()
                servers[f"{name}-{instance}"] = _server(main.create_app(settings[name]), port)
                upstreams[instance] = f"http://127.0.0.1:{port}"
            proxies[name] = RoundRobinProxy(upstreams)
            servers[f"{name}-proxy"] = _server(proxies[name], config.ports[name])
        with serving_in_thread(servers):
            yield TwoInstances(config, proxies, settings)
