"""Is a stored credential still in force? The issuer's status list, read when the person looks.

The wallet checks the status of what it lists (« Ma musette », a credential's page, the
credentials that could answer a verifier) through a revalidating view of the status list
cache: one conditional GET per list and per page, so an unchanged list costs a 304 and a
revocation shows at once (docs/decisions/status-freshness.md). Only the status is checked
here, not the signature: the credential was verified when it was received. A revoked or
suspended credential is flagged and may not be presented; a status that cannot be read is
said, and does not block (the verifier fails closed on its own side).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from shared.did import DidResolver
from shared.net.status_cache import CachingFetcher, RequestingFetcher
from shared.verify.context import VerifyContext, utc_now
from shared.verify.credential import verify_credential
from shared.verify.report import CheckName, CheckStatus, VerificationReport
from shared.verify.status import check_credential_status
from shared.verify.status_memo import StatusListMemo
from wallet.errors import CredentialBlockedError
from wallet.service import storage
from wallet.service.states import CredentialStatusState

#: the states a person is told about; only the first two block a presentation
REVOKED = CredentialStatusState.REVOKED
SUSPENDED = CredentialStatusState.SUSPENDED
UNCHECKED = CredentialStatusState.UNCHECKED
CLEAR = CredentialStatusState.CLEAR
NONE = CredentialStatusState.NONE
_FLAGGED = {"revocation": REVOKED, "suspension": SUSPENDED}


@dataclass(frozen=True)
class StatusFlag:
    """What the issuer's status list says of one credential, and when it was read."""

    state: CredentialStatusState
    #: ISO 8601 time the list was fetched or confirmed unchanged (None: not read)
    checked_at: str | None = None
    #: the technical reason (English, for the details)
    reason: str = ""

    @property
    def blocked(self) -> bool:
        """Revoked or suspended: the wallet does not present it."""
        return self.state in {REVOKED, SUSPENDED}

    def to_json(self) -> dict[str, Any]:
        return {"state": self.state, "checked_at": self.checked_at, "reason": self.reason}


def revalidating_context(
    upstream: RequestingFetcher,
    *,
    allow_http: bool,
    cache: CachingFetcher | None = None,
    memo: StatusListMemo | None = None,
) -> VerifyContext:
    """A context that revalidates each status list once (conditional GET when ``cache`` holds
    it; a fresh cache, so a full GET, otherwise)."""
    view = (cache or CachingFetcher(upstream, clock=utc_now)).revalidating()
    return VerifyContext(
        fetcher=view,
        resolver=DidResolver(view, allow_http=allow_http),
        status_lists=memo or StatusListMemo(),
    )


def status_entries(view: storage.CredentialView) -> Any:
    """The credential's status entries: ``credentialStatus`` (W3C), the ``status`` claim
    carrying it in our SD-JWT VC mapping, else None."""
    claims = (view.content or {}).get("claims")
    if not isinstance(claims, dict):
        return None
    if "credentialStatus" in claims:
        return claims["credentialStatus"]
    status = claims.get("status")
    return status if isinstance(status, dict | list) and "status_list" not in status else None


def check_status(view: storage.CredentialView, ctx: VerifyContext) -> StatusFlag:
    """Read the issuer's status list for ``view`` (Bitstring Status List v1.0 §3.2)."""
    entries = status_entries(view)
    if entries is None:
        return StatusFlag(NONE)
    claims = (view.content or {}).get("claims") or {}
    # the list must be the credential's issuer's (shared.verify.status): say who that is
    issuer = claims.get("issuer") if "issuer" in claims else claims.get("iss")
    report = VerificationReport()
    check_credential_status(
        report, {"issuer": issuer, "credentialStatus": entries}, ctx, verify_credential
    )
    check = report.check(CheckName.STATUS)
    if check is None or check.status is CheckStatus.SKIPPED:
        return StatusFlag(NONE, reason=check.reason if check else "")
    when = check.details.get("checked_at")
    checked_at = when if isinstance(when, str) else None
    if check.status is CheckStatus.PASSED:
        return StatusFlag(CLEAR, checked_at, check.reason)
    state = _FLAGGED.get(str(check.details.get("purpose")), UNCHECKED)
    return StatusFlag(state, checked_at if state != UNCHECKED else None, check.reason)


def check_all(views: Iterable[storage.CredentialView], ctx: VerifyContext) -> dict[str, StatusFlag]:
    """The status of each credential, by id (one list fetch per list through ``ctx``)."""
    return {view.id: check_status(view, ctx) for view in views}


def refuse_blocked(view: storage.CredentialView, flag: StatusFlag) -> None:
    """Raise when ``flag`` says the credential may not be presented."""
    if flag.blocked:
        title = view.summary.get("title") or view.id
        raise CredentialBlockedError(
            f"{title!s} is {flag.state} by its issuer and cannot be presented ({flag.reason})",
            credential_id=view.id,
            state=flag.state,
        )
