"""``POST /verifications``: any credential or presentation in, the report out."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from typing import Any

import msgspec
from fastapi import APIRouter, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from servicekit.early import EarlyRoute
from servicekit.ratelimit import RATE_LIMITED_RESPONSE, client_ip, limiter_of
from shared.encoding.json_limits import parse_json
from shared.errors import InvalidInputError, NotFoundError
from shared.model.identity import recipient_matches
from verifier.api.bodies import form_from_bytes, json_body, read_capped
from verifier.deps import (
    SESSION,
    OptionalPrincipalDep,
    Resources,
    ResourcesDep,
    SessionDep,
    get_optional_principal,
    get_resources,
)
from verifier.schemas import VerificationOut, VerificationRequestIn, inline_schema
from verifier.service import challenges, store
from verifier.service.on_loop import NO_DATABASE, WouldBlock, on_loop
from verifier.service.sources import Submission, fetch_share_url
from verifier.service.trust import recent_registry
from verifier.service.verifying import Expectations, Policy, verify_submission

router = APIRouter(tags=["verifications"])

TOKEN_TYPES = (
    "application/jwt",
    "application/vc+jwt",
    "application/vp+jwt",
    "application/dc+sd-jwt",
    "application/vc+sd-jwt",
    "text/plain",
)
IMAGE_TYPES = ("image/png", "image/svg+xml", "application/octet-stream")
#: the defaults of a bare submission, made once (both are frozen: nothing can change them)
_ANY_POLICY = Policy()
_NOTHING_EXPECTED = Expectations()


def _from_json(value: Any) -> Submission:
    if isinstance(value, dict) and ("@context" in value or "type" in value):
        return Submission(value, "json", _ANY_POLICY, _NOTHING_EXPECTED)
    if not isinstance(value, dict):
        raise InvalidInputError("send a JSON object: {credential | presentation | url, policy?}")
    try:
        body = VerificationRequestIn.model_validate(value)
    except ValidationError as err:
        raise InvalidInputError(_first_error(err)) from None
    policy = Policy.from_json(body.policy)
    options = body.options.model_dump(exclude_none=True) if body.options else {}
    expect = Expectations(**options)
    name = body.item_name
    return Submission(getattr(body, name), "url" if name == "url" else "json", policy, expect)


def _first_error(err: ValidationError) -> str:
    """The first problem in the body, said with where it is: ``options.nonce: …``."""
    first = err.errors(include_url=False)[0]
    where = ".".join(str(part) for part in first["loc"] if not isinstance(part, int))
    if first["type"] == "extra_forbidden":
        return f"unknown member {where}: send credential, presentation or url, policy, options"
    # a union's members each add their name to the location; the member is the first part
    where = where.split(".")[0] if first["loc"] and first["loc"][0] in _ITEMS else where
    message = str(first["msg"]).removeprefix("Value error, ")
    return f"{where}: {message}" if where else message


_ITEMS = frozenset(VerificationRequestIn.ITEMS)


def media_type(content_type: str) -> str:
    """``Content-Type``'s media type, lower case, without its parameters."""
    return content_type.split(";")[0].strip().lower()


async def read_submission(request: Request, limit: int) -> Submission:
    return await submission_from_body(request, await read_capped(request, limit))


async def submission_from_body(
    request: Request, body: bytes, kind: str | None = None
) -> Submission:
    """``kind``: the media type of the body when the caller has read it already."""
    if kind is None:
        kind = media_type(request.headers.get("content-type", ""))
    if kind in {
        "application/json",
        "application/ld+json",
        "application/vc",
        "application/vp",
    } or kind.endswith("+json"):
        return _from_json(json_body(body))
    if kind in TOKEN_TYPES:
        return Submission(
            body.decode("utf-8", "replace").strip(), "token", _ANY_POLICY, _NOTHING_EXPECTED
        )
    if kind in IMAGE_TYPES:
        return Submission(body, "upload", _ANY_POLICY, _NOTHING_EXPECTED)
    if kind in {"multipart/form-data", "application/x-www-form-urlencoded"}:
        form = await form_from_bytes(request, body)
        try:
            return await submission_from_form(form)
        finally:
            await form.close()
    raise InvalidInputError(
        f"unsupported content type {kind or '(none)'}: send JSON, a token, an image or a form"
    )


async def submission_from_form(form: Any) -> Submission:
    formats = [f for f in form.getlist("accepted_formats") if isinstance(f, str) and f]
    policy = Policy.from_json(
        {
            "require_trusted_issuer": form.get("require_trusted_issuer") in {"on", "true", "1"},
            **({"accepted_formats": formats} if formats else {}),
        }
    )
    upload = form.get("file")
    if isinstance(upload, UploadFile) and (upload.filename or upload.size):
        data = await upload.read()
        if data:
            return Submission(data, "upload", policy, Expectations())
    text = form.get("credential")
    if isinstance(text, str) and text.strip():
        stripped = text.strip()
        value: Any = parse_json(stripped) if stripped.startswith("{") else stripped
        return Submission(value, "paste", policy, Expectations())
    url = form.get("url")
    if isinstance(url, str) and url.strip():
        return Submission(url.strip(), "url", policy, Expectations())
    raise InvalidInputError("give a file, a pasted credential, or a share URL")


def run_submission(
    res: Any,
    session: Any,
    sub: Submission,
    account_id: str | None,
    keep_contents: bool = True,
    *,
    live: bool = False,
    store_result: bool = True,
    expires_at: datetime | None = None,
    registry_age: float = 0,
    recipient: str | None = None,
) -> dict[str, Any]:
    """Verify, add the replay check, store the result; ``keep_contents=False`` stores only
    the verdict summary, ``store_result=False`` nothing, ``expires_at`` deletes it then
    (anonymous API calls: docs/decisions/verification-retention.md);
    ``live``: the recruiter reads this verdict on a page (status lists revalidated first);
    ``registry_age``: a trust registry read that many seconds ago will do (API calls);
    ``recipient``: a name checked against the credential's (hashed) OB 3.0 identifier."""
    data = sub.data
    if sub.source == "url":
        data = fetch_share_url(res.http, str(data))
    registry = recent_registry(session, res.settings.database_url, registry_age)
    now = res.clock()
    expect = challenges.with_issued_domain(session, sub.expect)
    _report, out = verify_submission(
        data,
        res.verifier,
        registry,
        sub.policy,
        expect,
        more_checks=lambda report: challenges.check_replay(session, report, expect, now),
        json_text=sub.source != "json",
        live=live,
    )
    out["policy"] = sub.policy.to_json()
    if recipient is not None:  # the answer only, never the name given
        out["recipient"] = {"name": recipient_matches(_report.credential, recipient)}
    store.purge_if_due(session, res.settings, now)
    if not store_result:
        return out
    row = store.save_verification(
        session,
        out,
        source=sub.source,
        account_id=account_id,
        now=now,
        keep_contents=keep_contents,
        expires_at=expires_at,
    )
    out["id"] = row.id
    return out


#: bodies up to this size may be verified on the event loop (a bigger one, a long JSON-LD
#: canonicalisation, would hold up the worker's other requests: a worker thread takes it)
ON_LOOP_MAX_BYTES = 64 * 1024


def _plain(request: Request, res: Resources, sub: Submission, keep: bool, size: int) -> bool:
    """Whether this request needs no database at all: anonymous (no API key, no session
    cookie), nothing stored, no challenge to look up, no rate-limit counter, no purge due,
    and nothing to fetch but what the status-list cache may hold."""
    return (
        not keep
        and size <= ON_LOOP_MAX_BYTES
        and sub.source in {"json", "token"}
        and sub.expect == _NOTHING_EXPECTED
        and res.settings.rate_limit_verifications == "off"
        and _anonymous(request.scope["headers"])
        and not store.purge_pending(res.settings, res.clock())
    )


def _anonymous(headers: list[tuple[bytes, bytes]]) -> bool:
    """No ``Authorization`` header, and no session cookie in the first ``Cookie`` header
    (what ``request.headers`` would say, read from the ASGI list without building it)."""
    cookie = None
    for name, value in headers:
        if name == b"authorization":
            return False
        if name == b"cookie" and cookie is None:
            cookie = value
    return cookie is None or SESSION.name not in cookie.decode("latin-1")


def _verify_on_loop(
    res: Resources, sub: Submission, recipient: str | None
) -> dict[str, Any] | None:
    """A plain verification on the event loop (verifier/service/on_loop.py), or None when it
    reached for the database or the network: the caller then starts over in a worker thread."""
    try:
        with on_loop():
            return run_submission(
                res,
                NO_DATABASE,
                sub,
                None,
                store_result=False,
                registry_age=res.settings.status_revalidate_seconds,
                recipient=recipient,
            )
    except WouldBlock:
        return None


def _verify_and_answer(
    request: Request, res: Resources, sub: Submission, keep: bool, recipient: str | None = None
) -> dict[str, Any]:
    """The whole request's blocking work in one worker thread: rate limit, caller, verify,
    store. Fetches (status lists, DID documents, share URLs) block."""
    limit = res.settings.rate_limit_verifications
    if limit != "off":  # "off": no counter to keep, no database round trip
        limiter_of(request).hit("verifications", client_ip(request), limit)
    who = get_optional_principal(request, res)
    account = who.account_id if who else None
    # an anonymous call is stored only when asked for, as its summary, for a set time
    expires = None
    if account is None and keep:
        expires = res.clock() + timedelta(seconds=res.settings.anonymous_stored_result_seconds)
    with res.sessions.begin() as session:  # nothing written on the plain anonymous path
        out = run_submission(
            res,
            session,
            sub,
            account,
            account is not None,
            store_result=account is not None or keep,
            expires_at=expires,
            # the status lists' freshness window (docs/decisions/status-freshness.md)
            registry_age=res.settings.status_revalidate_seconds,
            recipient=recipient,
        )
    if "id" in out:
        out["result_url"] = f"{res.settings.base_url.rstrip('/')}/verifications/{out['id']}"
    if expires is not None:
        out["expires_at"] = expires.isoformat()
    return out


#: ``?store=``'s accepted spellings, as FastAPI's bool query parameters had them
_TRUE = frozenset({"1", "true", "on", "yes", "t", "y"})
_FALSE = frozenset({"0", "false", "off", "no", "f", "n"})
_STORE_PARAMETER = {
    "name": "store",
    "in": "query",
    "required": False,
    "schema": {"type": "boolean", "default": False},
    "description": "Anonymous calls: keep the verdict summary (never the credential) at a "
    "result URL for anonymous_stored_result_seconds (24 h). Signed-in calls are always kept.",
}
_ENCODER = msgspec.json.Encoder()


#: the bodies read by hand (one route takes JSON, tokens, images and forms)
_REQUEST_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "anyOf": [
                    inline_schema(VerificationRequestIn),
                    {"type": "object", "description": "a bare credential or presentation"},
                ]
            },
        },
        **{kind: {"schema": {"type": "string"}} for kind in TOKEN_TYPES},
        **{kind: {"schema": {"type": "string", "format": "binary"}} for kind in IMAGE_TYPES},
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {
                    "file": {"type": "string", "format": "binary"},
                    "credential": {"type": "string"},
                    "url": {"type": "string"},
                    "require_trusted_issuer": {"type": "string"},
                    "accepted_formats": {"type": "array", "items": {"type": "string"}},
                },
            }
        },
    },
}


def _store_flag(request: Request) -> bool:
    values = request.query_params.getlist("store")
    if not values:
        return False
    value = values[-1].strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise InvalidInputError("store must be a boolean (true or false)")


_RECIPIENT_PARAMETER = {
    "name": "recipient",
    "in": "query",
    "required": False,
    "schema": {"type": "string", "maxLength": 200},
    "description": "A name to check against the badge's recipient name, hashed (OB 3.0 "
    "IdentityObject) or in clear: the answer's recipient.name is true, false, or null when the "
    "badge names no one that can be checked.",
}


def _recipient(request: Request) -> str | None:
    values = request.query_params.getlist("recipient")
    if not values:
        return None
    if len(values[-1]) > 200:
        raise InvalidInputError("recipient is longer than 200 characters")
    return values[-1]


def json_response(out: dict[str, Any]) -> Response:
    """``out`` as JSON, encoded once by msgspec: the report is plain JSON data, so FastAPI's
    jsonable_encoder walk and response-model pass are skipped (they were a tenth of the
    request); anything msgspec cannot encode goes the FastAPI way."""
    try:
        body = _ENCODER.encode(out)
    except (TypeError, msgspec.EncodeError):
        body = _ENCODER.encode(jsonable_encoder(out))
    return Response(body, media_type="application/json")


@router.post(
    "/verifications",
    # documents the answer; the route returns a Response, so no validation pass (hot path)
    response_model=VerificationOut,
    responses={
        **RATE_LIMITED_RESPONSE,
        413: {"description": "The body is larger than max_verification_bytes (1 MB)"},
    },
    openapi_extra={
        "parameters": [_STORE_PARAMETER, _RECIPIENT_PARAMETER],
        "requestBody": _REQUEST_BODY,
    },
)
async def create_verification(request: Request) -> Response:
    """Verify a credential or presentation (JSON, token, baked image, form, or share URL).

    Anonymous calls store nothing unless ``store=true``: then the verdict summary (never the
    credential) is kept at ``result_url`` until ``expires_at``. Calls with an API key are
    always kept, with ``id`` and ``result_url``, for the verification retention."""
    # the query is read by hand: a FastAPI parameter cost a dependency-solving pass
    keep = _store_flag(request)
    recipient = _recipient(request)
    res = get_resources(request)
    body = await read_capped(request, res.settings.max_verification_bytes)
    sub = await submission_from_body(request, body)
    out = None
    if _plain(request, res, sub, keep, len(body)):  # no database: no thread hop either
        out = _verify_on_loop(res, sub, recipient)
    if out is None:
        # one hop off the event loop for everything that blocks (no per-dependency hops)
        out = await run_in_threadpool(_verify_and_answer, request, res, sub, keep, recipient)
    return json_response(out)


#: what an early answer takes: a token or a JSON body (forms, images and share URLs go the
#: full way)
_EARLY_TYPES = frozenset(TOKEN_TYPES) | {"application/json", "application/ld+json"}


async def early_verification(request: Request) -> Response | None:
    """``POST /verifications`` before FastAPI's routing (servicekit/early.py) when it is the
    plain case: no query, anonymous, rate limit off, nothing to store or look up, verified on
    the event loop. None hands the request to :func:`create_verification`, which answers it
    the same way, or with its problem details.

    The headers are read once from the ASGI scope (lower-case names): the first
    ``Content-Type`` and ``Content-Length``, as the full route reads them; any
    ``Authorization``, or any ``Cookie`` naming the session, declines. The body is read
    straight from ``receive`` under the same cap as :func:`read_capped` (a body over it, or
    a client gone, is the full route's to answer)."""
    scope = request.scope
    res = get_resources(request)
    if scope["query_string"] or res.settings.rate_limit_verifications != "off":
        return None
    content_type: str | None = None
    declared: bytes | None = None
    for name, value in scope["headers"]:
        if name == b"content-type":
            if content_type is None:
                content_type = value.decode("latin-1")
        elif name == b"content-length":
            if declared is None:
                declared = value
        elif name == b"authorization" or (
            name == b"cookie" and SESSION.name in value.decode("latin-1")
        ):
            return None
    kind = media_type(content_type or "")
    if kind not in _EARLY_TYPES:
        return None
    body = await _early_body(request, declared, res.settings.max_verification_bytes)
    if body is None:
        return None
    sub = await submission_from_body(request, body, kind)
    if not _plain(request, res, sub, False, len(body)):
        return None
    out = _verify_on_loop(res, sub, None)
    return None if out is None else json_response(out)


async def _early_body(request: Request, declared: bytes | None, limit: int) -> bytes | None:
    """The body as :func:`read_capped` reads it, without Starlette's stream generator;
    None when that would refuse it (too large) or the client left."""
    if declared is not None and declared.isdigit() and int(declared) > limit:
        return None
    receive = request.receive
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None  # http.disconnect
        chunk = message.get("body", b"")
        if chunk:
            size += len(chunk)
            if size > limit:
                return None
            chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


EARLY = EarlyRoute("POST", re.compile("/verifications"), "/verifications", early_verification)


@router.get(
    "/verifications/{verification_id}",
    response_model=VerificationOut,
    response_model_exclude_unset=True,
)
def read_verification(
    verification_id: str, res: ResourcesDep, session: SessionDep, who: OptionalPrincipalDep
) -> dict[str, Any]:
    """A stored result. An anonymous one: the unguessable id is the capability to read it;
    one made by a signed-in account: that account only, as on the result page."""
    row = store.get_verification(session, verification_id, res.clock())
    owner = row.account_id if row is not None else None
    if row is None or (owner is not None and (who is None or who.account_id != owner)):
        raise NotFoundError(f"no verification {verification_id}")
    out: dict[str, Any] = json.loads(row.full_report or row.report)
    out["id"] = row.id
    out["created_at"] = row.created_at.isoformat()
    if row.expires_at is not None:
        out["expires_at"] = row.expires_at.isoformat()
    return out
