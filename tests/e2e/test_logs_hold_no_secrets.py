"""The production logs of full journeys hold no secret and no credential content.

The session stack runs with the logging ``musette serve`` configures (JSON lines, the levels
of ``servicekit.logs.logging_config``), captured in memory while the journeys run: issuance
in every format (one with a tx_code, one wrong tx_code), a presentation over OpenID4VP,
``POST /verifications`` of each credential and of hostile input. Then every line must be
JSON, the request lines must be there (so the scan is not of an empty log), and no line may
hold a JWT (``eyJ``), a credential or its signature, a claim value, a pre-authorized code,
a tx_code, a password, an API key or token, or a master secret.
"""

from __future__ import annotations

import io
import json
import logging
import logging.config
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest
from prometheus_client import REGISTRY

from musette.up import UpConfig
from servicekit.logs import lighten_log_records, logging_config
from tests.e2e.test_journeys import (
    FORMATS,
    WALLET_PASSWORD,
    Clients,
    _issuer_client,
    _present,
    _verifier_client,
    _wallet_client,
)

NAME = "Camille Martin"  # Clients.offer's recipient
ROLE = "Encadrante bénévole"
LONG_TOKEN = re.compile(r"[A-Za-z0-9_\-~.]{16,}")


@pytest.fixture
def captured_logs() -> Iterator[io.StringIO]:
    """The root logger configured as `musette serve` does, writing into a buffer."""
    config = logging_config("INFO")
    names = ["", *config["loggers"]]
    saved = {
        n: (lg.level, list(lg.handlers), lg.propagate, lg.disabled)
        for n in names
        for lg in [logging.getLogger(n)]
    }
    flags = ("_srcfile", "logThreads", "logProcesses", "logMultiprocessing")
    saved_flags = {flag: getattr(logging, flag) for flag in flags}
    lighten_log_records()  # as each `musette serve` worker does
    buffer = io.StringIO()
    logging.config.dictConfig(config)
    (handler,) = logging.getLogger().handlers
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(buffer)
    try:
        yield buffer
    finally:
        for n, (level, handlers, propagate, disabled) in saved.items():
            lg = logging.getLogger(n)
            lg.setLevel(level)
            lg.handlers[:] = handlers
            lg.propagate = propagate
            lg.disabled = disabled
        for flag, value in saved_flags.items():
            setattr(logging, flag, value)


def offer_secrets(offer: dict[str, Any]) -> list[str]:
    """The pre-authorized code (and tx_code) of an offer the issuer made."""
    query = parse_qs(urlsplit(offer["offer_uri"]).query)
    out: list[str] = []
    if "credential_offer_uri" in query:  # by reference: its id is a capability too
        uri = query["credential_offer_uri"][0]
        out += LONG_TOKEN.findall(urlsplit(uri).path)
        document = httpx2.get(uri).json()
    else:
        document = json.loads(query["credential_offer"][0])
    grant = document["grants"]["urn:ietf:params:oauth:grant-type:pre-authorized_code"]
    out.append(grant["pre-authorized_code"])
    if offer.get("tx_code"):
        out.append(offer["tx_code"])
    return out


def credential_secrets(credential: Any) -> list[str]:
    """Pieces of a credential that must never be logged: its signature, its JWT parts."""
    if isinstance(credential, str):
        return [part[-24:] for part in re.split(r"[.~]", credential) if len(part) >= 24]
    proof = credential.get("proof")
    proofs = proof if isinstance(proof, list) else [proof]
    return [p["proofValue"] for p in proofs if isinstance(p, dict) and "proofValue" in p]


def last_segment(url: str) -> str:
    """The last path segment of a link (request and result ids are capabilities)."""
    segment = urlsplit(url).path.rsplit("/", 1)[-1]
    return segment if LONG_TOKEN.fullmatch(segment) else ""


def run_journeys(config: UpConfig) -> list[str]:
    """Issue, present and verify in every format; return every secret seen on the way."""
    seen: list[str] = [NAME, ROLE, WALLET_PASSWORD]
    issuer, wallet, verifier = (
        _issuer_client(config),
        _wallet_client(config),
        _verifier_client(config),
    )
    with issuer, wallet, verifier:
        clients = Clients(config, issuer, wallet, verifier)
        for client in (issuer, wallet, verifier):
            seen.append(client.headers["Authorization"].removeprefix("Bearer "))
        wrong = clients.offer("jwt_vc_json", tx_code=True)
        seen += offer_secrets(wrong)
        opened = wallet.post("/api/offers", json={"offer": wrong["offer_uri"]}).json()
        bad = "9" * len(wrong["tx_code"]) if set(wrong["tx_code"]) != {"9"} else "1"
        refused = wallet.post(f"/api/offers/{opened['id']}/accept", json={"tx_code": bad})
        assert refused.status_code >= 400
        for n, fmt in enumerate(FORMATS):
            offer = clients.offer(fmt, tx_code=n == 0)
            seen += offer_secrets(offer)
            (cred,) = clients.receive(offer["offer_uri"], tx_code=offer.get("tx_code"))
            stored = clients.wallet_credential(cred["id"])
            seen += credential_secrets(stored["credential"])
            assert clients.verify(stored["credential"])["verified"] is True
            links, _pending, _answer, result = _present(clients, "any-badge", fmt, cred["id"])
            assert result["verified"] is True
            seen += [last_segment(v) for v in links.values() if isinstance(v, str)]
        hostile = verifier.post("/verifications", json={"credential": "eyJhbGciOiJub25lIn0.e30."})
        assert hostile.status_code in {200, 400}
    for name in ("issuer", "wallet", "verifier"):
        key = config.data_dir / name / "master.key"
        if key.exists():
            seen.append(key.read_text().strip())
    demo_admin = config.data_dir / "issuer" / "demo-admin.txt"
    seen.append(demo_admin.read_text().strip())
    return [s for s in seen if s]


def counts() -> dict[tuple[str, ...], float]:
    """The credentials-issued and verifications counters, by labels."""
    out: dict[tuple[str, ...], float] = {}
    for family in REGISTRY.collect():
        if family.name in {"musette_credentials_issued", "musette_verifications"}:
            for sample in family.samples:
                if sample.name.endswith("_total"):
                    out[(family.name, *sample.labels.values())] = sample.value
    return out


def test_the_logs_of_full_journeys_hold_no_secret(
    stack_config: UpConfig, captured_logs: io.StringIO
) -> None:
    before = counts()
    secrets = run_journeys(stack_config)
    after = counts()
    for fmt in FORMATS:  # what the journeys did is counted, by format (and outcome)
        key: tuple[str, ...] = ("musette_credentials_issued", fmt)
        assert after[key] - before.get(key, 0) >= 1, key
        key = ("musette_verifications", fmt, "verified")  # POST /verifications
        assert after[key] - before.get(key, 0) >= 1, key
    verified = [k for k in after if k[0] == "musette_verifications" and k[-1] == "verified"]
    # and the OpenID4VP answers, under their presentation formats
    assert sum(after[k] - before.get(k, 0) for k in verified) >= 2 * len(FORMATS)
    text = captured_logs.getvalue()
    lines = [json.loads(line) for line in text.splitlines()]  # every line is JSON
    requests = [line for line in lines if line.get("logger") == "musette.access"]
    paths = {(line["service"], line["method"], line["path"]) for line in requests}
    assert ("verifier", "POST", "/verifications") in paths
    assert ("wallet", "POST", "/api/offers/{offer_id}/accept") in paths  # router prefix kept
    assert any(s == "issuer" and "{" in p for s, _m, p in paths), paths  # templates
    assert all(len(line["request_id"]) >= 8 for line in requests)
    assert {line["status"] for line in requests} >= {200, 201}
    assert "eyJ" not in text
    assert "?" not in "".join(line["path"] for line in requests)
    leaked = sorted({s[:12] + "…" for s in secrets if s in text})
    assert leaked == [], f"secrets found in the logs (first characters): {leaked}"


def test_every_service_answers_health_readiness_and_metrics(stack_config: UpConfig) -> None:
    for name in ("issuer", "wallet", "verifier"):
        base = stack_config.base_url(name)
        assert httpx2.get(f"{base}/healthz").json() == {"status": "ok"}, name
        assert httpx2.get(f"{base}/readyz").json() == {"status": "ready"}, name
        exposed = httpx2.get(f"{base}/metrics")
        assert exposed.status_code == 200, name
        assert f'route="/readyz",service="{name}",status="200"' in exposed.text, name
