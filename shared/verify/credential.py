"""One entry point: ``verify_credential()`` / ``verify_presentation()`` for every format.

The format is detected from the input; the result is a report of named checks. A failing
check is a result, not an exception. Only the injected fetcher reaches the network.
"""

from __future__ import annotations

from typing import Any

from shared.encoding.baked import extract_baked
from shared.encoding.json_limits import check_json_limits, parse_json
from shared.errors import MalformedCredentialError, VcError
from shared.verify.context import Clock, VerifyContext, with_clock
from shared.verify.envelope import ENVELOPED_VC, enveloped_type, open_envelope
from shared.verify.ldp import verify_ldp_credential, verify_ldp_presentation
from shared.verify.report import CheckName, VerificationReport
from shared.verify.tokens import (
    verify_credential_token,
    verify_presentation_token,
    verify_token,
)


def read_input(data: Any, *, json_text: bool = True) -> Any:
    """Turn raw input (bytes of JSON, a JWT, a baked PNG/SVG, or parsed JSON) into a value.

    ``json_text=False`` says ``data`` was taken from a parsed JSON document (an API body's
    member, a presentation's entry): there a credential is a map, and a string is a token,
    never JSON text to parse again (VC DM 2.0 §4.13, VC-API ``verifiableCredential``).
    """
    if isinstance(data, bytes | bytearray):
        baked = extract_baked(bytes(data))
        data = baked if baked is not None else bytes(data)
        if isinstance(data, bytes):
            try:
                data = data.decode("utf-8")
            except UnicodeDecodeError as err:
                raise VcError("input is neither UTF-8 text nor a baked PNG/SVG") from err
    if isinstance(data, str):
        text = data.strip() if data[:1].isspace() or data[-1:].isspace() else data
        if text.startswith(("{", "[")):
            if not json_text:
                raise MalformedCredentialError(
                    "a credential inside a JSON document must be a JSON object, not a string "
                    "holding JSON: send the object itself"
                )
            return parse_json(text)
        return text
    check_json_limits(data)
    return data


def detect_format(value: Any) -> str:
    """Name the format of a read input: ``ldp_vc``, ``ldp_vp``, ``jwt``, ``dc+sd-jwt``."""
    if isinstance(value, dict):
        types = value.get("type")
        types = types if isinstance(types, list) else [types]
        return "ldp_vp" if "VerifiablePresentation" in types else "ldp_vc"
    if isinstance(value, str):
        if "~" in value:
            return "dc+sd-jwt"
        if value.count(".") == 2:
            return "jwt"
    return "unknown"


def verify_credential(
    data: Any,
    ctx: VerifyContext | None = None,
    *,
    clock: Clock | None = None,
    json_text: bool = True,
) -> VerificationReport:
    """Verify a credential (or, if that is what it is, a presentation) in any format.

    ``clock`` (default: ``ctx.clock``, the system clock) is the moment every time-bound
    check is judged at: validity, proof ``created``/``expires``, JWT ``nbf``/``exp``,
    KB-JWT age, the status list's own validity. Give ``fixed_clock(moment)`` to verify as
    of a past moment (an audit) instead of regenerating time-sensitive fixtures.
    ``json_text=False``: ``data`` comes from a parsed JSON document (see :func:`read_input`).
    """
    ctx = with_clock(ctx, clock)
    try:
        value = read_input(data, json_text=json_text)
    except VcError as err:
        report = VerificationReport()
        report.failed(CheckName.FORMAT, err.detail)
        return report
    enveloped = enveloped_type(value)
    if enveloped is not None:
        return verify_enveloped(value, enveloped, ctx)
    kind = detect_format(value)
    if kind == "ldp_vc":
        return verify_ldp_credential(value, ctx, verify_credential)
    if kind == "ldp_vp":  # not enveloped (above): what verify_presentation does with it
        return verify_ldp_presentation(value, ctx, verify_embedded)
    if kind in {"jwt", "dc+sd-jwt"}:
        return verify_token(value, kind, ctx, verify_credential)
    report = VerificationReport()
    report.failed(
        CheckName.FORMAT,
        "not a credential: expected JSON (Data Integrity), a JWT, an SD-JWT, "
        "or a baked PNG/SVG badge",
    )
    return report


def verify_enveloped(
    value: dict[str, Any], expected: str, ctx: VerifyContext
) -> VerificationReport:
    """Verify an ``EnvelopedVerifiableCredential`` (or ``...Presentation``) by its token.

    Spec: VC DM 2.0 §4.13.1/§4.13.2; the envelope's rules are :func:`open_envelope`'s.
    """
    try:
        envelope = open_envelope(value, expected)
    except VcError as err:
        report = VerificationReport(format="enveloped")
        report.failed(CheckName.FORMAT, err.detail, rule="enveloped", section="§4.13")
        return report
    if expected == ENVELOPED_VC:
        return verify_credential_token(envelope.token, envelope.kind, ctx, verify_credential)
    return verify_presentation_token(envelope.token, envelope.kind, ctx, verify_credential)


def verify_embedded(data: Any, ctx: VerifyContext) -> VerificationReport:
    """Verify a credential taken from a parsed JSON document (a presentation's entry)."""
    return verify_credential(data, ctx, json_text=False)
