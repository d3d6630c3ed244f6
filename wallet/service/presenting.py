"""Presenting: the wallet side of an OpenID4VP 1.0 (July 2025) exchange, step by step.

A request is opened (:func:`open_request`: fetched and checked,
:mod:`wallet.service.presentation_request`; matched to the held credentials,
:mod:`wallet.service.dcql_matching`; its verifier shown, :mod:`wallet.service.verifier_identity`),
kept sealed while the person chooses (:mod:`wallet.service.pending_presentation`), previewed
(:func:`preview_answer`, :mod:`wallet.service.answer_plan`), then answered (:func:`consent`:
one presentation per credential, :mod:`wallet.service.presentation_formats`, posted by
:mod:`wallet.service.direct_post`) and recorded in the history, or declined.
Nothing is sent unless the request is acceptable and the person consented.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cryptography import x509
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from shared.did import DidResolver
from shared.errors import InvalidInputError, NotFoundError
from shared.net.fetch import HttpFetcher
from shared.verify.context import VerifyContext
from wallet.db.models import PendingExchange
from wallet.service import credential_status, history, identities
from wallet.service.accounts import Principal, new_id, now
from wallet.service.answer_plan import PlannedAnswer, plan_answer
from wallet.service.dcql_matching import match_credentials
from wallet.service.direct_post import post_answer, post_refusal
from wallet.service.identities import HolderKey
from wallet.service.pending_presentation import ClaimPath, PendingPresentation
from wallet.service.presentation_formats import build_presentation
from wallet.service.presentation_request import resolve_request
from wallet.service.receiving import load_pending
from wallet.service.states import PendingKind
from wallet.service.vault import MasterKey
from wallet.service.verifier_identity import verifier_view


def _status_context(fetcher: HttpFetcher) -> VerifyContext:
    """Status lists read afresh for a presentation (docs/decisions/status-freshness.md)."""
    return credential_status.revalidating_context(fetcher, allow_http=fetcher.allow_loopback)


def load_presentation(
    session: Session, who: Principal, pending_id: str
) -> tuple[PendingExchange, PendingPresentation]:
    row, state = load_pending(session, who, pending_id, PendingKind.REQUEST)
    return row, PendingPresentation.from_json(state)


def open_request(
    session: Session,
    who: Principal,
    fetcher: HttpFetcher,
    resolver: DidResolver,
    link: str,
    known_verifiers: Mapping[str, str] | None = None,
    trust_anchors: Sequence[x509.Certificate] = (),
) -> dict[str, Any]:
    resolved = resolve_request(fetcher, resolver, link, trust_anchors)
    matching = match_credentials(session, who, resolved.claims, _status_context(fetcher))
    pending_id = new_id()
    pending = PendingPresentation(
        client_id=resolved.client_id,
        request=resolved.claims,
        verifier=verifier_view(resolved, known_verifiers, fetcher),
        matching=matching,
    )
    session.add(
        PendingExchange(
            id=pending_id,
            account_id=who.account_id,
            kind=PendingKind.REQUEST,
            created_at=now(),
            ct=who.vault.seal_json("pending", pending_id, pending.to_json()),
        )
    )
    return pending.view(pending_id)


def get_request(session: Session, who: Principal, pending_id: str) -> dict[str, Any]:
    _, pending = load_presentation(session, who, pending_id)
    return pending.view(pending_id)


def decline_request(
    session: Session, who: Principal, pending_id: str, fetcher: HttpFetcher | None = None
) -> bool:
    """Forget the request; with ``fetcher``, tell the verifier the person refused (an
    ``error=access_denied`` answer to its response_uri, §8.5), so its page stops waiting.
    True when the verifier took the answer; a verifier that cannot be reached does not
    stop the refusal."""
    row, pending = load_presentation(session, who, pending_id)
    session.delete(row)
    if fetcher is None:
        return False
    return post_refusal(fetcher, pending.response_uri, pending.state)


def preview_answer(
    session: Session,
    who: Principal,
    pending_id: str,
    selections: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The consent summary: who asks, and exactly what each chosen credential reveals."""
    _, pending = load_presentation(session, who, pending_id)
    planned = plan_answer(session, who, pending.matching, selections)
    return {
        "id": pending_id,
        "verifier": pending.verifier.to_json(),
        "answers": [p.to_json() for p in planned],
    }


def consent(
    session: Session,
    who: Principal,
    fetcher: HttpFetcher,
    master: MasterKey,
    pending_id: str,
    *,
    selections: Mapping[str, Any] | None = None,
    pairwise: bool = False,
) -> dict[str, Any]:
    """Build the presentations the person consented to, post them, log the disclosure.

    One answer per request, whichever instance gets the "send": the request's row is locked
    first (PostgreSQL), so a second send of it (a double click landing on another instance)
    waits for this one, then finds the request gone (not-found, as a send after it would).
    """
    session.execute(
        select(PendingExchange.id).where(PendingExchange.id == pending_id).with_for_update()
    )
    row, pending = load_presentation(session, who, pending_id)
    planned = plan_answer(session, who, pending.matching, selections)
    holder = None
    if pairwise:
        holder = identities.holder_key(
            who, identities.pairwise_identity(session, who, master, pending.client_id)
        )
    vp_token = _vp_token(session, who, fetcher, pending, planned, holder)
    status, answer_body = post_answer(fetcher, pending.request, pending.response_uri, vp_token)
    entry = _record_presented(session, who, pending, planned, holder, status)
    # SQLite has no row lock: of two sends in a race, the one that finds the row gone here
    # rolls back its history entry (its presentation was refused by the verifier as a replay)
    gone = session.execute(
        delete(PendingExchange)
        .where(PendingExchange.id == row.id)
        .execution_options(synchronize_session=False)
    )
    if getattr(gone, "rowcount", 0) != 1:
        raise NotFoundError("no such pending request")
    return {"status": status, "response": answer_body, "history_id": entry["id"]}


def _vp_token(
    session: Session,
    who: Principal,
    fetcher: HttpFetcher,
    pending: PendingPresentation,
    planned: Sequence[PlannedAnswer],
    holder: HolderKey | None,
) -> dict[str, list[Any]]:
    """The ``vp_token`` (§8.1): one presentation per credential query answered."""
    vp_token: dict[str, list[Any]] = {}
    for answer in planned:
        # read again now: the issuer may have revoked it since the request was opened
        credential_status.refuse_blocked(
            answer.view, credential_status.check_status(answer.view, _status_context(fetcher))
        )
        presentation = build_presentation(
            session,
            who,
            answer.view,
            client_id=pending.client_id,
            nonce=pending.nonce,
            disclose=answer.paths,
            holder=holder,
        )
        vp_token[answer.query_id] = [presentation]
    return vp_token


def _record_presented(
    session: Session,
    who: Principal,
    pending: PendingPresentation,
    planned: Sequence[PlannedAnswer],
    holder: HolderKey | None,
    verifier_status: int,
) -> dict[str, Any]:
    """The history entry of what was sent, to whom, and how the verifier answered."""
    verifier = pending.verifier
    return history.record(
        session,
        who,
        "presented",
        {
            "verifier": pending.client_id,
            "verifier_name": verifier.name,
            "verifier_known": verifier.known,
            "response_host": verifier.response_host,
            "credentials": [a.to_json() for a in planned],
            "pairwise_did": holder.did if holder else None,
            "verifier_status": verifier_status,
        },
    )


def present(
    session: Session,
    who: Principal,
    fetcher: HttpFetcher,
    resolver: DidResolver,
    master: MasterKey,
    link: str,
    *,
    credential_id: str | None = None,
    disclose: Sequence[ClaimPath] | None = None,
    pairwise: bool = False,
) -> dict[str, Any]:
    """Resolve and answer in one go (command line; the person consented with ``--yes``)."""
    pending = open_request(session, who, fetcher, resolver, link)
    selections = _command_line_selections(pending, credential_id, disclose)
    return consent(
        session, who, fetcher, master, pending["id"], selections=selections, pairwise=pairwise
    )


def _command_line_selections(
    pending: Mapping[str, Any], credential_id: str | None, disclose: Sequence[ClaimPath] | None
) -> dict[str, dict[str, Any]]:
    """The command line's choice: ``credential_id`` for every query it answers, else each
    default query's first credential, disclosing ``disclose`` when given."""
    selections: dict[str, dict[str, Any]] = {}
    for query in pending["queries"]:
        ids = [o["credential_id"] for o in query["options"]]
        if credential_id and credential_id in ids:
            choice: dict[str, Any] = {"credential_id": credential_id}
            if disclose:
                choice["disclose"] = [list(p) for p in disclose]
            selections[query["id"]] = choice
    if credential_id and not selections:
        raise InvalidInputError("that credential does not answer this request")
    if not selections and not pending["satisfied"]:
        raise InvalidInputError("no credential in this wallet answers this request")
    if not selections and disclose:
        for qid in pending["selected_query_ids"]:
            query = next(q for q in pending["queries"] if q["id"] == qid)
            selections[qid] = {
                "credential_id": query["options"][0]["credential_id"],
                "disclose": [list(p) for p in disclose],
            }
    return selections
