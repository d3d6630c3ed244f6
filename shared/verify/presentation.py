"""Verify a Data Integrity presentation: holder proof, challenge/domain, then each credential.

Implements: VC DM 2.0 §4.13 (presentations), Data Integrity §4.4 with proofPurpose
``authentication``, ``challenge`` and ``domain``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from shared.errors import VcError
from shared.keys.keypair import PublicKey
from shared.model.vcdm2 import presentation_violations
from shared.verify.context import Clock, VerifyContext, with_clock
from shared.verify.data_integrity import check_di_proofs
from shared.verify.envelope import ENVELOPED_VP, enveloped_type
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


def verify_presentation(
    presentation: Any,
    ctx: VerifyContext | None = None,
    *,
    clock: Clock | None = None,
    json_text: bool = True,
) -> VerificationReport:
    """Verify a presentation in any format; never raises on bad input.

    ``clock`` overrides ``ctx.clock`` (see :func:`shared.verify.credential.verify_credential`).

    * a JSON-LD presentation secured with Data Integrity (``authentication`` proof,
      ``challenge``/``domain`` against ``ctx``), here;
    * a ``vp+jwt`` or VC 1.1 VP-JWT (``nonce``/``aud`` against ``ctx.nonce``/``ctx.audience``),
      :func:`shared.proofs.vc_jwt.verify_jwt_presentation`;
    * an SD-JWT+KB (KB-JWT signed by the ``cnf`` key, ``nonce``/``aud``/age),
      :func:`shared.proofs.sd_jwt_vc.verify_sd_jwt_presentation`.

    Every credential inside gets its own report in ``report.credentials``, and
    ``holder_binding`` says whether the presenter is each credential's subject or holds its
    ``cnf`` key. ``json_text=False``: see :func:`shared.verify.credential.read_input`.
    """
    from shared.verify.credential import (
        detect_format,
        read_input,
        report_violations,
        verify_credential,
    )
    from shared.verify.tokens import verify_presentation_token

    ctx = with_clock(ctx, clock)
    if isinstance(presentation, dict) and enveloped_type(presentation) == ENVELOPED_VP:
        from shared.verify.credential import verify_enveloped

        return verify_enveloped(presentation, ENVELOPED_VP, ctx)
    if not isinstance(presentation, dict):
        try:
            presentation = read_input(presentation, json_text=json_text)
        except VcError:  # verify_credential reports unusable input as a failed check
            return verify_credential(presentation, ctx, json_text=json_text)
        kind = detect_format(presentation)
        if isinstance(presentation, str) and kind in {"jwt", "dc+sd-jwt"}:
            return verify_presentation_token(presentation, kind, ctx)
        if not isinstance(presentation, dict):
            return verify_credential(presentation, ctx, json_text=json_text)
    report = VerificationReport(format="ldp_vp")
    violations = presentation_violations(presentation)  # VC DM 2.0 §4.13
    if violations:
        report_violations(report, violations)
        return report
    report.passed("format", "VC Data Model presentation secured with Data Integrity")
    holder = holder_id(presentation)
    report.subject = holder
    check_di_proofs(report, presentation, ctx, purpose="authentication", controller=holder)
    _check_challenge(report, results_proofs(presentation), ctx)
    credentials = presentation.get("verifiableCredential", [])
    credentials = credentials if isinstance(credentials, list) else [credentials]
    inner = credential_context(ctx)
    for item in credentials:
        # an EnvelopedVerifiableCredential is opened and checked by verify_credential
        sub = verify_credential(item, inner, json_text=False)
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
        report.skipped("challenge", "no challenge or domain was requested")
        return
    for proof in proofs:
        if challenge is not None and proof.get("challenge") != challenge:
            report.failed("challenge", "the presentation's challenge is not the one requested")
            return
        if domain is not None:
            domains = proof.get("domain")
            domains = domains if isinstance(domains, list) else [domains]
            if domain not in domains:
                report.failed("challenge", f"the presentation is not for domain {domain}")
                return
    if not proofs:
        report.failed("challenge", "the presentation has no proof carrying the challenge")
        return
    report.passed("challenge", "challenge and domain match the request")


def credential_context(ctx: VerifyContext) -> VerifyContext:
    """The context for a credential inside a presentation: the verifier's nonce, audience,
    challenge and domain are the presentation's to answer, not the credential's."""
    return replace(ctx, nonce=None, audience=None, challenge=None, domain=None)


def check_holder_binding(
    report: VerificationReport,
    holder: str | None,
    credentials: list[VerificationReport],
    ctx: VerifyContext,
) -> None:
    """The ``holder_binding`` check of a presentation (VC DM 2.0 §4.13, RFC 7800 ``cnf``).

    Each credential is bound to the presenter when the holder is its subject
    (``credentialSubject.id`` or ``sub``), or when it names a ``cnf.jwk`` holder key that is
    an ``authentication`` key of the holder's DID (the key the presentation proof used must
    be an ``authentication`` key of the holder, so it is that key). A credential whose
    claims could not be read counts as unbound. The check's ``required`` detail says whether
    binding was asked for: when ``ctx.require_holder_binding`` is False, a missing holder or
    an unbound credential makes the check ``skipped`` (said so in its reason) rather than
    ``failed``.
    """
    if not credentials:
        report.skipped("holder_binding", "the presentation carries no credential")
        return
    required = ctx.require_holder_binding
    if holder is None:
        if not required:
            report.skipped(
                "holder_binding",
                "not required by this request, and the presentation names no holder",
                required=False,
            )
            return
        report.failed(
            "holder_binding", "the presentation names no holder (holder or iss)", required=True
        )
        return
    unbound: list[str] = []
    via_cnf = 0
    for index, sub in enumerate(credentials):
        credential = sub.credential
        if credential is not None and (holder in subject_ids(credential) or holder == sub.subject):
            continue
        if credential is not None and holder_has_cnf_key(holder, credential, ctx):
            via_cnf += 1
            continue
        unbound.append(str(index))
    if unbound:
        reason = (
            f"the holder {holder} is neither the subject nor the cnf key holder of "
            f"credential(s) {', '.join(unbound)}"
        )
        if not required:
            report.skipped(
                "holder_binding", f"not required by this request: {reason}", required=False,
                unbound=unbound,
            )  # fmt: skip
            return
        report.failed("holder_binding", reason, unbound=unbound, required=True)
        return
    how = f" (by its cnf key for {via_cnf})" if via_cnf else ""
    report.passed(
        "holder_binding",
        f"the holder {holder} is bound to every credential{how}",
        required=required,
    )


def holder_has_cnf_key(holder: str, credential: dict[str, Any], ctx: VerifyContext) -> bool:
    """True when ``credential``'s ``cnf.jwk`` is an ``authentication`` key of ``holder``."""
    cnf = credential.get("cnf")
    jwk = cnf.get("jwk") if isinstance(cnf, dict) else None
    if not isinstance(jwk, dict) or not holder.startswith("did:"):
        return False
    try:
        wanted = PublicKey.from_jwk(jwk).to_jwk()
        document = ctx.dids.resolve(holder)
        refs = document.raw.get("authentication")
        for ref in refs if isinstance(refs, list) else [refs]:
            ident = ref.get("id") if isinstance(ref, dict) else ref
            if not isinstance(ident, str):
                continue
            method = document.verification_method(ident, "authentication")
            if method.public_key.to_jwk() == wanted:
                return True
    except VcError:
        return False
    return False
