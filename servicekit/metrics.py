"""Prometheus metrics: requests by route template and status, credentials issued and verified.

With several worker processes, ``PROMETHEUS_MULTIPROC_DIR`` (set by ``musette serve
--workers N``) makes every worker write its counters to that folder and ``/metrics`` adds
them up, whichever worker answers. Without it, a process counts for itself.

``/metrics`` answers everyone unless ``MUSETTE_METRICS_TOKEN`` (or ``MUSETTE_METRICS_TOKEN_FILE``)
is set; then it wants ``Authorization: Bearer <token>`` (docs/decisions/metrics-exposure.md).
"""

from __future__ import annotations

import hmac
import os
import re
from pathlib import Path
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector

#: a format label: a known format name, never text of unbounded variety from a request
_LABEL = re.compile(r"[a-z0-9_+\-]{1,32}")

REQUESTS = Counter(
    "musette_http_requests_total",
    "HTTP requests answered, by service, method, route template and status",
    ["service", "method", "route", "status"],
)
LATENCY = Histogram(
    "musette_http_request_duration_seconds",
    "Time to answer an HTTP request, by service, method, route template and status",
    ["service", "method", "route", "status"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
ISSUED = Counter(
    "musette_credentials_issued_total",
    "Credentials signed by the issuer, by format",
    ["format"],
)
VERIFIED = Counter(
    "musette_verifications_total",
    "Credentials and presentations verified by the verifier, by format and outcome",
    ["format", "outcome"],
)


#: (service, method, route, status) -> its counter and histogram children (labels() locks)
_CHILDREN: dict[tuple[str, str, str, int], tuple[Any, Any]] = {}


def observe_request(service: str, method: str, route: str, status: int, seconds: float) -> None:
    """Count one answered request and its latency."""
    key = (service, method, route, status)
    children = _CHILDREN.get(key)
    if children is None:
        labels = (service, method, route, str(status))
        children = _CHILDREN.setdefault(key, (REQUESTS.labels(*labels), LATENCY.labels(*labels)))
    children[0].inc()
    children[1].observe(seconds)


def credential_issued(fmt: str) -> None:
    """Count one credential signed in ``fmt`` (``jwt_vc_json``, ``dc+sd-jwt``, ``ldp_vc``…)."""
    ISSUED.labels(fmt).inc()


def outcome(verified: bool, usable: bool) -> str:
    """``verified``, ``not_verified`` (read, but a check failed) or ``unusable`` (unreadable)."""
    if verified:
        return "verified"
    return "not_verified" if usable else "unusable"


#: (format, outcome) -> its counter child; a few formats times three outcomes, bounded anyway
_VERIFIED_CHILDREN: dict[tuple[str, str], Any] = {}
_VERIFIED_CHILDREN_MAX = 256


def verification_done(fmt: str, result: str) -> None:
    """Count one verification of a credential or presentation in ``fmt`` with ``result``."""
    key = (fmt, result)
    child = _VERIFIED_CHILDREN.get(key)
    if child is None:
        child = VERIFIED.labels(fmt if _LABEL.fullmatch(fmt) else "other", result)
        if len(_VERIFIED_CHILDREN) < _VERIFIED_CHILDREN_MAX:
            _VERIFIED_CHILDREN[key] = child
    child.inc()


def exposition() -> tuple[bytes, str]:
    """The text exposition of every metric (all workers' when multiprocess), and its type."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


def metrics_token() -> str:
    """The bearer token ``/metrics`` asks for (empty: open), from the environment or a file."""
    path = os.environ.get("MUSETTE_METRICS_TOKEN_FILE")
    if path:
        return Path(path).read_text(encoding="utf-8").strip()
    return os.environ.get("MUSETTE_METRICS_TOKEN", "")


def authorised(header: str | None, token: str) -> bool:
    """True when no token is configured, or ``header`` is ``Bearer <token>``."""
    if not token:
        return True
    if header is None or not header.startswith("Bearer "):
        return False
    return hmac.compare_digest(header.removeprefix("Bearer ").encode(), token.encode())
