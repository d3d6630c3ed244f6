"""The states a wallet record is in (StrEnums: equal to, and stored as, their plain values)."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["EndorsementRequestState", "ProfileState"]


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
