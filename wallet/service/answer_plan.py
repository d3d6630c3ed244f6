"""What would be sent: the credentials the person chose for each credential query, checked
against the request's credential sets, and exactly what the verifier will read from each
(the consent summary is built from this, and so is the presentation)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from shared.errors import InvalidInputError
from wallet.service import storage
from wallet.service.accounts import Principal
from wallet.service.claim_paths import disclosed_claims
from wallet.service.credential_sets import check_selection
from wallet.service.pending_presentation import (
    ClaimChoice,
    ClaimPath,
    Matching,
    QueryMatch,
    as_matching,
    parse_selections,
)


@dataclass(frozen=True)
class PlannedAnswer:
    """One credential the person chose for one credential query, and exactly what the
    verifier will read from it (the consent summary is built from this, and so is the
    presentation)."""

    query_id: str
    view: storage.CredentialView
    selective: bool
    paths: tuple[ClaimPath, ...]
    disclosed: Mapping[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {
            "query_id": self.query_id,
            "credential_id": self.view.id,
            "title": self.view.summary.get("title"),
            "issuer_name": self.view.summary.get("issuer_name"),
            "format": self.view.format,
            "selective": self.selective,
            "claims": [list(p) for p in self.paths] if self.selective else "all",
            "disclosed": dict(self.disclosed),
        }


def plan_answer(
    session: Session,
    who: Principal,
    matching: Matching | Mapping[str, Any],
    selections: Mapping[str, Any] | None,
) -> list[PlannedAnswer]:
    """What would be sent for ``selections`` (per credential query id; empty: the default of
    each required credential set), checked against the request's credential sets.

    Raises:
        InvalidInputError: the selection is not one the request allows.
    """
    choices = parse_selections(selections)
    typed = as_matching(matching)
    if typed.sets is None:
        raise InvalidInputError("this request was opened by an older wallet: open it again")
    if not choices and not typed.satisfied:
        raise InvalidInputError("no credential in this wallet answers this request")
    by_query = {q.id: q for q in typed.queries}
    answered = list(choices) or list(typed.selected_query_ids)
    unknown = [qid for qid in answered if qid not in by_query]
    if unknown:
        raise InvalidInputError(f"the request has no credential query {unknown[0]!r}")
    check_selection(typed, answered)
    return [
        _plan_one(session, who, by_query[qid], choices.get(qid, ClaimChoice())) for qid in answered
    ]


def _plan_one(
    session: Session, who: Principal, query: QueryMatch, choice: ClaimChoice
) -> PlannedAnswer:
    """The credential chosen for one query (its first option by default) and what it shows."""
    qid = query.id
    options = {o.credential_id: o for o in query.options}
    first = query.options[0].credential_id if query.options else None
    cid = choice.credential_id if choice.credential_id is not None else first
    if cid is None or cid not in options:
        raise InvalidInputError(f"that credential does not answer query {qid!r}")
    option = options[cid]
    view = storage.get_credential(session, who, cid)
    chosen = choice.disclose
    paths = chosen if chosen is not None else tuple(tuple(p) for p in option.requested)
    if option.selective:
        disclosed: Mapping[str, Any] = disclosed_claims(view.raw, paths)
    else:  # a W3C credential cannot be cut: the verifier reads all of it
        disclosed = (view.content or {}).get("claims") or {}
    return PlannedAnswer(qid, view, option.selective, paths, disclosed)
