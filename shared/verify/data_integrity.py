"""Verify a credential or presentation secured with Data Integrity proofs."""

from __future__ import annotations

from typing import Any

from shared.errors import VcError
from shared.proofs.data_integrity import (
    ProofResult,
    duplicate_proofs,
    proofs_of,
    verify_proof,
)
from shared.verify.context import VerifyContext
from shared.verify.report import VerificationReport


def issuer_id(credential: dict[str, Any]) -> str | None:
    """The issuer's identifier, whether ``issuer`` is a string or an object."""
    issuer = credential.get("issuer")
    if isinstance(issuer, dict):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else None


def check_di_proofs(
    report: VerificationReport,
    document: dict[str, Any],
    ctx: VerifyContext,
    *,
    purpose: str,
    controller: str | None,
) -> list[ProofResult]:
    """Record ``proof`` and ``issuer_key`` checks for every proof of ``document``.

    Every proof of a proof set must verify. ``controller`` is the DID (or https id)
    the verification methods must belong to.
    """
    try:
        proofs = proofs_of(document)
    except VcError as err:
        report.failed("proof", err.detail)
        return []
    if not proofs:
        report.failed("proof", "the document has no proof")
        return []
    repeated = duplicate_proofs(proofs)
    if repeated:
        # Our policy (docs/threat-model.md): a copied proof is refused, not counted twice.
        shown = ", ".join(f"{value[:24]}…" if len(value) > 24 else value for value in repeated)
        report.failed(
            "proof",
            f"the same proof appears more than once in the proof set ({shown}): a copy of a "
            "proof is not a second proof, and a proof set with copies is refused",
            duplicates=[value[:100] for value in repeated],
        )
        return []
    now = ctx.now()
    every = [
        verify_proof(
            document,
            proof,
            ctx.dids,
            expected_purpose=purpose,
            controller=controller,
            now=now,
            clock_skew=ctx.clock_skew,
        )
        for proof in proofs
    ]
    # Proofs of a type we do not implement add no assurance and are set aside (as the
    # 1EdTech validator does); every proof we can check must verify, and one at least.
    results = [r for r in every if not r.unsupported] or every
    ignored = [r.reason for r in every if r.unsupported and r not in results]
    bad = [r for r in results if not r.verified]
    methods = sorted({r.verification_method for r in results if r.verification_method})
    key_problems = [r.reason for r in bad if r.cryptosuite is None]
    if key_problems:
        report.failed("issuer_key", "; ".join(key_problems), verification_methods=methods)
    else:
        who = f" of {controller}" if controller else ""
        report.passed(
            "issuer_key", f"key{who} found: {', '.join(methods)}", verification_methods=methods
        )
    if bad:
        report.failed("proof", "; ".join(r.reason for r in bad))
    else:
        suites = sorted({r.cryptosuite or "" for r in results})
        plural = f"all {len(results)} proofs verify" if len(results) > 1 else "the proof verifies"
        note = f"; ignored: {'; '.join(ignored)}" if ignored else ""
        report.passed("proof", f"{plural} ({', '.join(suites)}){note}", cryptosuites=suites)
    return results
