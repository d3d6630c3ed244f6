"""Wallet error leaves; the HTTP-level ones (401, 403, 409, 413) come from shared.errors.

Each renders as problem+json like the shared ones.
"""

from __future__ import annotations

from shared.errors import (
    ConflictError,
    ForbiddenError,
    InvalidInputError,
    PayloadTooLargeError,
    UnauthorizedError,
)

__all__ = [
    "ConflictError",
    "CsrfError",
    "OfferRefusedError",
    "RequestRefusedError",
    "TooLargeError",
    "UnauthorizedError",
]


class CsrfError(ForbiddenError):
    """A form or cookie-authenticated request without the right CSRF token."""

    code = "csrf-failed"
    title = "CSRF token missing or wrong"


TooLargeError = PayloadTooLargeError  # a credential or upload larger than the wallet accepts


class RequestRefusedError(InvalidInputError):
    """A presentation request the wallet will not answer (signature, client_id, response_uri)."""

    code = "request-refused"
    title = "Presentation request refused"


class OfferRefusedError(InvalidInputError):
    """A credential offer the wallet cannot use (malformed, issuer mismatch, failed issuance)."""

    code = "offer-refused"
    title = "Credential offer refused"
