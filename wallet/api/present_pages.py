"""The consent pages of OpenID4VP: who asks, one choice per credential set, then the exact
summary of what will be sent, then send.

A DCQL request (OpenID4VP 1.0 §6) groups its credential queries in credential sets: the
options of a set are alternatives (the same badge in three formats), so the page offers one
choice per set, with nothing chosen in an optional set. The summary page is computed from
exactly what the verifier will read (``answer_plan.plan_answer``), and sending posts that very
selection: what is sent is what the summary showed.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from shared.errors import InvalidInputError, VcError
from shared.i18n import Gettext
from wallet.api.presentations import resolver_of
from wallet.deps import Resources, ResourcesDep, SessionDep, SignedInPage
from wallet.disclosure import (
    FORMAT_NAMES,
    disclosure_items,
    facts_for,
    format_words,
    readable_facts,
    technical_details,
)
from wallet.i18n import choose_language, translator
from wallet.pages import explained, render
from wallet.service import answer_plan, claim_paths, history, presenting
from wallet.service.accounts import Principal

router = APIRouter(tags=["pages"])


# --------------------------------------------------------------------------- views


#: this wallet's own name: a verifier calling itself so is not shown by that name
WALLET_NAME = "Musette"


def verifier_words(verifier: dict[str, Any], lang: str, _: Gettext) -> dict[str, Any]:
    """The verifier's name in the person's language, never an identifier when it has one,
    and never the wallet's own name."""
    names = verifier.get("names") or {}
    name = names.get(lang) or verifier.get("name") or verifier.get("known_name")
    if name and name.strip().casefold() == WALLET_NAME.casefold():
        name = verifier.get("known_name")
    return {
        **verifier,
        "display_name": name or _("A verifier that gives no name"),
        "named": bool(name),
    }


def _word_option(option: dict[str, Any], lang: str, _: Gettext) -> None:
    """One matching credential in words: its format, and what it reveals (items to tick
    when it discloses selectively, facts otherwise)."""
    requested = [list(p) for p in option["requested"]]
    option["format_words"] = format_words(option["format"], _)
    option["format_name"] = FORMAT_NAMES.get(option["format"], option["format"])
    if option["selective"]:
        option["items"] = disclosure_items(
            option.get("claims") or option.get("disclosed") or {},
            option["disclosable"],
            requested,
            lang,
            _,
        )
        # what the verifier reads whatever is ticked: the issuer-signed part
        option["facts"] = readable_facts(
            option.get("always") or {}, option["format"], lang, _, brief=True
        )
    else:
        option["facts"] = readable_facts(
            option.get("disclosed"), option["format"], lang, _, brief=True
        )
        option["technical"] = technical_details(option.get("disclosed"), _)


def consent_view(pending: dict[str, Any], lang: str, _: Gettext) -> dict[str, Any]:
    """The pending request as the consent page shows it: one group per credential set, each
    matching credential with what it reveals about the person in words (the badge's own
    description and criteria, and every technical detail, are on the summary page)."""
    by_query = {q["id"]: q for q in pending.get("queries", [])}
    for query in by_query.values():
        for option in query["options"]:
            _word_option(option, lang, _)
    groups = []
    default = set(pending.get("selected_query_ids", []))
    for cset in pending.get("sets", []):
        choices: list[dict[str, Any]] = []
        for opt in cset["options"]:
            if not opt.get("listed", opt["available"]):
                continue
            qids = opt["query_ids"]
            if len(qids) == 1:  # one radio per matching credential
                for option in by_query[qids[0]]["options"]:
                    choices.append(
                        {
                            "value": f"{qids[0]}|{option['credential_id']}",
                            "cards": [(qids[0], option)],
                        }
                    )
            else:  # the option answers several queries together: their first credentials
                cards = [(q, by_query[q]["options"][0]) for q in qids]
                choices.append(
                    {
                        "value": ";".join(f"{q}|{o['credential_id']}" for q, o in cards),
                        "cards": cards,
                    }
                )
        # nothing is chosen beyond what is required: the verifier's preferred choice of a
        # required set, "send nothing" for an optional one
        for choice in choices:  # a revoked or suspended badge is shown, never sent
            choice["blocked"] = any(option.get("blocked") for _q, option in choice["cards"])
        usable = [c for c in choices if not c["blocked"]]
        if cset["required"] and usable:
            first = next((c for c in usable if {q for q, _o in c["cards"]} <= default), usable[0])
            first["checked"] = True
        groups.append({**cset, "choices": choices})
    pending["groups"] = groups
    pending["verifier"] = verifier_words(pending["verifier"], lang, _)
    return pending


def summary_view(preview: dict[str, Any], lang: str, _: Gettext) -> dict[str, Any]:
    """The exact summary: per credential sent, what the verifier reads, in words."""
    for answer in preview["answers"]:
        answer["facts"] = readable_facts(answer["disclosed"], answer["format"], lang, _)
        answer["technical"] = technical_details(answer["disclosed"], _)
    preview["verifier"] = verifier_words(preview["verifier"], lang, _)
    return preview


# --------------------------------------------------------------------------- form


def selections_from_form(form: FormData, pending: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The person's choices: ``choice__<set>`` = ``query|credential`` (``;``-separated when an
    option answers several queries), the tick boxes ``disclose__<query>__<credential>``; the
    older ``credential__<query>`` fields are read too."""
    picked: list[tuple[str, str]] = []
    for cset in pending.get("sets", []):
        value = form.get(f"choice__{cset['index']}")
        if isinstance(value, str) and value:
            for part in value.split(";"):
                qid, _sep, cid = part.partition("|")
                if not qid or not cid:
                    raise InvalidInputError(f"{value!r} is not a choice of this request")
                picked.append((qid, cid))
    for query in pending["queries"]:
        value = form.get(f"credential__{query['id']}")
        if isinstance(value, str) and value:
            picked.append((query["id"], value))
    selections: dict[str, dict[str, Any]] = {}
    by_query = {q["id"]: q for q in pending["queries"]}
    for qid, cid in picked:
        query = by_query.get(qid)
        if query is None:
            raise InvalidInputError(f"the request has no credential query {qid!r}")
        choice: dict[str, Any] = {"credential_id": cid}
        option = next((o for o in query["options"] if o["credential_id"] == cid), None)
        if option is not None and option["selective"]:
            ticked = [str(v) for v in form.getlist(f"disclose__{qid}__{cid}")]
            choice["disclose"] = [
                list(claim_paths.parse_claim_path(p)) for value in ticked for p in value.split()
            ]
        selections[qid] = choice
    return selections


# --------------------------------------------------------------------------- pages


def _present_form(
    request: Request,
    who: Principal,
    *,
    error: str | None = None,
    status: int = 200,
    pasted: str = "",
) -> Response:
    return render(
        request, "present.html", who=who, pending=None, error=error, status=status, pasted=pasted
    )


def _consent_page(
    request: Request,
    who: Principal,
    pending: dict[str, Any],
    *,
    error: str | None = None,
    status: int = 200,
) -> Response:
    lang = choose_language(request)
    pending["error"] = error
    return render(
        request,
        "present.html",
        who=who,
        status=status,
        pending=consent_view(pending, lang, translator(lang)),
        error=None,
    )


def _open_request(
    request: Request, who: Principal, res: Resources, session: Session, link: str
) -> Response:
    try:
        pending = presenting.open_request(
            session,
            who,
            res.fetcher,
            resolver_of(res),
            link,
            res.settings.known_verifiers,
            res.trust_anchors,
        )
    except VcError as err:
        _ = translator(choose_language(request))
        error = _("This request could not be opened, so nothing was sent.")
        return _present_form(
            request, who, error=explained(request, error, err), status=err.status, pasted=link
        )
    return _consent_page(request, who, pending)


@router.get("/present", response_class=Response)
def present_page(
    request: Request, who: SignedInPage, res: ResourcesDep, session: SessionDep
) -> Response:
    """Open a presentation request (``?client_id=…&request_uri=…``): the consent screen."""
    if "client_id" not in request.query_params:
        return _present_form(request, who)
    return _open_request(request, who, res, session, str(request.url))


@router.post("/present", response_class=Response)
def present_paste(
    request: Request,
    who: SignedInPage,
    res: ResourcesDep,
    session: SessionDep,
    link: str = Form(...),
) -> Response:
    return _open_request(request, who, res, session, link)


@router.get("/present/{request_id}", response_class=Response)
def pending_page(
    request_id: str, request: Request, who: SignedInPage, session: SessionDep
) -> Response:
    """The consent screen of a request already opened (back from the summary)."""
    return _consent_page(request, who, presenting.get_request(session, who, request_id))


@router.post("/present/{request_id}/review", response_class=Response)
async def review_page(
    request_id: str, request: Request, who: SignedInPage, session: SessionDep
) -> Response:
    """The summary: exactly what would be sent for these choices, before anything is."""
    form = await request.form()
    pending = presenting.get_request(session, who, request_id)
    lang = choose_language(request)
    _ = translator(lang)
    try:
        selections = selections_from_form(form, pending)
        if not selections:
            raise InvalidInputError("nothing chosen")
        preview = presenting.preview_answer(session, who, request_id, selections)
    except VcError as err:
        error = _("Choose one credential for each thing asked, or refuse.")
        return _consent_page(
            request, who, pending, error=explained(request, error, err), status=400
        )
    return render(
        request,
        "present_review.html",
        who=who,
        preview=summary_view(preview, lang, _),
        pairwise=form.get("pairwise") == "on",
        selections=json.dumps(selections, separators=(",", ":")),
    )


@router.post("/present/{request_id}/consent", response_class=Response)
async def consent_page(
    request_id: str,
    request: Request,
    who: SignedInPage,
    res: ResourcesDep,
    session: SessionDep,
) -> Response:
    form = await request.form()
    pending = presenting.get_request(session, who, request_id)
    _ = translator(choose_language(request))
    raw = form.get("selections")
    try:
        if isinstance(raw, str) and raw:  # from the summary page: exactly what it showed
            selections = json.loads(raw)
            if not isinstance(selections, dict):
                raise InvalidInputError("selections must be a JSON object")
        else:
            selections = selections_from_form(form, pending)
        if not selections:
            raise InvalidInputError("nothing chosen")
        answer_plan.plan_answer(session, who, pending, selections)  # refuse before sending
    except (VcError, json.JSONDecodeError) as err:
        error = _("Choose one credential for each thing asked, or refuse.")
        if isinstance(err, VcError):
            error = explained(request, error, err)
        return _consent_page(request, who, pending, error=error, status=400)
    result = await run_in_threadpool(  # posts to the verifier: off the event loop
        presenting.consent,
        session,
        who,
        res.fetcher,
        res.master,
        request_id,
        selections=selections,
        pairwise=form.get("pairwise") == "on",
    )
    entry = next((e for e in history.entries(session, who) if e["id"] == result["history_id"]), {})
    response = result["response"] if isinstance(result["response"], dict) else {}
    return render(
        request,
        "presented.html",
        who=who,
        result=result,
        entry=entry,
        redirect_uri=response.get("redirect_uri"),
        facts_of=facts_for(request),
    )


@router.post("/present/{request_id}/decline", response_class=Response)
def decline_request_page(
    request_id: str,
    who: SignedInPage,
    res: ResourcesDep,
    session: SessionDep,
) -> Response:
    presenting.decline_request(session, who, request_id, res.fetcher)  # tells the verifier
    return RedirectResponse("/", status_code=303)
