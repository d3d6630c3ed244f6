"""Verify a presentation in any format: ``verify_presentation()``.

Data Integrity presentations are :mod:`shared.verify.ldp`'s, ``vp+jwt`` and VP-JWTs
:mod:`shared.verify.vc_jwt`'s, SD-JWT+KB :mod:`shared.verify.sd_jwt_vc`'s.
"""

from __future__ import annotations

from typing import Any

from shared.errors import VcError
from shared.verify.context import Clock, VerifyContext, with_clock
from shared.verify.credential import (
    detect_format,
    read_input,
    verify_credential,
    verify_embedded,
    verify_enveloped,
)
from shared.verify.envelope import ENVELOPED_VP, enveloped_type
from shared.verify.ldp import verify_ldp_presentation
from shared.verify.report import VerificationReport
from shared.verify.tokens import verify_presentation_token


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
      :func:`shared.verify.vc_jwt.verify_jwt_presentation`;
    * an SD-JWT+KB (KB-JWT signed by the ``cnf`` key, ``nonce``/``aud``/age),
      :func:`shared.verify.sd_jwt_vc.verify_sd_jwt_presentation`.

    Every credential inside gets its own report in ``report.credentials``, and
    ``holder_binding`` says whether the presenter is each credential's subject or holds its
    ``cnf`` key. ``json_text=False``: see :func:`shared.verify.credential.read_input`.
    """
    ctx = with_clock(ctx, clock)
    if isinstance(presentation, dict) and enveloped_type(presentation) == ENVELOPED_VP:
        return verify_enveloped(presentation, ENVELOPED_VP, ctx)
    if not isinstance(presentation, dict):
        try:
            presentation = read_input(presentation, json_text=json_text)
        except VcError:  # verify_credential reports unusable input as a failed check
            return verify_credential(presentation, ctx, json_text=json_text)
        kind = detect_format(presentation)
        if isinstance(presentation, str) and kind in {"jwt", "dc+sd-jwt"}:
            return verify_presentation_token(presentation, kind, ctx, verify_credential)
        if not isinstance(presentation, dict):
            return verify_credential(presentation, ctx, json_text=json_text)
    return verify_ldp_presentation(presentation, ctx, verify_embedded)
