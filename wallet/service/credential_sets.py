"""Credential sets: the choices a DCQL query asks the person to make (OpenID4VP 1.0 §6.2,
§6.4.2), what is sent by default, and which selections the request allows
(docs/decisions/consent-one-choice-per-set.md)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from typing import Any, NoReturn

from shared.errors import InvalidInputError
from wallet.service.pending_presentation import (
    CandidateCredential,
    CredentialSetView,
    Matching,
    SetOption,
    as_matching,
)

#: the most combinations of options check_selection tries (sets x options, in practice tiny)
MAX_COMBINATIONS = 4096


def credential_sets(dcql: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The choices a DCQL query asks the person to make (OpenID4VP 1.0 §6.2, §6.4.2).

    Each credential set is one choice: its ``options`` are alternatives (each a list of
    credential query ids answered together), ``required`` defaults to true. Without
    ``credential_sets`` every credential query is its own required set of one option.
    """
    sets = dcql.get("credential_sets")
    if not isinstance(sets, list):
        return [
            {"required": True, "purpose": None, "options": [[str(q["id"])]]}
            for q in dcql["credentials"]
        ]
    return [
        {
            "required": s.get("required", True) is not False,
            "purpose": s.get("purpose") if isinstance(s.get("purpose"), str) else None,
            "options": [[str(i) for i in option] for option in s["options"]],
        }
        for s in sets
    ]


def set_views(
    dcql: Mapping[str, Any], answerable: set[str], matched: set[str] | None = None
) -> list[CredentialSetView]:
    """Each credential set: its options, which may be sent (``available``) and which have
    credentials to show (``listed``: revoked or suspended ones included, not choosable)."""
    out = []
    for n, cset in enumerate(credential_sets(dcql)):
        options = [
            SetOption(
                index=k,
                query_ids=ids,
                available=set(ids) <= answerable,
                listed=set(ids) <= (answerable if matched is None else matched),
            )
            for k, ids in enumerate(cset["options"])
        ]
        out.append(
            CredentialSetView(
                index=n,
                required=cset["required"],
                purpose=cset["purpose"],
                options=options,
                available=any(o.available for o in options),
            )
        )
    return out


def _sets_view(
    dcql: Mapping[str, Any], answerable: set[str], matched: set[str] | None = None
) -> list[dict[str, Any]]:
    """:func:`set_views` as JSON."""
    return [s.to_json() for s in set_views(dcql, answerable, matched)]


def default_query_ids(matching: Matching | Mapping[str, Any]) -> list[str]:
    """What is sent when the person changes nothing: the verifier's preferred available
    option of each REQUIRED set, and nothing for optional sets."""
    typed = as_matching(matching)
    chosen: list[str] = []
    for cset in typed.sets or []:
        if not cset.required:
            continue
        option = _shows_less(typed, cset) or next((o for o in cset.options if o.available), None)
        if option is not None:
            chosen.extend(i for i in option.query_ids if i not in chosen)
    return chosen


def _shows_less(matching: Matching, cset: CredentialSetView) -> SetOption | None:
    """The set's available option whose credentials are all SD-JWT copies of badges another
    option would send whole (docs/decisions/reveal-less.md: the person reveals less unless they
    choose more)."""

    def firsts(option: SetOption) -> list[CandidateCredential]:
        found = [matching.query(q) for q in option.query_ids]
        return [q.options[0] for q in found if q is not None and q.options]

    available = [o for o in cset.options if o.available]
    whole = {c.badge for o in available for c in firsts(o) if not c.selective}
    for option in available:
        cards = firsts(option)
        if cards and all(c.selective and c.badge in whole for c in cards):
            return option
    return None


def check_selection(matching: Matching | Mapping[str, Any], query_ids: Sequence[str]) -> None:
    """Refuse an answer DCQL does not allow (§6.4.2): the chosen credential queries must be
    exactly the union of one option of each required set and at most one option of each
    optional set, so two alternatives of one set are never both sent.

    Raises:
        InvalidInputError: the selection is not one the request allows.
    """
    chosen = frozenset(query_ids)
    if not chosen:
        raise InvalidInputError("choose at least one credential to send, or refuse")
    per_set = _options_within(matching, chosen)
    if math.prod(len(f) for f in per_set) > MAX_COMBINATIONS:
        raise InvalidInputError("the request's credential sets are too many to check")
    if any(frozenset().union(*combo) == chosen for combo in itertools.product(*per_set)):
        return
    _refuse_selection(per_set, chosen)


def _options_within(
    matching: Matching | Mapping[str, Any], chosen: frozenset[str]
) -> list[list[frozenset[str]]]:
    """Per credential set, its options wholly chosen (and, for an optional set, none)."""
    per_set: list[list[frozenset[str]]] = []
    for cset in as_matching(matching).sets or []:
        full = [frozenset(o.query_ids) for o in cset.options if set(o.query_ids) <= chosen]
        if not full and cset.required:
            raise InvalidInputError(
                "the request needs one of " + ", ".join("+".join(o.query_ids) for o in cset.options)
            )
        per_set.append([*full, frozenset()] if not cset.required else full)
    return per_set


def _refuse_selection(per_set: list[list[frozenset[str]]], chosen: frozenset[str]) -> NoReturn:
    """Say why no combination of options is exactly the selection."""
    for options in per_set:
        answered = [o for o in options if o]
        maximal = [o for o in answered if not any(o < other for other in answered)]
        if len(maximal) > 1:
            raise InvalidInputError(
                "the request offers these as alternatives: choose one of "
                + ", ".join("+".join(sorted(o)) for o in maximal)
            )
    covered = frozenset().union(*(o for options in per_set for o in options))
    stray = sorted(chosen - covered) or sorted(chosen)
    raise InvalidInputError(f"the request does not ask for {', '.join(stray)} on its own")
