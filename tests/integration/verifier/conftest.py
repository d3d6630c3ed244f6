"""The verifier app over sqlite in tmp_path, with the peers status list served over HTTP.

The status list is served through ``shared.net.fetch.HttpFetcher`` (development mode, so
http and loopback are allowed) on an in-process ``httpx2.MockTransport``: the real fetcher's
URL checks, size cap and JSON limits all run, with no socket and no port to collide on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx2
import pytest
from fastapi.testclient import TestClient

from shared.net.fetch import HttpFetcher
from tests.conftest import data_path, load_json
from verifier.main import create_app
from verifier.settings import VerifierSettings

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
PEERS = load_json("peers", "manifest.json")
STATUS_URL = PEERS["statusList"]["url"]


@dataclass
class Served:
    """Documents served by the mock transport, and a log of what was requested."""

    routes: dict[str, Callable[[httpx2.Request], httpx2.Response]] = field(default_factory=dict)
    log: list[str] = field(default_factory=list)

    def handler(self, request: httpx2.Request) -> httpx2.Response:
        url = str(request.url)
        self.log.append(url)
        route = self.routes.get(url)
        if route is None:
            return httpx2.Response(404)
        return route(request)

    def json(self, url: str, body: bytes, headers: dict[str, str] | None = None) -> None:
        def answer(_: httpx2.Request) -> httpx2.Response:
            return httpx2.Response(
                200, content=body, headers={"content-type": "application/json", **(headers or {})}
            )

        self.routes[url] = answer

    def count(self, url: str) -> int:
        return self.log.count(url)


class MovingClock:
    """The verifier's clock, at NOW until a test moves it (``clock.now = …``)."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


def loopback_resolve(host: str, port: int) -> list[str]:
    return ["127.0.0.1"]


@pytest.fixture
def served() -> Served:
    s = Served()
    s.json(STATUS_URL, data_path("peers", "status-list-1.json").read_bytes())
    return s


def make_settings(tmp_path: Path, **over: Any) -> VerifierSettings:
    values: dict[str, Any] = {
        "database_url": f"sqlite:///{tmp_path / 'verifier.db'}",
        "data_dir": str(tmp_path),
        "base_url": "https://verifier.example",
        "dev": True,
        "argon2_time_cost": 1,
        "argon2_memory_kib": 64,
        "demo_issuer_base_url": "https://issuer.example",
    }
    values.update(over)
    return VerifierSettings(**values)


def make_fetcher(served: Served, *, dev: bool = True) -> HttpFetcher:
    return HttpFetcher(
        allow_loopback=dev,
        resolve=loopback_resolve,
        transport=httpx2.MockTransport(served.handler),
    )


@pytest.fixture
def settings(tmp_path: Path) -> VerifierSettings:
    return make_settings(tmp_path)


@pytest.fixture
def client(settings: VerifierSettings, served: Served) -> Iterator[TestClient]:
    app = create_app(settings, fetcher=make_fetcher(served), clock=lambda: NOW)
    with TestClient(app) as c:
        yield c


@pytest.fixture
def api_key(settings: VerifierSettings, client: TestClient) -> str:
    from verifier.demo import DEMO_KEY_FILE, seed_demo

    seed_demo(settings)
    return (Path(settings.data_dir) / DEMO_KEY_FILE).read_text().strip()


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def request_parameters(client: TestClient, link: str, base: str) -> dict[str, Any]:
    """What a wallet reads from a request link: the signed request object fetched from
    ``request_uri`` (``header`` its JOSE header), or the parameters passed by value in the link
    (``header`` None), JSON values decoded (OpenID4VP 1.0 §5, §5.10)."""
    import json
    from urllib.parse import parse_qs, urlsplit

    from shared.protocols.oid4vp import JSON_PARAMETERS, decode_request_object

    assert link.startswith("openid4vp://?")
    query = {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()}
    if "request_uri" not in query:
        decoded = {k: json.loads(v) if k in JSON_PARAMETERS else v for k, v in query.items()}
        return {"header": None, **decoded}
    resp = client.get(query["request_uri"].removeprefix(base))
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"].startswith("application/oauth-authz-req+jwt")
    header, claims = decode_request_object(resp.text)
    assert claims["client_id"] == query["client_id"]
    return {"header": header, **claims}
