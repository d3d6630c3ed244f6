"""Errors of the verifier: the shared HTTP-level errors, plus one of its own.

* RequestGoneError       410 request-gone (an OpenID4VP request already answered)
"""

from __future__ import annotations

from shared.errors import (
    ConflictError,
    ForbiddenError,
    GoneError,
    PayloadTooLargeError,
    UnauthorizedError,
)

__all__ = [
    "ConflictError",
    "ForbiddenError",
    "PayloadTooLargeError",
    "RequestGoneError",
    "UnauthorizedError",
]


class RequestGoneError(GoneError):
    code = "request-gone"
    title = "Request no longer answerable"
