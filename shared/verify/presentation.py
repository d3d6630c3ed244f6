"""Verify a Data Integrity presentation: holder proof, challenge/domain, then each credential.

Implements: VC DM 2.0 §4.13 (presentations), Data Integrity §4.4 with proofPurpose
``authentication``, ``challenge`` and ``domain``.
"""

from __future__ import annotations

from typing import Any

from shared.errors import VcError
from shared.verify.context import VerifyContext
from shared.verify.data_integrity import check_di_proofs, issuer_id
from shared.verify.report import VerificationReport


def holder_id(presentation: dict[str, Any]) -> str | None:
    """The presentation's holder id (string or object with id)."""
    holder = presentation.get("holder")
    if isinstance(holder, dict):
        holder = holder.get("id")
    return holder if isinstance(holder, str) else None


def subject_ids(credential: dict[str, Any]) -> set[str]:
    """Every credentialSubject id of a credential."""
    subjects = credential.get("credentialSubject")
    subjects = subjects if isinstance(subjects, list) else [subjects]
    return {s["id"] for s in subjects if isinstance(s, dict) and isinstance(s.get("id"), str)}


def verify_presentation(presentation: Any, ctx: VerifyContext | None = None) -> VerificationReport:
    """Verify a presentation in any format (JSON-LD here; tokens are dispatched)."""
    from shared.verify.credential import read_input, verify_credential

    ctx = ctx or VerifyContext()
    if not isinstance(presentation, dict):
        try:
            presentation = read_input(presentation)
        except VcError:  # verify_credential reports unusable input as a failed check
            return verify_credential(presentation, ctx)
        if not isinstance(presentation, dict):
            return verify_credential(presentation, ctx)
    report = VerificationReport(format="ldp_vp")
    types = presentation.get("type")
    types = types if isinstance(types, list) else [types]
    if "VerifiablePresentation" not in types:
        report.failed("format", "type must include VerifiablePresentation")
        return report
    report.passed("format", "VC Data Model presentation secured with Data Integrity")
    holder = holder_id(presentation)
    report.subject = holder
    check_di_proofs(report, presentation, ctx, purpose="authentication", controller=holder)
    _check_challenge(report, results_proofs(presentation), ctx)
    credentials = presentation.get("verifiableCredential", [])
    credentials = credentials if isinstance(credentials, list) else [credentials]
    for item in credentials:
        sub = verify_credential(_unwrap_enveloped(item), ctx)
        report.credentials.append(sub)
    _check_holder_binding(
        report, holder, credentials, [sub.credential for sub in report.credentials]
    )
    return report


def results_proofs(presentation: dict[str, Any]) -> list[dict[str, Any]]:
    """The presentation's proofs as a list."""
    proof = presentation.get("proof")
    proofs = proof if isinstance(proof, list) else [proof]
    return [p for p in proofs if isinstance(p, dict)]


def _unwrap_enveloped(item: Any) -> Any:
    """EnvelopedVerifiableCredential: ``data:application/vc+jwt,<jwt>`` (VC-JOSE-COSE §3.2)."""
    if isinstance(item, dict) and item.get("type") == "EnvelopedVerifiableCredential":
        ident = item.get("id")
        if isinstance(ident, str) and ident.startswith("data:") and "," in ident:
            return ident.split(",", 1)[1]
    return item


def _check_challenge(
    report: VerificationReport, proofs: list[dict[str, Any]], ctx: VerifyContext
) -> None:
    if ctx.challenge is None and ctx.domain is None:
        report.skipped("challenge", "no challenge or domain was requested")
        return
    for proof in proofs:
        if ctx.challenge is not None and proof.get("challenge") != ctx.challenge:
            report.failed("challenge", "the presentation's challenge is not the one requested")
            return
        if ctx.domain is not None:
            domains = proof.get("domain")
            domains = domains if isinstance(domains, list) else [domains]
            if ctx.domain not in domains:
                report.failed("challenge", f"the presentation is not for domain {ctx.domain}")
                return
    if not proofs:
        report.failed("challenge", "the presentation has no proof carrying the challenge")
        return
    report.passed("challenge", "challenge and domain match the request")


def _check_holder_binding(
    report: VerificationReport,
    holder: str | None,
    items: list[Any],
    credentials: list[dict[str, Any] | None],
) -> None:
    if not items:
        report.skipped("holder_binding", "the presentation carries no credential")
        return
    if holder is None:
        report.failed("holder_binding", "the presentation names no holder")
        return
    unbound = [
        issuer_id(c) or "?" for c in credentials if c is not None and holder not in subject_ids(c)
    ]
    if unbound:
        report.failed(
            "holder_binding",
            f"the holder {holder} is not the subject of every credential presented",
        )
        return
    report.passed("holder_binding", f"the holder {holder} is the subject of every credential")
