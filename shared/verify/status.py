"""The status check: fetch the status list credential, verify it, then read the bit.

Implements: Bitstring Status List v1.0 §3.2 (Validate Algorithm). The list is fetched
whole through the injected fetcher, so the issuer cannot tell which credential is checked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shared.errors import VcError
from shared.status.bitstring import StatusList
from shared.verify.context import VerifyContext
from shared.verify.report import VerificationReport

VerifyFn = Callable[[Any, VerifyContext], VerificationReport]
STATUS_TYPES = ("BitstringStatusListEntry",)


def check_credential_status(
    report: VerificationReport, credential: dict[str, Any], ctx: VerifyContext, verify: VerifyFn
) -> None:
    """Record the ``status`` check for every ``credentialStatus`` entry of ``credential``."""
    entries = credential.get("credentialStatus")
    if entries is None:
        report.skipped("status", "the credential has no credentialStatus")
        return
    if not ctx.check_status:
        report.skipped("status", "status checking is turned off for this verification")
        return
    entries = entries if isinstance(entries, list) else [entries]
    results: list[str] = []
    for entry in entries:
        if not isinstance(entry, dict) or entry.get("type") not in STATUS_TYPES:
            kind = entry.get("type") if isinstance(entry, dict) else type(entry).__name__
            report.skipped("status", f"status type {kind!r} is not supported")
            continue
        try:
            message = _check_entry(entry, ctx, verify)
        except VcError as err:
            report.failed("status", f"status could not be checked: {err.detail}")
            return
        if message is not None:
            report.failed("status", message, purpose=entry.get("statusPurpose"))
            return
        results.append(str(entry.get("statusPurpose")))
    if results:
        report.passed("status", "not " + " and not ".join(_PAST.get(p, p) for p in results))


_PAST = {"revocation": "revoked", "suspension": "suspended"}


def _check_entry(entry: dict[str, Any], ctx: VerifyContext, verify: VerifyFn) -> str | None:
    """None when the entry's status is clear, else a readable failure."""
    url = entry.get("statusListCredential")
    if not isinstance(url, str):
        return "credentialStatus.statusListCredential is missing"
    index_text = entry.get("statusListIndex")
    if not isinstance(index_text, str) or not index_text.isdigit():
        return "credentialStatus.statusListIndex must be a string of digits"
    index = int(index_text)
    list_credential = ctx.fetcher.fetch_json(url)
    list_ctx = VerifyContext(
        fetcher=ctx.fetcher, resolver=ctx.resolver, clock=ctx.clock, check_status=False
    )
    list_report = verify(list_credential, list_ctx)
    if not list_report.verified:
        failed = [c.reason for c in list_report.checks if c.status.value == "failed"]
        return f"the status list {url} does not verify: {'; '.join(failed) or 'no valid proof'}"
    subject = list_credential.get("credentialSubject")
    if not isinstance(subject, dict) or subject.get("type") != "BitstringStatusList":
        return f"{url} is not a BitstringStatusList credential"
    purpose = entry.get("statusPurpose")
    list_purposes = subject.get("statusPurpose")
    allowed = list_purposes if isinstance(list_purposes, list) else [list_purposes]
    if purpose not in allowed:
        return f"status purpose {purpose!r} does not match the list's {list_purposes!r}"
    size = entry.get("statusSize", 1)
    status_list = StatusList.decode(subject.get("encodedList"), status_size=size)
    value = status_list.get(index)
    if value == 0:
        return None
    if purpose == "revocation":
        return f"revoked by its issuer (status list {url}, index {index})"
    if purpose == "suspension":
        return f"suspended by its issuer (status list {url}, index {index})"
    messages = {
        m.get("status"): m.get("message")
        for m in entry.get("statusMessage", [])
        if isinstance(m, dict)
    }
    label = messages.get(hex(value)) or f"status {hex(value)}"
    return (
        f"{purpose}: {label} (status list {url}, index {index})" if purpose != "message" else None
    )
