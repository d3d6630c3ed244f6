"""Structured JSON logs: one line per request, with a request id, and never a secret.

The request line holds the method, the route *template* (``/orgs/{slug}/offers/{offer_id}``,
never the path a client sent, which may carry an offer id or a code), the status, the duration
and the request id: no query string, no body, no header but the request id. ``X-Request-ID``
is kept when it is sane (letters, digits, ``-_:``, at most 64) and made up otherwise; the
response echoes it, and every log line written while the request runs carries it.
"""

from __future__ import annotations

import logging
import math
import re
import secrets
import time
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

import msgspec
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from servicekit import metrics

REQUEST_ID: ContextVar[str | None] = ContextVar("musette_request_id", default=None)
ACCESS = logging.getLogger("musette.access")
HEADER = b"x-request-id"
_SANE_ID = re.compile(r"[A-Za-z0-9_:\-]{1,64}")
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_ENCODER = msgspec.json.Encoder(enc_hook=str)
_RESERVED = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "color_message",  # uvicorn's ANSI copy of the message
}


def request_id_from(headers: list[tuple[bytes, bytes]]) -> str:
    """The client's ``X-Request-ID`` when sane, else a fresh random one."""
    for key, value in headers:
        if key.lower() == HEADER:
            candidate = value.decode("latin-1")
            if _SANE_ID.fullmatch(candidate):
                return candidate
            break
    return secrets.token_hex(16)


#: the last second :func:`iso_millis` wrote, and its text up to the seconds (one entry)
_SECOND: tuple[int, str] = (-1, "")


def iso_millis(created: float) -> str:
    """``datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds")``, with
    the date and time up to the second made once per second (a log line's time stamp cost
    as much as the rest of its formatting). The microseconds are rounded as ``datetime``
    rounds them (half to even, a carry into the next second included), then truncated to
    milliseconds as ``isoformat`` does."""
    global _SECOND
    fraction, whole = math.modf(created)
    micros = round(fraction * 1e6)
    if micros >= 1_000_000:  # rounding carried into the next second
        micros -= 1_000_000
        whole += 1.0
    elif micros < 0:  # before 1970: modf's parts are both negative
        micros += 1_000_000
        whole -= 1.0
    second = int(whole)
    if _SECOND[0] != second:
        text = datetime.fromtimestamp(second, UTC).isoformat(timespec="seconds")
        _SECOND = (second, text[:-6])  # without its "+00:00"
    return f"{_SECOND[1]}.{micros // 1000:03d}+00:00"


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, and ``extra``."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": iso_millis(record.created),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = REQUEST_ID.get()
        if request_id is not None:
            entry["request_id"] = request_id
        fields = record.__dict__
        for key in _extra_keys(tuple(fields)):  # the ``extra`` of the call
            if key not in entry:
                entry[key] = fields[key]
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return _ENCODER.encode(entry).decode()


#: whether records may carry their asyncio task's name (Python 3.12+; a failed ``getattr``
#: on the module for every request line cost a tenth of the line)
_TASK_NAMES = hasattr(logging, "logAsyncioTasks")
#: what every request line's record holds before its own fields (made once per process)
_ACCESS_TEMPLATE: dict[str, Any] = {}


def _access_record(fields: dict[str, Any]) -> logging.LogRecord | None:
    """The request line's record, made the way ``ACCESS.info("request", extra=fields)``
    makes it when records are light (:func:`lighten_log_records`): the same attributes, but
    copied from a template instead of worked out again for every request (``Logger._log``,
    ``makeRecord`` and ``LogRecord.__init__`` cost as much as writing the line). None when
    records are not light (the caller's frame, thread or process would then be wanted) or
    are made by another factory."""
    if (
        logging._srcfile is not None
        or logging.logThreads
        or logging.logProcesses
        or logging.logMultiprocessing
        or (_TASK_NAMES and getattr(logging, "logAsyncioTasks", False))  # 3.12: the task's name
        or logging.getLogRecordFactory() is not logging.LogRecord
    ):
        return None
    if not _ACCESS_TEMPLATE:
        model = ACCESS.makeRecord(
            ACCESS.name,
            logging.INFO,
            "(unknown file)",
            0,
            "request",
            (),
            None,
            "(unknown function)",
        )
        _ACCESS_TEMPLATE.update(vars(model))
    record = logging.LogRecord.__new__(logging.LogRecord)
    now = time.time()
    entry = vars(record)
    entry.update(_ACCESS_TEMPLATE)
    entry["created"] = now
    entry["msecs"] = int((now - int(now)) * 1000) + 0.0  # as LogRecord.__init__ (gh-89047)
    entry["relativeCreated"] = (now - logging._startTime) * 1000  # type: ignore[attr-defined]
    entry.update(fields)
    return record


#: a record's attribute names -> those of its ``extra`` (records of one call site share
#: their names: the request line's are the same every time); bounded
_EXTRA_KEYS: dict[tuple[str, ...], tuple[str, ...]] = {}
_EXTRA_KEYS_MAX = 512


def _extra_keys(names: tuple[str, ...]) -> tuple[str, ...]:
    """The names among ``names`` that a call's ``extra`` added, in their order."""
    found = _EXTRA_KEYS.get(names)
    if found is None:
        found = tuple(k for k in names if k not in _RESERVED and k[0] != "_")
        if len(_EXTRA_KEYS) < _EXTRA_KEYS_MAX:
            _EXTRA_KEYS[names] = found
    return found


def lighten_log_records() -> None:
    """Production: records skip what this formatter never prints (the caller's frame,
    thread and process names), most of the cost of a request line. Process-wide."""
    logging._srcfile = None  # documented: skips findCaller
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False


def logging_config(level: str = "INFO") -> dict[str, Any]:
    """A ``logging.config.dictConfig`` for production: JSON lines on stderr, uvicorn's too."""
    handler = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "servicekit.logs.JsonFormatter"}},
        "handlers": {"stderr": handler},
        "root": {"handlers": ["stderr"], "level": level.upper()},
        "loggers": {
            # uvicorn's own access log repeats the query string: it stays off
            "uvicorn": {"handlers": [], "propagate": True},
            "uvicorn.error": {"handlers": [], "propagate": True},
            "uvicorn.access": {"handlers": [], "propagate": False, "level": "CRITICAL"},
            "alembic": {"level": "WARNING"},
            # their INFO lines are whole URLs: offer ids, request_uri ids, status list paths
            "httpx2": {"level": "WARNING"},
            "httpcore2": {"level": "WARNING"},
            "httpx": {"level": "WARNING"},
            "httpcore": {"level": "WARNING"},
        },
    }


def route_template(scope: Scope) -> str:
    """The template of the route that served ``scope`` (``<unmatched>`` when none did).

    FastAPI keeps included routers nested: the full template (prefix included) is on the
    ``effective_route_context`` it puts in ``scope["fastapi"]``, ``route`` alone holds the router's
    relative path. A mount (static files) leaves its prefix in ``root_path``.
    """
    fastapi = scope.get("fastapi") or {}
    path = getattr(fastapi.get("effective_route_context"), "path", None)
    if isinstance(path, str):
        return path
    route = scope.get("route")
    path = getattr(route, "path", None)
    included = fastapi.get("included_router")
    if isinstance(path, str) and path.startswith("/") and included is None:
        return path
    root, app_root = scope.get("root_path", ""), scope.get("app_root_path", "")
    if "endpoint" in scope and route is None and root != app_root:
        return f"{root[len(app_root) :]}/{{path}}"
    return "<unmatched>"


def log_request(service: str, scope: Scope, template: str, status: int, seconds: float) -> None:
    """The request's metrics and its log line (``template``: the route's, never the path)."""
    method = scope.get("method", "")
    if method not in _METHODS:  # a label value: never unbounded client text
        method = "OTHER"
    metrics.observe_request(service, method, template, status, seconds)
    if ACCESS.isEnabledFor(logging.INFO):
        fields = {
            "service": service,
            "method": method,
            "path": template,
            "status": status,
            "duration_ms": round(seconds * 1000, 3),
        }
        record = _access_record(fields)
        if record is None:
            ACCESS.info("request", extra=fields)
        else:
            ACCESS.handle(record)  # its filters and handlers, as info() would


def with_request_id(
    headers: list[tuple[bytes, bytes]], request_id: str
) -> list[tuple[bytes, bytes]]:
    """A response's ``headers`` with ``X-Request-ID: request_id`` (and no other)."""
    kept = [(k, v) for k, v in headers if k.lower() != HEADER]
    kept.append((HEADER, request_id.encode("latin-1")))
    return kept


class RequestLogMiddleware:
    """Pure ASGI: request id in and out, one JSON log line and the request metrics."""

    def __init__(self, app: ASGIApp, *, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # an early route's front door (servicekit/early.py) that handed over gave one already
        request_id = scope.get("musette.request_id") or request_id_from(scope.get("headers", []))
        token = REQUEST_ID.set(request_id)
        # for the catch-all error handler, which runs outside this middleware
        scope["musette.request_id"] = request_id
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {
                    **message,
                    "headers": with_request_id(message.get("headers", []), request_id),
                }
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            log_request(
                self.service, scope, route_template(scope), status, time.perf_counter() - started
            )
            REQUEST_ID.reset(token)
