"""Wallet error leaves; the HTTP-level ones (401, 403, 409, 413) come from shared.errors.

Each renders as problem+json like the shared ones.
"""

from __future__ import annotations

from shared.errors import (
    ConflictError,
    ForbiddenError,
    GoneError,
    InvalidInputError,
    PayloadTooLargeError,
    UnauthorizedError,
    UpstreamError,
)

__all__ = [
    "ConflictError",
    "CredentialBlockedError",
    "CsrfError",
    "EndorsementDeliveryFailedError",
    "EndorsementLinkExpiredError",
    "EndorsementLinkRevokedError",
    "EndorsementLinkUsedError",
    "EndorsementOtherSubjectError",
    "LocalAccountExistsError",
    "NotAnEndorsementError",
    "OfferRefusedError",
    "OwnEndorsementRequestError",
    "RequestRefusedError",
    "TooLargeError",
    "TxCodeWrongError",
    "UnauthorizedError",
]


class CsrfError(ForbiddenError):
    """A form or cookie-authenticated request without the right CSRF token."""

    code = "csrf-failed"
    title = "CSRF token missing or wrong"


class CredentialBlockedError(InvalidInputError):
    """The person chose a credential its issuer has revoked or suspended: not presented."""

    code = "credential-blocked"
    title = "Credential revoked or suspended"


TooLargeError = PayloadTooLargeError  # a credential or upload larger than the wallet accepts


class RequestRefusedError(InvalidInputError):
    """A presentation request the wallet will not answer (signature, client_id, response_uri)."""

    code = "request-refused"
    title = "Presentation request refused"


class OfferRefusedError(InvalidInputError):
    """A credential offer the wallet cannot use (malformed, issuer mismatch, failed issuance)."""

    code = "offer-refused"
    title = "Credential offer refused"


class TxCodeWrongError(OfferRefusedError):
    """The issuer refused the transaction code (``tx_code``) the person typed."""

    code = "tx-code-wrong"
    title = "Transaction code refused"


class EndorsementLinkExpiredError(GoneError):
    """An endorsement link past its expiry date: ask the person for a new one."""

    code = "endorsement-link-expired"
    title = "Endorsement link expired"


class EndorsementLinkUsedError(GoneError):
    """An endorsement link that already carried an endorsement (each link is single use)."""

    code = "endorsement-link-used"
    title = "Endorsement link already used"


class EndorsementLinkRevokedError(GoneError):
    """An endorsement link its owner withdrew."""

    code = "endorsement-link-revoked"
    title = "Endorsement link withdrawn"


class NotAnEndorsementError(InvalidInputError):
    """A credential delivered to an endorsement link that is not an EndorsementCredential."""

    code = "not-an-endorsement"
    title = "Not an endorsement"
    status = 422


class EndorsementOtherSubjectError(InvalidInputError):
    """An endorsement delivered to a link whose subject is not what the link asked about."""

    code = "endorsement-other-subject"
    title = "Endorsement about someone else"
    status = 422


class EndorsementDeliveryFailedError(UpstreamError):
    """The person's wallet did not accept the endorsement (another wallet server)."""

    code = "endorsement-delivery-failed"
    title = "Endorsement not delivered"


class OwnEndorsementRequestError(ForbiddenError):
    """A person cannot endorse their own experience."""

    code = "own-endorsement-request"
    title = "You cannot endorse your own experience"


class ProfileRevokedError(GoneError):
    """An application profile its owner withdrew."""

    code = "profile-revoked"
    title = "Profile withdrawn"


class ProfileExpiredError(GoneError):
    """An application profile past the expiry date its owner chose."""

    code = "profile-expired"
    title = "Profile expired"


class LocalAccountExistsError(ConflictError):
    """A second sign-up on a wallet that runs for one person (``musette wallet local``)."""

    code = "local-account-exists"
    title = "This wallet already has its account"
