"""Verify a credential or presentation secured with Data Integrity proofs."""

from __future__ import annotations

import json
from typing import Any

from shared.errors import VcError
from shared.model.base import issuer_id as issuer_id
from shared.proofs.data_integrity import (
    ProofResult,
    duplicate_proofs,
    proofs_of,
    verify_proof,
)
from shared.verify.context import VerifyContext
from shared.verify.report import CheckName, VerificationReport


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
        report.failed(CheckName.PROOF, err.detail)
        return []
    if not proofs:
        report.failed(CheckName.PROOF, "the document has no proof")
        return []
    proofs, copies = distinct_proofs(proofs)
    repeated = duplicate_proofs(proofs)
    if repeated:
        # Our policy (docs/threat-model.md): a copied proof is refused, not counted twice.
        shown = ", ".join(f"{value[:24]}…" if len(value) > 24 else value for value in repeated)
        report.failed(
            CheckName.PROOF,
            f"the same proof appears more than once in the proof set ({shown}): a copy of a "
            "proof is not a second proof, and a proof set with copies is refused",
            duplicates=[value[:100] for value in repeated],
        )
        return []
    now = ctx.now()
    owners = [signer_of(proof) for proof in proofs]
    every = [
        verify_proof(
            document,
            proof,
            ctx.dids,
            expected_purpose=purpose,
            # Data Integrity "Proof Sets"/"Proof Chains": each proof of a set or chain is checked against its
            # own controller; one by another party than ``controller`` is that party's proof
            controller=controller if owner is None or controller is None else owner,
            now=now,
            clock_skew=ctx.clock_skew,
        )
        for proof, owner in zip(proofs, owners, strict=True)
    ]
    # Proofs of a type we do not implement add no assurance and are set aside (as the
    # 1EdTech validator does); every proof we can check must verify, and one at least.
    kept = [i for i, r in enumerate(every) if not r.unsupported] or list(range(len(every)))
    results = [every[i] for i in kept]
    ignored = [r.reason for r in every if r.unsupported and r not in results]
    role = "issuer" if purpose == "assertionMethod" else "holder"
    entries = [_proof_entry(proofs[i], every[i], owners[i], controller, role) for i in kept]
    own = [i for i in kept if controller is None or owners[i] == controller]
    bad = [r for r in results if not r.verified]
    methods = sorted({r.verification_method for r in results if r.verification_method})
    key_problems = [
        every[i].reason for i in own if not every[i].verified and every[i].cryptosuite is None
    ]
    if key_problems:
        report.failed(CheckName.ISSUER_KEY, "; ".join(key_problems), verification_methods=methods)
    elif controller is not None and not own:
        report.failed(
            CheckName.ISSUER_KEY,
            f"no proof is made with a key of {controller}: "
            + ", ".join(sorted({o or "?" for o in owners}))
            + " signed, not it",
            verification_methods=methods,
        )
    else:
        who = f" of {controller}" if controller else ""
        report.passed(
            CheckName.ISSUER_KEY,
            f"key{who} found: {', '.join(methods)}",
            verification_methods=methods,
        )
    if bad:
        report.failed(CheckName.PROOF, "; ".join(r.reason for r in bad), proofs=entries)
    elif controller is not None and not own:
        report.failed(
            CheckName.PROOF,
            f"every proof is by another party than {controller}: its own proof is required",
            proofs=entries,
        )
    else:
        suites = sorted({r.cryptosuite or "" for r in results})
        plural = f"all {len(results)} proofs verify" if len(results) > 1 else "the proof verifies"
        note = f"; ignored: {'; '.join(ignored)}" if ignored else ""
        if copies:
            note += f"; {copies} exact cop{'ies' if copies > 1 else 'y'} of a proof counted once"
        others = sorted({e["controller"] for e in entries if e["signer"] == "other"})
        also = f"; also signed by {', '.join(others)}" if others else ""
        report.passed(
            CheckName.PROOF,
            f"{plural} ({', '.join(suites)}){also}{note}",
            cryptosuites=suites,
            proofs=entries,
        )
    return results


def distinct_proofs(proofs: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
    """The proofs with exact copies (the same JSON) removed, and how many copies were removed.

    Ed25519 signing is deterministic, so one signer adding "the same" proof twice gives two
    identical objects (the W3C Data Integrity suite's proof-set case). A copy is one proof:
    it is verified and counted once, never reported as a second signature. Two proofs with
    the same ``proofValue`` but other members differing are still refused as duplicates.
    """
    seen: set[str] = set()
    kept: list[dict[str, Any]] = []
    for proof in proofs:
        key = json.dumps(proof, sort_keys=True, default=repr)
        if key not in seen:
            seen.add(key)
            kept.append(proof)
    return kept, len(proofs) - len(kept)


def signer_of(proof: dict[str, Any]) -> str | None:
    """The controller a proof's verification method names: the DID (or URL) before ``#``."""
    vm = proof.get("verificationMethod")
    if not isinstance(vm, str) or not vm:
        return None
    return vm.split("#", 1)[0]


def _proof_entry(
    proof: dict[str, Any],
    result: ProofResult,
    owner: str | None,
    controller: str | None,
    role: str,
) -> dict[str, Any]:
    """Who signed what: one entry per proof of a set or chain (Data Integrity "Proof Sets", "Proof Chains").

    ``signer`` is ``role`` (issuer, holder) for a proof by ``controller``, ``other`` for an
    additional party's, ``unnamed`` when the document names no controller.
    """
    signer = "unnamed" if controller is None else (role if owner == controller else "other")
    entry: dict[str, Any] = {
        "verificationMethod": result.verification_method,
        "controller": owner,
        "signer": signer,
        "cryptosuite": result.cryptosuite,
        "verified": result.verified,
        "reason": result.reason,
    }
    if isinstance(proof.get("id"), str):
        entry["id"] = proof["id"]
    previous = proof.get("previousProof")
    if isinstance(previous, str | list):
        entry["previousProof"] = previous
    return entry
