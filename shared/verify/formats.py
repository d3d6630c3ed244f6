"""Verify a token of a known format, with nested credentials verified by ``verify_credential``.

:func:`shared.verify.credential.verify_credential` detects the format; these are for callers
that already know it (and pin keys or narrow the algorithms of a JWT).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from shared.did.document import VerificationMethod
from shared.proofs.jose import ALLOWED_ALGS
from shared.verify import sd_jwt_vc, vc_jwt
from shared.verify.context import VerifyContext
from shared.verify.credential import verify_credential
from shared.verify.report import VerificationReport


def verify_jwt_any(token: str, ctx: VerifyContext) -> VerificationReport:
    """A JWT credential or presentation: :func:`shared.verify.vc_jwt.verify_jwt_any`."""
    return vc_jwt.verify_jwt_any(token, ctx, verify_credential)


def verify_jwt_credential(
    token: str,
    ctx: VerifyContext,
    *,
    keys: Sequence[VerificationMethod] = (),
    algorithms: Collection[str] = ALLOWED_ALGS,
    allow_unbound_jwk: bool = False,
) -> VerificationReport:
    """A JWT credential: :func:`shared.verify.vc_jwt.verify_jwt_credential`."""
    return vc_jwt.verify_jwt_credential(
        token,
        ctx,
        verify_credential,
        keys=keys,
        algorithms=algorithms,
        allow_unbound_jwk=allow_unbound_jwk,
    )


def verify_jwt_presentation(
    token: str,
    ctx: VerifyContext,
    *,
    keys: Sequence[VerificationMethod] = (),
    algorithms: Collection[str] = ALLOWED_ALGS,
) -> VerificationReport:
    """A JWT presentation: :func:`shared.verify.vc_jwt.verify_jwt_presentation`."""
    return vc_jwt.verify_jwt_presentation(
        token, ctx, verify_credential, keys=keys, algorithms=algorithms
    )


def verify_sd_jwt_vc(token: str, ctx: VerifyContext) -> VerificationReport:
    """An SD-JWT VC: :func:`shared.verify.sd_jwt_vc.verify_sd_jwt_vc`."""
    return sd_jwt_vc.verify_sd_jwt_vc(token, ctx, verify_credential)


def verify_sd_jwt_presentation(token: str, ctx: VerifyContext) -> VerificationReport:
    """An SD-JWT+KB: :func:`shared.verify.sd_jwt_vc.verify_sd_jwt_presentation`."""
    return sd_jwt_vc.verify_sd_jwt_presentation(token, ctx, verify_credential)
