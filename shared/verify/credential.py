"""One entry point: ``verify_credential()`` / ``verify_presentation()`` for every format.

The format is detected from the input; the result is a report of named checks. A failing
check is a result, not an exception. Only the injected fetcher reaches the network.
"""

from __future__ import annotations

from typing import Any

from shared.encoding.baked import extract_baked
from shared.encoding.json_limits import check_json_limits, parse_json
from shared.errors import MalformedCredentialError, VcError
from shared.model.base import as_list
from shared.model.vcdm2 import Violation, credential_violations, describe_violations
from shared.verify.common import check_validity
from shared.verify.context import Clock, VerifyContext, with_clock
from shared.verify.data_integrity import check_di_proofs, issuer_id
from shared.verify.envelope import ENVELOPED_VC, enveloped_type, open_envelope
from shared.verify.report import VerificationReport
from shared.verify.schema import check_schema
from shared.verify.status import check_credential_status

VC_V2 = "https://www.w3.org/ns/credentials/v2"
VC_V1 = "https://www.w3.org/2018/credentials/v1"


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
        report.failed("format", err.detail)
        return report
    enveloped = enveloped_type(value)
    if enveloped is not None:
        return verify_enveloped(value, enveloped, ctx)
    kind = detect_format(value)
    if kind == "ldp_vc":
        return _verify_ldp_credential(value, ctx)
    if kind == "ldp_vp":
        from shared.verify.presentation import verify_presentation

        return verify_presentation(value, ctx)
    if kind in {"jwt", "dc+sd-jwt"}:
        from shared.verify.tokens import verify_token

        return verify_token(value, kind, ctx)
    report = VerificationReport()
    report.failed(
        "format",
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
    from shared.verify.tokens import verify_credential_token, verify_presentation_token

    try:
        envelope = open_envelope(value, expected)
    except VcError as err:
        report = VerificationReport(format="enveloped")
        report.failed("format", err.detail, rule="enveloped", section="§4.13")
        return report
    if expected == ENVELOPED_VC:
        return verify_credential_token(envelope.token, envelope.kind, ctx)
    return verify_presentation_token(envelope.token, envelope.kind, ctx)


def check_credential_shape(report: VerificationReport, credential: Any) -> bool:
    """The ``format`` check of a JSON credential: the VC Data Model rules (2.0, reading 1.1)."""
    violations = credential_violations(credential)
    if violations:
        report_violations(report, violations)
        return False
    first = as_list(credential.get("@context"))[0]
    version = "2.0" if first == VC_V2 else "1.1"
    report.passed("format", f"VC Data Model {version} credential", version=version)
    return True


def report_violations(report: VerificationReport, violations: list[Violation]) -> None:
    """A failed ``format`` check naming each VC Data Model rule broken, with its section."""
    report.failed(
        "format",
        describe_violations(violations),
        rule=violations[0].rule,
        section=violations[0].section,
        violations=[v.to_json() for v in violations],
    )


def check_claims(
    report: VerificationReport, credential: dict[str, Any], ctx: VerifyContext
) -> None:
    """Schema, validity and status checks shared by every credential format."""
    report.credential = credential
    report.issuer = issuer_id(credential)
    subject = credential.get("credentialSubject")
    if isinstance(subject, dict) and isinstance(subject.get("id"), str):
        report.subject = subject["id"]
    if ctx.check_schema:
        check_schema(report, credential)
    check_validity(report, credential, ctx)
    check_credential_status(report, credential, ctx, verify_credential)


def _verify_ldp_credential(credential: dict[str, Any], ctx: VerifyContext) -> VerificationReport:
    report = VerificationReport(format="ldp_vc")
    if not check_credential_shape(report, credential):
        return report
    check_di_proofs(
        report, credential, ctx, purpose="assertionMethod", controller=issuer_id(credential)
    )
    check_claims(report, credential, ctx)
    return report
