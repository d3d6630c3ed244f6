"""Errors raised on purpose anywhere in Musette.

Each leaf has a stable ``code`` (the fragment of its problem ``type`` URL) and the
HTTP status a service answers with. ``docs/problems.md`` documents every code.

* VcError                        500 internal-error
  * InvalidInputError            400 invalid-input
    * MalformedCredentialError   400 malformed-credential
    * UnsupportedAlgorithmError  400 unsupported-algorithm
    * ContextNotAllowedError     400 context-not-allowed
    * KeyFormatError             400 key-format
    * DidResolutionError         400 did-resolution
  * VerificationError            422 verification-failed
    * InvalidProofError          422 invalid-proof
  * NotFoundError                404 not-found
    * KeyNotFoundError           404 key-not-found
  * UpstreamError                502 upstream-unavailable
    * FetchRefusedError          502 fetch-refused
  * UnauthorizedError            401 unauthorized
  * ForbiddenError               403 forbidden
  * ConflictError                409 conflict
  * GoneError                    410 gone (a NotFoundError)
    * OfferUsedError             410 offer-used
    * OfferExpiredError          410 offer-expired
  * OfferUnknownError            404 offer-unknown (a NotFoundError)
  * PayloadTooLargeError         413 payload-too-large (an InvalidInputError)
"""

from __future__ import annotations

from typing import Any, ClassVar


class VcError(Exception):
    """Base of every error Musette raises on purpose."""

    code: ClassVar[str] = "internal-error"
    status: ClassVar[int] = 500
    title: ClassVar[str] = "Internal error"

    def __init__(self, detail: str, **extensions: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extensions = extensions


class InvalidInputError(VcError):
    """The input cannot be used at all."""

    code = "invalid-input"
    status = 400
    title = "Invalid input"


class MalformedCredentialError(InvalidInputError):
    """A credential, presentation or token is not well formed."""

    code = "malformed-credential"
    title = "Malformed credential"


class UnsupportedAlgorithmError(InvalidInputError):
    """An algorithm, key type or cryptosuite is not on the allow-list."""

    code = "unsupported-algorithm"
    title = "Unsupported algorithm"


class ContextNotAllowedError(InvalidInputError):
    """A JSON-LD context is not bundled; remote contexts are never fetched."""

    code = "context-not-allowed"
    title = "JSON-LD context not allowed"


class KeyFormatError(InvalidInputError):
    """A key (JWK, Multikey, multibase) is malformed or has the wrong length."""

    code = "key-format"
    title = "Malformed key"


class DidResolutionError(InvalidInputError):
    """A DID or DID URL cannot be resolved to a usable document or method."""

    code = "did-resolution"
    title = "DID cannot be resolved"


class VerificationError(VcError):
    """Something was checked and found wrong."""

    code = "verification-failed"
    status = 422
    title = "Verification failed"


class InvalidProofError(VerificationError):
    """A signature or proof does not verify."""

    code = "invalid-proof"
    title = "Proof does not verify"


class NotFoundError(VcError):
    """The thing asked for does not exist."""

    code = "not-found"
    status = 404
    title = "Not found"


class KeyNotFoundError(NotFoundError):
    """No key with that identifier in the key store."""

    code = "key-not-found"
    title = "Key not found"


class UpstreamError(VcError):
    """A remote resource (did:web document, status list) could not be fetched."""

    code = "upstream-unavailable"
    status = 502
    title = "Upstream unavailable"


class FetchRefusedError(UpstreamError):
    """The fetcher refused a URL: not https, private address, too large, or a bad redirect."""

    code = "fetch-refused"
    title = "Fetch refused"


class UnauthorizedError(VcError):
    """No valid session or API key was presented."""

    code = "unauthorized"
    status = 401
    title = "Authentication required"


class ForbiddenError(VcError):
    """Authenticated, but this account or organisation may not do that."""

    code = "forbidden"
    status = 403
    title = "Forbidden"


class ConflictError(VcError):
    """The request conflicts with the current state (a duplicate, a used code...)."""

    code = "conflict"
    status = 409
    title = "Conflict"


class GoneError(NotFoundError):
    """The resource existed but can no longer be used (an answered request, a used offer)."""

    code = "gone"
    status = 410
    title = "No longer available"


class OfferUnknownError(NotFoundError):
    """No credential offer has this link: it was mistyped, or it comes from another issuer."""

    code = "offer-unknown"
    title = "Credential offer unknown"


class OfferUsedError(GoneError):
    """The credential offer was already accepted: each offer gives its badge once."""

    code = "offer-used"
    title = "Credential offer already used"


class OfferExpiredError(GoneError):
    """The credential offer was not accepted in time: the issuer must make a new one."""

    code = "offer-expired"
    title = "Credential offer expired"


class PayloadTooLargeError(InvalidInputError):
    """The request body is larger than the service accepts."""

    code = "payload-too-large"
    status = 413
    title = "Payload too large"
