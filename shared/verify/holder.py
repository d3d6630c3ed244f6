"""Who presents: the holder of a presentation and its binding to each credential inside.

Shared by every presentation format (Data Integrity, ``vp+jwt``, SD-JWT+KB).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from shared.errors import VcError
from shared.keys.keypair import PublicKey
from shared.model.base import subject_ids
from shared.verify.context import VerifyContext
from shared.verify.report import CheckName, VerificationReport


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
        report.skipped(CheckName.HOLDER_BINDING, "the presentation carries no credential")
        return
    required = ctx.require_holder_binding
    if holder is None:
        if not required:
            report.skipped(
                CheckName.HOLDER_BINDING,
                "not required by this request, and the presentation names no holder",
                required=False,
            )
            return
        report.failed(
            CheckName.HOLDER_BINDING,
            "the presentation names no holder (holder or iss)",
            required=True,
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
                CheckName.HOLDER_BINDING,
                f"not required by this request: {reason}",
                required=False,
                unbound=unbound,
            )
            return
        report.failed(CheckName.HOLDER_BINDING, reason, unbound=unbound, required=True)
        return
    how = f" (by its cnf key for {via_cnf})" if via_cnf else ""
    report.passed(
        CheckName.HOLDER_BINDING,
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
