"""The issuer console: sign in, the organisation, achievements, issuing, issued credentials.

Server-rendered pages (issuer/templates) in French and English. Every form posts back with
the session's CSRF token; every query is scoped to the signed-in admin's organisation, so
another organisation's achievement, offer or credential is simply "not found".
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from sqlalchemy import select
from starlette.datastructures import UploadFile

from issuer.api.auth import SESSION
from issuer.api.forms import (
    ACHIEVEMENT_TYPES,
    FORMAT_LABELS,
    FRAMEWORKS,
    achievement_values,
    parse_achievement,
    parse_offer,
    submitted_achievement_values,
    submitted_offer_values,
)
from issuer.db.models import Achievement as AchievementRow
from issuer.db.models import IssuedCredential, Offer, Organisation, StatusEvent
from issuer.deps import ResourcesDep, SessionDep
from issuer.i18n import choose_language, translator
from issuer.pages import (
    CSRF_MESSAGE,
    AnonCsrfDep,
    Console,
    ConsoleDep,
    FormDep,
    PageError,
    render,
)
from issuer.schemas import FORMATS, AchievementPatch, AssociationProfileIn
from issuer.service import achievements as ach
from issuer.service.keys import org_keys
from issuer.service.oid4vci import create_offer, offer_urls, tx_code_matches
from issuer.service.orgs import (
    KINDS,
    association_profile,
    check_password,
    close_session,
    get_org,
    open_session,
    password_hasher,
    principal_for_session,
    update_association_profile,
)
from issuer.service.outbox import deliver_email, offer_email, parse_email_address
from issuer.service.status import can_suspend, change_status
from issuer.service.uploads import MAX_IMAGE_BYTES, load_image, store_image
from servicekit.csrf import CSRF_FIELD, same_token
from servicekit.pages import local_path
from servicekit.ratelimit import account_and_ip, limiter_of
from shared.errors import ConflictError, InvalidInputError, NotFoundError, UnauthorizedError
from shared.model.cec import FIELDS
from shared.ui import STYLESHEET
from shared.ui.problem_text import problem_message

router = APIRouter(tags=["console"], include_in_schema=False)
STATIC = {
    "musette.css": STYLESHEET,
    "issuer.css": STYLESHEET.parents[2] / "issuer" / "static" / "issuer.css",
}
TX_COOKIE = "musette_issuer_tx"
STATUS_ACTIONS = ("revoke", "suspend", "unsuspend")
#: flash messages after a redirect (?done=...), msgids
DONE = {
    "created": "The badge has been created.",
    "issued": "The offer is ready: give the QR code or the link to the person.",
    "saved": "The changes have been saved.",
    "email": "The email has been written to the outbox.",
    "email-sent": "The email has been sent.",
    "revoke": "The credential has been revoked.",
    "suspend": "The credential has been suspended.",
    "unsuspend": "The credential is active again.",
}


def _flash(request: Request) -> str | None:
    return DONE.get(request.query_params.get("done", ""))


@router.get("/", response_class=Response)
def index() -> Response:
    return RedirectResponse("/console", status_code=303)


@router.get("/static/{name}", response_class=Response)
def static(name: str) -> Response:
    path = STATIC.get(name)
    if path is None or not path.is_file():
        raise NotFoundError(f"no static file {name}")
    return FileResponse(path, media_type="text/css", headers={"Cache-Control": "max-age=3600"})


@router.get("/orgs/{slug}/images/{name}", response_class=Response)
def achievement_image(slug: str, name: str, session: SessionDep, res: ResourcesDep) -> Response:
    """An uploaded achievement image (public: it is the image of the issued badges)."""
    get_org(session, slug)
    data, media = load_image(res.settings.data_dir, slug, name)
    return Response(
        data,
        media_type=media,
        headers={
            "Cache-Control": "public, max-age=31536000, immutable",
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
            "X-Content-Type-Options": "nosniff",
        },
    )


# --------------------------------------------------------------------------- sign in / out


def _safe_next(target: str) -> str:
    return local_path(target, "/console")


@router.get("/signin", response_class=Response)
def signin_page(request: Request, next: str = "/console") -> Response:
    return render(request, "signin.html", next=_safe_next(next), error=None, email="")


@router.post("/signin", response_class=Response)
def signin(
    request: Request, _csrf: AnonCsrfDep, form: FormDep, session: SessionDep, res: ResourcesDep
) -> Response:
    s = res.settings
    email = str(form.get("email") or "").strip()
    password = str(form.get("password") or "")
    limiter_of(request).hit("signin", account_and_ip(email, request), s.rate_limit_signin)
    target = _safe_next(str(form.get("next") or "/console"))
    try:
        user = check_password(
            session, email, password, password_hasher(s.argon2_time_cost, s.argon2_memory_kib)
        )
    except UnauthorizedError:
        return render(
            request,
            "signin.html",
            status=401,
            next=target,
            email=email,
            error="Wrong email or password.",
        )
    token, _ = open_session(session, user, res.clock(), s.session_hours)
    response = RedirectResponse(target, status_code=303)
    SESSION.open(response, token, s)
    return response


@router.post("/signout", response_class=Response)
def signout(request: Request, form: FormDep, session: SessionDep, res: ResourcesDep) -> Response:
    token = SESSION.read(request)
    if token:
        try:
            principal = principal_for_session(session, token, res.clock())
        except UnauthorizedError:
            principal = None
        if principal is not None:
            if not same_token(form.get(CSRF_FIELD), principal.csrf_token):
                raise PageError(403, CSRF_MESSAGE)
            close_session(session, token)
    response = RedirectResponse("/signin?done=signout", status_code=303)
    SESSION.clear(response)
    return response


# --------------------------------------------------------------------------- organisation


@router.get("/console/organisation", response_class=Response)
def profile(request: Request, console: ConsoleDep, session: SessionDep) -> Response:
    return _profile_page(request, console, session)


def _profile_page(
    request: Request,
    console: Console,
    session: SessionDep,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    org = console.org
    rows = sorted(org_keys(session, org), key=lambda k: (not k.active, -k.created_at.timestamp()))
    keys = [
        {
            "id": f"{org.did}#{k.fragment}" if org.did_method == "web" else org.did,
            "type": k.key_type,
            "active": k.active,
            "created_at": k.created_at,
            "retired_at": k.retired_at,
        }
        for k in rows
    ]
    return render(
        request,
        "profile.html",
        status=status,
        console=console,
        section="profile",
        org=org,
        kind_known=org.kind in KINDS,
        keys=keys,
        did_document=f"{console.org_base}/did.json" if org.did_method == "web" else None,
        metadata_url=f"/.well-known/openid-credential-issuer/orgs/{org.slug}",
        association=values if values is not None else association_profile(org),
        fields=FIELDS,
        errors=errors or {},
        flash=_flash(request),
    )


#: what each association field must be, said to the admin (msgids)
ASSOCIATION_ERRORS = {
    "rna": "An RNA number is W followed by 9 digits, for example W751234567.",
    "siren": "A SIREN has 9 digits and a SIRET 14; check the number (its last digit did not match).",
    "declared_on": "Give the date the association was declared (not in the future).",
    "field": "Choose a field of activity from the list.",
    "valideur_name": "Give a name.",
    "valideur_email": "This is not an email address.",
}


@router.post("/console/profile", response_class=Response)
def update_profile(
    request: Request, console: ConsoleDep, form: FormDep, session: SessionDep
) -> Response:
    """The association's CEC facts, field by field, each refused with its own message."""
    values = {key: str(form.get(key) or "").strip() for key in ASSOCIATION_ERRORS}
    errors: dict[str, str] = {}
    scratch = Organisation()  # each field checked alone, nothing changed until all are good
    for key, text in values.items():
        try:
            update_association_profile(scratch, AssociationProfileIn.model_validate({key: text}))
        except (ValueError, InvalidInputError):
            errors[key] = ASSOCIATION_ERRORS[key]
    if errors:
        return _profile_page(request, console, session, values, errors, status=422)
    update_association_profile(console.org, AssociationProfileIn.model_validate(values))
    return RedirectResponse("/console/organisation?done=saved", status_code=303)


# --------------------------------------------------------------------------- achievements


def _achievement(session: SessionDep, console: Console, slug: str) -> AchievementRow:
    row = ach.get_achievement(session, console.org, slug, missing_ok=True)
    if row is None:
        raise PageError(404, "This badge does not exist in your organisation.")
    return row  # type: ignore[no-any-return]


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


# --------------------------------------------------------------------------- issuing


@router.get("/console", response_class=Response)  # the console opens on its main task
@router.get("/console/issue", response_class=Response)
def choose_achievement_page(request: Request, console: ConsoleDep, session: SessionDep) -> Response:
    rows = ach.list_achievements(session, console.org)
    return render(
        request, "issue_choose.html", console=console, section="issue", rows=rows, text=_text
    )


def _issue_form(
    request: Request,
    console: Console,
    row: AchievementRow,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    has_hours = any(r["id"] == "hours" for r in row.content.get("result_descriptions", []))
    return render(
        request,
        "issue.html",
        status=status,
        console=console,
        section="issue",
        row=row,
        text=_text,
        values=values,
        errors=errors or {},
        has_hours=has_hours,
        formats=FORMATS,
        format_labels=FORMAT_LABELS,
    )


@router.get("/console/achievements/{slug}/issue", response_class=Response)
def issue_page(slug: str, request: Request, console: ConsoleDep, session: SessionDep) -> Response:
    row = _achievement(session, console, slug)
    # one format ticked (the recommended one): a wallet collects every format an offer lists,
    # so ticking all three gave the person three copies of one badge, and the admin three rows
    # to revoke before a recruiter saw "revoked"
    values = {"formats": ["ldp_vc"], "tx_code": False, "suspendable": False, "language": ""}
    return _issue_form(request, console, row, values)


@router.post("/console/achievements/{slug}/issue", response_class=Response)
def issue(
    slug: str,
    request: Request,
    console: ConsoleDep,
    form: FormDep,
    session: SessionDep,
    res: ResourcesDep,
) -> Response:
    row = _achievement(session, console, slug)
    lang = choose_language(request)
    parsed = parse_offer(form, row, lang)
    if not parsed.ok:
        return _issue_form(
            request, console, row, submitted_offer_values(form), parsed.errors, status=422
        )
    created = create_offer(
        session,
        res.settings,
        res.master_secret,
        console.org,
        console.org_base,
        parsed.body,
        actor=console.actor,
        now=res.clock(),
    )
    response = RedirectResponse(f"/console/offers/{created.offer.id}?done=issued", status_code=303)
    if created.tx_code is not None:
        response.set_cookie(
            TX_COOKIE,
            created.tx_code,
            httponly=True,
            secure=res.settings.secure_cookies,
            samesite="strict",
            max_age=res.settings.offer_ttl_seconds,
            path=f"/console/offers/{created.offer.id}",
        )
    return response


def _offer(session: SessionDep, console: Console, offer_id: str) -> Offer:
    offer = session.get(Offer, offer_id)
    if offer is None or offer.org_id != console.org.id:
        raise PageError(404, "This offer does not exist in your organisation.")
    return offer


def _offer_state(offer: Offer, now: datetime) -> str:
    if offer.state == "pending" and offer.expires_at <= now:
        return "expired"
    return {"pending": "pending", "redeemed": "collected"}.get(offer.state, "closed")


def _offer_page(
    request: Request,
    console: Console,
    session: SessionDep,
    res: ResourcesDep,
    offer: Offer,
    *,
    email_error: str | None = None,
    email_value: str | None = None,
    status: int = 200,
) -> Response:
    row = session.get(AchievementRow, offer.achievement_id)
    uri, link, wallet = offer_urls(res.settings, console.org_base, offer.id)
    tx_code = request.cookies.get(TX_COOKIE)
    if not (tx_code and tx_code_matches(res.master_secret, offer, tx_code)):
        tx_code = None
    credentials = list(
        session.scalars(
            select(IssuedCredential)
            .where(IssuedCredential.org_id == console.org.id, IssuedCredential.offer_id == offer.id)
            .order_by(IssuedCredential.issued_at)
        )
    )
    now = res.clock()
    return render(
        request,
        "offer.html",
        status=status,
        console=console,
        here=f"/console/offers/{offer.id}",
        section="issue",
        offer=offer,
        row=row,
        text=_text,
        state=_offer_state(offer, now),
        minutes_left=max(0, int((offer.expires_at - now).total_seconds() // 60)),
        link=link,
        wallet_link=wallet,
        qr_src=f"{urlsplit(uri).path}/qr.svg",
        tx_code=tx_code,
        needs_tx_code=offer.tx_code_hash is not None,
        hours=(offer.subject.get("results") or {}).get("hours"),
        credentials=credentials,
        format_labels=FORMAT_LABELS,
        mail_relay=bool(res.settings.smtp_host),
        email_error=email_error,
        email_value=offer.recipient_email if email_value is None else email_value,
        flash=_flash(request),
    )


@router.get("/console/offers/{offer_id}", response_class=Response)
def offer_page(
    offer_id: str, request: Request, console: ConsoleDep, session: SessionDep, res: ResourcesDep
) -> Response:
    return _offer_page(request, console, session, res, _offer(session, console, offer_id))


@router.post("/console/offers/{offer_id}/email", response_class=Response)
def email_offer(
    offer_id: str,
    request: Request,
    console: ConsoleDep,
    form: FormDep,
    session: SessionDep,
    res: ResourcesDep,
) -> Response:
    offer = _offer(session, console, offer_id)
    typed = str(form.get("email") or "")
    try:
        address = parse_email_address(typed)
    except InvalidInputError:
        return _offer_page(
            request,
            console,
            session,
            res,
            offer,
            email_error="This is not an email address.",
            email_value=typed,
            status=422,
        )
    row = session.get(AchievementRow, offer.achievement_id)
    _, link, wallet = offer_urls(res.settings, console.org_base, offer.id)
    delivery = deliver_email(
        res.settings,
        offer_email(
            translator(offer.language),
            to=address,
            org_name=console.org.name,
            badge=_text(row, "name", offer.language) if row else "",
            recipient_name=offer.recipient_name,
            wallet_link=wallet,
            offer_link=link,
            needs_tx_code=offer.tx_code_hash is not None,
            sender_host=urlsplit(res.settings.base_url).hostname or "localhost",
        ),
        res.clock(),
    )
    offer.recipient_email = address
    done = "email-sent" if delivery == "sent" else "email"
    return RedirectResponse(f"/console/offers/{offer.id}?done={done}", status_code=303)


# --------------------------------------------------------------------------- credentials


def _status(row: IssuedCredential) -> str:
    return "revoked" if row.revoked else "suspended" if row.suspended else "active"


@router.get("/console/credentials", response_class=Response)
def credentials_page(
    request: Request, console: ConsoleDep, session: SessionDep, res: ResourcesDep
) -> Response:
    org = console.org
    creds = list(
        session.scalars(
            select(IssuedCredential)
            .where(IssuedCredential.org_id == org.id)
            .order_by(IssuedCredential.issued_at.desc())
            .limit(200)
        )
    )
    offers = list(
        session.scalars(
            select(Offer).where(Offer.org_id == org.id).order_by(Offer.created_at.desc()).limit(20)
        )
    )
    names = {r.id: r for r in ach.list_achievements(session, org, include_archived=True)}
    now = res.clock()
    return render(
        request,
        "credentials.html",
        console=console,
        section="credentials",
        creds=creds,
        offers=offers,
        achievements=names,
        text=_text,
        status_of=_status,
        offer_state=lambda o: _offer_state(o, now),
        format_labels=FORMAT_LABELS,
    )


def _credential(session: SessionDep, console: Console, credential_id: str) -> IssuedCredential:
    row = session.get(IssuedCredential, credential_id)
    if row is None or row.org_id != console.org.id:
        raise PageError(404, "This credential does not exist in your organisation.")
    return row


def _credential_page(
    request: Request,
    console: Console,
    session: SessionDep,
    row: IssuedCredential,
    *,
    errors: dict[str, str] | None = None,
    reason: str = "",
    status: int = 200,
) -> Response:
    events = list(
        session.scalars(
            select(StatusEvent)
            .where(StatusEvent.org_id == console.org.id, StatusEvent.credential_id == row.id)
            .order_by(StatusEvent.id)
        )
    )
    achievement = session.get(AchievementRow, row.achievement_id) if row.achievement_id else None
    current = _status(row)
    if current == "revoked" or row.status_index is None:
        actions: list[str] = []
    elif not can_suspend(row):
        actions = ["revoke"]
    else:
        actions = ["unsuspend", "revoke"] if row.suspended else ["suspend", "revoke"]
    download = f"/admin/orgs/{console.org.slug}/credentials/{row.id}/download"
    return render(
        request,
        "credential.html",
        status=status,
        console=console,
        here=f"/console/credentials/{row.id}",
        section="credentials",
        cred=row,
        achievement=achievement,
        text=_text,
        current=current,
        actions=actions,
        events=events,
        errors=errors or {},
        reason=reason,
        download=download,
        format_labels=FORMAT_LABELS,
        flash=_flash(request),
    )


@router.get("/console/credentials/{credential_id}", response_class=Response)
def credential_page(
    credential_id: str, request: Request, console: ConsoleDep, session: SessionDep
) -> Response:
    return _credential_page(request, console, session, _credential(session, console, credential_id))


@router.post("/console/credentials/{credential_id}/status", response_class=Response)
def credential_status(
    credential_id: str,
    request: Request,
    console: ConsoleDep,
    form: FormDep,
    session: SessionDep,
    res: ResourcesDep,
) -> Response:
    row = _credential(session, console, credential_id)
    action = str(form.get("action") or "")
    reason = str(form.get("reason") or "").strip()
    errors: dict[str, str] = {}
    if action not in STATUS_ACTIONS:
        errors["action"] = "Choose what to do."
    if not reason:
        errors["reason"] = "Give a reason: it is kept in the history."
    elif len(reason) > 2000:
        errors["reason"] = "The reason is too long (2,000 characters at most)."
    if not errors:
        try:
            change_status(
                session,
                console.org,
                row.id,
                action,
                reason=reason,
                actor=console.actor,
                now=res.clock(),
            )
        except ConflictError:
            errors["action"] = {
                "revoke": "This credential is already revoked.",
            }.get(action, "A revoked credential cannot change any more.")
    if errors:
        return _credential_page(
            request, console, session, row, errors=errors, reason=reason, status=422
        )
    return RedirectResponse(f"/console/credentials/{row.id}?done={action}", status_code=303)
