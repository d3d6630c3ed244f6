"""Verify SD-JWT VCs and SD-JWT+KB presentations into a report.

Issuing and the Open Badges 3.0 claim mapping are :mod:`shared.proofs.sd_jwt_vc`'s; RFC 9901
processing is :mod:`shared.proofs.sd_jwt`'s. ``verify`` is the verifier of the status list
credential (:func:`shared.verify.credential.verify_credential` in practice), passed in so
that this module does not import its caller.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared.errors import DidResolutionError, VcError, VerificationError
from shared.keys.keypair import PublicKey
from shared.model.base import parse_datetime
from shared.proofs.jose import Jws
from shared.proofs.sd_jwt import (
    SD_JWT_TYP,
    Disclosure,
    KeyBindingExpectations,
    SdJwt,
    check_jwt_times,
    check_key_binding_claims,
    holder_public_key,
    parse_disclosure,
    parse_part,
    parse_sd_jwt,
    process_disclosures,
    verify_key_binding,
    verify_part,
)
from shared.proofs.sd_jwt_vc import (
    ACCEPTED_TYPS,
    NON_DISCLOSABLE_CLAIMS,
    SD_JWT_KB_FORMAT,
)
from shared.proofs.sd_jwt_vc_issuer import IssuerKeyError, resolve_metadata_key, resolve_x5c_key
from shared.verify.context import VerifyContext
from shared.verify.report import CheckName, CheckStatus, VerificationReport
from shared.verify.status import STATUS_OFF, VerifyFn, check_credential_status, unreadable_status


def _resolve_issuer_key(jws: Jws, ctx: VerifyContext) -> tuple[PublicKey, str]:
    """The issuer key (§3.5): for a DID ``iss``, the ``kid`` DID URL it controls (or its single
    key); otherwise an ``x5c`` chain to a configured anchor, else the JWT VC Issuer Metadata
    of an https ``iss``."""
    iss = jws.payload.get("iss")
    is_did = isinstance(iss, str) and iss.startswith("did:")
    if "x5c" in jws.header and not is_did:
        return resolve_x5c_key(jws, ctx.x509_trust_anchors, ctx.now())
    if isinstance(iss, str) and iss.startswith(("https://", "http://")):
        try:
            return resolve_metadata_key(jws, ctx.fetcher, allow_http=ctx.dids.allow_http)
        except IssuerKeyError as err:
            if "jwk" not in jws.header:
                raise
            raise IssuerKeyError(f"{err.detail} (a header 'jwk' is not the issuer key)") from err
    kid = jws.header.get("kid")
    iss_did = iss if isinstance(iss, str) and iss.startswith("did:") else None
    if isinstance(kid, str) and kid:
        did_url = iss_did + kid if kid.startswith("#") and iss_did else kid
        if not did_url.startswith("did:"):
            raise DidResolutionError(f"kid {kid!r} is not a DID URL")
        if iss_did is None:
            raise DidResolutionError("'iss' is not a DID, so the kid cannot be tied to the issuer")
        method = ctx.dids.verification_method(did_url, "assertionMethod", controller=iss_did)
        return method.public_key, f"{method.id} is an assertion method of the issuer"
    if iss_did is None:
        hint = " (a header 'jwk' is not accepted as the issuer key)" if "jwk" in jws.header else ""
        raise DidResolutionError(f"no kid and 'iss' is not a DID{hint}")
    doc = ctx.dids.resolve(iss_did)
    refs = doc.raw.get("assertionMethod")
    refs = refs if isinstance(refs, list) else [refs] if refs is not None else []
    if len(refs) != 1:
        raise DidResolutionError(f"no kid and {iss_did} has {len(refs)} assertion methods, not one")
    ref = refs[0].get("id") if isinstance(refs[0], dict) else refs[0]
    if not isinstance(ref, str):
        raise DidResolutionError(f"{iss_did}'s assertion method has no id")
    method = doc.verification_method(ref, "assertionMethod")
    return method.public_key, f"{method.id} is an assertion method of the issuer"


def _check_validity(
    report: VerificationReport, claims: Mapping[str, Any], ctx: VerifyContext
) -> None:
    now = ctx.now()
    try:
        check_jwt_times(claims, now, clock_skew=ctx.clock_skew)
        for name in ("validFrom", "validUntil"):
            if name in claims:
                when = parse_datetime(claims[name], name)
                if name == "validFrom" and now + ctx.clock_skew < when:
                    raise VerificationError(f"not valid before {when.isoformat()} (validFrom)")
                if name == "validUntil" and now - ctx.clock_skew > when:
                    raise VerificationError(f"expired on {when.isoformat()} (validUntil)")
    except (VerificationError, ValueError) as err:
        report.failed(CheckName.VALIDITY, str(err))
        return
    stated = [n for n in ("iat", "nbf", "exp", "validFrom", "validUntil") if n in claims]
    if not stated:
        report.skipped(CheckName.VALIDITY, "the credential states no validity period")
        return
    report.passed(CheckName.VALIDITY, f"valid now (checked {', '.join(stated)})")


def _check_status(
    report: VerificationReport, claims: Mapping[str, Any], ctx: VerifyContext, verify: VerifyFn
) -> None:
    """The ``status`` check, the same as for every other format (shared.verify.status).

    The status list credential is fetched and verified before its bit counts. Our OB 3.0
    mapping carries ``credentialStatus`` as the ``status`` claim, so an entry (or a list of
    entries) of type ``BitstringStatusListEntry`` there is checked as ``credentialStatus``;
    a ``credentialStatus`` claim (another issuer's mapping) is checked as well. A Token Status
    List reference (``status.status_list``, draft-ietf-oauth-status-list) fails the check:
    that mechanism is not implemented, so a revocation cannot be ruled out.
    """
    entries: list[Any] = []
    status = claims.get("status")
    if isinstance(status, Mapping) and "status_list" in status:
        # SPEC-DEVIATION(draft-ietf-oauth-sd-jwt-vc#section-3.2.2.2): Token Status List
        # references are carried but not read, so the status check fails.
        if not ctx.check_status:
            report.skipped(CheckName.STATUS, STATUS_OFF)
        else:
            what = "a Token Status List (status.status_list)"
            report.failed(CheckName.STATUS, unreadable_status(what))
        return
    if "status" in claims:
        entries.extend(status if isinstance(status, list) else [status])
    # A ``credentialStatus`` claim is shown as the credential's status, so it is checked too:
    # a status entry the page shows but nobody checked would hide a revocation.
    if "credentialStatus" in claims:
        other = claims["credentialStatus"]
        entries.extend(other if isinstance(other, list) else [other])
    if not entries:
        if "status" not in claims:
            report.skipped(CheckName.STATUS, "the credential has no status claim")
        return
    # the status list must be the issuer's own (shared.verify.status): pass on who that is
    credential = {"credentialStatus": entries, "issuer": claims.get("iss")}
    check_credential_status(report, credential, ctx, verify)


def _subject_of(claims: Mapping[str, Any]) -> str | None:
    sub = claims.get("sub")
    if isinstance(sub, str):
        return sub
    subject = claims.get("credentialSubject")
    if isinstance(subject, Mapping) and isinstance(subject.get("id"), str):
        return str(subject["id"])
    return None


def verify_sd_jwt_vc(token: str, ctx: VerifyContext, verify: VerifyFn) -> VerificationReport:
    """Verify an SD-JWT VC (optionally with a KB-JWT) into a report; never raises on bad input.

    Checks: ``format`` (compact SD-JWT, ``typ``, ``vct``, well-formed disclosures),
    ``issuer_key`` (``kid`` DID URL controlled by ``iss``, or the one key of ``iss``),
    ``proof`` (issuer signature and RFC 9901 §7.1 disclosure processing), ``validity``
    (``iat``/``nbf``/``exp`` and ``validFrom``/``validUntil``), ``status`` (a Bitstring
    Status List entry in the ``status`` claim, as our OB 3.0 mapping puts it),
    ``holder_binding`` (KB-JWT signed by ``cnf.jwk``, RFC 9901 §7.3) and ``challenge``
    (``aud``/``nonce``/age against ``ctx``). Key binding is required when ``ctx.nonce`` or
    ``ctx.audience`` is set.
    """
    report = VerificationReport(format=SD_JWT_TYP)
    try:
        _verify_into(report, token, ctx, verify)
    except Exception as err:  # hostile input must become a result, never a crash
        report.failed(CheckName.FORMAT, f"unexpected error while verifying: {type(err).__name__}")
    return report


def _verify_into(
    report: VerificationReport,
    token: str,
    ctx: VerifyContext,
    verify: VerifyFn,
    *,
    holder: bool = True,
    parsed_token: tuple[SdJwt, Jws] | None = None,
) -> None:
    # format -------------------------------------------------------------------------
    try:
        parsed, jws = parsed_token or _parse_token(token)
        disclosures = tuple(parse_disclosure(d) for d in parsed.disclosures)
    except VcError as err:
        report.failed(CheckName.FORMAT, err.detail)
        return
    typ = jws.header.get("typ")
    if typ not in ACCEPTED_TYPS:
        report.failed(CheckName.FORMAT, f"JWS typ {typ!r} is not {SD_JWT_TYP!r}")
        return
    if not isinstance(jws.payload.get("vct"), str):
        # §3.2.2.1.1: vct REQUIRED (and not selectively disclosable, so in the payload)
        report.failed(CheckName.FORMAT, "the SD-JWT VC has no 'vct' string")
        return
    report.format = str(typ)
    report.passed(
        CheckName.FORMAT,
        f"{typ} with {len(disclosures)} disclosure(s)" + (" and a KB-JWT" if parsed.kb_jwt else ""),
        vct=jws.payload["vct"],
    )
    if isinstance(jws.payload.get("iss"), str):
        report.issuer = jws.payload["iss"]

    # issuer_key ---------------------------------------------------------------------
    issuer_key: PublicKey | None = None
    try:
        issuer_key, how = _resolve_issuer_key(jws, ctx)
        report.passed(CheckName.ISSUER_KEY, how)
    except VcError as err:
        report.failed(CheckName.ISSUER_KEY, err.detail)

    # proof: signature, then disclosure processing ------------------------------------
    claims = _check_proof(report, jws, disclosures, issuer_key)
    if claims is None:
        return
    proof = report.check(CheckName.PROOF)
    if proof is not None and proof.status is CheckStatus.PASSED:
        report.credential = claims
        report.subject = _subject_of(claims)

    _check_validity(report, claims, ctx)
    _check_status(report, claims, ctx, verify)
    if holder:
        _check_holder(report, parsed, jws, claims, ctx)


def _check_proof(
    report: VerificationReport,
    jws: Jws,
    disclosures: tuple[Disclosure, ...],
    issuer_key: PublicKey | None,
) -> dict[str, Any] | None:
    try:
        claims = process_disclosures(jws.payload, disclosures)
    except VcError as err:
        report.failed(
            CheckName.PROOF, f"disclosures do not match the issuer-signed JWT: {err.detail}"
        )
        return None
    disclosed_top = {d.name for d in disclosures if d.name is not None} - set(jws.payload)
    protected = sorted(disclosed_top & NON_DISCLOSABLE_CLAIMS & set(claims))
    if protected:
        report.failed(CheckName.PROOF, f"claims {protected} must not be selectively disclosed")
        return None
    if issuer_key is None:
        report.skipped(CheckName.PROOF, "no issuer key, so the signature cannot be checked")
        return claims
    try:
        alg = verify_part(jws, issuer_key, what="issuer-signed JWT")
    except VcError as err:
        report.failed(CheckName.PROOF, err.detail)
        return claims
    report.passed(
        CheckName.PROOF, f"{alg} issuer signature and {len(disclosures)} disclosure(s) verify"
    )
    return claims


def _check_holder(
    report: VerificationReport,
    parsed: SdJwt,
    jws: Jws,
    claims: Mapping[str, Any] | None,
    ctx: VerifyContext,
    *,
    presentation: bool = False,
) -> None:
    """``holder_binding`` and ``challenge`` (and, for a presentation, its ``proof``).

    In a presentation report the KB-JWT is the presenter's proof: ``proof`` says whether it
    verifies with the credential's ``cnf`` key, and ``holder_binding`` whether the presenter
    is thereby the key holder the issuer named.
    """
    required = ctx.nonce is not None or ctx.audience is not None
    if parsed.kb_jwt is None:
        if presentation:
            report.failed(
                CheckName.PROOF, "the SD-JWT has no KB-JWT, so nothing proves who presents it"
            )
        if required or presentation:
            report.failed(
                CheckName.HOLDER_BINDING,
                "the verifier asked for key binding but there is no KB-JWT",
            )
        else:
            report.skipped(CheckName.HOLDER_BINDING, "no KB-JWT and the verifier asked for none")
        if required:
            report.failed(CheckName.CHALLENGE, "no KB-JWT carries the verifier's nonce/audience")
        else:
            report.skipped(CheckName.CHALLENGE, "the verifier set no nonce or audience")
        return
    kb_claims: dict[str, Any] | None = None
    try:
        if claims is None:
            raise VerificationError(
                "the disclosures do not match the issuer-signed JWT, so no cnf key to check"
            )
        holder = holder_public_key(claims)
        hash_alg = str(jws.payload.get("_sd_alg", "sha-256"))
        kb_claims = verify_key_binding(parsed, holder, hash_alg=hash_alg)
        if presentation:
            report.passed(
                CheckName.PROOF, "the KB-JWT signature and sd_hash verify with the cnf key"
            )
        report.passed(
            CheckName.HOLDER_BINDING, "KB-JWT is signed by the cnf key and covers this presentation"
        )
    except VcError as err:
        if presentation:
            report.failed(CheckName.PROOF, err.detail)
        report.failed(CheckName.HOLDER_BINDING, err.detail)
    if not required:
        report.skipped(CheckName.CHALLENGE, "the verifier set no nonce or audience")
        return
    if kb_claims is None:
        report.failed(
            CheckName.CHALLENGE, "the KB-JWT did not verify, so its nonce/audience cannot count"
        )
        return
    expect = KeyBindingExpectations(
        audience=ctx.audience, nonce=ctx.nonce, max_age=ctx.max_kb_age, clock_skew=ctx.clock_skew
    )
    try:
        check_key_binding_claims(kb_claims, expect, ctx.now())
    except VcError as err:
        report.failed(CheckName.CHALLENGE, err.detail)
        return
    fresh = "" if ctx.max_kb_age is None else ", fresh"
    report.passed(CheckName.CHALLENGE, f"KB-JWT audience and nonce match{fresh}")


# --------------------------------------------------------------------------- presentation


def verify_sd_jwt_presentation(
    token: str, ctx: VerifyContext, verify: VerifyFn
) -> VerificationReport:
    """Verify an SD-JWT+KB as a presentation; never raises on bad input.

    Spec: RFC 9901 §7.3 (verification by the verifier). The presentation report has
    ``format``, ``proof`` (the KB-JWT signature by the ``cnf`` key and its ``sd_hash``),
    ``holder_binding`` (the presenter holds the ``cnf`` key the issuer bound the credential
    to) and ``challenge`` (``aud``/``nonce``/age against ``ctx.audience``/``ctx.nonce``). The
    SD-JWT VC itself (issuer key, signature, disclosures, validity, status) is verified into
    ``report.credentials[0]``. A presentation without a KB-JWT fails ``proof``.
    """
    report = VerificationReport(format=SD_JWT_KB_FORMAT)
    try:
        _present_into(report, token, ctx, verify)
    except Exception as err:  # hostile input must become a result, never a crash
        report.failed(CheckName.FORMAT, f"unexpected error while verifying: {type(err).__name__}")
    return report


def _parse_token(token: str) -> tuple[SdJwt, Jws]:
    parsed = parse_sd_jwt(token)
    return parsed, parse_part(parsed.issuer_jwt, what="issuer-signed JWT")


def _present_into(
    report: VerificationReport, token: str, ctx: VerifyContext, verify: VerifyFn
) -> None:
    try:
        parsed, jws = _parse_token(token)
    except VcError as err:
        report.failed(CheckName.FORMAT, err.detail)
        return
    sub = VerificationReport(format=SD_JWT_TYP)
    _verify_into(sub, token, ctx, verify, holder=False, parsed_token=(parsed, jws))
    report.credentials.append(sub)
    if not sub.usable:
        report.failed(CheckName.FORMAT, "the presented SD-JWT VC is not usable (see its report)")
        return
    kb = "with a KB-JWT" if parsed.kb_jwt else "without a KB-JWT"
    report.passed(CheckName.FORMAT, f"SD-JWT VC presentation {kb}")
    report.subject = sub.subject
    claims = sub.credential
    if claims is None:
        try:  # the issuer signature failed: still say what the KB-JWT proves
            claims = process_disclosures(
                jws.payload, [parse_disclosure(d) for d in parsed.disclosures]
            )
        except VcError:
            claims = None
    _check_holder(report, parsed, jws, claims, ctx, presentation=True)
