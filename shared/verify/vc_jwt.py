"""Verify credentials and presentations secured as JWTs into a report.

The profiles, decoding and signing are :mod:`shared.proofs.vc_jwt`'s; this module finds
the key (VC-JOSE-COSE §6.1, OB 3.0 §8.2.3), checks the signature and the claims, and records
every check. ``verify`` is the verifier of nested credentials (an embedded credential, a
status list credential): :func:`shared.verify.credential.verify_credential` in practice,
passed in so that this module does not import its caller.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any, Final, Literal

from shared.did.document import VerificationMethod
from shared.errors import (
    DidResolutionError,
    InvalidProofError,
    KeyFormatError,
    MalformedCredentialError,
    UnsupportedAlgorithmError,
    VcError,
)
from shared.keys.keypair import PublicKey
from shared.model.base import as_list, holder_id, issuer_id
from shared.proofs.jose import (
    ALLOWED_ALGS,
    Jws,
    check_jws_header,
    jwk_thumbprint,
    parse_jws,
    verify_signature,
)
from shared.proofs.vc_jwt import (
    JWT_TIME_CLAIMS,
    VC_V2,
    decode_credential,
    decode_presentation,
    detect_profile,
    is_numeric_date,
    numeric_date_iso,
)
from shared.verify.claims import check_claims, check_credential_shape
from shared.verify.context import VerifyContext
from shared.verify.envelope import ENVELOPED_VC, enveloped_type, open_envelope
from shared.verify.holder import check_holder_binding, credential_context
from shared.verify.report import CheckName, VerificationReport
from shared.verify.schema import OB3_TYPES
from shared.verify.status import VerifyFn

#: More credentials than this in one presentation is refused (each costs a DID resolution).
MAX_EMBEDDED_CREDENTIALS: Final = 32
#: Profiles in which the key may travel in a ``jwk`` header (OB 3.0 §8.2.3).
JWK_HEADER_PROFILES: Final = frozenset({"jwt_vc_json"})

_PROFILE_NAMES: Final = {
    "vc+jwt": "VC-JOSE-COSE vc+jwt (payload is the credential)",
    "vp+jwt": "VC-JOSE-COSE vp+jwt (payload is the presentation)",
    "jwt_vc_json": "JWT credential (OB 3.0 VC-JWT / VC DM 1.1 'vc' claim)",
    "jwt_vp_json": "JWT presentation (VC DM 1.1 'vp' claim)",
}


def resolve_jwt_key(
    jws: Jws,
    profile: str,
    controller: str | None,
    ctx: VerifyContext,
    *,
    purpose: str,
    keys: Sequence[VerificationMethod] = (),
    allow_unbound_jwk: bool = False,
) -> tuple[PublicKey, str]:
    """Find the key that must have signed ``jws``, and say how it was found.

    * ``kid`` naming a pinned verification method (by id or RFC 7638 thumbprint, as the
      W3C VC-JOSE-COSE suite does) whose controller is ``controller``;
    * ``kid`` a DID URL (or ``#fragment`` of a DID ``controller``): resolved with
      ``purpose`` and it must belong to ``controller`` (the issuer or holder);
    * ``jwk`` header, only in profiles that allow it (OB 3.0 §8.2.3), never with ``d``,
      and only when bound to ``controller``: a pinned method or a ``purpose`` key of the
      controller's DID document with the same key. ``allow_unbound_jwk`` accepts a
      self-asserted key (what the OB 3.0 text permits; off by default).

    Raises:
        VcError: a ``DidResolutionError``/``KeyFormatError`` saying why no key applies.
    """
    if controller is None:
        raise DidResolutionError("the document names no issuer/holder to bind a key to")
    kid = jws.kid
    raw_jwk = jws.header.get("jwk")
    embedded: PublicKey | None = None
    if raw_jwk is not None:
        if profile not in JWK_HEADER_PROFILES:
            raise DidResolutionError(
                f"a 'jwk' header is not accepted for {profile}; the key must come from 'kid'"
            )
        if isinstance(raw_jwk, dict) and "d" in raw_jwk:
            raise KeyFormatError("the 'jwk' header contains a private key ('d')")
        embedded = PublicKey.from_jwk(raw_jwk)
    if kid is not None:
        key, how = _key_from_kid(kid, controller, ctx, purpose=purpose, keys=keys)
        if embedded is not None and embedded.to_jwk() != key.to_jwk():
            raise DidResolutionError("the 'jwk' header is not the key that 'kid' names")
        return key, how
    if embedded is not None:
        return embedded, _bind_embedded_key(
            embedded, controller, ctx, purpose=purpose, keys=keys, allow_unbound=allow_unbound_jwk
        )
    raise DidResolutionError(
        "the JOSE header has neither 'kid' nor 'jwk', so the signing key cannot be found "
        "(OB 3.0 §8.2.3: one of them MUST be present)"
    )


def _key_from_kid(
    kid: str,
    controller: str,
    ctx: VerifyContext,
    *,
    purpose: str,
    keys: Sequence[VerificationMethod],
) -> tuple[PublicKey, str]:
    for method in keys:
        if kid in (method.id, jwk_thumbprint(method.public_key)):
            if method.controller != controller:
                raise DidResolutionError(
                    f"pinned key {method.id} belongs to {method.controller}, not {controller}"
                )
            return method.public_key, f"pinned verification method {method.id} of {controller}"
    if kid.startswith("#") and controller.startswith("did:"):
        kid = controller + kid
    if kid.startswith("did:"):
        if not controller.startswith("did:"):
            raise DidResolutionError(f"kid {kid} is a DID URL but {controller} is not a DID")
        method = ctx.dids.verification_method(kid, purpose, controller=controller)
        return method.public_key, f"{method.id} ({purpose} of {controller})"
    raise DidResolutionError(
        f"kid {kid!r} is neither a DID URL of {controller} nor a pinned key; "
        "key URLs over https are not dereferenced"
    )


def _bind_embedded_key(
    key: PublicKey,
    controller: str,
    ctx: VerifyContext,
    *,
    purpose: str,
    keys: Sequence[VerificationMethod],
    allow_unbound: bool,
) -> str:
    jwk = key.to_jwk()
    for method in keys:
        if method.controller == controller and method.public_key.to_jwk() == jwk:
            return f"embedded jwk, the pinned verification method {method.id} of {controller}"
    if controller.startswith("did:"):
        document = ctx.dids.resolve(controller)
        for entry in as_list(document.raw.get(purpose)):
            ref = entry.get("id") if isinstance(entry, dict) else entry
            if not isinstance(ref, str):
                continue
            ref = controller + ref if ref.startswith("#") else ref
            try:
                method = document.verification_method(ref, purpose)
            except VcError:
                continue
            if method.public_key.to_jwk() == jwk:
                return f"embedded jwk, which is {method.id} ({purpose} of {controller})"
    if allow_unbound:
        # SPEC-DEVIATION(ob3#joseheader): OB 3.0 lets a jwk header stand alone; accepted
        # only when the caller opts in, since nothing ties that key to the issuer.
        return f"embedded jwk, self-asserted: nothing binds it to {controller}"
    raise DidResolutionError(
        f"the embedded jwk is not a {purpose} key of {controller}, so it does not prove "
        "who issued the token"
    )


# ------------------------------------------------------------------------- verify


def verify_jwt_any(token: str, ctx: VerifyContext, verify: VerifyFn) -> VerificationReport:
    """Verify a JWT credential or presentation, whichever the token turns out to be."""
    try:
        jws = parse_jws(token)
        detected = detect_profile(jws)
    except VcError:
        return verify_jwt_credential(token, ctx, verify)  # reports the problem as a failed check
    if detected[1] == "vp":
        return verify_jwt_presentation(token, ctx, verify)
    return _credential_report(
        jws, ctx, verify, (), ALLOWED_ALGS, allow_unbound_jwk=False, detected=detected
    )


def verify_jwt_credential(
    token: str,
    ctx: VerifyContext,
    verify: VerifyFn,
    *,
    keys: Sequence[VerificationMethod] = (),
    algorithms: Collection[str] = ALLOWED_ALGS,
    allow_unbound_jwk: bool = False,
) -> VerificationReport:
    """Verify a ``vc+jwt``, OB 3.0 VC-JWT or VC 1.1 JWT credential into a report.

    Records ``format`` (profile), ``issuer_key`` (how the key was found), ``proof`` (the
    signature), then ``schema``, ``validity`` (credential dates and JWT ``exp``/``nbf``) and
    ``status``. Never raises: every problem is a failed check.

    Args:
        token: the compact JWS.
        ctx: resolver, clock and expectations.
        verify: the verifier of the status list credential.
        keys: verification methods known out of band (pinned issuer keys, test-suite keys).
        algorithms: the allow-list, narrowed from :data:`ALLOWED_ALGS`.
        allow_unbound_jwk: accept an OB 3.0 ``jwk`` header not tied to the issuer.
    """
    return _credential_report(
        token, ctx, verify, keys, algorithms, allow_unbound_jwk=allow_unbound_jwk
    )


def _credential_report(
    token: str | Jws,
    ctx: VerifyContext,
    verify: VerifyFn,
    keys: Sequence[VerificationMethod],
    algorithms: Collection[str],
    *,
    allow_unbound_jwk: bool,
    detected: tuple[str, Literal["vc", "vp"]] | None = None,
) -> VerificationReport:
    report = VerificationReport(format="jwt")
    try:
        _verify_credential(
            report, token, ctx, verify, keys, algorithms, allow_unbound_jwk, detected
        )
    except Exception as err:  # a verifier reports; it never lets an input crash its caller
        report.failed(
            CheckName.FORMAT, f"the token could not be processed: {type(err).__name__}: {err}"
        )
    return report


def _verify_credential(
    report: VerificationReport,
    token: str | Jws,
    ctx: VerifyContext,
    verify: VerifyFn,
    keys: Sequence[VerificationMethod],
    algorithms: Collection[str],
    allow_unbound_jwk: bool,
    detected: tuple[str, Literal["vc", "vp"]] | None,
) -> None:
    jws = _read_token(report, token, algorithms)
    if jws is None:
        return
    try:
        profile, kind = detected or detect_profile(jws)
        if kind != "vc":
            raise MalformedCredentialError(
                f"this {profile} token is a presentation, not a credential"
            )
        report.format = profile
        credential = decode_credential(jws, profile)
    except VcError as err:
        report.failed(CheckName.FORMAT, err.detail)
        return
    if profile == "vc+jwt" and next(iter(as_list(credential.get("@context"))), None) != VC_V2:
        report.failed(
            CheckName.FORMAT,
            "vc+jwt secures VC Data Model 2.0 credentials only (VC-JOSE-COSE §3.1.1)",
        )
        return
    report.passed(CheckName.FORMAT, _PROFILE_NAMES[profile], profile=profile)
    if not check_credential_shape(report, credential):
        return
    issuer = issuer_id(credential)
    _check_key_and_signature(
        report,
        jws,
        profile,
        issuer,
        ctx,
        purpose="assertionMethod",
        keys=keys,
        algorithms=algorithms,
        allow_unbound_jwk=allow_unbound_jwk,
    )
    check_claims(report, credential, ctx, verify)
    if profile == "jwt_vc_json" and "nbf" not in jws.payload and _is_open_badge(credential):
        # OB 3.0 §8.2.4.1 "JWT Payload": nbf (the credential's validFrom) is required. Our
        # policy is to refuse a token without it (docs/threat-model.md, "Engine checks").
        report.failed(
            CheckName.VALIDITY,
            "an Open Badges 3.0 VC-JWT must carry the nbf claim (OB 3.0 §8.2.4.1)",
        )
    _check_jwt_times(report, jws.payload, ctx)


def _is_open_badge(credential: dict[str, Any]) -> bool:
    return any(t in OB3_TYPES for t in as_list(credential.get("type")) if isinstance(t, str))


def verify_jwt_presentation(
    token: str,
    ctx: VerifyContext,
    verify: VerifyFn,
    *,
    keys: Sequence[VerificationMethod] = (),
    algorithms: Collection[str] = ALLOWED_ALGS,
) -> VerificationReport:
    """Verify a ``vp+jwt`` or VC 1.1 ``vp``-claim presentation and every credential in it.

    Records ``format``, ``issuer_key`` (the holder's ``authentication`` key), ``proof``,
    ``validity`` (JWT ``exp``/``nbf`` when present), ``challenge`` (``nonce`` against
    ``ctx.nonce``, else ``ctx.challenge``; ``aud`` against ``ctx.audience``, else
    ``ctx.domain``) and ``holder_binding`` (the holder is the subject of every credential,
    or holds its ``cnf`` key).
    Embedded JWT credentials (strings, or ``EnvelopedVerifiableCredential`` with a
    ``data:application/vc+jwt,`` id) are verified here into ``report.credentials``; anything
    else (an SD-JWT VC envelope, a JSON credential) goes to ``verify``.
    Never raises.
    """
    report = VerificationReport(format="jwt")
    try:
        _verify_presentation(report, token, ctx, verify, keys, algorithms)
    except Exception as err:  # a verifier reports; it never lets an input crash its caller
        report.failed(
            CheckName.FORMAT, f"the token could not be processed: {type(err).__name__}: {err}"
        )
    return report


def _verify_presentation(
    report: VerificationReport,
    token: str,
    ctx: VerifyContext,
    verify: VerifyFn,
    keys: Sequence[VerificationMethod],
    algorithms: Collection[str],
) -> None:
    jws = _read_token(report, token, algorithms)
    if jws is None:
        return
    try:
        profile, kind = detect_profile(jws)
        if kind != "vp":
            raise MalformedCredentialError(
                f"this {profile} token is a credential, not a presentation"
            )
        report.format = profile
        presentation = decode_presentation(jws, profile)
        if "VerifiablePresentation" not in as_list(presentation.get("type")):
            raise MalformedCredentialError("type must include VerifiablePresentation")
        items = as_list(presentation.get("verifiableCredential"))
        if len(items) > MAX_EMBEDDED_CREDENTIALS:
            raise MalformedCredentialError(
                f"{len(items)} credentials in one presentation (limit {MAX_EMBEDDED_CREDENTIALS})"
            )
    except VcError as err:
        report.failed(CheckName.FORMAT, err.detail)
        return
    report.passed(CheckName.FORMAT, _PROFILE_NAMES[profile], profile=profile)
    holder = holder_id(presentation)
    if holder is None and isinstance(jws.payload.get("iss"), str):
        holder = jws.payload["iss"]
    report.subject = holder
    _check_key_and_signature(
        report,
        jws,
        profile,
        holder,
        ctx,
        purpose="authentication",
        keys=keys,
        algorithms=algorithms,
        allow_unbound_jwk=False,
    )
    _check_jwt_times(report, jws.payload, ctx, record_pass=True)
    _check_nonce_and_audience(report, jws.payload, ctx)
    inner = credential_context(ctx)
    for item in items:
        report.credentials.append(_verify_embedded(item, inner, verify, keys, algorithms))
    check_holder_binding(report, holder, report.credentials, ctx)


def _read_token(
    report: VerificationReport, token: str | Jws, algorithms: Collection[str]
) -> Jws | None:
    try:
        jws = token if isinstance(token, Jws) else parse_jws(token)
    except VcError as err:
        report.failed(CheckName.FORMAT, err.detail)
        return None
    try:
        check_jws_header(jws.header, algorithms=algorithms)
    except UnsupportedAlgorithmError as err:
        report.failed(CheckName.PROOF, err.detail, alg=jws.alg)
        return None
    except KeyFormatError as err:
        report.failed(CheckName.ISSUER_KEY, err.detail)
        return None
    except VcError as err:
        report.failed(CheckName.FORMAT, err.detail)
        return None
    return jws


def _check_key_and_signature(
    report: VerificationReport,
    jws: Jws,
    profile: str,
    controller: str | None,
    ctx: VerifyContext,
    *,
    purpose: str,
    keys: Sequence[VerificationMethod],
    algorithms: Collection[str],
    allow_unbound_jwk: bool,
) -> None:
    try:
        key, how = resolve_jwt_key(
            jws,
            profile,
            controller,
            ctx,
            purpose=purpose,
            keys=keys,
            allow_unbound_jwk=allow_unbound_jwk,
        )
    except VcError as err:
        report.failed(CheckName.ISSUER_KEY, err.detail, kid=jws.kid)
        report.skipped(CheckName.PROOF, "the signature was not checked: no key to check it with")
        return
    report.passed(CheckName.ISSUER_KEY, f"key found: {how}", kid=jws.kid)
    try:
        verify_signature(jws, key)  # the header passed check_jws_header in _read_token
    except (InvalidProofError, UnsupportedAlgorithmError) as err:
        report.failed(CheckName.PROOF, err.detail, alg=jws.alg)
        return
    report.passed(CheckName.PROOF, f"the {jws.alg} signature verifies ({profile})", alg=jws.alg)


def _check_jwt_times(
    report: VerificationReport,
    payload: dict[str, Any],
    ctx: VerifyContext,
    *,
    record_pass: bool = False,
) -> None:
    """RFC 7519 §4.1.4/§4.1.5: reject after ``exp`` or before ``nbf``, allowing clock skew."""
    now = ctx.now().timestamp()
    skew = ctx.clock_skew.total_seconds()
    for claim in JWT_TIME_CLAIMS:
        if claim in payload and not is_numeric_date(payload[claim]):
            report.failed(CheckName.VALIDITY, f"the JWT {claim} claim is not a NumericDate")
            return
    exp, nbf = payload.get("exp"), payload.get("nbf")
    if exp is not None and now - skew >= exp:
        report.failed(
            CheckName.VALIDITY,
            f"the JWT expired at {numeric_date_iso(exp)} (exp)",
            exp=numeric_date_iso(exp),
        )
        return
    if nbf is not None and now + skew < nbf:
        report.failed(
            CheckName.VALIDITY,
            f"the JWT is not valid before {numeric_date_iso(nbf)} (nbf)",
            nbf=numeric_date_iso(nbf),
        )
        return
    if record_pass and (exp is not None or nbf is not None):
        report.passed(CheckName.VALIDITY, "within the JWT's nbf/exp window")
    elif record_pass:
        report.skipped(CheckName.VALIDITY, "the presentation JWT has no exp or nbf")


def _check_nonce_and_audience(
    report: VerificationReport, payload: dict[str, Any], ctx: VerifyContext
) -> None:
    nonce = ctx.nonce if ctx.nonce is not None else ctx.challenge
    audience = ctx.audience if ctx.audience is not None else ctx.domain
    if nonce is None and audience is None:
        report.skipped(CheckName.CHALLENGE, "no nonce or audience was requested")
        return
    if nonce is not None and payload.get("nonce") != nonce:
        report.failed(CheckName.CHALLENGE, "the presentation's nonce is not the one requested")
        return
    if audience is not None and audience not in as_list(payload.get("aud")):
        report.failed(CheckName.CHALLENGE, f"the presentation is not addressed to {audience} (aud)")
        return
    report.passed(CheckName.CHALLENGE, "nonce and audience match the request")


def _verify_embedded(
    item: Any,
    ctx: VerifyContext,
    verify: VerifyFn,
    keys: Sequence[VerificationMethod],
    algorithms: Collection[str],
) -> VerificationReport:
    token: str | None = None
    if isinstance(item, str):
        token = item  # VC DM 1.1 §6.3.1: a VP-JWT carries its credentials as JWT strings
    elif enveloped_type(item) is not None:
        try:  # VC DM 2.0 §4.13.1: context, type, data: URL and media type
            envelope = open_envelope(item, ENVELOPED_VC)
        except VcError as err:
            sub = VerificationReport(format="enveloped")
            sub.failed(CheckName.FORMAT, err.detail, rule="enveloped", section="§4.13")
            return sub
        if envelope.kind == "jwt":
            token = envelope.token
        # any other envelope (an SD-JWT VC) is opened again by ``verify``
    if token is not None:
        return verify_jwt_credential(token, ctx, verify, keys=keys, algorithms=algorithms)
    if isinstance(item, dict) and "VerifiablePresentation" in as_list(item.get("type")):
        # VC DM 2.0 §4.13: verifiableCredential holds credentials; a presentation there would
        # be verified with its own holder's key and counted as a verified credential.
        sub = VerificationReport(format="ldp_vp")
        sub.failed(
            CheckName.FORMAT,
            "verifiableCredential holds a presentation, not a credential (VC DM 2.0 §4.13)",
            rule="presentation-credentials",
            section="§4.13",
        )
        return sub
    return verify(item, ctx)
