"""The pending presentation's typed state keeps the stored JSON shape: a row sealed by the
wallet before the state was typed (nested dicts) loads, and is written back unchanged."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from shared.errors import InvalidInputError
from wallet.service.credential_sets import check_selection, default_query_ids
from wallet.service.pending_presentation import (
    ClaimChoice,
    Matching,
    PendingPresentation,
    VerifierView,
    parse_selections,
)

#: states sealed by the wallet before they were typed (provenance: tests/data/README.md)
CAPTURED = Path(__file__).parents[2] / "data" / "wallet" / "pending-presentations.json"


def captured() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(CAPTURED.read_text(encoding="utf-8"))
    return rows


#: the state ``open_request`` sealed before PendingPresentation existed (captured from that
#: code: one SD-JWT VC copy and one whole ldp_vc copy of a badge, one revoked credential)
STORED: dict[str, Any] = {
    "client_id": "redirect_uri:https://verifier.example/response",
    "request": {
        "client_id": "redirect_uri:https://verifier.example/response",
        "response_type": "vp_token",
        "response_mode": "direct_post",
        "response_uri": "https://verifier.example/response",
        "nonce": "n-0S6_WzA2Mj",
        "state": "st-1",
        "client_metadata": {"client_name": "Verifier", "client_name#fr": "Vérificateur"},
        "dcql_query": {"credentials": [{"id": "badge", "format": "dc+sd-jwt"}]},
    },
    "verifier": {
        "client_id": "redirect_uri:https://verifier.example/response",
        "name": "Verifier",
        "names": {"": "Verifier", "fr": "Vérificateur"},
        "known": False,
        "known_name": None,
        "logo": None,
        "response_host": "verifier.example",
        "signed": False,
        "encrypted": False,
    },
    "matching": {
        "satisfied": True,
        "queries": [
            {
                "id": "badge",
                "format": "dc+sd-jwt",
                "options": [
                    {
                        "credential_id": "c-sd",
                        "title": "Secourisme",
                        "issuer_name": "École",
                        "self_declared": False,
                        "format": "dc+sd-jwt",
                        "requested": [["achievement", "name"]],
                        "blocked": False,
                        "status": {"checked": True, "revoked": False, "suspended": False},
                        "selective": True,
                        "disclosable": [["achievement"], ["achievement", "name"], ["score"]],
                        "disclosed": {"achievement": {"name": "Secourisme"}},
                        "always": {"vct": "https://example.org/badge"},
                        "claims": {"achievement": {"name": "Secourisme"}, "score": 17},
                        "selective_copy": False,
                    },
                    {
                        "credential_id": "c-whole",
                        "title": "Secourisme",
                        "issuer_name": "École",
                        "self_declared": False,
                        "format": "ldp_vc",
                        "requested": [["credentialSubject", "achievement", "name"]],
                        "blocked": True,
                        "selective": False,
                        "disclosed": {"credentialSubject": {"score": 17}},
                        "selective_copy": True,
                    },
                ],
            }
        ],
        "sets": [
            {
                "index": 0,
                "required": True,
                "purpose": None,
                "options": [
                    {"index": 0, "query_ids": ["badge"], "available": True, "listed": True}
                ],
                "available": True,
            }
        ],
        "selected_query_ids": ["badge"],
    },
}


def test_a_stored_pending_request_loads_and_is_written_back_identical() -> None:
    stored = copy.deepcopy(STORED)
    pending = PendingPresentation.from_json(stored)
    assert pending.to_json() == STORED
    assert pending.nonce == "n-0S6_WzA2Mj"
    assert pending.response_uri == "https://verifier.example/response"
    assert pending.state == "st-1"
    assert pending.verifier.names["fr"] == "Vérificateur"
    assert pending.view("p1") == {"id": "p1", "verifier": STORED["verifier"], **STORED["matching"]}


@pytest.mark.parametrize("index", range(6))
def test_states_captured_from_the_untyped_code_load_and_are_written_back_identical(
    index: int,
) -> None:
    stored = captured()[index]
    pending = PendingPresentation.from_json(copy.deepcopy(stored))
    assert pending.to_json() == stored
    assert json.dumps(pending.to_json(), sort_keys=True) == json.dumps(stored, sort_keys=True)
    # the typed default is the one the untyped code chose and stored
    assert default_query_ids(pending.matching) == stored["matching"]["selected_query_ids"]
    if stored["matching"]["selected_query_ids"]:
        check_selection(pending.matching, stored["matching"]["selected_query_ids"])


def test_the_captured_states_cover_what_the_consent_screen_shows() -> None:
    rows = [PendingPresentation.from_json(r) for r in captured()]
    options = [o for p in rows for q in p.matching.queries for o in q.options]
    assert {o.selective for o in options} == {True, False}
    assert any(o.selective_copy for o in options)
    assert any(o.status is not None for o in options)
    assert any(p.matching.sets is not None and len(p.matching.sets) > 1 for p in rows)
    assert any(not p.matching.satisfied for p in rows)
    assert any(p.verifier.signed for p in rows)
    assert any(p.verifier.encrypted for p in rows)
    assert any(p.verifier.logo for p in rows)


def test_an_older_matching_without_sets_says_so() -> None:
    old = copy.deepcopy(STORED["matching"])
    del old["sets"]
    matching = Matching.from_json(old)
    assert matching.sets is None
    assert "sets" not in matching.to_json()


def test_a_request_without_state_has_none_to_echo() -> None:
    stored = copy.deepcopy(STORED)
    stored["request"]["state"] = 7  # not a string: not echoed
    assert PendingPresentation.from_json(stored).state is None
    del stored["request"]["state"]
    assert PendingPresentation.from_json(stored).state is None


def test_an_older_verifier_view_without_the_later_keys_still_loads() -> None:
    view = VerifierView.from_json({"client_id": "x", "name": "V", "response_host": "v.example"})
    assert (view.name, view.known, view.signed, view.encrypted) == ("V", False, False, False)
    assert view.to_json()["names"] == {}


@pytest.mark.parametrize("part", ["request", "verifier", "matching"])
def test_a_pending_state_whose_parts_are_not_objects_is_refused(part: str) -> None:
    stored = copy.deepcopy(STORED)
    stored[part] = ["not", "an", "object"]
    with pytest.raises(InvalidInputError):
        PendingPresentation.from_json(stored)


def test_claim_choices_round_trip() -> None:
    choice = ClaimChoice.from_json({"credential_id": "c", "disclose": [["a", 0, None]]})
    assert choice == ClaimChoice("c", (("a", 0, None),))
    assert choice.to_json() == {"credential_id": "c", "disclose": [["a", 0, None]]}
    assert ClaimChoice.from_json({}).to_json() == {}
    assert parse_selections(None) == {}
    assert parse_selections({"q": {"credential_id": "c"}}) == {"q": ClaimChoice("c")}


@pytest.mark.parametrize(
    "selections",
    [
        ["q"],
        "q",
        {"q": "c"},
        {"q": None},
        {"q": ["credential_id", "c"]},
        {"q": {"credential_id": 3}},
        {"q": {"credential_id": "c", "disclose": "a.b"}},
        {"q": {"credential_id": "c", "disclose": ["a", "b"]}},
        {"q": {"credential_id": "c", "disclose": [[{"a": 1}]]}},
        {"q": {"credential_id": "c", "disclose": [[1.5]]}},
    ],
)
def test_hostile_selections_are_refused_as_input_errors(selections: Any) -> None:
    with pytest.raises(InvalidInputError):
        parse_selections(selections)
