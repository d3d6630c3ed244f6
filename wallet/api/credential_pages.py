"""The wallet's page for one credential: what it certifies, who issued it, whether it verifies
now; its image, edits, deletion and public share links."""

from __future__ import annotations

import base64

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from servicekit.pages import local_path as _safe_next
from shared.errors import VcError
from shared.verify.credential import verify_credential
from shared.verify.report import CheckName, VerificationReport
from wallet.api.pages import _chosen_sphere, _sphere_choices
from wallet.deps import (
    Resources,
    ResourcesDep,
    SessionDep,
    SignedInPage,
)
from wallet.i18n import choose_language, translator
from wallet.page_describe import describe
from wallet.pages import (
    plain_checks,
    qr_svg,
    render,
    verdict,
)
from wallet.service import (
    sharing,
    storage,
    trust,
)

router = APIRouter(tags=["pages"])


def _verify_now(res: Resources, raw: str) -> VerificationReport | None:
    """Verify again, now (signature, dates, status through the wallet's fetcher)."""
    try:
        return verify_credential(raw, res.verify_context())
    except VcError:
        return None


def _status_checked(report: VerificationReport | None) -> str | None:
    """When the issuer's status list was read for this page (None: no status)."""
    check = report.check(CheckName.STATUS) if report else None
    when = check.details.get("checked_at") if check else None
    return when if isinstance(when, str) else None


@router.get("/credentials/{credential_id}", response_class=Response)
def credential_page(
    credential_id: str,
    request: Request,
    who: SignedInPage,
    res: ResourcesDep,
    session: SessionDep,
) -> Response:
    lang = choose_language(request)
    view = storage.get_credential(session, who, credential_id)
    content = view.content or {}
    shown = describe(content.get("claims"), view.format, lang)
    report = _verify_now(res, view.raw)
    summary = view.summary
    trusted = trust.is_trusted(session, summary.get("credential_issuer"), summary.get("issuer"))
    baked = None
    if content.get("baked") and content.get("baked_media_type") == "image/png":
        baked = f"data:image/png;base64,{content['baked']}"
    return render(
        request,
        "credential.html",
        who=who,
        view=view,
        shown=shown,
        trusted=trusted,
        verdict=verdict(report),
        checks=plain_checks(report, translator(lang)) if report else [],
        shares=sharing.list_shares(session, who, credential_id),
        baked=baked,
        spheres=_sphere_choices(session, who),
        has_image=bool(content.get("baked")),
        saved=request.query_params.get("saved") == "1",
        status_checked=_status_checked(report),
    )


@router.get("/credentials/{credential_id}/image", response_class=Response)
def credential_image(credential_id: str, who: SignedInPage, session: SessionDep) -> Response:
    """The baked badge image the credential came in (PNG or SVG), as a download."""
    view = storage.get_credential(session, who, credential_id)
    content = view.content or {}
    if not content.get("baked"):
        return RedirectResponse(f"/credentials/{credential_id}", status_code=303)
    media = str(content.get("baked_media_type") or "image/png")
    ext = "svg" if "svg" in media else "png"
    return Response(
        base64.b64decode(content["baked"]),
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{view.id}.{ext}"'},
    )


@router.post("/credentials/{credential_id}/edit", response_class=Response)
def edit_credential(
    credential_id: str,
    who: SignedInPage,
    session: SessionDep,
    sphere: str = Form(""),
    new_sphere: str = Form(""),
    tags: str = Form(""),
) -> Response:
    storage.update_credential(
        session,
        who,
        credential_id,
        sphere=_chosen_sphere(sphere, new_sphere),
        tags=[t.strip() for t in tags.split(",") if t.strip()],
    )
    return RedirectResponse(f"/credentials/{credential_id}?saved=1", status_code=303)


@router.post("/credentials/{credential_id}/delete", response_class=Response)
def delete_credential_page(credential_id: str, who: SignedInPage, session: SessionDep) -> Response:
    storage.delete_credential(session, who, credential_id)
    return RedirectResponse("/", status_code=303)


@router.post("/credentials/{credential_id}/publish", response_class=Response)
def publish_page(
    credential_id: str,
    request: Request,
    who: SignedInPage,
    res: ResourcesDep,
    session: SessionDep,
) -> Response:
    view = storage.get_credential(session, who, credential_id)
    _, token = sharing.publish(session, who, credential_id)
    url = f"{res.settings.base_url.rstrip('/')}/s/{token}"
    return render(request, "published.html", who=who, url=url, view=view, qr=qr_svg(url))


@router.post("/shares/{share_id}/unpublish", response_class=Response)
def unpublish_page(
    share_id: str,
    who: SignedInPage,
    session: SessionDep,
    credential_id: str = Form(""),
    back: str = Form(""),
) -> Response:
    sharing.unpublish(session, who, share_id)
    target = f"/credentials/{credential_id}" if credential_id else "/history#shares"
    return RedirectResponse(_safe_next(back) if back else target, status_code=303)
