"""Matching a DCQL query (OpenID4VP 1.0 §6) to the credentials an account holds: for each
credential query, the credentials that answer it and what each would disclose."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from shared.errors import VcError
from shared.protocols.dcql import CandidateCredential as DcqlCandidate
from shared.protocols.dcql import CredentialQueryMatch, candidate_from_credential, match_dcql
from shared.verify.context import VerifyContext
from wallet.service import credential_status, storage
from wallet.service.accounts import Principal
from wallet.service.claim_paths import disclosable_paths, disclosed_claims
from wallet.service.credential_sets import default_query_ids, set_views
from wallet.service.pending_presentation import CandidateCredential, Matching, QueryMatch


def _path_json(path: Sequence[Any]) -> list[Any]:
    return list(path)


def _may_answer(summary: Mapping[str, Any], fmt: str, query: Mapping[str, Any]) -> bool:
    """Cheap pre-filter on the decrypted summary (format, vct, types) before the content."""
    if storage.DCQL_FORMATS.get(fmt) != query.get("format"):
        return False
    found = query.get("meta")
    meta: Mapping[str, Any] = found if isinstance(found, dict) else {}
    if "vct_values" in meta:
        return summary.get("vct") in meta["vct_values"]
    if "type_values" in meta:
        types = set(summary.get("type_iris") or []) | set(summary.get("types") or [])
        return any(isinstance(v, list) and set(v) <= types for v in meta["type_values"])
    return True


def _blocked(statuses: Mapping[str, credential_status.StatusFlag], credential_id: str) -> bool:
    flag = statuses.get(credential_id)
    return flag is not None and flag.blocked


def _candidates(
    session: Session, who: Principal, queries: Sequence[Mapping[str, Any]]
) -> list[storage.CredentialView]:
    return [
        storage.get_credential(session, who, v.id)
        for v in storage.list_credentials(session, who)
        if any(_may_answer(v.summary, v.format, q) for q in queries)
    ]


def _dcql_candidates(views: Mapping[str, storage.CredentialView]) -> list[DcqlCandidate]:
    """The held credentials as DCQL sees them (their claims); an unreadable one is left out."""
    candidates = []
    for view in views.values():
        assert view.content is not None
        body = view.content.get("claims") or {}
        try:
            candidates.append(
                candidate_from_credential(view.id, storage.DCQL_FORMATS[view.format], body)
            )
        except VcError:
            continue
    return candidates


def _option(
    view: storage.CredentialView,
    match: CredentialQueryMatch,
    statuses: Mapping[str, credential_status.StatusFlag],
) -> CandidateCredential:
    """One credential answering one query, and what it would disclose."""
    assert view.content is not None
    selective = storage.DCQL_FORMATS[view.format] == "dc+sd-jwt"
    option = CandidateCredential(
        credential_id=view.id,
        title=view.summary.get("title"),
        issuer_name=view.summary.get("issuer_name"),
        self_declared=bool(view.summary.get("self_declared")),
        format=view.format,
        requested=[_path_json(p) for p in match.paths],
        blocked=_blocked(statuses, view.id),
        status=statuses[view.id].to_json() if view.id in statuses else None,
        selective=selective,
        # the whole credential, unless selectively disclosable
        disclosed=view.content.get("claims"),
    )
    if selective:
        option.disclosable = [_path_json(p) for p in disclosable_paths(view.raw)]
        option.disclosed = disclosed_claims(view.raw, match.paths)
        # what the verifier reads whatever is ticked, and every claim (for the labels)
        option.always = disclosed_claims(view.raw, ())
        option.claims = view.content.get("claims") or {}
    return option


def match_request(
    session: Session,
    who: Principal,
    claims: Mapping[str, Any],
    status_ctx: VerifyContext | None = None,
) -> dict[str, Any]:
    """:func:`match_credentials` as JSON."""
    return match_credentials(session, who, claims, status_ctx).to_json()


def match_credentials(
    session: Session,
    who: Principal,
    claims: Mapping[str, Any],
    status_ctx: VerifyContext | None = None,
) -> Matching:
    """For each credential query: the matching credentials and what each would disclose.

    With ``status_ctx``, each candidate's status is read from its issuer's list: a revoked or
    suspended credential is still listed (with ``blocked`` and its ``status``, so the person
    sees why) but does not count towards answering the request.
    """
    query = claims["dcql_query"]
    views = {v.id: v for v in _candidates(session, who, query["credentials"])}
    statuses = credential_status.check_all(views.values(), status_ctx) if status_ctx else {}
    candidates = _dcql_candidates(views)
    found = match_dcql(query, candidates)
    usable = [c for c in candidates if not _blocked(statuses, c.id)]
    usable_match = match_dcql(query, usable) if len(usable) < len(candidates) else found
    queries = [
        QueryMatch(
            str(cq["id"]),
            cq.get("format"),
            [
                _option(views[m.credential_id], m, statuses)
                for m in found.matches.get(str(cq["id"]), ())
            ],
        )
        for cq in query["credentials"]
    ]
    _order_options(queries)
    # a query whose every credential is revoked or suspended cannot be answered
    answerable = {q.id for q in queries if any(not o.blocked for o in q.options)}
    matched = {q.id for q in queries if q.options}  # shown, blocked ones greyed out
    sets = set_views(query, answerable, matched)
    out = Matching(usable_match.satisfied, queries, sets, [])
    out.selected_query_ids.extend(default_query_ids(out))
    return out


def _order_options(queries: list[QueryMatch]) -> None:
    """The credentials that may be sent first, so a default choice is never a blocked one;
    then a selectively disclosable copy of a badge also held whole
    (docs/decisions/reveal-less.md)."""
    whole = _copies_held_whole([o for q in queries for o in q.options])
    for q in queries:
        q.options.sort(key=lambda o: (o.blocked, not (o.selective and o.badge in whole)))


def _copies_held_whole(options: list[CandidateCredential]) -> set[tuple[str | None, str | None]]:
    """The badges held both whole (ldp_vc, jwt_vc_json) and in SD-JWT VC, whose SD-JWT copy
    is then chosen by default; each whole copy is marked ``selective_copy`` so the consent
    page can say a copy that shows less exists."""
    selective = {o.badge for o in options if o.selective and not o.blocked}
    both = {o.badge for o in options if not o.selective and o.badge in selective}
    for option in options:
        option.selective_copy = not option.selective and option.badge in both
    return both
