"""The states an issuer record is in (StrEnums: equal to, and stored as, their plain values)."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["OfferState"]


class OfferState(StrEnum):
    """Where a credential offer (OpenID4VCI pre-authorized code) stands."""

    PENDING = "pending"
    #: the credential was issued to a wallet
    REDEEMED = "redeemed"
    #: refused for good: a wrong transaction code too many times, or a replayed code
    DEAD = "dead"
