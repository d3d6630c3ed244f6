"""One verification for every format: ``verify_credential()`` and ``verify_presentation()``.

The modules form layers, bottom to top: the report and the context; the checks every format
shares (``common``, ``schema``, ``status``, ``data_integrity``, ``claims``, ``holder``,
``envelope``); one module per format (``ldp``, ``vc_jwt``, ``sd_jwt_vc``), and ``tokens``
that dispatches tokens to them; ``credential`` and ``presentation``, which detect the
format; ``formats`` for a caller who knows it, and ``attestation`` (endorsements, ratings).
Format verifiers take the verifier of nested credentials (status lists, a presentation's
credentials) as an argument, ``verify``, so no module imports the one that calls it.
"""

from shared.verify.attestation import Attestation, assess_attestation, is_endorsement
from shared.verify.context import Clock, VerifyContext, fixed_clock, utc_now, with_clock
from shared.verify.credential import detect_format, read_input, verify_credential
from shared.verify.formats import (
    verify_jwt_any,
    verify_jwt_credential,
    verify_jwt_presentation,
    verify_sd_jwt_presentation,
    verify_sd_jwt_vc,
)
from shared.verify.presentation import verify_presentation
from shared.verify.report import CheckStatus, VerificationReport
from shared.verify.status_memo import StatusListMemo

__all__ = [
    "Attestation",
    "CheckStatus",
    "Clock",
    "StatusListMemo",
    "VerificationReport",
    "VerifyContext",
    "assess_attestation",
    "detect_format",
    "fixed_clock",
    "is_endorsement",
    "read_input",
    "utc_now",
    "verify_credential",
    "verify_jwt_any",
    "verify_jwt_credential",
    "verify_jwt_presentation",
    "verify_presentation",
    "verify_sd_jwt_presentation",
    "verify_sd_jwt_vc",
    "with_clock",
]
