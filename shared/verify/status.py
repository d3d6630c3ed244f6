"""The status check: fetch the status list credential, verify it, then read the entry.

Implements: Bitstring Status List v1.0 §3.2 (Validate Algorithm). The list is fetched
whole through the injected fetcher, so the issuer cannot tell which credential is checked.
Stricter than some reference stacks: a set revocation or suspension bit fails the check
(and a set ``supersession`` bit: a newer credential replaces this one), and the status list
credential must be issued by the credential's own issuer (our policy, docs/threat-model.md
"Engine checks"): a list anyone can sign proves nothing about whether the issuer revoked the
credential.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from shared.errors import VcError, VerificationError
from shared.model.base import issuer_id
from shared.status import check_status
from shared.verify.context import VerifyContext
from shared.verify.report import CheckName, VerificationReport

VerifyFn = Callable[[Any, VerifyContext], VerificationReport]
STATUS_TYPES = ("BitstringStatusListEntry",)
STATUS_OFF = "status checking is turned off for this verification"
#: purposes whose set bit fails the check; "supersession" is Musette's (a platform's newer
#: rating replaces the older one, docs/decisions/rating-credentials.md)
_SET_MEANING = {"revocation": "revoked", "suspension": "suspended", "supersession": "superseded"}


@runtime_checkable
class KnowsWhenChecked(Protocol):
    """A fetcher that keeps status lists and knows when each was last fetched or confirmed."""

    def checked_at(self, url: str) -> datetime | None:
        """When the list at ``url`` was last fetched or confirmed unchanged (None: unknown)."""
        ...


def _checked_at(ctx: VerifyContext, url: Any) -> str:
    """When the list's content was last known current: the fetcher's word, else now."""
    when = None
    if isinstance(url, str) and isinstance(ctx.fetcher, KnowsWhenChecked):
        when = ctx.fetcher.checked_at(url)
    return (when or ctx.now()).isoformat()


def check_credential_status(
    report: VerificationReport, credential: dict[str, Any], ctx: VerifyContext, verify: VerifyFn
) -> None:
    """Record the ``status`` check for every ``credentialStatus`` entry of ``credential``."""
    entries = credential.get("credentialStatus")
    if entries is None:
        report.skipped(CheckName.STATUS, "the credential has no credentialStatus")
        return
    if not ctx.check_status:
        report.skipped(CheckName.STATUS, STATUS_OFF)
        return
    clear: list[str] = []
    checked: list[str] = []
    issuer = issuer_id(credential)
    for entry in entries if isinstance(entries, list) else [entries]:
        if not isinstance(entry, dict) or entry.get("type") not in STATUS_TYPES:
            # the issuer publishes a status we cannot read (OB 3.0's 1EdTechRevocationList,
            # say): a revocation cannot be ruled out, so the check fails, as for a list
            # that cannot be fetched (docs/decisions/verdict-audit.md)
            kind = entry.get("type") if isinstance(entry, dict) else type(entry).__name__
            report.failed(CheckName.STATUS, unreadable_status(f"status type {kind!r}"))
            return
        try:
            problem, summary, flagged = _check_entry(entry, issuer, ctx, verify)
        except VcError as err:
            report.failed(CheckName.STATUS, f"status could not be checked: {err.detail}")
            return
        # when the list was fetched or revalidated, for "status checked at …" on the pages
        checked.append(_checked_at(ctx, entry.get("statusListCredential")))
        if problem is not None:
            # ``purpose`` only when the bit is set: a list that cannot be read is not a
            # revocation, and the pages must not say "revoked" for it
            extra = {"purpose": entry.get("statusPurpose")} if flagged else {}
            report.failed(CheckName.STATUS, problem, checked_at=checked[-1], **extra)
            return
        clear.append(summary)
    if clear:
        report.passed(CheckName.STATUS, "; ".join(clear), checked_at=min(checked))


def unreadable_status(what: str) -> str:
    """The status check's reason for a status method the engine does not read."""
    return (
        f"status could not be checked: {what} is not a status method Musette reads, "
        "so a revocation cannot be ruled out"
    )


def _check_entry(
    entry: dict[str, Any], issuer: str | None, ctx: VerifyContext, verify: VerifyFn
) -> tuple[str | None, str, bool]:
    """(failure, summary, flagged): failure is None when the entry's status is clear;
    flagged is True when the issuer set the bit (revoked, suspended, superseded)."""
    url = entry.get("statusListCredential")
    if not isinstance(url, str):
        return "credentialStatus.statusListCredential is missing", "", False
    list_credential = ctx.fetcher.fetch_json(url)
    problem = status_list_issuer_problem(list_credential, issuer, url)
    if problem is not None:
        # raised, not returned: a refused list says nothing about the bit (no ``purpose``)
        raise VerificationError(problem)
    memo = ctx.status_lists
    key = memo.key(list_credential) if memo is not None else None
    if memo is None or key is None or not memo.holds(key, ctx.now()):
        list_ctx = VerifyContext(
            fetcher=ctx.fetcher, resolver=ctx.resolver, clock=ctx.clock, check_status=False
        )
        list_report = verify(list_credential, list_ctx)
        if not list_report.verified:
            failed = [c.reason for c in list_report.checks if c.status.value == "failed"]
            raise VerificationError(f"the status list {url} does not verify: {'; '.join(failed)}")
        if list_report.credential is None or list_report.issuer != issuer:
            # Bitstring Status List v1.0 §3.2: the list is a verifiable credential. A
            # presentation verifies with its holder's key, whoever that is, and names no
            # issuer that signed it: it cannot speak for the issuer.
            raise VerificationError(
                f"the status list {url} is not a credential secured by {issuer} "
                f"(it verified as {list_report.format})"
            )
        if memo is not None and key is not None:
            memo.remember(key, ctx.now())
    # SPEC-DEVIATION(vc-bitstring-status-list#statusListIndex): a JSON-number index (as in
    # 1EdTech's samples) is read too; it can only reveal a revocation, never hide one.
    result = check_status(entry, list_credential, now=ctx.now(), allow_integer_index=True)
    where = f"status list {url}, index {result.index}"
    if result.valid:
        meaning = _SET_MEANING.get(result.purpose, f"{result.purpose} status 0")
        summary = f"not {meaning} ({where})" if result.purpose in _SET_MEANING else meaning
        return None, summary, False
    if result.purpose in _SET_MEANING:
        return f"{_SET_MEANING[result.purpose]} by its issuer ({where})", "", True
    # statusPurpose "message" (or another purpose): the value is information, not a failure
    return None, f"{result.purpose}: {result.message or hex(result.status)} ({where})", False


def status_list_issuer_problem(list_credential: Any, issuer: str | None, url: str) -> str | None:
    """Why the list at ``url`` cannot speak for ``issuer``'s credential (None when it can).

    Our policy (docs/threat-model.md, "Engine checks"): the status list credential's issuer
    must be the credential's issuer. Bitstring Status List v1.0 §3.2 verifies the list
    but relates it to nobody; a list signed by anyone else is refused. Delegation (a status
    service named in the issuer's DID document) is not supported: no spec defines it.
    """
    list_issuer = issuer_id(list_credential) if isinstance(list_credential, dict) else None
    if issuer is None:
        return f"the credential names no issuer, so the status list {url} cannot be related to it"
    if list_issuer is None:
        return f"the status list {url} names no issuer"
    if list_issuer != issuer:
        return (
            f"the status list {url} is issued by {list_issuer}, not by the credential's issuer "
            f"{issuer}: only the issuer's own status list can revoke or clear its credentials"
        )
    return None
