"""The ``schema`` check: Open Badges 3.0 credentials against the OB 3.0 JSON Schemas."""

from __future__ import annotations

from typing import Any

from shared.model.schema import ob3_rule_problems, validate_ob3
from shared.verify.report import CheckName, VerificationReport

OB3_TYPES = {"OpenBadgeCredential", "AchievementCredential", "EndorsementCredential"}


def check_schema(report: VerificationReport, credential: dict[str, Any]) -> None:
    """Validate OB 3.0 credentials; other credentials have no schema to check here."""
    types = credential.get("type")
    types = types if isinstance(types, list) else [types]
    if not OB3_TYPES.intersection(t for t in types if isinstance(t, str)):
        report.skipped(CheckName.SCHEMA, "not an Open Badges 3.0 credential; no schema to check")
        return
    contexts = credential.get("@context")
    first = contexts[0] if isinstance(contexts, list) and contexts else contexts
    if first != "https://www.w3.org/ns/credentials/v2":
        # SPEC-DEVIATION(ob-v3p0#schema): the published OB 3.0.3 schema requires VC DM 2.0;
        # no schema for OB 3.0 on VC DM 1.1 is bundled, so those credentials are not checked
        # against it; the rules beyond the schema still apply.
        rules = ob3_rule_problems(credential)
        if rules:
            report.failed(CheckName.SCHEMA, "; ".join(rules), problems=rules)
            return
        report.skipped(
            CheckName.SCHEMA, "VC DM 1.1 Open Badge: the OB 3.0.3 schema covers VC DM 2.0 only"
        )
        return
    problems = validate_ob3(credential)
    if problems:
        report.failed(CheckName.SCHEMA, "; ".join(problems[:5]), problems=problems)
    else:
        report.passed(
            CheckName.SCHEMA,
            "valid against the Open Badges 3.0 JSON Schema and the rules beyond it",
        )
