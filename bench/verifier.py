# ruff: noqa: E402
"""Verifications per second through ``POST /verifications``, per format, next to the
in-process ``verify_credential()`` rate measured in the same run.

    .venv/bin/python bench/verifier.py [--seconds 3]

The app runs in-process (TestClient, sqlite in a temporary folder, status list served by an
in-memory transport through the real HttpFetcher and the status cache), so the HTTP column
is the service's own cost: routing, body parsing, trust lookup and storing the result.
"""

from __future__ import annotations

import sys
from pathlib import Path

# this file is named like the ``verifier`` package: run from bench/, it would shadow it
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

import argparse
import json
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx2
from fastapi.testclient import TestClient

from shared.net.fetch import HttpFetcher
from shared.proofs.data_integrity import JCS, RDFC
from shared.verify.context import VerifyContext
from shared.verify.credential import verify_credential
from shared.verify.status_memo import StatusListMemo
from tests.unit.verifier.builders import (
    badge,
    ldp_vc,
    sd_jwt_vc,
    status_list,
    vc_jwt,
)
from verifier.main import create_app
from verifier.service.status_cache import CachingFetcher
from verifier.settings import VerifierSettings

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def _fetcher() -> HttpFetcher:
    body = json.dumps(status_list(ttl_ms=3_600_000)).encode()

    def handler(_: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, content=body, headers={"content-type": "application/json"})

    return HttpFetcher(
        allow_loopback=True,
        resolve=lambda host, port: ["127.0.0.1"],
        transport=httpx2.MockTransport(handler),
    )


def _rate(run: Callable[[], Any], seconds: float) -> float:
    run()  # warm caches
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        run()
        count += 1
    return count / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    credential = badge(status_index=3)
    samples: dict[str, tuple[Any, str]] = {
        "ldp_vc eddsa-rdfc-2022": (ldp_vc(credential, suite=RDFC), "application/json"),
        "ldp_vc eddsa-jcs-2022": (ldp_vc(credential, suite=JCS), "application/json"),
        "jwt_vc_json (EdDSA)": (vc_jwt(credential), "application/jwt"),
        "vc+jwt (EdDSA)": (vc_jwt(credential, profile="vc+jwt"), "application/vc+jwt"),
        "dc+sd-jwt (EdDSA)": (sd_jwt_vc(credential), "application/dc+sd-jwt"),
    }
    cache = CachingFetcher(_fetcher(), clock=lambda: NOW)
    # as the service does: one status-list memo, so the list is verified once, not per call
    ctx = VerifyContext(fetcher=cache, clock=lambda: NOW, status_lists=StatusListMemo())
    with tempfile.TemporaryDirectory() as tmp:
        settings = VerifierSettings(
            database_url=f"sqlite:///{Path(tmp) / 'v.db'}",
            data_dir=tmp,
            dev=True,
            base_url="https://verifier.example",
        )
        with TestClient(create_app(settings, fetcher=_fetcher(), clock=lambda: NOW)) as client:
            print(f"{'format':28} {'in-process/s':>14} {'POST /verifications/s':>22}")
            for name, (value, kind) in samples.items():
                body = json.dumps(value) if isinstance(value, dict) else value

                def in_process(value: Any = value) -> None:
                    assert verify_credential(value, ctx).verified

                def over_http(body: str = body, kind: str = kind) -> None:
                    resp = client.post(
                        "/verifications", content=body, headers={"content-type": kind}
                    )
                    assert resp.json()["verified"]

                local, http = _rate(in_process, args.seconds), _rate(over_http, args.seconds)
                print(f"{name:28} {local:14.0f} {http:22.0f}")


if __name__ == "__main__":
    main()
