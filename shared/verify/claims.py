"""The checks every credential format shares: the VC Data Model shape, then the claims.

``check_claims`` runs the schema, validity and status checks; the status list credential is
verified by ``verify`` (:func:`shared.verify.credential.verify_credential` in practice).
"""

from __future__ import annotations

from typing import Any

from shared.model.base import as_list, issuer_id
from shared.model.vcdm2 import Violation, credential_violations, describe_violations
from shared.verify.common import check_validity
from shared.verify.context import VerifyContext
from shared.verify.report import CheckName, VerificationReport
from shared.verify.schema import check_schema
from shared.verify.status import VerifyFn, check_credential_status

VC_V2 = "https://www.w3.org/ns/credentials/v2"


def check_credential_shape(report: VerificationReport, credential: Any) -> bool:
    """The ``format`` check of a JSON credential: the VC Data Model rules (2.0, reading 1.1)."""
    violations = credential_violations(credential)
    if violations:
        report_violations(report, violations)
        return False
    first = as_list(credential.get("@context"))[0]
    version = "2.0" if first == VC_V2 else "1.1"
    report.passed(CheckName.FORMAT, f"VC Data Model {version} credential", version=version)
    return True


def report_violations(report: VerificationReport, violations: list[Violation]) -> None:
    """A failed ``format`` check naming each VC Data Model rule broken, with its section."""
    report.failed(
        CheckName.FORMAT,
        describe_violations(violations),
        rule=violations[0].rule,
        section=violations[0].section,
        violations=[v.to_json() for v in violations],
    )


def check_claims(
    report: VerificationReport, credential: dict[str, Any], ctx: VerifyContext, verify: VerifyFn
) -> None:
    """Schema, validity and status checks shared by every credential format."""
    report.credential = credential
    report.issuer = issuer_id(credential)
    subject = credential.get("credentialSubject")
    if isinstance(subject, dict) and isinstance(subject.get("id"), str):
        report.subject = subject["id"]
    if ctx.check_schema:
        check_schema(report, credential)
    check_validity(report, credential, ctx)
    check_credential_status(report, credential, ctx, verify)
