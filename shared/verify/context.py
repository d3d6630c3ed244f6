"""What a verification needs from outside: resolver, fetcher, clock, expectations."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from cryptography import x509

from shared.did.resolver import DidResolver
from shared.net.fetch import Fetcher, NoFetcher
from shared.verify.status_memo import StatusListMemo

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The system clock, timezone-aware."""
    return datetime.now(UTC)


def fixed_clock(moment: datetime) -> Clock:
    """A clock stopped at ``moment``: to verify as of a past or future moment (audits, tests).

    Raises:
        ValueError: ``moment`` has no time zone (it would be compared with aware dates), or
            lies so close to year 1 or 9999 that the clock-skew arithmetic would overflow.
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("a verification moment needs a time zone")
    if not 1 < moment.year < 9999:
        raise ValueError("a verification moment must lie between the years 2 and 9998")
    return lambda: moment


def with_clock(ctx: VerifyContext | None, clock: Clock | None) -> VerifyContext:
    """``ctx`` (or a default context) with ``clock`` when one is given."""
    ctx = ctx or VerifyContext()
    return ctx if clock is None else replace(ctx, clock=clock)


@dataclass
class VerifyContext:
    """Injected dependencies and expectations of one verification.

    ``challenge``/``domain`` (Data Integrity) and ``nonce``/``audience`` (JWT, KB-JWT)
    are what the verifier asked for; when set, a presentation must match them.
    """

    fetcher: Fetcher = field(default_factory=NoFetcher)
    resolver: DidResolver | None = None
    clock: Clock = utc_now
    clock_skew: timedelta = timedelta(minutes=5)
    challenge: str | None = None
    domain: str | None = None
    nonce: str | None = None
    audience: str | None = None
    check_schema: bool = True
    check_status: bool = True
    max_kb_age: timedelta | None = timedelta(minutes=10)
    #: a presentation's holder must be bound to every credential it carries (OpenID4VP's
    #: need); False reports the binding without failing on it (VC DM 2.0 §4.13 requires
    #: no holder, and the VC-API's /presentations/verify asks for none by default)
    require_holder_binding: bool = True
    #: status lists already verified, shared by one service's verifications (None: none)
    status_lists: StatusListMemo | None = None
    #: X.509 roots an ``x5c`` chain must lead to (SD-JWT VC issuers); none: no chain trusted
    x509_trust_anchors: tuple[x509.Certificate, ...] = ()

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
