"""The ``schema`` check: Open Badges 3.0 credentials against the OB 3.0 JSON Schemas."""

from __future__ import annotations

from typing import Any

from shared.model.schema import validate_ob3
from shared.verify.report import VerificationReport

OB3_TYPES = {"OpenBadgeCredential", "AchievementCredential", "EndorsementCredential"}


def check_schema(report: VerificationReport, credential: dict[str, Any]) -> None:
    """Validate OB 3.0 credentials; other credentials have no schema to check here."""
    types = credential.get("type")
    types = types if isinstance(types, list) else [types]
    if not OB3_TYPES.intersection(t for t in types if isinstance(t, str)):
        report.skipped("schema", "not an Open Badges 3.0 credential; no schema to check")
        return
    problems = validate_ob3(credential)
    if problems:
        report.failed("schema", "; ".join(problems[:5]), problems=problems)
    else:
        report.passed("schema", "valid against the Open Badges 3.0 JSON Schema")
