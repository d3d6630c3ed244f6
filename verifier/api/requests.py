"""OpenID4VP 1.0: create a request (recruiter), serve it (wallet), receive the answer (wallet),
read the result (recruiter's page polls it)."""

from __future__ import annotations

import io
from typing import Any

import qrcode
import qrcode.image.svg
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from starlette.concurrency import run_in_threadpool

from servicekit.schemas import media_response
from shared.errors import ConflictError, NotFoundError
from shared.protocols.oid4vp import DIRECT_POST, REQUEST_OBJECT_MEDIA_TYPE
from verifier.api.bodies import form_from_bytes, read_capped
from verifier.deps import PrincipalDep, ResourcesDep, SessionDep
from verifier.errors import RequestGoneError
from verifier.schemas import (
    EmptyOut,
    OAuthErrorOut,
    PresentationRequestLinksOut,
    PresentationRequestOut,
    TemplatesOut,
)
from verifier.service import presentation_requests as vp
from verifier.service.templates import TEMPLATES
from verifier.service.trust import load_registry

router = APIRouter(prefix="/oid4vp", tags=["openid4vp"])
#: what a wallet calls, possibly from a browser (servicekit.cors.PublicCors): the request object
#: and the response endpoint, not the recruiter's API
PUBLIC_PATHS = (r"/oid4vp/request/[^/]+", r"/oid4vp/response/[^/]+")


class NewRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    template: str
    #: signed, by reference: what every wallet answers (docs/decisions/default-presentation-request.md)
    client_id_prefix: str = "decentralized_identifier"
    response_mode: str = DIRECT_POST
    #: the template's parameters, e.g. {"minimum": "4.5", "scale": "5"} for ``rating``,
    #: {"min_hours": 200, "year": 2026, "eligible_role": true} for ``volunteer-hours``
    #: (null: the template's default)
    parameters: dict[str, bool | str | int | float | None] | None = None


@router.get("/templates", response_model=TemplatesOut)
def list_templates() -> dict[str, Any]:
    return {
        "templates": [
            {
                "name": t.name,
                "title": {"fr": t.title_fr, "en": t.title_en},
                "dcql_query": t.dcql,
                "policy": t.policy.to_json(),
                "parameters": list(t.parameters),
            }
            for t in TEMPLATES.values()
        ]
    }


@router.post("/requests", status_code=201, response_model=PresentationRequestLinksOut)
def create(
    body: NewRequest, session: SessionDep, res: ResourcesDep, who: PrincipalDep
) -> dict[str, Any]:
    links = vp.create_request(
        session,
        res.settings,
        template=body.template,
        client_id_prefix=body.client_id_prefix,
        response_mode=body.response_mode,
        account_id=who.account_id,
        now=res.clock(),
        parameters=body.parameters,
        response_keys=res.response_keys,
    )
    return links.to_json()


@router.get(
    "/requests/{request_id}",
    response_model=PresentationRequestOut,
    response_model_exclude_unset=True,
)
def result(request_id: str, session: SessionDep, res: ResourcesDep) -> dict[str, Any]:
    """Status and, once answered, the result (the id is the capability to read it)."""
    return vp.request_status(session, request_id, res.clock())


@router.get(
    "/requests/{request_id}/qr.svg",
    response_class=Response,
    responses=media_response("The QR code", "image/svg+xml"),
)
def qr(request_id: str, session: SessionDep, res: ResourcesDep) -> Response:
    row = vp.get_request(session, request_id)
    link = vp.links_for(res.settings, row, res.response_keys).request_uri
    if len(link) > vp.QR_MAX_CHARS:
        raise ConflictError(
            f"this request carries all its parameters in its link ({len(link)} characters), too "
            f"many for a QR code (at most {vp.QR_MAX_CHARS}): share the link, or create a signed "
            "request (client_id_prefix decentralized_identifier), whose link is short"
        )
    image = qrcode.make(link, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return Response(buffer.getvalue(), media_type="image/svg+xml")


@router.get(
    "/request/{key}",
    response_class=Response,
    responses=media_response(
        "The request object, a signed JWT (RFC 9101 §5.2)", REQUEST_OBJECT_MEDIA_TYPE
    ),
)
def request_object(key: str, session: SessionDep, res: ResourcesDep) -> Response:
    """The signed request object by reference (RFC 9101 ``request_uri``); 404 for a request
    passed by value."""
    row = vp.request_by_key(session, key)
    token = vp.request_object_jwt(res.settings, res.key_store, row, res.clock(), res.response_keys)
    return Response(token, media_type=REQUEST_OBJECT_MEDIA_TYPE)


def _oauth_error(status: int, error: str, description: str) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status_code=status)


@router.post(
    "/response/{key}",
    # OpenID4VP 1.0 §8.2: an empty object (no redirect_uri); errors as RFC 6749 §5.2
    response_model=EmptyOut,
    responses={
        400: {"model": OAuthErrorOut, "description": "The response is refused"},
        404: {"model": OAuthErrorOut, "description": "Unknown request"},
    },
)
async def response(key: str, request: Request, res: ResourcesDep) -> JSONResponse:
    """direct_post: the wallet's ``vp_token`` and ``state`` (form-encoded); direct_post.jwt:
    the same, encrypted in a ``response`` JWE (OpenID4VP 1.0 §8.3.1)."""
    body = await read_capped(request, res.settings.max_upload_bytes)
    form = await form_from_bytes(request, body)
    try:
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
    finally:
        await form.close()
    with res.sessions() as session:
        registry = load_registry(session)
    try:
        # verifying fetches DID documents and status lists: off the event loop, or every
        # other request (and a service sharing this loop, as under `musette up`) waits
        await run_in_threadpool(
            vp.verify_response,
            res.sessions,
            res.verifier,
            registry,
            key,
            fields,
            res.clock(),
            res.response_keys,
        )
    except NotFoundError:
        return _oauth_error(404, "invalid_request", "unknown request")
    except RequestGoneError as err:
        return _oauth_error(400, "invalid_request", err.detail)
    except vp.ResponseRefusedError as err:
        return _oauth_error(400, err.error, err.detail)
    return JSONResponse({})
