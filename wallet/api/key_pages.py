"""Pages of the keys the person holds: the recovery kit (shown once), a new kit, a new password,
and « forgot password » with the kit (docs/decisions/person-held-keys.md)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from servicekit.ratelimit import account_and_ip, limiter_of
from shared.errors import VcError
from wallet.api.accounts import set_session_cookie
from wallet.deps import SESSION, AnonCsrfDep, ResourcesDep, SessionDep, page_principal
from wallet.i18n import choose_language, translator
from wallet.pages import render
from wallet.service import accounts
from wallet.service.accounts import NewAccount, Principal

router = APIRouter(tags=["pages"])

KIT_FILE = "musette-recovery-kit.txt"


def kit_text(email: str, code: str, lang: str) -> str:
    """The downloadable recovery kit (plain text, the person's language)."""
    _ = translator(lang)
    return "\n".join(
        [
            _("Musette wallet: recovery kit"),
            "",
            _("Account: {email}").format(email=email),
            _("Recovery code: {code}").format(code=code),
            "",
            _(
                "Keep this code somewhere safe, apart from your password. With it you can choose a new "
                "password if you forget yours. Without your password or this code, nobody, not even "
                "the host of the wallet, can open your musette again."
            ),
            _("A new kit replaces this one: this code then no longer works."),
            "",
        ]
    )


def recovery_kit_page(
    request: Request,
    res: ResourcesDep,
    made: NewAccount,
    token: str | None,
    csrf: str | None,
    next_url: str,
) -> Response:
    """The recovery code, shown this once, with its file; signs the person in if ``token``."""
    lang = choose_language(request)
    who = Principal(made.who.account_id, made.who.email, made.who.vault, csrf)
    response = render(
        request,
        "recovery_kit.html",
        who=who,
        code=made.recovery_code,
        email=made.account.email,
        kit_href="data:text/plain;charset=utf-8,"
        + quote(kit_text(made.account.email, made.recovery_code, lang)),
        kit_file=KIT_FILE,
        next=next_url,
    )
    response.headers["Cache-Control"] = "no-store"
    if token is not None:
        set_session_cookie(response, res, token)
    return response


#: whatever the form, signing in leads back to the keys page
KeysPage = Annotated[Principal, Depends(page_principal("/account/keys"))]


@router.get("/account/keys", response_class=Response)
def keys_page(request: Request, who: KeysPage, session: SessionDep) -> Response:
    return render(
        request,
        "account_keys.html",
        who=who,
        error=None,
        done=None,
        has_kit=accounts.has_recovery_kit(session, who),
    )


@router.post("/account/password", response_class=Response)
def change_password(
    request: Request,
    who: KeysPage,
    res: ResourcesDep,
    session: SessionDep,
    old_password: str = Form(...),
    new_password: str = Form(...),
) -> Response:
    _ = translator(choose_language(request))
    limiter_of(request).hit(
        "signin", account_and_ip(who.email, request), res.settings.rate_limit_signin
    )
    try:
        accounts.change_password(
            session,
            res.hasher,
            who,
            old_password,
            new_password,
            keep_session=SESSION.read(request),
        )
    except VcError as err:
        error = (
            _("The current password is wrong.")
            if err.code == "unauthorized"
            else _("The new password needs at least 8 characters.")
        )
        return render(
            request,
            "account_keys.html",
            who=who,
            error=error,
            done=None,
            has_kit=accounts.has_recovery_kit(session, who),
            status=err.status,
        )
    done = _("Your password is changed. Your other sessions are closed; your API keys still work.")
    return render(
        request,
        "account_keys.html",
        who=who,
        error=None,
        done=done,
        has_kit=accounts.has_recovery_kit(session, who),
    )


@router.post("/account/recovery-kit", response_class=Response)
def new_kit(request: Request, who: KeysPage, res: ResourcesDep, session: SessionDep) -> Response:
    code = accounts.new_recovery_kit(session, who)
    account = accounts.find_account(session, who.email)
    return recovery_kit_page(
        request, res, NewAccount(account, who, code), None, who.csrf_token, "/account/keys"
    )


@router.get("/recover", response_class=Response)
def recover_page(request: Request) -> Response:
    return render(request, "recover.html", who=None, error=None)


@router.post("/recover", response_class=Response)
def recover(
    request: Request,
    _csrf: AnonCsrfDep,
    res: ResourcesDep,
    session: SessionDep,
    email: str = Form(...),
    recovery_code: str = Form(...),
    new_password: str = Form(...),
) -> Response:
    """Forgot password: the kit's code and a new password; a new kit, and signed in."""
    limiter_of(request).hit(
        "signin", account_and_ip(email, request), res.settings.rate_limit_signin
    )
    try:
        made = accounts.recover(session, res.hasher, email, recovery_code, new_password)
    except VcError as err:
        _ = translator(choose_language(request))
        error = (
            _("Wrong email address or recovery code.")
            if err.code == "unauthorized"
            else _("The new password needs at least 8 characters.")
        )
        return render(
            request, "recover.html", who=None, error=error, email=email, status=err.status
        )
    token, csrf = accounts.open_session(session, made.who, res.settings.session_hours)
    return recovery_kit_page(request, res, made, token, csrf, "/")
