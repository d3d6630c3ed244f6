"""Console pages for achievements (the badges an organisation issues): list, create, edit."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from issuer.api.forms import (
    ACHIEVEMENT_TYPES,
    FRAMEWORKS,
    achievement_values,
    parse_achievement,
    submitted_achievement_values,
)
from issuer.api.pages import _flash
from issuer.db.models import Achievement as AchievementRow
from issuer.deps import ResourcesDep, SessionDep
from issuer.i18n import choose_language
from issuer.pages import (
    Console,
    ConsoleDep,
    FormDep,
    PageError,
    render,
)
from issuer.schemas import AchievementPatch
from issuer.service import achievements as ach
from issuer.service.uploads import MAX_IMAGE_BYTES, store_image
from shared.errors import ConflictError, InvalidInputError
from shared.ui.problem_text import problem_message

router = APIRouter(tags=["console"], include_in_schema=False)


def _achievement(session: SessionDep, console: Console, slug: str) -> AchievementRow:
    row = ach.get_achievement(session, console.org, slug, missing_ok=True)
    if row is None:
        raise PageError(404, "This badge does not exist in your organisation.")
    return row


def _text(row: AchievementRow, key: str, lang: str) -> str:
    value = row.content.get(key) or {}
    other = "en" if lang == "fr" else "fr"
    return str(value.get(lang) or value.get(other) or "")


@router.get("/console/achievements", response_class=Response)
def achievements_page(request: Request, console: ConsoleDep, session: SessionDep) -> Response:
    rows = ach.list_achievements(session, console.org)
    return render(
        request,
        "achievements.html",
        console=console,
        section="achievements",
        rows=rows,
        text=_text,
        types=ACHIEVEMENT_TYPES,
        flash=_flash(request),
    )


def _achievement_form(
    request: Request,
    console: Console,
    values: dict[str, Any],
    *,
    editing: bool,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    types = dict(ACHIEVEMENT_TYPES)
    current = values.get("achievement_type")
    if current and current not in types:
        types[current] = current
    return render(
        request,
        "achievement_form.html",
        status=status,
        console=console,
        section="achievements",
        values=values,
        editing=editing,
        errors=errors or {},
        types=types,
        frameworks=FRAMEWORKS,
        max_kb=MAX_IMAGE_BYTES // 1024,
    )


@router.get("/console/achievements/new", response_class=Response)
def new_achievement_page(request: Request, console: ConsoleDep) -> Response:
    return _achievement_form(request, console, achievement_values(None), editing=False)


def _uploaded_image(
    form: FormDep, console: Console, res: ResourcesDep, errors: dict[str, str]
) -> str | None:
    """The URL of a newly uploaded image, if any (errors["image"] when refused)."""
    upload = form.get("image")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return None
    data = upload.file.read(MAX_IMAGE_BYTES + 1)
    if not data:
        return None
    try:
        name = store_image(res.settings.data_dir, console.org.slug, data)
    except InvalidInputError as err:
        errors["image"] = {
            "too-large": "The image is too large.",
            "unsafe-svg": "This SVG contains scripts or links to other files; export a plain SVG.",
        }.get(str(err.extensions.get("reason")), "Choose a PNG, JPEG or SVG image.")
        return None
    return f"{console.org_base}/images/{name}"


@router.post("/console/achievements/new", response_class=Response)
def create_achievement_page(
    request: Request, console: ConsoleDep, form: FormDep, session: SessionDep, res: ResourcesDep
) -> Response:
    values = submitted_achievement_values(form, None)
    errors: dict[str, str] = {}
    image = _uploaded_image(form, console, res, errors)
    parsed = parse_achievement(form, slug=None, image_url=image)
    errors.update(parsed.errors)
    if values["id"] == "new":
        errors["id"] = "This identifier is reserved; choose another."
    if not errors:
        try:
            ach.create_achievement(session, console.org, console.org_base, parsed.body, res.clock())
        except ConflictError:
            errors["id"] = "A badge with this identifier already exists."
        except InvalidInputError as err:
            errors[""] = problem_message(err.code, choose_language(request))
    if errors:
        values["image_url"] = None
        return _achievement_form(request, console, values, editing=False, errors=errors, status=422)
    return RedirectResponse("/console/achievements?done=created", status_code=303)


@router.get("/console/achievements/{slug}", response_class=Response)
def edit_achievement_page(
    slug: str, request: Request, console: ConsoleDep, session: SessionDep
) -> Response:
    row = _achievement(session, console, slug)
    return _achievement_form(request, console, achievement_values(row), editing=True)


@router.post("/console/achievements/{slug}", response_class=Response)
def update_achievement_page(
    slug: str,
    request: Request,
    console: ConsoleDep,
    form: FormDep,
    session: SessionDep,
    res: ResourcesDep,
) -> Response:
    row = _achievement(session, console, slug)
    stored = achievement_values(row)
    values = submitted_achievement_values(form, row.slug)
    errors: dict[str, str] = {}
    image = _uploaded_image(form, console, res, errors)
    if image is None and not form.get("remove_image"):
        image = row.image_url
    values["image_url"] = image
    parsed = parse_achievement(form, slug=row.slug, image_url=image, keep=stored)
    errors.update(parsed.errors)
    if not errors:
        patch = AchievementPatch.model_validate(
            parsed.body.model_dump(mode="json", exclude={"id", "tags"})
        )
        try:
            ach.update_achievement(
                session, console.org, console.org_base, row.slug, patch, res.clock()
            )
        except InvalidInputError as err:
            errors[""] = problem_message(err.code, choose_language(request))
    if errors:
        return _achievement_form(request, console, values, editing=True, errors=errors, status=422)
    return RedirectResponse("/console/achievements?done=saved", status_code=303)
