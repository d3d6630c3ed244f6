"""``musette serve issuer --workers 2`` as production runs it, in a real process.

Environment-only settings (an https public URL, the master secret from a file, no
development mode), JSON lines on stderr, ``/healthz`` and ``/readyz`` answered, and
``/metrics`` adding up the requests of both workers (PROMETHEUS_MULTIPROC_DIR).
"""

from __future__ import annotations

import base64
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx2

from tests.stack import free_port

ROOT = Path(__file__).resolve().parents[2]


def test_serve_with_two_workers(tmp_path: Path) -> None:
    secret = tmp_path / "master-secret"
    secret.write_text(base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=") + "\n")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("MUSETTE_", "PROMETHEUS_"))
    }
    env.update(
        PYTHONPATH=str(ROOT),
        MUSETTE_ISSUER_DATABASE_URL=f"sqlite:///{tmp_path / 'issuer.db'}",
        MUSETTE_ISSUER_DATA_DIR=str(tmp_path / "data"),
        MUSETTE_ISSUER_BASE_URL="https://issuer.example",
        MUSETTE_ISSUER_MASTER_SECRET_FILE=str(secret),
    )
    command = [sys.executable, "-m", "musette.cli"]
    migrated = subprocess.run(
        [*command, "migrate", "issuer"], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert migrated.returncode == 0, migrated.stderr
    port = free_port()
    log = (tmp_path / "serve.log").open("w+")
    server = subprocess.Popen(
        [*command, "serve", "issuer", "--port", str(port), "--workers", "2"],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    answered = 0
    try:
        deadline = time.monotonic() + 180
        while answered < 12:
            assert server.poll() is None, (tmp_path / "serve.log").read_text()
            assert time.monotonic() < deadline, "the server did not answer"
            try:
                health = httpx2.get(
                    f"{base}/healthz", headers={"X-Request-ID": f"probe-{answered}"}
                )
            except httpx2.TransportError:
                time.sleep(0.3)
                continue
            assert health.json() == {"status": "ok"}
            assert health.headers["x-request-id"] == f"probe-{answered}"
            answered += 1
        assert httpx2.get(f"{base}/readyz").json() == {"status": "ready"}
        exposed = httpx2.get(f"{base}/metrics").text
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
        log.close()
    counts = re.findall(
        r'musette_http_requests_total\{[^}]*route="/healthz"[^}]*status="200"[^}]*\} (\S+)',
        exposed,
    )
    assert sum(float(c) for c in counts) == answered  # both workers' counts, added up
    lines = [json.loads(line) for line in (tmp_path / "serve.log").read_text().splitlines()]
    probes = [line for line in lines if line.get("path") == "/healthz"]
    assert {line["request_id"] for line in probes} == {f"probe-{n}" for n in range(answered)}
    pids = {line["message"] for line in lines if "Started server process" in line["message"]}
    assert len(pids) == 2
