"""The states a verifier record is in (StrEnums: equal to, and stored as, their plain values)."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["RequestState"]


class RequestState(StrEnum):
    """Where an OpenID4VP request stands (``expired`` is read, never stored: a pending
    request past its ``expires_at``)."""

    PENDING = "pending"
    PROCESSING = "processing"
    ANSWERED = "answered"
    REFUSED = "refused"
    EXPIRED = "expired"
