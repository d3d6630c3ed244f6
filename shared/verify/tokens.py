"""Dispatch JWT and SD-JWT inputs to their verifiers: credentials and presentations."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from shared.verify.context import VerifyContext
from shared.verify.report import VerificationReport

_VERIFIERS = {
    "dc+sd-jwt": ("shared.proofs.sd_jwt_vc", "verify_sd_jwt_vc"),
    "sd-jwt+kb": ("shared.proofs.sd_jwt_vc", "verify_sd_jwt_presentation"),
    "jwt": ("shared.proofs.vc_jwt", "verify_jwt_any"),
    "jwt-vc": ("shared.proofs.vc_jwt", "verify_jwt_credential"),
    "jwt-vp": ("shared.proofs.vc_jwt", "verify_jwt_presentation"),
}


def is_presentation_token(token: str, kind: str) -> bool:
    """True for an SD-JWT+KB: a KB-JWT follows the last ``~`` (RFC 9901 §4)."""
    return kind == "dc+sd-jwt" and not token.strip().endswith("~")


def verify_token(token: str, kind: str, ctx: VerifyContext) -> VerificationReport:
    """Verify a compact JWT (vc+jwt, OB 3.0 VC-JWT, VC 1.1 JWT, vp+jwt) or an SD-JWT VC.

    An SD-JWT with a KB-JWT is a presentation and goes to the presentation verifier, as a
    ``vp+jwt`` does inside ``verify_jwt_any``; the credential's report is then in
    ``report.credentials``.
    """
    if is_presentation_token(token, kind):
        kind = "sd-jwt+kb"
    return _call(kind, token, ctx)


def verify_credential_token(token: str, kind: str, ctx: VerifyContext) -> VerificationReport:
    """Verify a token that must be a credential (an ``EnvelopedVerifiableCredential``'s).

    A ``vp+jwt`` or an SD-JWT with a KB-JWT is a presentation, and fails ``format`` here.
    """
    if is_presentation_token(token, kind):
        report = VerificationReport(format="sd-jwt+kb")
        report.failed("format", "this SD-JWT carries a KB-JWT: it is a presentation")
        return report
    return _call("jwt-vc" if kind == "jwt" else kind, token, ctx)


def verify_presentation_token(token: str, kind: str, ctx: VerifyContext) -> VerificationReport:
    """Verify a token as a presentation: ``vp+jwt``/VP-JWT, or an SD-JWT(+KB)."""
    return _call("sd-jwt+kb" if kind == "dc+sd-jwt" else "jwt-vp", token, ctx)


_LOADED: dict[str, Callable[[str, VerifyContext], Any]] = {}


def _call(kind: str, token: str, ctx: VerifyContext) -> VerificationReport:
    module_name, function = _VERIFIERS[kind]
    verifier = _LOADED.get(kind)
    if verifier is None:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError:
            report = VerificationReport(format=kind)
            report.failed("format", f"{kind} credentials are not supported by this build yet")
            return report
        verifier = _LOADED[kind] = getattr(module, function)
    report = verifier(token, ctx)
    if not isinstance(report, VerificationReport):
        raise TypeError(f"{module_name}.{function} did not return a VerificationReport")
    return report
