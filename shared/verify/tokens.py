"""Dispatch JWT and SD-JWT inputs to their verifiers: credentials and presentations.

``verify`` is the verifier of nested credentials (status lists, credentials inside a
presentation), :func:`shared.verify.credential.verify_credential` in practice.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from shared.verify.context import VerifyContext
from shared.verify.report import CheckName, VerificationReport
from shared.verify.sd_jwt_vc import verify_sd_jwt_presentation, verify_sd_jwt_vc
from shared.verify.status import VerifyFn
from shared.verify.vc_jwt import verify_jwt_any, verify_jwt_credential, verify_jwt_presentation

_TokenVerifier = Callable[[str, VerifyContext, VerifyFn], VerificationReport]


_VERIFIERS: Final[dict[str, _TokenVerifier]] = {
    "dc+sd-jwt": verify_sd_jwt_vc,
    "sd-jwt+kb": verify_sd_jwt_presentation,
    "jwt": verify_jwt_any,
    "jwt-vc": verify_jwt_credential,
    "jwt-vp": verify_jwt_presentation,
}


def is_presentation_token(token: str, kind: str) -> bool:
    """True for an SD-JWT+KB: a KB-JWT follows the last ``~`` (RFC 9901 §4)."""
    return kind == "dc+sd-jwt" and not token.strip().endswith("~")


def verify_token(token: str, kind: str, ctx: VerifyContext, verify: VerifyFn) -> VerificationReport:
    """Verify a compact JWT (vc+jwt, OB 3.0 VC-JWT, VC 1.1 JWT, vp+jwt) or an SD-JWT VC.

    An SD-JWT with a KB-JWT is a presentation and goes to the presentation verifier, as a
    ``vp+jwt`` does inside ``verify_jwt_any``; the credential's report is then in
    ``report.credentials``.
    """
    if is_presentation_token(token, kind):
        kind = "sd-jwt+kb"
    return _VERIFIERS[kind](token, ctx, verify)


def verify_credential_token(
    token: str, kind: str, ctx: VerifyContext, verify: VerifyFn
) -> VerificationReport:
    """Verify a token that must be a credential (an ``EnvelopedVerifiableCredential``'s).

    A ``vp+jwt`` or an SD-JWT with a KB-JWT is a presentation, and fails ``format`` here.
    """
    if is_presentation_token(token, kind):
        report = VerificationReport(format="sd-jwt+kb")
        report.failed(CheckName.FORMAT, "this SD-JWT carries a KB-JWT: it is a presentation")
        return report
    return _VERIFIERS["jwt-vc" if kind == "jwt" else kind](token, ctx, verify)


def verify_presentation_token(
    token: str, kind: str, ctx: VerifyContext, verify: VerifyFn
) -> VerificationReport:
    """Verify a token as a presentation: ``vp+jwt``/VP-JWT, or an SD-JWT(+KB)."""
    return _VERIFIERS["sd-jwt+kb" if kind == "dc+sd-jwt" else "jwt-vp"](token, ctx, verify)
