"""SD-JWT VC: issuing and verifying Open Badges 3.0 credentials as SD-JWT VCs.

Implements: SD-JWT-based Verifiable Digital Credentials, draft-ietf-oauth-sd-jwt-vc-14
(Feb 2026), https://datatracker.ietf.org/doc/draft-ietf-oauth-sd-jwt-vc/ , over RFC 9901
(:mod:`shared.proofs.sd_jwt`). Issuer keys come from DIDs only; the ``.well-known/jwt-vc-issuer``
metadata and ``x5c`` methods of §3.5 are not implemented.

The Open Badges 3.0 claim layout follows the ``@sd-jwt/sd-jwt-vc`` 0.19 reference vectors
(tests/data/peers/ob3-sd-jwt-vc*.sdjwt): the credential's own properties (``name``,
``validFrom``, ...) are top-level claims, ``credentialSubject.achievement`` is lifted to a
top-level ``achievement`` claim, the rest of ``credentialSubject`` stays under
``credentialSubject``, and the issuer DID is ``iss``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, Final

from shared.errors import DidResolutionError, InvalidInputError, VcError, VerificationError
from shared.keys.keypair import PrivateKey, PublicKey
from shared.proofs.jose import Jws
from shared.proofs.sd_jwt import (
    LEGACY_SD_JWT_TYP,
    SD_JWT_TYP,
    ClaimPath,
    Disclosure,
    KeyBindingExpectations,
    SaltSource,
    SdJwt,
    check_jwt_times,
    check_key_binding_claims,
    default_salt,
    holder_public_key,
    issue_sd_jwt,
    parse_disclosure,
    parse_part,
    parse_sd_jwt,
    process_disclosures,
    verify_key_binding,
    verify_part,
)
from shared.proofs.sd_jwt_vc_issuer import IssuerKeyError, resolve_metadata_key, resolve_x5c_key
from shared.verify.common import parse_datetime
from shared.verify.context import VerifyContext
from shared.verify.report import CheckStatus, VerificationReport
from shared.verify.status import check_credential_status

__all__ = [
    "ACCEPTED_TYPS",
    "NON_DISCLOSABLE_CLAIMS",
    "OB3_DEFAULT_DISCLOSABLE",
    "OB3_VCT",
    "SD_JWT_KB_FORMAT",
    "issue_ob3_sd_jwt_vc",
    "issue_sd_jwt_vc",
    "ob3_to_sd_jwt_claims",
    "sd_jwt_claims_to_ob3",
    "verify_sd_jwt_presentation",
    "verify_sd_jwt_vc",
]

#: The ``vct`` the reference vectors use for an Open Badges 3.0 credential.
OB3_VCT: Final = "https://purl.imsglobal.org/spec/ob/v3p0#OpenBadgeCredential"
#: ``report.format`` of an SD-JWT+KB verified as a presentation (RFC 9901 §4, "SD-JWT+KB").
SD_JWT_KB_FORMAT: Final = "sd-jwt+kb"
#: ``typ`` values accepted on input; ``vc+sd-jwt`` is the name before draft-06.
ACCEPTED_TYPS: Final = frozenset({SD_JWT_TYP, LEGACY_SD_JWT_TYP})
#: SD-JWT VC §3.2.2.2: these claims "MUST NOT be selectively disclosed".
NON_DISCLOSABLE_CLAIMS: Final = frozenset(
    {"iss", "nbf", "exp", "cnf", "vct", "vct#integrity", "status"}
)
#: JWT/SD-JWT VC claims that are not part of the OB 3.0 credential.
_REGISTERED: Final = frozenset(
    {*NON_DISCLOSABLE_CLAIMS, "iat", "sub", "jti", "issuer", "achievement", "credentialSubject"}
)
#: Properties of an OB 3.0 AchievementCredential (besides @context, id, type, issuer,
#: credentialSubject, credentialStatus, proof) that stay top-level properties on the way back.
_OB3_CREDENTIAL_PROPERTIES: Final = frozenset(
    {
        "name",
        "description",
        "image",
        "validFrom",
        "validUntil",
        "awardedDate",
        "issuanceDate",
        "expirationDate",
        "evidence",
        "endorsement",
        "endorsementJwt",
        "credentialSchema",
        "termsOfUse",
        "refreshService",
    }
)
_VCDM2_CONTEXT: Final = "https://www.w3.org/ns/credentials/v2"
_OB3_CONTEXT: Final = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"

#: Default selectively disclosable claims of an OB 3.0 credential. The whole subject is
#: disclosable (as in the reference vectors), and inside it the subject DID, each identifier,
#: each result and each result's value separately, so a worker can show a score without the
#: number of ratings, and the period (activity dates) on its own, so a rating can be shown
#: without when it was earned. Paths that select nothing in a given credential are ignored.
OB3_DEFAULT_DISCLOSABLE: Final[tuple[ClaimPath, ...]] = (
    ("credentialSubject",),
    ("credentialSubject", "id"),
    ("credentialSubject", "identifier", None),
    ("credentialSubject", "result", None),
    ("credentialSubject", "result", None, "value"),
    ("credentialSubject", "activityStartDate"),
    ("credentialSubject", "activityEndDate"),
    ("evidence", None),
    ("given_name",),
    ("family_name",),
)


def _epoch(value: Any, name: str) -> int:
    return int(parse_datetime(value, name).timestamp())


def ob3_to_sd_jwt_claims(credential: Mapping[str, Any]) -> dict[str, Any]:
    """Map an OB 3.0 (Achievement)Credential to SD-JWT VC claims, in the reference layout.

    ``issuer.id`` becomes ``iss`` (other issuer profile members stay in an ``issuer`` claim),
    ``id`` becomes ``jti``, ``credentialStatus`` becomes ``status``, ``validFrom``/``validUntil``
    also give ``nbf``/``exp``. ``@context``, ``type`` and ``proof`` are dropped: ``vct``
    names the type.

    Raises:
        InvalidInputError: the credential has no issuer id or more than one subject.
    """
    issuer = credential.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    if not isinstance(issuer_id, str):
        raise InvalidInputError("the credential's issuer has no id")
    subject = credential.get("credentialSubject", {})
    if not isinstance(subject, Mapping):
        raise InvalidInputError("the credential must have exactly one credentialSubject object")
    claims: dict[str, Any] = {"vct": OB3_VCT, "iss": issuer_id}
    if isinstance(issuer, Mapping) and set(issuer) - {"id"}:
        claims["issuer"] = dict(issuer)
    if isinstance(credential.get("id"), str):
        claims["jti"] = credential["id"]
    skip = {"@context", "id", "type", "issuer", "credentialSubject", "credentialStatus", "proof"}
    claims.update({k: v for k, v in credential.items() if k not in skip})
    if "validFrom" in credential:
        claims["nbf"] = _epoch(credential["validFrom"], "validFrom")
    if "validUntil" in credential:
        claims["exp"] = _epoch(credential["validUntil"], "validUntil")
    if "credentialStatus" in credential:
        claims["status"] = credential["credentialStatus"]
    if "achievement" in subject:
        claims["achievement"] = subject["achievement"]
    rest = {k: v for k, v in subject.items() if k != "achievement"}
    if rest:
        claims["credentialSubject"] = rest
    return claims


def sd_jwt_claims_to_ob3(claims: Mapping[str, Any]) -> dict[str, Any]:
    """Rebuild an OB 3.0 credential from processed SD-JWT VC claims, for display.

    The result is unsigned and may lack whatever the holder did not disclose. Top-level claims
    that are neither registered JWT claims nor OB 3.0 credential properties (``given_name``)
    are subject claims and go into ``credentialSubject``.
    """
    credential: dict[str, Any] = {
        "@context": [_VCDM2_CONTEXT, _OB3_CONTEXT],
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
    }
    if isinstance(claims.get("jti"), str):
        credential["id"] = claims["jti"]
    issuer: dict[str, Any] = {}
    if isinstance(claims.get("issuer"), Mapping):
        issuer.update(claims["issuer"])
    if isinstance(claims.get("iss"), str):
        issuer["id"] = claims["iss"]
    if issuer:
        issuer.setdefault("type", ["Profile"])
        credential["issuer"] = issuer
    subject: dict[str, Any] = {}
    for key, value in claims.items():
        if key in _OB3_CREDENTIAL_PROPERTIES:
            credential[key] = value
        elif key not in _REGISTERED:
            subject[key] = value
    if "validFrom" not in credential and isinstance(claims.get("nbf"), int | float):
        credential["validFrom"] = _iso(claims["nbf"])
    if "validUntil" not in credential and isinstance(claims.get("exp"), int | float):
        credential["validUntil"] = _iso(claims["exp"])
    if isinstance(claims.get("credentialSubject"), Mapping):
        subject.update(claims["credentialSubject"])
    if "achievement" in claims:
        subject["achievement"] = claims["achievement"]
    if "id" not in subject and isinstance(claims.get("sub"), str):
        subject["id"] = claims["sub"]
    if "status" in claims:
        credential["credentialStatus"] = claims["status"]
    credential["credentialSubject"] = subject
    return credential


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat().replace("+00:00", "Z")


def issue_sd_jwt_vc(
    claims: Mapping[str, Any],
    *,
    issuer_key: PrivateKey,
    kid: str,
    disclosable: Iterable[ClaimPath] = (),
    holder_jwk: Mapping[str, Any] | None = None,
    issued_at: datetime | None = None,
    salt: SaltSource = default_salt,
    decoys: int = 0,
    ignore_missing: bool = False,
) -> str:
    """Issue an SD-JWT VC (``typ`` ``dc+sd-jwt``), adding ``iat`` when missing.

    Spec: draft-ietf-oauth-sd-jwt-vc-14 §3.2. ``kid`` is the issuer's DID URL.

    Raises:
        InvalidInputError: ``vct`` or ``iss`` is missing, or a path makes one of
            :data:`NON_DISCLOSABLE_CLAIMS` disclosable.
    """
    paths = list(disclosable)
    if not isinstance(claims.get("vct"), str):
        raise InvalidInputError("an SD-JWT VC needs a 'vct' string")  # §3.2.2.1.1: REQUIRED
    if not isinstance(claims.get("iss"), str):
        raise InvalidInputError("an SD-JWT VC issued here needs 'iss' (the issuer DID)")
    for path in paths:
        if len(path) >= 1 and path[0] in NON_DISCLOSABLE_CLAIMS:
            raise InvalidInputError(f"claim {path[0]!r} must not be selectively disclosable")
    payload = dict(claims)
    payload.setdefault("iat", int((issued_at or datetime.now(UTC)).timestamp()))
    return issue_sd_jwt(
        payload,
        issuer_key=issuer_key,
        disclosable=paths,
        holder_jwk=holder_jwk,
        salt=salt,
        decoys=decoys,
        typ=SD_JWT_TYP,
        header={"kid": kid},
        ignore_missing=ignore_missing,
    )


def issue_ob3_sd_jwt_vc(
    credential: Mapping[str, Any],
    *,
    issuer_key: PrivateKey,
    kid: str,
    holder_jwk: Mapping[str, Any] | None = None,
    disclosable: Iterable[ClaimPath] = OB3_DEFAULT_DISCLOSABLE,
    issued_at: datetime | None = None,
    salt: SaltSource = default_salt,
    decoys: int = 0,
) -> str:
    """Issue an OB 3.0 credential as an SD-JWT VC (see :func:`ob3_to_sd_jwt_claims`).

    Paths of ``disclosable`` that select nothing in this credential are ignored.
    """
    return issue_sd_jwt_vc(
        ob3_to_sd_jwt_claims(credential),
        issuer_key=issuer_key,
        kid=kid,
        disclosable=disclosable,
        holder_jwk=holder_jwk,
        issued_at=issued_at,
        salt=salt,
        decoys=decoys,
        ignore_missing=True,
    )


# --------------------------------------------------------------------------- verification


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
        report.failed("validity", str(err))
        return
    stated = [n for n in ("iat", "nbf", "exp", "validFrom", "validUntil") if n in claims]
    if not stated:
        report.skipped("validity", "the credential states no validity period")
        return
    report.passed("validity", f"valid now (checked {', '.join(stated)})")


def _check_status(
    report: VerificationReport, claims: Mapping[str, Any], ctx: VerifyContext
) -> None:
    """The ``status`` check, the same as for every other format (shared.verify.status).

    The status list credential is fetched and verified before its bit counts. Our OB 3.0 mapping carries ``credentialStatus`` as the ``status`` claim, so an entry (or a
    list of entries) of type ``BitstringStatusListEntry`` there is checked as
    ``credentialStatus``. A Token Status List reference (``status.status_list``,
    draft-ietf-oauth-status-list) is recorded as skipped: that mechanism is not implemented.
    """
    if "status" not in claims:
        report.skipped("status", "the credential has no status claim")
        return
    entry = claims["status"]
    if isinstance(entry, Mapping) and "status_list" in entry:
        # SPEC-DEVIATION(draft-ietf-oauth-sd-jwt-vc#section-3.2.2.2): Token Status List
        # references are carried but not checked.
        report.skipped("status", "Token Status List (status.status_list) is not supported")
        return
    from shared.verify.credential import verify_credential

    # the status list must be the issuer's own (shared.verify.status): pass on who that is
    credential = {"credentialStatus": entry, "issuer": claims.get("iss")}
    check_credential_status(report, credential, ctx, verify_credential)


def _subject_of(claims: Mapping[str, Any]) -> str | None:
    sub = claims.get("sub")
    if isinstance(sub, str):
        return sub
    subject = claims.get("credentialSubject")
    if isinstance(subject, Mapping) and isinstance(subject.get("id"), str):
        return str(subject["id"])
    return None


def verify_sd_jwt_vc(token: str, ctx: VerifyContext) -> VerificationReport:
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
        _verify_into(report, token, ctx)
    except Exception as err:  # hostile input must become a result, never a crash
        report.failed("format", f"unexpected error while verifying: {type(err).__name__}")
    return report


def _verify_into(
    report: VerificationReport,
    token: str,
    ctx: VerifyContext,
    *,
    holder: bool = True,
    parsed_token: tuple[SdJwt, Jws] | None = None,
) -> None:
    # format -------------------------------------------------------------------------
    try:
        parsed, jws = parsed_token or _parse_token(token)
        disclosures = tuple(parse_disclosure(d) for d in parsed.disclosures)
    except VcError as err:
        report.failed("format", err.detail)
        return
    typ = jws.header.get("typ")
    if typ not in ACCEPTED_TYPS:
        report.failed("format", f"JWS typ {typ!r} is not {SD_JWT_TYP!r}")
        return
    if not isinstance(jws.payload.get("vct"), str):
        # §3.2.2.1.1: vct REQUIRED (and not selectively disclosable, so in the payload)
        report.failed("format", "the SD-JWT VC has no 'vct' string")
        return
    report.format = str(typ)
    report.passed(
        "format",
        f"{typ} with {len(disclosures)} disclosure(s)" + (" and a KB-JWT" if parsed.kb_jwt else ""),
        vct=jws.payload["vct"],
    )
    if isinstance(jws.payload.get("iss"), str):
        report.issuer = jws.payload["iss"]

    # issuer_key ---------------------------------------------------------------------
    issuer_key: PublicKey | None = None
    try:
        issuer_key, how = _resolve_issuer_key(jws, ctx)
        report.passed("issuer_key", how)
    except VcError as err:
        report.failed("issuer_key", err.detail)

    # proof: signature, then disclosure processing ------------------------------------
    claims = _check_proof(report, jws, disclosures, issuer_key)
    if claims is None:
        return
    proof = report.check("proof")
    if proof is not None and proof.status is CheckStatus.PASSED:
        report.credential = claims
        report.subject = _subject_of(claims)

    _check_validity(report, claims, ctx)
    _check_status(report, claims, ctx)
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
        report.failed("proof", f"disclosures do not match the issuer-signed JWT: {err.detail}")
        return None
    disclosed_top = {d.name for d in disclosures if d.name is not None} - set(jws.payload)
    protected = sorted(disclosed_top & NON_DISCLOSABLE_CLAIMS & set(claims))
    if protected:
        report.failed("proof", f"claims {protected} must not be selectively disclosed")
        return None
    if issuer_key is None:
        report.skipped("proof", "no issuer key, so the signature cannot be checked")
        return claims
    try:
        alg = verify_part(jws, issuer_key, what="issuer-signed JWT")
    except VcError as err:
        report.failed("proof", err.detail)
        return claims
    report.passed("proof", f"{alg} issuer signature and {len(disclosures)} disclosure(s) verify")
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
            report.failed("proof", "the SD-JWT has no KB-JWT, so nothing proves who presents it")
        if required or presentation:
            report.failed(
                "holder_binding", "the verifier asked for key binding but there is no KB-JWT"
            )
        else:
            report.skipped("holder_binding", "no KB-JWT and the verifier asked for none")
        if required:
            report.failed("challenge", "no KB-JWT carries the verifier's nonce/audience")
        else:
            report.skipped("challenge", "the verifier set no nonce or audience")
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
            report.passed("proof", "the KB-JWT signature and sd_hash verify with the cnf key")
        report.passed(
            "holder_binding", "KB-JWT is signed by the cnf key and covers this presentation"
        )
    except VcError as err:
        if presentation:
            report.failed("proof", err.detail)
        report.failed("holder_binding", err.detail)
    if not required:
        report.skipped("challenge", "the verifier set no nonce or audience")
        return
    if kb_claims is None:
        report.failed("challenge", "the KB-JWT did not verify, so its nonce/audience cannot count")
        return
    expect = KeyBindingExpectations(
        audience=ctx.audience, nonce=ctx.nonce, max_age=ctx.max_kb_age, clock_skew=ctx.clock_skew
    )
    try:
        check_key_binding_claims(kb_claims, expect, ctx.now())
    except VcError as err:
        report.failed("challenge", err.detail)
        return
    fresh = "" if ctx.max_kb_age is None else ", fresh"
    report.passed("challenge", f"KB-JWT audience and nonce match{fresh}")


# --------------------------------------------------------------------------- presentation


def verify_sd_jwt_presentation(token: str, ctx: VerifyContext) -> VerificationReport:
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
        _present_into(report, token, ctx)
    except Exception as err:  # hostile input must become a result, never a crash
        report.failed("format", f"unexpected error while verifying: {type(err).__name__}")
    return report


def _parse_token(token: str) -> tuple[SdJwt, Jws]:
    parsed = parse_sd_jwt(token)
    return parsed, parse_part(parsed.issuer_jwt, what="issuer-signed JWT")


def _present_into(report: VerificationReport, token: str, ctx: VerifyContext) -> None:
    try:
        parsed, jws = _parse_token(token)
    except VcError as err:
        report.failed("format", err.detail)
        return
    sub = VerificationReport(format=SD_JWT_TYP)
    _verify_into(sub, token, ctx, holder=False, parsed_token=(parsed, jws))
    report.credentials.append(sub)
    if not sub.usable:
        report.failed("format", "the presented SD-JWT VC is not usable (see its report)")
        return
    kb = "with a KB-JWT" if parsed.kb_jwt else "without a KB-JWT"
    report.passed("format", f"SD-JWT VC presentation {kb}")
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
