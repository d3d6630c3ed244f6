"""Credentials and presentations secured with Data Integrity proofs (JSON-LD).

Implements: VC DM 2.0 §4.13 (presentations), Data Integrity §4.4 with proofPurpose
``assertionMethod`` (credentials) and ``authentication`` with ``challenge`` and ``domain``
(presentations). ``verify`` verifies each credential inside a presentation and the status
list credential (:func:`shared.verify.credential.verify_credential` in practice).
"""

from __future__ import annotations

from typing import Any

from shared.model.base import holder_id, issuer_id
from shared.model.vcdm2 import presentation_violations
from shared.verify.claims import check_claims, check_credential_shape, report_violations
from shared.verify.context import VerifyContext
from shared.verify.data_integrity import check_di_proofs
from shared.verify.holder import check_holder_binding, credential_context
from shared.verify.report import CheckName, VerificationReport
from shared.verify.status import VerifyFn


def verify_ldp_credential(
    credential: dict[str, Any], ctx: VerifyContext, verify: VerifyFn
) -> VerificationReport:
    """Verify a JSON credential secured with Data Integrity (``assertionMethod`` proofs)."""
    report = VerificationReport(format="ldp_vc")
    if not check_credential_shape(report, credential):
        return report
    check_di_proofs(
        report, credential, ctx, purpose="assertionMethod", controller=issuer_id(credential)
    )
    check_claims(report, credential, ctx, verify)
    return report


def verify_ldp_presentation(
    presentation: dict[str, Any], ctx: VerifyContext, verify: VerifyFn
) -> VerificationReport:
    """Verify a JSON presentation secured with Data Integrity, and each credential in it."""
    report = VerificationReport(format="ldp_vp")
    violations = presentation_violations(presentation)  # VC DM 2.0 §4.13
    if violations:
        report_violations(report, violations)
        return report
    report.passed(CheckName.FORMAT, "VC Data Model presentation secured with Data Integrity")
    holder = holder_id(presentation)
    report.subject = holder
    check_di_proofs(report, presentation, ctx, purpose="authentication", controller=holder)
    _check_challenge(report, results_proofs(presentation), ctx)
    credentials = presentation.get("verifiableCredential", [])
    credentials = credentials if isinstance(credentials, list) else [credentials]
    inner = credential_context(ctx)
    for item in credentials:
        # an EnvelopedVerifiableCredential is opened and checked by verify_credential
        sub = verify(item, inner)
        report.credentials.append(sub)
    check_holder_binding(report, holder, report.credentials, ctx)
    return report


def results_proofs(presentation: dict[str, Any]) -> list[dict[str, Any]]:
    """The presentation's proofs as a list."""
    proof = presentation.get("proof")
    proofs = proof if isinstance(proof, list) else [proof]
    return [p for p in proofs if isinstance(p, dict)]


def _check_challenge(
    report: VerificationReport, proofs: list[dict[str, Any]], ctx: VerifyContext
) -> None:
    """``challenge``/``domain`` (Data Integrity §2.1); ``ctx.nonce``/``ctx.audience`` stand in
    for them when only those are set, as every presentation format answers the same request."""
    challenge = ctx.challenge if ctx.challenge is not None else ctx.nonce
    domain = ctx.domain if ctx.domain is not None else ctx.audience
    if challenge is None and domain is None:
        report.skipped(CheckName.CHALLENGE, "no challenge or domain was requested")
        return
    for proof in proofs:
        if challenge is not None and proof.get("challenge") != challenge:
            report.failed(
                CheckName.CHALLENGE, "the presentation's challenge is not the one requested"
            )
            return
        if domain is not None:
            domains = proof.get("domain")
            domains = domains if isinstance(domains, list) else [domains]
            if domain not in domains:
                report.failed(CheckName.CHALLENGE, f"the presentation is not for domain {domain}")
                return
    if not proofs:
        report.failed(CheckName.CHALLENGE, "the presentation has no proof carrying the challenge")
        return
    report.passed(CheckName.CHALLENGE, "challenge and domain match the request")
