"""Reading request bodies with a size cap: refuse early, never read past the limit."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from starlette.datastructures import FormData
from starlette.types import Message

from shared.encoding.json_limits import parse_json
from verifier.errors import PayloadTooLargeError


async def read_capped(request: Request, limit: int) -> bytes:
    """The body, or 413 as soon as it is known to exceed ``limit``.

    A declared Content-Length over the limit is refused before reading a byte; a chunked
    body is read only up to the limit.
    """
    declared = request.headers.get("content-length")
    # ASCII digits only: "²".isdigit() is true, and int("²") raises
    if declared is not None and declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLargeError(f"the body is larger than the {limit}-byte limit")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise PayloadTooLargeError(f"the body is larger than the {limit}-byte limit")
    return bytes(body)


async def form_from_bytes(request: Request, body: bytes) -> FormData:
    """Parse an already capped multipart / urlencoded body with Starlette's parser."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    replay = Request(request.scope, receive)
    return await replay.form(max_files=4, max_fields=50)


def json_body(body: bytes) -> Any:
    """Parse a capped body with the shared JSON size and depth limits."""
    return parse_json(body)
