"""Checks shared by every format: validity window and credential status."""

from __future__ import annotations

from typing import Any

from shared.model.base import parse_datetime as parse_datetime
from shared.verify.context import VerifyContext
from shared.verify.report import CheckName, VerificationReport


def check_validity(
    report: VerificationReport, credential: dict[str, Any], ctx: VerifyContext
) -> None:
    """VC DM 2.0 §4.9 validity period (and 1.1 issuanceDate/expirationDate)."""
    now = ctx.now()
    try:
        start_key = "validFrom" if "validFrom" in credential else "issuanceDate"
        end_key = "validUntil" if "validUntil" in credential else "expirationDate"
        start = (
            parse_datetime(credential[start_key], start_key) if start_key in credential else None
        )
        end = parse_datetime(credential[end_key], end_key) if end_key in credential else None
    except ValueError as err:
        report.failed(CheckName.VALIDITY, str(err))
        return
    if start is not None and now + ctx.clock_skew < start:
        report.failed(
            CheckName.VALIDITY,
            f"not valid before {start.isoformat()}",
            valid_from=start.isoformat(),
        )
        return
    if end is not None and now - ctx.clock_skew > end:
        report.failed(
            CheckName.VALIDITY, f"expired on {end.isoformat()}", valid_until=end.isoformat()
        )
        return
    if start is None and end is None:
        report.skipped(CheckName.VALIDITY, "the credential states no validity period")
        return
    # the credential's own strings: already checked, and what its reader will recognise
    if start is None:
        window = f"until {credential[end_key]}"
    elif end is None:
        window = f"from {credential[start_key]}"
    else:
        window = f"{credential[start_key]} to {credential[end_key]}"
    report.passed(CheckName.VALIDITY, f"valid now ({window})")
