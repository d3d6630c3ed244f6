"""The states a wallet record is in (StrEnums: equal to, and stored as, their plain values)."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["CredentialStatusState", "EndorsementRequestState", "PendingKind", "ProfileState"]


class EndorsementRequestState(StrEnum):
    """Where a link asking someone to endorse an experience stands."""

    OPEN = "open"
    USED = "used"
    REVOKED = "revoked"
    EXPIRED = "expired"


class ProfileState(StrEnum):
    """Where a published profile (a set of credentials at a link) stands."""

    OPEN = "open"
    REVOKED = "revoked"
    EXPIRED = "expired"


class CredentialStatusState(StrEnum):
    """What the issuer's status list says of a held credential, as the person is told;
    only ``revoked`` and ``suspended`` block a presentation."""

    REVOKED = "revoked"
    SUSPENDED = "suspended"
    #: the list could not be read, or names a purpose the wallet does not know
    UNCHECKED = "unchecked"
    CLEAR = "clear"
    #: the credential has no status entry
    NONE = "none"


class PendingKind(StrEnum):
    """What a ``pending_exchanges`` row holds: an offer being received or a request being
    answered."""

    OFFER = "offer"
    REQUEST = "request"
