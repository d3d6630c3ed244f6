"""What a verification needs from outside: resolver, fetcher, clock, expectations."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from shared.did.resolver import DidResolver
from shared.net.fetch import Fetcher, NoFetcher
from shared.verify.status_memo import StatusListMemo


def utc_now() -> datetime:
    """The system clock, timezone-aware."""
    return datetime.now(UTC)


@dataclass
class VerifyContext:
    """Injected dependencies and expectations of one verification.

    ``challenge``/``domain`` (Data Integrity) and ``nonce``/``audience`` (JWT, KB-JWT)
    are what the verifier asked for; when set, a presentation must match them.
    """

    fetcher: Fetcher = field(default_factory=NoFetcher)
    resolver: DidResolver | None = None
    clock: Callable[[], datetime] = utc_now
    clock_skew: timedelta = timedelta(minutes=5)
    challenge: str | None = None
    domain: str | None = None
    nonce: str | None = None
    audience: str | None = None
    check_schema: bool = True
    check_status: bool = True
    max_kb_age: timedelta | None = timedelta(minutes=10)
    #: status lists already verified, shared by one service's verifications (None: none)
    status_lists: StatusListMemo | None = None

    def __post_init__(self) -> None:
        if self.resolver is None:
            self.resolver = DidResolver(self.fetcher)

    @property
    def dids(self) -> DidResolver:
        """The DID resolver (always set after construction)."""
        assert self.resolver is not None  # set in __post_init__
        return self.resolver

    def now(self) -> datetime:
        """The current time, from the injected clock."""
        return self.clock()
