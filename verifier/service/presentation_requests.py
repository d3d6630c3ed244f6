"""OpenID4VP 1.0 requests: create, serve the request object, verify the direct_post answer.

One row per request: a fresh nonce and state, the DCQL query and policy of its template.
By default (``decentralized_identifier:``) the request object is signed with the verifier's
did:web key and served by reference (``request_uri``, RFC 9101). A ``redirect_uri:`` request
cannot be signed (OpenID4VP 1.0 §5.9.3) and an unsigned request object by reference is not a
valid JAR, so it is passed by value: its parameters are in the link itself
(docs/decisions/default-presentation-request.md). The answer is verified once: the row moves from ``pending`` to
``processing`` in one conditional UPDATE, so a replay (the same nonce again) is refused.

With the response mode ``direct_post.jwt`` (OpenID4VP 1.0 §8.3, §8.3.1) the request object's
``client_metadata.jwks`` carries a P-256 ECDH-ES key of that request only (``ResponseKeys``),
and the wallet posts the answer as a JWE in the ``response`` field. It is decrypted before the
request is claimed, so an answer that does not decrypt is refused without using up the
request; once decrypted it goes through exactly the checks of ``direct_post``.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from shared.encoding.base64url import b64url_encode
from shared.errors import InvalidInputError, NotFoundError, VcError
from shared.keys.store import KeyStore
from shared.protocols.dcql import (
    CandidateCredential,
    candidate_from_credential,
    check_dcql_response,
)
from shared.protocols.oid4vp import (
    DIRECT_POST,
    DIRECT_POST_JWT,
    PREFIX_DECENTRALIZED_IDENTIFIER,
    PREFIX_REDIRECT_URI,
    authorization_request_by_value,
    authorization_request_link,
    build_request_object,
    client_id_for,
    parse_direct_post,
    request_object_signing_input,
)
from shared.protocols.response_encryption import (
    ALLOWED_ENCS,
    DEFAULT_ENC,
    decrypt_response,
    encryption_client_metadata,
)
from shared.verify.report import CheckName, CheckStatus, VerificationReport
from verifier.db.models import PresentationRequest
from verifier.errors import RequestGoneError
from verifier.service.keys import (
    KEY_FRAGMENT,
    REQUEST_KEY_ID,
    ResponseKeys,
    open_response_keys,
    verifier_did,
)
from verifier.service.states import RequestState
from verifier.service.templates import Template, get_template
from verifier.service.trust import TrustRegistry
from verifier.service.verifying import (
    FORMAT_FAMILIES,
    Expectations,
    Policy,
    Verifier,
    apply_policy,
    attach_attestations,
    count_verification,
    report_json,
)
from verifier.settings import VerifierSettings

PREFIXES = {
    "redirect_uri": PREFIX_REDIRECT_URI,
    "decentralized_identifier": PREFIX_DECENTRALIZED_IDENTIFIER,
}
RESPONSE_MODES = (DIRECT_POST, DIRECT_POST_JWT)
#: content encryptions offered for direct_post.jwt, the §8.3 default (A128GCM) first
RESPONSE_ENCS = [DEFAULT_ENC, *sorted(ALLOWED_ENCS - {DEFAULT_ENC})]
#: an error answer's ``error`` and ``error_description`` are kept this long at most
MAX_ERROR_CHARS = 300
#: OpenID4VP 1.0 §8.5: the person refused to share
ACCESS_DENIED = "access_denied"
#: the longest link a QR code holds (ISO/IEC 18004 version 40, error correction M, byte mode);
#: a request by value (1.7 to 4.3 kB) often does not fit, a signed one by reference always does
QR_MAX_CHARS = 2331


class ResponseRefusedError(VcError):
    """The wallet's answer is refused (OAuth error format on the response endpoint)."""

    status = 400
    code = "invalid-presentation"
    title = "Presentation refused"

    def __init__(self, detail: str, error: str = "invalid_request") -> None:
        super().__init__(detail)
        self.error = error


@dataclass(frozen=True)
class Links:
    id: str
    #: the link the wallet opens (named after the parameter it carries when by reference)
    request_uri: str
    #: where the signed request object is fetched; None for a request passed by value
    request_object_uri: str | None
    response_uri: str
    client_id: str
    result_url: str
    #: None when the link is too long for a QR code (a long request passed by value)
    qr_url: str | None
    page_url: str
    expires_at: datetime
    #: the same request opened in the Musette wallet (None unless settings.wallet_url)
    wallet_link: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "request_uri": self.request_uri,
            "request_object_uri": self.request_object_uri,
            "response_uri": self.response_uri,
            "client_id": self.client_id,
            "result_url": self.result_url,
            "qr_url": self.qr_url,
            "page_url": self.page_url,
            "expires_at": self.expires_at.isoformat(),
            "wallet_link": self.wallet_link,
        }


def _base(settings: VerifierSettings) -> str:
    return settings.base_url.rstrip("/")


def response_uri(settings: VerifierSettings, key: str) -> str:
    return f"{_base(settings)}/oid4vp/response/{key}"


def request_object_uri(settings: VerifierSettings, key: str) -> str:
    return f"{_base(settings)}/oid4vp/request/{key}"


def by_value(row: PresentationRequest) -> bool:
    """A ``redirect_uri:`` request travels by value (it cannot be signed, §5.9.3)."""
    return row.client_id.startswith(PREFIX_REDIRECT_URI)


def links_for(
    settings: VerifierSettings,
    row: PresentationRequest,
    response_keys: ResponseKeys | None = None,
) -> Links:
    base = _base(settings)
    obj_uri: str | None
    if by_value(row):
        obj_uri = None
        if response_keys is None and row.response_mode == DIRECT_POST_JWT:
            response_keys = open_response_keys(settings)  # e.g. the CLI: derived, never stored
        link = authorization_request_by_value(request_claims(settings, row, response_keys))
    else:
        obj_uri = request_object_uri(settings, row.request_key)
        link = authorization_request_link(row.client_id, obj_uri)
    wallet = settings.wallet_url.rstrip("/")
    return Links(
        id=row.id,
        request_uri=link,
        # the wallet's /present takes the authorization request's own parameters (§5)
        wallet_link=f"{wallet}/present?{urlsplit(link).query}" if wallet else None,
        request_object_uri=obj_uri,
        response_uri=response_uri(settings, row.request_key),
        client_id=row.client_id,
        result_url=f"{base}/oid4vp/requests/{row.id}",
        qr_url=f"{base}/oid4vp/requests/{row.id}/qr.svg" if len(link) <= QR_MAX_CHARS else None,
        page_url=f"{base}/requests/{row.id}",
        expires_at=row.expires_at,
    )


def create_request(
    session: Session,
    settings: VerifierSettings,
    *,
    template: str,
    client_id_prefix: str = "decentralized_identifier",
    response_mode: str = DIRECT_POST,
    account_id: str | None,
    now: datetime,
    parameters: Mapping[str, Any] | None = None,
    response_keys: ResponseKeys | None = None,
) -> Links:
    chosen = get_template(template)
    policy = chosen.policy_with(parameters)  # e.g. rating minimum and scale, kept with the row
    if client_id_prefix not in PREFIXES:
        raise InvalidInputError(f"client_id_prefix must be one of {sorted(PREFIXES)}")
    if response_mode not in RESPONSE_MODES:
        raise InvalidInputError(f"response_mode must be one of {list(RESPONSE_MODES)}")
    key = secrets.token_urlsafe(24)
    if client_id_prefix == "redirect_uri":
        client_id = client_id_for(PREFIX_REDIRECT_URI, response_uri(settings, key))
    else:
        client_id = client_id_for(PREFIX_DECENTRALIZED_IDENTIFIER, verifier_did(settings))
    row = PresentationRequest(
        id=secrets.token_urlsafe(16),
        request_key=key,
        account_id=account_id,
        template=chosen.name,
        client_id=client_id,
        nonce=secrets.token_urlsafe(24),
        state=secrets.token_urlsafe(16),
        response_mode=response_mode,
        dcql_query=json.dumps(chosen.dcql),
        policy=json.dumps(policy.to_json()),
        status=RequestState.PENDING,
        created_at=now,
        expires_at=now + timedelta(seconds=settings.request_ttl_seconds),
    )
    session.add(row)
    session.flush()
    return links_for(settings, row, response_keys)


def get_request(session: Session, request_id: str) -> PresentationRequest:
    row = session.get(PresentationRequest, request_id)
    if row is None:
        raise NotFoundError(f"no presentation request {request_id}")
    return row


def request_by_key(session: Session, key: str) -> PresentationRequest:
    from sqlalchemy import select

    row = session.scalar(select(PresentationRequest).where(PresentationRequest.request_key == key))
    if row is None:
        raise NotFoundError("no such presentation request")
    return row


def client_metadata_for(
    settings: VerifierSettings, row: PresentationRequest, response_keys: ResponseKeys | None
) -> dict[str, Any]:
    """``client_metadata`` (§5.1): who asks, in words (RFC 7591 §2 ``client_name`` and
    ``logo_uri``, which wallets show the person), and with direct_post.jwt this request's
    encryption key."""
    metadata: dict[str, Any] = {
        "client_name": settings.client_name,
        "logo_uri": settings.logo_uri or f"{_base(settings)}/static/logo.svg",
    }
    if row.response_mode == DIRECT_POST_JWT:
        if response_keys is None:
            raise InvalidInputError("direct_post.jwt needs the verifier's response keys")
        metadata.update(
            encryption_client_metadata(response_keys.public_jwk(row.request_key), RESPONSE_ENCS)
        )
    return metadata


def request_claims(
    settings: VerifierSettings,
    row: PresentationRequest,
    response_keys: ResponseKeys | None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The request's parameters (§5.1): the request object's claims, or the by-value link's."""
    return build_request_object(
        client_id=row.client_id,
        response_uri=response_uri(settings, row.request_key),
        nonce=row.nonce,
        state=row.state,
        dcql_query=json.loads(row.dcql_query),
        response_mode=row.response_mode,
        client_metadata=client_metadata_for(settings, row, response_keys),
        issued_at=int(now.timestamp()) if now is not None else None,
        expires_at=int(row.expires_at.timestamp()),
    )


def request_object_jwt(
    settings: VerifierSettings,
    store: KeyStore,
    row: PresentationRequest,
    now: datetime,
    response_keys: ResponseKeys | None = None,
) -> str:
    """The signed request object (RFC 9101 JWT) the wallet fetches from ``request_uri``.

    Raises:
        NotFoundError: a ``redirect_uri:`` request, which is passed by value and has none
            (an unsigned request object is never served by reference).
    """
    if by_value(row):
        raise NotFoundError(
            "this request is passed by value: its parameters are in the link, "
            "there is no request object to fetch"
        )
    if row.status != RequestState.PENDING or now >= row.expires_at:
        raise RequestGoneError("this request has been answered or has expired")
    claims = request_claims(settings, row, response_keys, now)
    # No ``iss``: OpenID4VP 1.0 defines none for request objects, and JAR's ``iss`` would be the
    # full client_id, prefix included, which wallets (e.g. @openid4vc/openid4vp) compare with
    # the DID of ``kid`` and refuse ("kid ... different from did value in 'iss'").
    vm = verifier_did(settings) + KEY_FRAGMENT
    signing_input = request_object_signing_input(claims, alg="EdDSA", kid=vm)
    signature = store.sign(REQUEST_KEY_ID, signing_input)
    return f"{signing_input.decode('ascii')}.{b64url_encode(signature)}"


def _claim(sessions: sessionmaker[Session], row_id: str, now: datetime) -> None:
    """pending -> processing, exactly once (a replay finds nothing to update)."""
    with sessions.begin() as session:
        result = session.execute(
            update(PresentationRequest)
            .where(
                PresentationRequest.id == row_id,
                PresentationRequest.status == RequestState.PENDING,
            )
            .values(status=RequestState.PROCESSING)
        )
        if getattr(result, "rowcount", 0) != 1:
            raise ResponseRefusedError(
                "this request was already answered: a presentation is accepted once (replay)"
            )


def _bound(report: VerificationReport) -> str | None:
    """None when the presentation is bound to this request and its holder; else why not."""
    challenge, holder = report.check(CheckName.CHALLENGE), report.check(CheckName.HOLDER_BINDING)
    if challenge is None or challenge.status is not CheckStatus.PASSED:
        return "the presentation is not bound to this request's nonce and client_id"
    if holder is None or holder.status is not CheckStatus.PASSED:
        return "the holder binding does not hold"
    return None


def _candidates(report: VerificationReport, index: str) -> list[CandidateCredential]:
    out = []
    for n, sub in enumerate(report.credentials or [report]):
        if sub.credential is None:
            continue
        family = FORMAT_FAMILIES.get(sub.format, FORMAT_FAMILIES.get(report.format, sub.format))
        try:
            out.append(candidate_from_credential(f"{index}.{n}", family, sub.credential))
        except VcError:
            continue
    return out


def open_message(
    form: dict[str, Any],
    response_mode: str,
    request_key: str,
    response_keys: ResponseKeys | None,
) -> dict[str, Any]:
    """The answer's parameters: the form itself (direct_post), or the decrypted ``response``
    JWE (direct_post.jwt, §8.3.1). A plain ``vp_token`` for a request that asked for an
    encrypted answer is refused, and so is a JWE for one that did not; an unencrypted
    ``error`` is accepted in both modes (§8.3.1).

    Raises:
        ResponseRefusedError: the answer does not fit the request, or does not decrypt.
    """
    try:
        message = parse_direct_post(form)
    except VcError as err:
        raise ResponseRefusedError(err.detail) from err
    if "error" in message:
        return message
    if response_mode != DIRECT_POST_JWT:
        if "response" in message:
            raise ResponseRefusedError(
                "this request did not ask for an encrypted response (direct_post.jwt)"
            )
        return message
    if "response" not in message:
        raise ResponseRefusedError(
            "this request asks for an encrypted response: post it in the 'response' "
            "parameter (direct_post.jwt)"
        )
    if response_keys is None:
        raise ResponseRefusedError("this verifier cannot decrypt responses")
    key = response_keys.private_key(request_key)
    try:
        payload = decrypt_response(
            message["response"],
            key,
            expected_kid=response_keys.public_jwk(request_key)["kid"],
        )
        inner = parse_direct_post(payload)
    except VcError as err:
        raise ResponseRefusedError(f"the encrypted response is refused: {err.detail}") from err
    if "response" in inner:
        raise ResponseRefusedError("the encrypted response must not nest another response")
    return inner


def verify_response(
    sessions: sessionmaker[Session],
    verifier: Verifier,
    registry: TrustRegistry,
    request_key: str,
    form: dict[str, Any],
    now: datetime,
    response_keys: ResponseKeys | None = None,
) -> dict[str, Any]:
    """Verify a direct_post(.jwt) answer and store the result; raises ResponseRefusedError."""
    with sessions() as session:
        row = request_by_key(session, request_key)
        row_id, nonce, state, client_id = row.id, row.nonce, row.state, row.client_id
        dcql, template_name, expires = json.loads(row.dcql_query), row.template, row.expires_at
        status, response_mode = row.status, row.response_mode
        policy = Policy.from_json(json.loads(row.policy))
    if status != RequestState.PENDING:
        raise ResponseRefusedError(
            "this request was already answered: a presentation is accepted once (replay)"
        )
    if now >= expires:
        raise ResponseRefusedError("this request has expired")
    # before the claim: an answer that does not decrypt (or does not fit) uses nothing up
    message = open_message(form, response_mode, request_key, response_keys)
    if "error" in message:
        return _record_refusal(sessions, row_id, message, state, now)
    _claim(sessions, row_id, now)
    template = get_template(template_name)
    result = _evaluate(message, template, policy, dcql, verifier, registry, nonce, state, client_id)
    with sessions.begin() as session:
        stored = session.get(PresentationRequest, row_id)
        assert stored is not None
        stored.status = RequestState.ANSWERED
        stored.verified = bool(result["verified"])
        stored.result = json.dumps(result, ensure_ascii=False)
        stored.answered_at = now
    if not result["verified"]:
        raise ResponseRefusedError(
            "; ".join(result["problems"]) or "the presentation does not verify"
        )
    return result


def _record_refusal(
    sessions: sessionmaker[Session],
    row_id: str,
    message: dict[str, Any],
    state: str,
    now: datetime,
) -> dict[str, Any]:
    """An error answer (OpenID4VP 1.0 §8.5, RFC 6749 §4.1.2.1): the person refused
    (``access_denied``) or the wallet could not answer. The request is closed at once, so the
    recruiter's page stops waiting; the answer is acknowledged (200)."""
    if message.get("state") not in (None, state):
        raise ResponseRefusedError("state does not match the request")
    _claim(sessions, row_id, now)
    # RFC 6749 §4.1.2.1: error is an ASCII code; whatever was sent is kept short, as text
    error = str(message["error"])[:MAX_ERROR_CHARS]
    result = {
        "verified": False,
        "error": error,
        "error_description": str(message.get("error_description") or "")[:MAX_ERROR_CHARS],
        "problems": [f"the wallet answered with an error: {error}"],
        "presentations": {},
    }
    with sessions.begin() as session:
        stored = session.get(PresentationRequest, row_id)
        assert stored is not None
        stored.status = RequestState.REFUSED
        stored.verified = False
        stored.result = json.dumps(result, ensure_ascii=False)
        stored.answered_at = now
    return result


def _evaluate(
    message: dict[str, Any],
    template: Template,
    policy: Policy,
    dcql: dict[str, Any],
    verifier: Verifier,
    registry: TrustRegistry,
    nonce: str,
    state: str,
    client_id: str,
) -> dict[str, Any]:
    problems: list[str] = []
    presentations: dict[str, list[dict[str, Any]]] = {}
    if message.get("state") != state:
        problems.append("state does not match the request")
    expect = Expectations(challenge=nonce, domain=client_id, nonce=nonce, audience=client_id)
    presented: dict[str, list[CandidateCredential]] = {}
    for query_id, items in message["vp_token"].items():
        presentations[query_id] = []
        for n, item in enumerate(items):
            from shared.verify.credential import verify_credential

            # the recruiter's page shows this verdict: status lists are revalidated first
            report = verify_credential(item, verifier.context(expect, live=True), json_text=False)
            trusts = apply_policy(report, registry, policy)
            out = report_json(report, trusts)
            attach_attestations(report, out, verifier, registry, live=True)
            count_verification(report)
            unbound = _bound(report)
            if unbound:
                problems.append(f"{query_id}[{n}]: {unbound}")
            if not report.verified:
                failed = [c["reason"] for c in _failed_checks(out)]
                problems.append(f"{query_id}[{n}] does not verify: " + "; ".join(failed[:3]))
            presentations[query_id].append(out)
            presented.setdefault(query_id, []).extend(_candidates(report, f"{query_id}[{n}]"))
    dcql_problems = check_dcql_response(dcql, presented)
    problems.extend(f"{p.query_id}: {p.detail}" if p.query_id else p.detail for p in dcql_problems)
    return {
        "verified": not problems,
        "template": template.name,
        "problems": problems,
        "dcql_problems": [p.to_json() for p in dcql_problems],
        "presentations": presentations,
    }


def _failed_checks(out: dict[str, Any]) -> list[dict[str, Any]]:
    found = [c for c in out.get("checks", []) if c["status"] == "failed"]
    for sub in out.get("credentials", []):
        found.extend(_failed_checks(sub))
    return found


def state_of(row: PresentationRequest, now: datetime) -> RequestState:
    """pending, processing, answered, refused, or expired (pending past its time)."""
    if row.status == RequestState.PENDING and now >= row.expires_at:
        return RequestState.EXPIRED
    return RequestState(row.status)


def requests_of(
    session: Session, account_id: str, *, limit: int = 200
) -> list[PresentationRequest]:
    """The account's requests, newest first (the recruiter's list of past requests)."""
    from sqlalchemy import select

    return list(
        session.scalars(
            select(PresentationRequest)
            .where(PresentationRequest.account_id == account_id)
            .order_by(PresentationRequest.created_at.desc())
            .limit(limit)
        )
    )


def request_status(session: Session, request_id: str, now: datetime) -> dict[str, Any]:
    row = get_request(session, request_id)
    status = state_of(row, now)
    out: dict[str, Any] = {
        "id": row.id,
        "template": row.template,
        "response_mode": row.response_mode,
        "status": status,
        "verified": row.verified,
        "created_at": row.created_at.isoformat(),
        "expires_at": row.expires_at.isoformat(),
    }
    if row.result is not None:
        out["result"] = json.loads(row.result)
    return out
