"""shared.protocols.dcql against the OpenID4VP 1.0 examples and OB 3.0 credentials."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from shared.errors import InvalidInputError
from shared.protocols.dcql import (
    CandidateCredential,
    candidate_from_credential,
    check_dcql_response,
    expand_credential_types,
    match_dcql,
    parse_dcql_query,
    select_claims,
)
from tests.unit.verifier.builders import badge
from verifier.service.templates import OB_TYPE_IRI, TEMPLATES

VECTORS = Path(__file__).resolve().parents[2] / "data"
EXAMPLES = VECTORS / "openid4vp-1.0-examples"
SCHEMA = VECTORS / "oidf-conformance/json-schemas/oid4vp/dcql_request.json"
QUERY_FILES = sorted((EXAMPLES / "query_lang").glob("*.json")) + sorted(
    (EXAMPLES / "request").glob("dcql_*.json")
)


def _pid(**claims: Any) -> CandidateCredential:
    return CandidateCredential(
        id="pid",
        format="dc+sd-jwt",
        vct="https://credentials.example.com/identity_credential",
        claims=claims,
    )


@pytest.mark.parametrize("path", QUERY_FILES, ids=[p.stem for p in QUERY_FILES])
def test_spec_examples_parse(path: Path) -> None:
    parse_dcql_query(json.loads(path.read_text()))


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_templates_are_valid_dcql(name: str) -> None:
    query = TEMPLATES[name].dcql
    parse_dcql_query(query)
    # the OIDF conformance schema covers dc+sd-jwt (and mso_mdoc) queries only
    sd_only = {"credentials": [q for q in query["credentials"] if q["format"] == "dc+sd-jwt"]}
    if not sd_only["credentials"]:  # the "endorsement" template asks for W3C formats only
        assert name == "endorsement"
        return
    schema = json.loads(SCHEMA.read_text())
    jsonschema.validate(sd_only, {**schema, "$ref": "#/definitions/DCQLQuery"})


def test_simple_example_matches_and_selects_paths() -> None:
    query = json.loads((EXAMPLES / "query_lang/simple.json").read_text())
    full = _pid(family_name="Doe", given_name="Jane", address={"street_address": "1 rue"})
    partial = CandidateCredential(
        id="partial", format="dc+sd-jwt", vct=full.vct, claims={"family_name": "Doe"}
    )
    result = match_dcql(query, [partial, full])
    assert result.satisfied
    assert [m.credential_id for m in result.matches["my_credential"]] == ["pid"]
    assert result.matches["my_credential"][0].paths[2] == ("address", "street_address")
    assert "missing" in result.rejected["my_credential"]["partial"]


def test_value_matching_example() -> None:
    query = json.loads((EXAMPLES / "query_lang/value_matching_simple.json").read_text())
    base = {"given_name": "J", "address": {"street_address": "x"}, "family_name": "Doe"}
    assert match_dcql(query, [_pid(**base, postal_code="90210")]).satisfied
    wrong = match_dcql(query, [_pid(**base, postal_code="75001")])
    assert not wrong.satisfied
    assert "not one of" in wrong.rejected["my_credential"]["pid"]


def test_values_are_type_exact() -> None:
    query = {
        "credentials": [
            {
                "id": "q",
                "format": "dc+sd-jwt",
                "meta": {"vct_values": ["v"]},
                "claims": [{"path": ["n"], "values": [1]}],
            }
        ]
    }
    cand = CandidateCredential(id="c", format="dc+sd-jwt", vct="v", claims={"n": True})
    assert not match_dcql(query, [cand]).satisfied


def test_claim_sets_take_the_first_satisfiable_option() -> None:
    query = json.loads((EXAMPLES / "query_lang/claims_alternatives.json").read_text())
    cand = _pid(family_name="Doe", postal_code="1", date_of_birth="2000-01-01")
    match = match_dcql(query, [cand]).matches["pid"][0]
    assert match.claim_set == ("a", "b", "e")


def test_credential_sets_and_optional_sets() -> None:
    query = json.loads((EXAMPLES / "query_lang/credentials_alternatives.json").read_text())
    other = CandidateCredential(
        id="o",
        format="dc+sd-jwt",
        vct="https://othercredentials.example/pid",
        claims={"given_name": "a", "family_name": "b", "address": {"street_address": "c"}},
    )
    result = match_dcql(query, [other])
    assert result.satisfied  # the optional "nice_to_have" set is not needed
    assert result.selected_query_ids == ("other_pid",)
    assert not match_dcql(query, []).satisfied


def test_claims_path_pointer() -> None:
    doc = {"a": [{"b": 1}, {"b": 2}, {"c": 3}], "s": "x"}
    assert select_claims(doc, ["a", None, "b"]) == [1, 2]
    assert select_claims(doc, ["a", 1, "b"]) == [2]
    assert select_claims(doc, ["a", 9]) == []
    assert select_claims(doc, ["s", "t"]) == []
    assert select_claims(doc, ["s", None]) == []
    assert select_claims(doc, ["a", "b"]) == []


@pytest.mark.parametrize(
    "query",
    [
        None,
        {},
        {"credentials": []},
        {"credentials": [{"id": "a b", "format": "ldp_vc", "meta": {"type_values": [["x"]]}}]},
        {"credentials": [{"id": "a", "format": "ldp_vc", "meta": {"type_values": []}}]},
        {"credentials": [{"id": "a", "format": "dc+sd-jwt", "meta": {}}]},
        {
            "credentials": [
                {
                    "id": "a",
                    "format": "dc+sd-jwt",
                    "meta": {"vct_values": ["v"]},
                    "claims": [{"path": []}],
                }
            ]
        },
        {
            "credentials": [
                {
                    "id": "a",
                    "format": "dc+sd-jwt",
                    "meta": {"vct_values": ["v"]},
                    "claims": [{"path": ["x"], "values": [1.5]}],
                }
            ]
        },
        {
            "credentials": [
                {
                    "id": "a",
                    "format": "dc+sd-jwt",
                    "meta": {"vct_values": ["v"]},
                    "claims": [{"path": ["x"]}],
                    "claim_sets": [["z"]],
                }
            ]
        },
        {
            "credentials": [{"id": "a", "format": "dc+sd-jwt", "meta": {"vct_values": ["v"]}}],
            "credential_sets": [{"options": [["b"]]}],
        },
        {
            "credentials": [{"id": "a", "format": "dc+sd-jwt", "meta": {"vct_values": ["v"]}}],
            "extra": 1,
        },
    ],
)
def test_malformed_queries_are_refused(query: Any) -> None:
    with pytest.raises(InvalidInputError):
        parse_dcql_query(query)


def test_ob3_types_expand_to_the_open_badge_iri() -> None:
    credential = badge()
    assert OB_TYPE_IRI in expand_credential_types(credential)
    achievement = {**credential, "type": ["VerifiableCredential", "AchievementCredential"]}
    assert OB_TYPE_IRI in expand_credential_types(achievement)


def test_unknown_context_cannot_expand() -> None:
    with pytest.raises(InvalidInputError):
        expand_credential_types({"@context": ["https://evil.example/ctx"], "type": ["X"]})


@pytest.mark.parametrize("fmt", ["ldp_vc", "jwt_vc_json"])
def test_any_badge_matches_an_ob3_credential(fmt: str) -> None:
    query = TEMPLATES["any-badge"].dcql
    cand = candidate_from_credential("c1", fmt, badge())
    result = match_dcql(query, [cand])
    assert result.satisfied
    assert result.matches[{"ldp_vc": "badge_ldp", "jwt_vc_json": "badge_jwt"}[fmt]]


def test_volunteering_value_constraint_on_the_wallet_side() -> None:
    query = TEMPLATES["volunteering"].dcql
    ok = candidate_from_credential("v", "ldp_vc", badge())
    course = candidate_from_credential("c", "ldp_vc", badge(achievement_type="Course"))
    result = match_dcql(query, [course, ok])
    assert [m.credential_id for m in result.matches["badge_ldp"]] == ["v"]


def test_check_response_problems() -> None:
    query = TEMPLATES["any-badge"].dcql
    cand = candidate_from_credential("c1", "ldp_vc", badge())
    assert check_dcql_response(query, {"badge_ldp": [cand]}) == []
    assert check_dcql_response(query, {})  # a required set is unanswered
    unknown = check_dcql_response(query, {"nope": [cand], "badge_ldp": [cand]})
    assert [p.query_id for p in unknown] == ["nope"]
    two = check_dcql_response(query, {"badge_ldp": [cand, cand]})
    assert "single" in two[0].detail
    wrong_format = check_dcql_response(query, {"badge_jwt": [cand]})
    assert "format" in wrong_format[0].detail
    missing = candidate_from_credential("m", "ldp_vc", {**badge(), "credentialSubject": {}})
    assert "missing" in check_dcql_response(query, {"badge_ldp": [missing]})[0].detail
    assert check_dcql_response(query, {"badge_ldp": []})[0].to_json()["credential_query_id"]


def test_holder_binding_requirement() -> None:
    query = TEMPLATES["any-badge"].dcql
    cand = candidate_from_credential("c", "ldp_vc", badge(), holder_binding=False)
    assert not match_dcql(query, [cand]).satisfied
