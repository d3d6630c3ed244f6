"""Consent choices without I/O: DCQL credential sets as choices (OpenID4VP 1.0 §6.2, §6.4.2),
what a selection may be, and tick boxes in words."""

from __future__ import annotations

from typing import Any

import pytest

from shared.errors import InvalidInputError
from verifier.service.templates import TEMPLATES
from wallet.disclosure import disclosure_items, readable_facts
from wallet.i18n import translator
from wallet.service.credential_sets import (
    _sets_view,
    check_selection,
    credential_sets,
    default_query_ids,
)
from wallet.service.verifier_identity import client_names

NBSP = "\u00a0"


def query(*ids: str, sets: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"credentials": [{"id": i, "format": "ldp_vc"} for i in ids]}
    if sets is not None:
        out["credential_sets"] = sets
    return out


def matching(dcql: dict[str, Any], answerable: set[str]) -> dict[str, Any]:
    out: dict[str, Any] = {"sets": _sets_view(dcql, answerable)}
    out["selected_query_ids"] = default_query_ids(out)
    return out


def test_without_credential_sets_every_query_is_a_required_choice() -> None:
    sets = credential_sets(query("a", "b"))
    assert sets == [
        {"required": True, "purpose": None, "options": [["a"]]},
        {"required": True, "purpose": None, "options": [["b"]]},
    ]


def test_every_template_is_one_required_choice_of_alternatives() -> None:
    for name, template in TEMPLATES.items():
        (cset,) = credential_sets(template.dcql)
        assert cset["required"] is True, name
        assert all(len(o) == 1 for o in cset["options"]), name
        assert len(cset["options"]) == len(template.dcql["credentials"]), name


def test_required_defaults_to_true_and_purpose_must_be_text() -> None:
    dcql = query(
        "a",
        "b",
        sets=[
            {"options": [["a"]], "purpose": {"x": 1}},
            {"options": [["b"]], "required": False, "purpose": "Pour"},
        ],
    )
    sets = credential_sets(dcql)
    assert [(s["required"], s["purpose"]) for s in sets] == [(True, None), (False, "Pour")]


def test_default_is_the_preferred_available_option_of_required_sets_only() -> None:
    dcql = query(
        "a", "b", "c", sets=[{"options": [["a"], ["b"]]}, {"options": [["c"]], "required": False}]
    )
    assert matching(dcql, {"a", "b", "c"})["selected_query_ids"] == ["a"]
    assert matching(dcql, {"b", "c"})["selected_query_ids"] == ["b"]
    assert matching(dcql, {"c"})["selected_query_ids"] == []


@pytest.mark.parametrize(
    ("chosen", "error"),
    [
        (["a", "b"], "alternatives"),  # two formats of one badge
        (["c"], "needs one of a, b"),  # the required set is left unanswered
        (["a", "z"], "does not ask for z"),  # a query outside every chosen option
        ([], "at least one"),
    ],
)
def test_selections_dcql_does_not_allow_are_refused(chosen: list[str], error: str) -> None:
    dcql = query(
        "a",
        "b",
        "c",
        "z",
        sets=[{"options": [["a"], ["b"]]}, {"options": [["c"]], "required": False}],
    )
    with pytest.raises(InvalidInputError, match=error):
        check_selection(matching(dcql, {"a", "b", "c", "z"}), chosen)


@pytest.mark.parametrize("chosen", [["a"], ["b"], ["a", "c"], ["b", "c"]])
def test_one_option_per_set_is_allowed(chosen: list[str]) -> None:
    dcql = query(
        "a", "b", "c", sets=[{"options": [["a"], ["b"]]}, {"options": [["c"]], "required": False}]
    )
    check_selection(matching(dcql, {"a", "b", "c"}), chosen)


def test_an_option_inside_a_larger_chosen_option_is_not_an_alternative() -> None:
    dcql = query("a", "b", sets=[{"options": [["a", "b"], ["a"]]}])
    check_selection(matching(dcql, {"a", "b"}), ["a", "b"])


def test_overlapping_sets_answered_by_one_option_each() -> None:
    """A query may belong to two sets: "a" for the first and "b" for the second is one
    option per set, not two alternatives."""
    dcql = query("a", "b", "c", sets=[{"options": [["a"], ["b"]]}, {"options": [["b"], ["c"]]}])
    answerable = {"a", "b", "c"}
    check_selection(matching(dcql, answerable), ["a", "b"])
    check_selection(matching(dcql, answerable), ["b"])
    with pytest.raises(InvalidInputError, match="alternatives"):
        check_selection(matching(dcql, answerable), ["a", "b", "c"])


def test_client_names_by_language_and_cut() -> None:
    names = client_names(
        {
            "client_name": " Recrutement ",
            "client_name#en-GB": "Recruiting",
            "client_name#fr": 3,
            "client_name_x": "no",
            "logo_uri": "x" * 300,
            "client_name#de": "y" * 500,
        }
    )
    assert names == {"": "Recrutement", "en": "Recruiting", "de": "y" * 200}


# --------------------------------------------------------------------------- words

CLAIMS = {
    "iss": "did:web:association.example",
    "issuer": {"name": "Association Démo"},
    "achievement": {
        "name": "Bénévole",
        "achievementType": "CommunityService",
        "resultDescription": [{"id": "urn:hours", "name": "Heures"}],
    },
    "credentialSubject": {
        "id": "did:jwk:abc",
        "role": "Encadrante",
        "identifier": [{"identityType": "name", "hashed": False, "identityHash": "Camille"}],
        "result": [{"resultDescription": "urn:hours", "value": "220"}],
    },
}
DISCLOSABLE = [
    ("credentialSubject",),
    ("credentialSubject", "id"),
    ("credentialSubject", "identifier", 0),
    ("credentialSubject", "result", 0),
    ("credentialSubject", "result", 0, "value"),
]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_tick_boxes_say_what_and_the_value(lang: str) -> None:
    items = disclosure_items(CLAIMS, DISCLOSABLE, [], lang, translator(lang))
    texts = [i["text"] for i in items]
    colon = f"{NBSP}: " if lang == "fr" else ": "
    assert f"Heures{colon}220" in texts
    assert ("Votre nom" if lang == "fr" else "Your name") + colon + "Camille" in texts
    # a result and its value are one box
    hours = next(i for i in items if i["text"] == f"Heures{colon}220")
    assert hours["paths"] == [
        ["credentialSubject", "result", 0],
        ["credentialSubject", "result", 0, "value"],
    ]
    assert hours["value"] == "credentialSubject.result.0 credentialSubject.result.0.value"
    assert len(items) == 4
    assert not any(i["checked"] for i in items)


def test_what_the_verifier_asked_is_ticked_with_wildcards() -> None:
    asked = [["credentialSubject", "result", None, "value"]]
    items = disclosure_items(CLAIMS, DISCLOSABLE, asked, "fr", translator("fr"))
    ticked = [i["paths"][0] for i in items if i["checked"]]
    # the result asked for, and the subject it is in; not the name nor the DID
    assert ticked == [["credentialSubject"], ["credentialSubject", "result", 0]]


def test_facts_use_ob3_names_in_french_with_their_values() -> None:
    facts = readable_facts(CLAIMS, "dc+sd-jwt", "fr", translator("fr"))
    pairs = {f["label"]: f["value"] for f in facts}
    assert pairs["Badge"] == "Bénévole"
    assert pairs["Rôle"] == "Encadrante"
    assert pairs["Heures"] == "220"
    assert pairs["Délivré par"] == "Association Démo"
    assert pairs["Type de badge"] == "Engagement bénévole"
    assert not [v for v in pairs.values() if "did:" in v]  # identifiers stay technical
    brief = readable_facts(CLAIMS, "dc+sd-jwt", "fr", translator("fr"), brief=True)
    assert "Type de badge" not in {f["label"] for f in brief}
