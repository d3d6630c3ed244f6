"""OpenID4VCI endpoints of each organisation, and its public documents.

Errors here are OAuth / OpenID4VCI JSON (``{"error": ...}``), raised as ``Oid4vciError``.
Metadata is served at the RFC 8414 / OpenID4VCI §12.2.2 inserted path
(``/.well-known/openid-credential-issuer/orgs/<slug>``) and, for draft-era wallets, at
the appended path (``/orgs/<slug>/.well-known/openid-credential-issuer``).
"""

from __future__ import annotations

import re
from typing import Annotated, Any
from urllib.parse import unquote_plus

from fastapi import APIRouter, Form, Header, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from issuer.deps import Resources, ResourcesDep, SessionDep, get_resources
from issuer.schemas import (
    AchievementDocumentOut,
    AuthorizationServerMetadataOut,
    CredentialIssuerMetadataOut,
    CredentialOfferOut,
    CredentialResponseOut,
    NonceOut,
    StatusListCredentialOut,
    TokenOut,
)
from issuer.service.achievements import get_achievement, to_ob3
from issuer.service.images import qr_png, qr_svg
from issuer.service.keys import did_document, org_keys
from issuer.service.oid4vci import (
    TokenFailure,
    authorization_server_metadata,
    document_of,
    issue_from_request,
    issuer_metadata,
    load_grant,
    new_nonce,
    oauth_org,
    offer_document,
    offer_urls,
    org_and_offer,
    redeem,
    redeem_at_once,
)
from issuer.service.orgs import get_org
from issuer.service.status import current_etag, remember_etag, remembered_etag, signed_list
from servicekit.early import EarlyRoute, app_answer
from servicekit.ratelimit import RateLimiter, client_ip, limiter_of
from servicekit.schemas import DidDocumentOut, OAuthErrorOut, media_response
from shared.encoding.json_limits import parse_json
from shared.errors import NotFoundError, VcError
from shared.protocols.oid4vci import Oid4vciError

router = APIRouter(tags=["openid4vci"])
_ORG = r"/orgs/[^/]+"
#: what a browser-based wallet calls (servicekit.cors.PublicCors): metadata, token, nonce,
#: credential, offers by reference, status lists, DID documents, achievements; not the QR images
PUBLIC_PATHS = (
    r"/\.well-known/(?:openid-credential-issuer|oauth-authorization-server)" + _ORG,
    _ORG + r"/\.well-known/(?:openid-credential-issuer|oauth-authorization-server)",
    _ORG + r"/(?:token|nonce|credential|did\.json)",
    _ORG + r"/offers/[^/]+",
    _ORG + r"/status/[^/]+/[^/]+",
    _ORG + r"/achievements/[^/]+",
)
NO_STORE = {"Cache-Control": "no-store"}


def _as_public(response: Response) -> Response:
    """An early answer on a public path with the header PublicCors' CORSMiddleware gives the
    full route's answer to a request without ``Origin`` (the early routes take no other)."""
    response.headers["Vary"] = ", ".join([*response.headers.getlist("Vary"), "Origin"])
    return response


class DidJsonResponse(JSONResponse):
    """A DID document (DID Core §7.1.1 representation media type)."""

    media_type = "application/did+json"


def _base(res: ResourcesDep, slug: str) -> str:
    return f"{res.settings.base_url}/orgs/{slug}"


# the documents are sent as built (JSONResponse); the models only describe them
@router.get(
    "/.well-known/openid-credential-issuer/orgs/{slug}",
    response_model=CredentialIssuerMetadataOut,
)
@router.get(
    "/orgs/{slug}/.well-known/openid-credential-issuer",
    response_model=CredentialIssuerMetadataOut,
)
def credential_issuer_metadata(slug: str, session: SessionDep, res: ResourcesDep) -> JSONResponse:
    org = get_org(session, slug)
    return JSONResponse(issuer_metadata(session, org, _base(res, slug)))


@router.get(
    "/.well-known/oauth-authorization-server/orgs/{slug}",
    response_model=AuthorizationServerMetadataOut,
)
@router.get(
    "/orgs/{slug}/.well-known/oauth-authorization-server",
    response_model=AuthorizationServerMetadataOut,
)
def oauth_metadata(slug: str, session: SessionDep, res: ResourcesDep) -> JSONResponse:
    get_org(session, slug)
    return JSONResponse(authorization_server_metadata(_base(res, slug)))


@router.get("/orgs/{slug}/did.json", response_class=DidJsonResponse, response_model=DidDocumentOut)
def did_json(slug: str, session: SessionDep) -> JSONResponse:
    org = get_org(session, slug)
    if org.did_method != "web":
        raise NotFoundError(f"{slug} uses {org.did}, which has no did:web document")
    return DidJsonResponse(did_document(org, org_keys(session, org)))


@router.get("/orgs/{slug}/achievements/{achievement}", response_model=AchievementDocumentOut)
def public_achievement(
    slug: str, achievement: str, session: SessionDep, res: ResourcesDep, lang: str = "fr"
) -> JSONResponse:
    org = get_org(session, slug)
    row = get_achievement(session, org, achievement)
    return JSONResponse(to_ob3(_base(res, slug), row, "en" if lang == "en" else "fr").to_json())


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 §13.1.2: ``If-None-Match`` is ``*`` or a list of entity tags, compared weakly
    (a ``W/`` prefix is ignored); our own ETag is strong."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    return any(
        tag.strip().removeprefix("W/") == etag for tag in if_none_match.split(",") if tag.strip()
    )


def _status_headers(res: Resources) -> dict[str, str]:
    return {"Cache-Control": f"public, max-age={res.settings.status_list_max_age_seconds}"}


def _etag_memo_seconds(res: Resources) -> float:
    return min(res.settings.status_etag_memo_seconds, res.settings.status_list_max_age_seconds)


def _status_list_response(
    res: Resources, slug: str, purpose: str, seq: int, if_none_match: str | None
) -> Response:
    headers = _status_headers(res)
    database = res.settings.database_url
    if if_none_match:
        # the cheap revalidation: one small query in autocommit (no BEGIN/ROLLBACK round
        # trips), no signed body read, nothing signed
        with res.engine.connect() as conn:
            etag = current_etag(
                conn.execution_options(isolation_level="AUTOCOMMIT"), slug, purpose, seq
            )
        if etag is not None:
            remember_etag(database, slug, purpose, seq, etag)
            if etag_matches(if_none_match, etag):
                return Response(status_code=304, headers={"ETag": etag, **headers})
    with res.sessions.begin() as session:  # signs the list once per version (then cached)
        org = get_org(session, slug)
        signed = signed_list(session, res.key_store(session), org, _base(res, slug), purpose, seq)
    remember_etag(database, slug, purpose, seq, signed.etag)
    headers["ETag"] = signed.etag
    if etag_matches(if_none_match, signed.etag):
        return Response(status_code=304, headers=headers)
    return Response(signed.body, media_type="application/json", headers=headers)


_STATUS_PATH = re.compile(r"/orgs/([^/]+)/status/([^/]+)/([0-9]{1,9})")


async def early_status_304(request: Request) -> Response | None:
    """A conditional GET of a status list answered 304 from this process's ETag memo, before
    FastAPI's routing (servicekit/early.py); None (the full route answers): no
    ``If-None-Match``, a cross-origin request (the full route adds the CORS headers), no
    fresh memo, or a tag that does not match."""
    if_none_match = request.headers.get("if-none-match")
    found = _STATUS_PATH.fullmatch(request.scope["path"])
    if not if_none_match or found is None or "origin" in request.headers:
        return None
    res = get_resources(request)
    slug, purpose, seq = found[1], found[2], int(found[3])
    etag = remembered_etag(res.settings.database_url, slug, purpose, seq, _etag_memo_seconds(res))
    if etag is None or not etag_matches(if_none_match, etag):
        return None
    return _as_public(Response(status_code=304, headers={"ETag": etag, **_status_headers(res)}))


EARLY_STATUS = EarlyRoute(
    "GET",
    re.compile(_ORG + r"/status/[^/]+/[^/]+"),
    "/orgs/{slug}/status/{purpose}/{seq}",
    early_status_304,
)


@router.get(
    "/orgs/{slug}/status/{purpose}/{seq}",
    # documents the answer; the route returns the signed bytes (no validation pass)
    response_model=StatusListCredentialOut,
    responses={304: {"description": "Not modified (If-None-Match)"}},
)
async def status_list(slug: str, purpose: str, seq: int, request: Request) -> Response:
    res = get_resources(request)
    # one hop off the event loop for the database work (no per-dependency hops)
    return await run_in_threadpool(
        _status_list_response, res, slug, purpose, seq, request.headers.get("if-none-match")
    )


def _offer_answer(res: Resources, slug: str, offer_id: str) -> JSONResponse:
    # read only: one Core read in autocommit (no BEGIN and COMMIT round trips, no ORM objects)
    with res.engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT")
        org_id, offer = org_and_offer(conn, slug, offer_id)
    doc = document_of(res.settings, res.master_secret, org_id, _base(res, slug), offer, res.clock())
    return JSONResponse(doc, headers=NO_STORE)


@router.get("/orgs/{slug}/offers/{offer_id}", response_model=CredentialOfferOut)
async def credential_offer(slug: str, offer_id: str, request: Request) -> JSONResponse:
    # one hop off the event loop (a sync route with a session dependency took two)
    return await run_in_threadpool(_offer_answer, get_resources(request), slug, offer_id)


def _plain(request: Request, res: Resources, kind: str | None) -> bool:
    """What an early OpenID4VCI route answers as its full route would (else None, and the
    full route answers): no query string; no ``Origin`` (PublicCors adds the CORS headers);
    no browser asking for an HTML error page (the pages read the reader's time zone); a
    POST of the content type ``kind`` whose declared length, if any, is within the body
    limit (BodyLimitMiddleware answers the rest; a streamed body: :func:`_early_body`)."""
    headers = request.headers
    if (
        request.scope["query_string"]
        or "origin" in headers
        or "text/html" in headers.get("accept", "")
    ):
        return False
    if kind is None:
        return True
    length = headers.get("content-length")
    return (
        length is None or (length.isdigit() and int(length) <= res.settings.max_body_bytes)
    ) and headers.get("content-type", "").strip().lower() == kind


async def _early_body(request: Request, res: Resources) -> bytes | None:
    """The body, or None past the body limit (the full app, BodyLimitMiddleware, reads the
    rest and answers 413)."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > res.settings.max_body_bytes:
            return None
    return bytes(body)


_OFFER_PATH = re.compile(r"/orgs/([^/]+)/offers/([^/]+)")


async def early_offer(request: Request) -> Response | None:
    """The offer GET before FastAPI's routing (servicekit/early.py): the same one hop and
    answer as :func:`credential_offer`, its errors answered by the app's own handlers."""
    found = _OFFER_PATH.fullmatch(request.scope["path"])
    res = get_resources(request)
    if found is None or not _plain(request, res, None):
        return None
    try:
        response: Response = await run_in_threadpool(_offer_answer, res, found[1], found[2])
    except Exception as exc:  # answered as the full route's would be
        response = await app_answer(request, exc)
    return _as_public(response)


EARLY_OFFER = EarlyRoute(
    "GET", re.compile(_ORG + "/offers/[^/]+"), "/orgs/{slug}/offers/{offer_id}", early_offer
)


def _offer_link(session: SessionDep, res: ResourcesDep, slug: str, offer_id: str) -> str:
    org = get_org(session, slug)
    offer_document(
        session, res.settings, res.master_secret, org, _base(res, slug), offer_id, res.clock()
    )
    return offer_urls(res.settings, _base(res, slug), offer_id)[1]


@router.get(
    "/orgs/{slug}/offers/{offer_id}/qr.png",
    response_class=Response,
    responses=media_response("The offer's QR code", "image/png"),
)
def offer_qr_png(slug: str, offer_id: str, session: SessionDep, res: ResourcesDep) -> Response:
    return Response(
        qr_png(_offer_link(session, res, slug, offer_id)), media_type="image/png", headers=NO_STORE
    )


@router.get(
    "/orgs/{slug}/offers/{offer_id}/qr.svg",
    response_class=Response,
    responses=media_response("The offer's QR code", "image/svg+xml"),
)
def offer_qr_svg(slug: str, offer_id: str, session: SessionDep, res: ResourcesDep) -> Response:
    return Response(
        qr_svg(_offer_link(session, res, slug, offer_id)),
        media_type="image/svg+xml",
        headers=NO_STORE,
    )


def _token_response(
    res: Resources, limiter: RateLimiter, ip: str, slug: str, form: dict[str, str]
) -> JSONResponse:
    """The token endpoint's work (§6), off the event loop: the rate limits, then the usual
    request in one statement (PostgreSQL), anything else in a transaction."""
    limiter.hit("token", ip, res.settings.rate_limit_token)
    if "tx_code" in form:
        # on top of the offer's own tries: one address guessing PINs across many offers
        limiter.hit("tx_code", ip, res.settings.rate_limit_tx_code)
    now = res.clock()
    body = redeem_at_once(res.engine, res.settings, slug, _base(res, slug), form, now)
    if body is not None:
        return JSONResponse(body, headers=NO_STORE)
    failure: TokenFailure | None = None
    with res.sessions.begin() as session:
        try:
            body = redeem(
                session, res.settings, res.master_secret, slug, _base(res, slug), form, now
            )
        except TokenFailure as err:
            failure = err  # leave the block normally: the counted try is committed
    if failure is not None:
        raise failure.error
    return JSONResponse(body, headers=NO_STORE)


@router.post(
    "/orgs/{slug}/token", response_model=TokenOut, responses={400: {"model": OAuthErrorOut}}
)
def token(
    slug: str,
    request: Request,
    res: ResourcesDep,
    grant_type: Annotated[str | None, Form()] = None,
    pre_authorized_code: Annotated[str | None, Form(alias="pre-authorized_code")] = None,
    tx_code: Annotated[str | None, Form()] = None,
    resource: Annotated[str | None, Form()] = None,
) -> JSONResponse:
    """Token endpoint: no client authentication, ``client_id`` not needed (anonymous)."""
    form = {
        k: v
        for k, v in {
            "grant_type": grant_type,
            "pre-authorized_code": pre_authorized_code,
            "tx_code": tx_code,
            "resource": resource,
        }.items()
        if v is not None
    }
    return _token_response(res, limiter_of(request), client_ip(request), slug, form)


_TOKEN_PATH = re.compile(r"/orgs/([^/]+)/token")
_FORM = "application/x-www-form-urlencoded"
#: the fields an early token request may carry (a tx_code or a resource go the full way)
_EARLY_TOKEN_FIELDS = frozenset({"grant_type", "pre-authorized_code"})
_FORM_VALUE = re.compile(rb"(?:[A-Za-z0-9._~*+-]|%[0-9A-Fa-f]{2})+")


def early_token_form(body: bytes) -> dict[str, str] | None:
    """The form of a plain token request, or None (the full route parses it): only
    ``grant_type`` and ``pre-authorized_code``, each once, not empty, percent-encoded
    ASCII (read as FastAPI's form parsing reads it: ``+`` is a space)."""
    form: dict[str, str] = {}
    for pair in body.split(b"&"):
        name, equals, value = pair.partition(b"=")
        key = name.decode("ascii", "replace")
        if (
            not equals
            or key not in _EARLY_TOKEN_FIELDS
            or key in form
            or _FORM_VALUE.fullmatch(value) is None
        ):
            return None
        try:
            form[key] = unquote_plus(value.decode("ascii"), errors="strict")
        except UnicodeDecodeError:  # escapes of no UTF-8 text: FastAPI reads them its way
            return None
    return form


async def early_token(request: Request) -> Response | None:
    """The token endpoint before FastAPI's routing (servicekit/early.py) for a plain
    pre-authorized code request: the same work as :func:`token` in one hop; once the
    request is counted it is never handed over (its errors, OAuth's or the rate limit's,
    are answered by the app's own handlers)."""
    found = _TOKEN_PATH.fullmatch(request.scope["path"])
    res = get_resources(request)
    if found is None or not _plain(request, res, _FORM):
        return None
    body = await _early_body(request, res)
    form = None if body is None else early_token_form(body)
    if form is None:
        return None
    try:
        response: Response = await run_in_threadpool(
            _token_response, res, limiter_of(request), client_ip(request), found[1], form
        )
    except Exception as exc:  # answered as the full route's would be
        response = await app_answer(request, exc)
    return _as_public(response)


EARLY_TOKEN = EarlyRoute("POST", re.compile(_ORG + "/token"), "/orgs/{slug}/token", early_token)


#: organisations found in the database by this process (a nonce names no secret and
#: commits to nothing: one made for an organisation deleted since is refused where it is used)
_KNOWN_ORGS: set[str] = set()
_KNOWN_ORGS_MAX = 10_000


def _nonce_answer(res: Resources, slug: str) -> JSONResponse:
    value = new_nonce(res.master_secret, res.settings, slug, res.clock())
    return JSONResponse({"c_nonce": value}, headers=NO_STORE)


@router.post("/orgs/{slug}/nonce", response_model=NonceOut)
def nonce(slug: str, session: SessionDep, res: ResourcesDep) -> JSONResponse:
    org = oauth_org(session, slug)
    if len(_KNOWN_ORGS) < _KNOWN_ORGS_MAX:
        _KNOWN_ORGS.add(org.slug)
    return _nonce_answer(res, org.slug)


_NONCE_PATH = re.compile(r"/orgs/([^/]+)/nonce")


async def early_nonce(request: Request) -> Response | None:
    """The nonce endpoint before FastAPI's routing (servicekit/early.py) for an organisation
    this process has already found: a nonce needs no database (service/oid4vci.py). None
    (the full route answers): an unknown slug, a cross-origin request (CORS headers)."""
    found = _NONCE_PATH.fullmatch(request.scope["path"])
    if found is None or found[1] not in _KNOWN_ORGS or "origin" in request.headers:
        return None
    return _as_public(_nonce_answer(get_resources(request), found[1]))


EARLY_NONCE = EarlyRoute("POST", re.compile(_ORG + "/nonce"), "/orgs/{slug}/nonce", early_nonce)


async def _credential_response(
    res: Resources, slug: str, authorization: str | None, raw: bytes
) -> JSONResponse:
    """The credential endpoint's work (§8): the body parsed on the event loop, the rest in
    one hop off it."""
    try:
        body = parse_json(raw) if raw else None
    except VcError as err:
        raise Oid4vciError(
            "invalid_credential_request", f"the body is not JSON: {err.detail}"
        ) from err

    def run() -> dict[str, Any]:
        with res.sessions.begin() as session:
            now = res.clock()
            grant = load_grant(session, slug, authorization, now)
            return issue_from_request(
                session,
                res.settings,
                res.key_store(session),
                res.resolver,
                grant,
                _base(res, slug),
                body,
                now,
                master_secret=res.master_secret,
            )

    result = await run_in_threadpool(run)
    return JSONResponse(result, headers=NO_STORE)


@router.post(
    "/orgs/{slug}/credential",
    # documents the answer; the route returns a JSONResponse (no validation pass, hot path)
    response_model=CredentialResponseOut,
    responses={400: {"model": OAuthErrorOut}},
)
async def credential(
    slug: str,
    request: Request,
    res: ResourcesDep,
    authorization: Annotated[str | None, Header()] = None,
) -> JSONResponse:
    return await _credential_response(res, slug, authorization, await request.body())


_CREDENTIAL_PATH = re.compile(r"/orgs/([^/]+)/credential")


async def early_credential(request: Request) -> Response | None:
    """The credential endpoint before FastAPI's routing (servicekit/early.py) for a JSON
    request: the same work as :func:`credential`, its errors answered by the app's own
    handlers (a failed request changed nothing: its transaction is rolled back)."""
    found = _CREDENTIAL_PATH.fullmatch(request.scope["path"])
    res = get_resources(request)
    if found is None or not _plain(request, res, "application/json"):
        return None
    raw = await _early_body(request, res)
    if raw is None:
        return None
    try:
        response: Response = await _credential_response(
            res, found[1], request.headers.get("authorization"), raw
        )
    except Exception as exc:  # answered as the full route's would be
        response = await app_answer(request, exc)
    return _as_public(response)


EARLY_CREDENTIAL = EarlyRoute(
    "POST", re.compile(_ORG + "/credential"), "/orgs/{slug}/credential", early_credential
)

#: the early routes of the OpenID4VCI exchange and the status lists (issuer/main.py)
EARLY_ROUTES = (EARLY_STATUS, EARLY_OFFER, EARLY_TOKEN, EARLY_NONCE, EARLY_CREDENTIAL)
