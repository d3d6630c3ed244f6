"""Application profiles: pick badges (and SD-JWT parts), list, revoke; the public page
``/p/{token}`` says, for each item, whether it verifies now, in words (fr/en)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from shared.errors import InvalidInputError
from wallet.api.credential_pages import _status_checked, _verify_now
from wallet.api.credentials import MEDIA_TYPES
from wallet.deps import LINKS_LIMIT, Resources, ResourcesDep, SessionDep, SignedInPage
from wallet.disclosure import disclosure_items, readable_facts
from wallet.i18n import choose_language, translator
from wallet.page_describe import describe
from wallet.pages import qr_svg, render, verdict
from wallet.service import profiles, storage
from wallet.service.accounts import Principal
from wallet.service.claim_paths import disclosable_paths

router = APIRouter(tags=["profiles"])


def _url(res: Resources, token: str) -> str:
    return f"{res.settings.base_url.rstrip('/')}/p/{token}"


def _parts(view: storage.CredentialView, lang: str) -> list[dict[str, Any]]:
    """The tick boxes of an SD-JWT VC's parts (none in the other formats)."""
    if view.format not in profiles.SELECTIVE_FORMATS:
        return []
    claims = (view.content or {}).get("claims") or {}
    return disclosure_items(claims, disclosable_paths(view.raw), [], lang, translator(lang))


@router.get("/profiles", response_class=Response)
def profiles_page(
    request: Request, who: SignedInPage, session: SessionDep, res: ResourcesDep
) -> Response:
    """The person's profiles and the form to make one."""
    lang = choose_language(request)
    badges = [
        {"view": v, "parts": _parts(v, lang)}
        for v in storage.list_credentials(session, who, with_content=True)
    ]
    return render(
        request,
        "profiles.html",
        who=who,
        badges=badges,
        profiles=profiles.list_profiles(session, who),
        default_days=profiles.DEFAULT_DAYS,
        max_days=profiles.MAX_DAYS,
    )


def _choices(session: Session, who: Principal, form: FormData, lang: str) -> list[profiles.Choice]:
    """The chosen badges (``credential``); the parts of one are ``part-{credential id}``, each
    the index of its tick box."""
    ids = form.getlist("credential")
    if len(ids) > profiles.MAX_ITEMS:
        raise InvalidInputError(f"a profile holds at most {profiles.MAX_ITEMS} badges")
    out = []
    for cid in ids:
        view = storage.get_credential(session, who, str(cid))
        items = _parts(view, lang)
        paths: list[Any] = []
        for value in form.getlist(f"part-{cid}"):
            index = str(value)
            if not index.isdigit() or int(index) >= len(items):
                raise InvalidInputError("this badge has no such part to reveal")
            paths += [tuple(p) for p in items[int(index)]["paths"]]
        out.append(profiles.Choice(str(cid), tuple(paths)))
    return out


@router.post("/profiles", response_class=Response)
async def create_profile_page(request: Request, who: SignedInPage, session: SessionDep) -> Response:
    form = await request.form()
    days_text = str(form.get("days") or profiles.DEFAULT_DAYS)
    if not days_text.isdigit():
        raise InvalidInputError("the number of days must be a whole number")
    choices = _choices(session, who, form, choose_language(request))
    row, _ = profiles.create(session, who, str(form.get("title") or ""), choices, int(days_text))
    return RedirectResponse(f"/profiles/{row.id}", status_code=303)


@router.get("/profiles/{profile_id}", response_class=Response)
def profile_owner_page(
    profile_id: str,
    request: Request,
    who: SignedInPage,
    session: SessionDep,
    res: ResourcesDep,
) -> Response:
    """The owner's view: the link, its QR code, the expiry date, the revoke button."""
    profile = profiles.get_profile(session, who, profile_id)
    url = _url(res, profile.url_token)
    return render(request, "profile.html", who=who, profile=profile, url=url, qr=qr_svg(url))


@router.post("/profiles/{profile_id}/revoke", response_class=Response)
def revoke_profile_page(profile_id: str, who: SignedInPage, session: SessionDep) -> Response:
    profiles.revoke(session, who, profile_id)
    return RedirectResponse(f"/profiles/{profile_id}", status_code=303)


def _item(res: Resources, item: dict[str, Any], lang: str, raw_url: str) -> dict[str, Any]:
    """One item as the public reads it: what it says, and its verdict made just now."""
    gettext = translator(lang)
    claims = item.get("claims") or {}
    report = _verify_now(res, item["credential"])
    shown = describe(claims, item["format"], lang)
    endorsement = profiles.is_endorsement(claims)
    endorsers = [
        {
            "name": profiles.issuer_name(e.get("claims") or {}),
            "verdict": verdict(_verify_now(res, e["credential"])),
        }
        for e in item.get("endorsements") or []
    ]
    if endorsement:  # the item is itself an endorsement: say who wrote it
        endorsers.append({"name": profiles.issuer_name(claims), "verdict": verdict(report)})
    return {
        "title": shown["name"] or gettext("Endorsement" if endorsement else "Badge"),
        "verdict": verdict(report),
        "status_checked": _status_checked(report),
        "self_declared": profiles.self_declared(claims),
        "endorsement": endorsement,
        "facts": readable_facts(claims, item["format"], lang, gettext, brief=True),
        "endorsers": endorsers,
        "raw_url": raw_url,
    }


@router.get("/p/{token}", response_class=Response, dependencies=[LINKS_LIMIT])
def public_profile(
    token: str, request: Request, session: SessionDep, res: ResourcesDep
) -> Response:
    """The public page: no sign-in; 410 once revoked or expired (wallet/errors.py)."""
    opened = profiles.open_profile(session, token)
    lang = choose_language(request)
    items = [
        _item(res, item, lang, f"/p/{token}/{n}/raw") for n, item in enumerate(opened["items"])
    ]
    return render(
        request,
        "profile_public.html",
        who=None,
        title=opened["title"],
        items=items,
        expires_at=opened["expires_at"].isoformat(),
    )


@router.get("/p/{token}/{index}/raw", dependencies=[LINKS_LIMIT])
def public_profile_item(token: str, index: int, session: SessionDep) -> Response:
    """One item exactly as published (an SD-JWT with only the chosen Disclosures)."""
    items = profiles.open_profile(session, token)["items"]
    if not 0 <= index < len(items):
        raise InvalidInputError("this profile has no such item")
    item = items[index]
    return Response(item["credential"], media_type=MEDIA_TYPES.get(item["format"], "text/plain"))
