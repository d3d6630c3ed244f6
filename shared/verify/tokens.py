"""Dispatch JWT and SD-JWT inputs to their verifiers."""

from __future__ import annotations

import importlib

from shared.verify.context import VerifyContext
from shared.verify.report import VerificationReport

_VERIFIERS = {
    "dc+sd-jwt": ("shared.proofs.sd_jwt_vc", "verify_sd_jwt_vc"),
    "jwt": ("shared.proofs.vc_jwt", "verify_jwt_any"),
}


def verify_token(token: str, kind: str, ctx: VerifyContext) -> VerificationReport:
    """Verify a compact JWT (vc+jwt, OB 3.0 VC-JWT, VC 1.1 JWT, vp+jwt) or an SD-JWT VC."""
    module_name, function = _VERIFIERS[kind]
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError:
        report = VerificationReport(format=kind)
        report.failed("format", f"{kind} credentials are not supported by this build yet")
        return report
    report = getattr(module, function)(token, ctx)
    assert isinstance(report, VerificationReport)
    return report
