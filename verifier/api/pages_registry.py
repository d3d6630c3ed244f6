"""The trust registry pages: list, add, rename, remove, import a DCC registry file."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from shared.encoding.json_limits import parse_json
from shared.errors import InvalidInputError, NotFoundError, VcError
from verifier.api.page_kit import (
    csrf_ok,
    error_page,
    keep_lang,
    page,
    read_form,
    refused,
    sign_in_first,
)
from verifier.deps import OptionalPrincipalDep, Principal, Resources, ResourcesDep
from verifier.errors import ConflictError, PayloadTooLargeError
from verifier.i18n import choose_language, translator
from verifier.service import trust

router = APIRouter(prefix="/registry", include_in_schema=False)
HOME = "/registry"
EMPTY_FORM = {"name": "", "kind": "did", "value": "", "url": "", "issuer_kind": ""}


def _flash(request: Request) -> str:
    _ = translator(choose_language(request))
    done = request.query_params.get("done")
    if done == "added":
        return _("Issuer added to the registry.")
    if done == "renamed":
        return _("Issuer renamed.")
    if done == "updated":
        return _("Issuer updated.")
    if done == "removed":
        return _("Issuer removed from the registry.")
    if done == "imported":
        added = request.query_params.get("added", "0")
        skipped = request.query_params.get("skipped", "0")
        if added.isdigit() and skipped.isdigit():
            return _(
                "Registry imported: {added} issuer(s) added, {skipped} already known.",
                added=added,
                skipped=skipped,
            )
    return ""


def source_words(source: str, _: Any) -> str:
    """Where an entry came from, in plain words."""
    kind, _sep, rest = source.partition(":")
    if kind == "page":
        return str(_("added on this page"))
    if kind == "api":
        return str(_("added through the API"))
    if kind == "import":
        return str(_("imported from {file}", file=rest or "?"))
    if source == "demo":
        return str(_("demo data"))
    return source


def _registry_page(
    request: Request,
    res: Resources,
    who: Principal,
    status: int = 200,
    *,
    error: str = "",
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    _ = translator(choose_language(request))
    with res.sessions() as session:
        entries = [(e, source_words(e.source, _)) for e in trust.list_entries(session)]
    return page(
        request,
        res,
        "registry.html",
        who,
        status,
        section="registry",
        back=HOME,
        entries=entries,
        flash="" if error else _flash(request),
        error=error,
        form=form or EMPTY_FORM,
        issuer_kinds=trust.ISSUER_KINDS,
    )


def _done(request: Request, **query: Any) -> RedirectResponse:
    return RedirectResponse(keep_lang(request, f"{HOME}?{urlencode(query)}"), status_code=303)


def _problem(
    request: Request,
    res: Resources,
    who: Principal,
    err: VcError,
    *,
    file: bool = False,
    **kw: Any,
) -> Response:
    _ = translator(choose_language(request))
    if file and isinstance(err, InvalidInputError):
        message = _("This file is not an issuer registry in the expected format.")
    elif isinstance(err, ConflictError):
        message = _("This issuer is already in the registry.")
    elif isinstance(err, NotFoundError):
        message = _("This issuer is no longer in the registry.")
    elif isinstance(err, PayloadTooLargeError):
        message = _("The file is too large.")
    else:
        message = _("This was not accepted: check what you typed.")
    return _registry_page(request, res, who, err.status, error=message, **kw)


@router.get("", response_model=None)
def registry_page(request: Request, res: ResourcesDep, who: OptionalPrincipalDep) -> Response:
    if who is None:
        return sign_in_first(request)
    return _registry_page(request, res, who)


@router.post("/add", response_model=None)
async def add(request: Request, res: ResourcesDep, who: OptionalPrincipalDep) -> Response:
    if who is None:
        return sign_in_first(request, HOME)
    form = await read_form(request)
    if not csrf_ok(who, form):
        return refused(request, res, who, HOME)
    values = {k: str(form.get(k, "")).strip() for k in EMPTY_FORM}
    try:
        with res.sessions.begin() as session:
            trust.add_entry(
                session,
                kind=values["kind"],
                value=values["value"],
                name=values["name"],
                url=values["url"] or None,
                source=f"page:{who.account_id}",
                now=res.clock(),
                issuer_kind=values["issuer_kind"] or None,
            )
    except (InvalidInputError, ConflictError) as err:
        return _problem(request, res, who, err, form=values)
    return _done(request, done="added")


async def _update_entry(
    entry_id: str, request: Request, res: Resources, who: Principal | None, field: str, done: str
) -> Response:
    """One field of an entry from its form (name, or issuer_kind), then back to the list."""
    if who is None:
        return sign_in_first(request, HOME)
    form = await read_form(request)
    if not csrf_ok(who, form):
        return refused(request, res, who, HOME)
    value = str(form.get(field, ""))
    try:
        with res.sessions.begin() as session:
            if field == "name":
                trust.update_entry(session, entry_id, name=value, url=None)
            else:
                trust.update_entry(
                    session, entry_id, name=None, url=None, issuer_kind=value.strip()
                )
    except (InvalidInputError, NotFoundError) as err:
        return _problem(request, res, who, err)
    return _done(request, done=done)


@router.post("/{entry_id}/rename", response_model=None)
async def rename(
    entry_id: str, request: Request, res: ResourcesDep, who: OptionalPrincipalDep
) -> Response:
    return await _update_entry(entry_id, request, res, who, "name", "renamed")


@router.post("/{entry_id}/kind", response_model=None)
async def set_kind(
    entry_id: str, request: Request, res: ResourcesDep, who: OptionalPrincipalDep
) -> Response:
    """Say what the issuer is (association, platform...): the rating template needs it."""
    return await _update_entry(entry_id, request, res, who, "issuer_kind", "updated")


@router.post("/{entry_id}/delete", response_model=None)
async def delete(
    entry_id: str, request: Request, res: ResourcesDep, who: OptionalPrincipalDep
) -> Response:
    if who is None:
        return sign_in_first(request, HOME)
    form = await read_form(request)
    if not csrf_ok(who, form):
        return refused(request, res, who, HOME)
    try:
        with res.sessions.begin() as session:
            trust.delete_entry(session, entry_id)
    except NotFoundError as err:
        return _problem(request, res, who, err)
    return _done(request, done="removed")


@router.post("/import", response_model=None)
async def import_file(request: Request, res: ResourcesDep, who: OptionalPrincipalDep) -> Response:
    if who is None:
        return sign_in_first(request, HOME)
    try:
        form = await read_form(request, res.settings.max_upload_bytes)
    except PayloadTooLargeError as err:
        return _problem(request, res, who, err)
    try:
        if not csrf_ok(who, form):
            return refused(request, res, who, HOME)
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            return error_page(
                request, res, who, 400, "Nothing imported", "Choose a registry file.", back=HOME
            )
        data = await upload.read()
        name = (upload.filename or "registry.json")[:150]
    finally:
        await form.close()
    try:
        with res.sessions.begin() as session:
            counts = trust.import_dcc_registry(
                session, parse_json(data), source=f"import:{name}", now=res.clock()
            )
    except InvalidInputError as err:
        return _problem(request, res, who, err, file=True)
    return _done(request, done="imported", added=counts["added"], skipped=counts["skipped"])
