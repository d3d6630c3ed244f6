"""A slow-drip share URL: the verifier's fetch ends at its deadline, and the verifier keeps
answering other requests meanwhile (the fetch runs off the event loop).

Regression ("no total deadline on outbound fetches"): a few URLs that drip one
byte at a time, sent to ``POST /verifications``, tied up the verifier.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from tests.integration.verifier.conftest import NOW, make_settings
from tests.slow_server import drip_server
from verifier.main import create_app


def test_slow_drip_share_url_ends_at_the_deadline_while_the_verifier_answers(
    tmp_path: Path,
) -> None:
    # development mode (the drip server is on loopback); the real HttpFetcher of the app
    settings = make_settings(tmp_path, fetch_deadline_seconds=10.0)  # room for a loaded machine
    app = create_app(settings, clock=lambda: NOW)
    answers: dict[str, Any] = {}
    with drip_server(interval=0.2) as drip, TestClient(app) as client:

        def submit() -> None:
            answers["slow"] = client.post("/verifications", json={"url": drip.url})

        slow = threading.Thread(target=submit)
        slow.start()
        assert drip.connected.wait(30)  # the verifier is now reading the drip
        other = client.get("/.well-known/did.json")
        fetching_while_answered = slow.is_alive()
        slow.join(60)
        assert not slow.is_alive()
    assert other.status_code == 200
    assert fetching_while_answered  # answered while the slow fetch was still going on
    slow_answer = answers["slow"]
    assert slow_answer.status_code == 502
    assert slow_answer.headers["content-type"].startswith("application/problem+json")
    problem = slow_answer.json()
    assert problem["type"].endswith("#upstream-unavailable")
    assert "10 s deadline" in problem["detail"]
    assert problem["reason"] == "deadline"
