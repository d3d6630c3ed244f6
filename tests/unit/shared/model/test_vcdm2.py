"""VC Data Model 2.0 normative rules, each tested from the spec's statement (both ways).

Source: W3C Verifiable Credentials Data Model v2.0, Recommendation 15 May 2025,
https://www.w3.org/TR/vc-data-model-2.0/ (section numbers in each test's name).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from shared.errors import MalformedCredentialError
from shared.model.vcdm2 import (
    VC_V1,
    VC_V2,
    Violation,
    credential_violations,
    describe_violations,
    is_url,
    presentation_violations,
    require_conforming_credential,
    vcdm2_violations,
)

ISSUER = "did:example:issuer"


def credential(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "@context": [VC_V2, "https://www.w3.org/ns/credentials/examples/v2"],
        "id": "urn:uuid:6a8c3bd4-1f7e-4b43-9d0e-3f0a3b7b6c11",
        "type": ["VerifiableCredential", "ExampleCredential"],
        "issuer": ISSUER,
        "validFrom": "2025-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:subject", "name": "Camille"},
    }
    return _apply(doc, changes)


def presentation(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "@context": [VC_V2],
        "type": ["VerifiablePresentation"],
        "holder": "did:example:holder",
        "verifiableCredential": [credential()],
    }
    return _apply(doc, changes)


_DROP = object()


def _apply(doc: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    for key, value in changes.items():
        if value is _DROP:
            doc.pop(key, None)
        else:
            doc[key] = value
    return doc


def rules(found: list[Violation]) -> set[str]:
    return {v.rule for v in found}


def test_a_conforming_credential_and_presentation_have_no_violation() -> None:
    assert credential_violations(credential()) == []
    assert presentation_violations(presentation()) == []
    assert vcdm2_violations(presentation()) == []


# §4.3 Contexts: "The value of the @context property MUST be an ordered set where the first
# item is a URL with the value https://www.w3.org/ns/credentials/v2. Subsequent items ...
# MUST be composed of any combination of URLs and/or objects".
@pytest.mark.parametrize(
    "contexts",
    [
        _DROP,
        [],
        "https://www.w3.org/ns/credentials/examples/v2",
        ["https://www.w3.org/ns/credentials/examples/v2", VC_V2],
        [{"@vocab": "https://example.org/#"}, VC_V2],
        [VC_V2, 42],
        [VC_V2, "not a url"],
        None,
    ],
)
def test_4_3_context_first_is_v2_then_urls_or_objects(contexts: Any) -> None:
    found = credential_violations(credential(**{"@context": contexts}))
    assert rules(found) == {"context"}
    assert all(v.section == "§4.3" for v in found)


@pytest.mark.parametrize(
    "contexts", [VC_V2, [VC_V2], [VC_V2, {"ex": "https://example.org/#"}], [VC_V2, "urn:ctx:1"]]
)
def test_4_3_context_accepted_forms(contexts: Any) -> None:
    assert credential_violations(credential(**{"@context": contexts})) == []


def test_4_3_presentation_first_context_object_is_refused() -> None:
    found = presentation_violations(presentation(**{"@context": [{"@version": 1.1}, VC_V2]}))
    assert [(v.rule, v.path) for v in found] == [("context", "@context[0]")]


# §4.4 Identifiers: "If present, the value of the id property MUST be a single URL".
@pytest.mark.parametrize(
    "ident", [None, "", "not-a-url", "https ://not-a-url/1", ["urn:a:1", "urn:a:2"], 7, {}]
)
def test_4_4_id_must_be_a_single_url(ident: Any) -> None:
    found = credential_violations(credential(id=ident))
    assert [(v.rule, v.path) for v in found] == [("id", "id")]


@pytest.mark.parametrize(
    "ident",
    ["https://example.org/vc/1", "urn:uuid:8a4b2e62-0b0e-4a9e-9b6a-6c4f8a1d2e3f", "did:web:a"],
)
def test_4_4_id_urls_are_accepted(ident: str) -> None:
    assert credential_violations(credential(id=ident)) == []


def test_4_4_subject_id_must_be_a_single_url() -> None:
    subject = {"id": ["did:example:one", "did:example:two"], "name": "x"}
    found = credential_violations(credential(credentialSubject=subject))
    assert [(v.rule, v.path) for v in found] == [("id", "credentialSubject.id")]


# §4.5 Types: "Verifiable credentials ... MUST contain a type property" including
# VerifiableCredential; values are "one or more terms and/or absolute URL strings".
@pytest.mark.parametrize(
    "types",
    [_DROP, "ExampleCredential", ["ExampleCredential"], [], ["VerifiableCredential", 3], None],
)
def test_4_5_type_must_include_verifiable_credential(types: Any) -> None:
    found = credential_violations(credential(type=types))
    assert rules(found) == {"type"}


def test_4_5_type_as_a_single_string_or_with_urls_is_accepted() -> None:
    assert credential_violations(credential(type="VerifiableCredential")) == []
    with_url = credential(type=["VerifiableCredential", "https://example.org/#Thing"])
    assert credential_violations(with_url) == []


def test_4_5_a_type_mapped_to_a_non_url_by_an_inline_context_is_refused() -> None:
    doc = credential(
        **{"@context": [VC_V2, {"Odd": "https ://nope#Odd"}]},
        type=["VerifiableCredential", "Odd"],
    )
    assert rules(credential_violations(doc)) == {"type"}
    doc["@context"][1] = {"Odd": {"@id": "https://example.org/#Odd"}}
    assert credential_violations(doc) == []


# §4.6 Names and Descriptions: "If present, the value of the name property MUST be a string
# or a language value object"; a language value object has @value and optionally @language
# and @direction, nothing else (§11.1).
@pytest.mark.parametrize("key", ["name", "description"])
@pytest.mark.parametrize(
    "value",
    [
        5,
        None,
        [],
        {"@value": "Chien", "@language": "fr", "url": "https://x.example"},
        {"@language": "fr"},
        {"@value": "Chien", "@language": "not a tag!"},
        {"@value": "Chien", "@direction": "up"},
        ["Chien", "Dog"],
    ],
)
def test_4_6_name_and_description_values(key: str, value: Any) -> None:
    found = credential_violations(credential(**{key: value}))
    assert [(v.rule, v.path) for v in found] == [("name-description", key)]


@pytest.mark.parametrize(
    "value",
    [
        "Chien",
        {"@value": "Chien", "@language": "fr"},
        {"@value": "كلب", "@language": "ar-EG", "@direction": "rtl"},
        [{"@value": "Dog", "@language": "en"}, {"@value": "Chien", "@language": "fr"}],
    ],
)
def test_4_6_accepted_names(value: Any) -> None:
    assert credential_violations(credential(name=value, description=value)) == []


def test_4_6_issuer_name_follows_the_same_rule() -> None:
    issuer = {"id": ISSUER, "name": {"@value": "A", "@language": "fr", "url": ISSUER}}
    found = credential_violations(credential(issuer=issuer))
    assert [(v.rule, v.path) for v in found] == [("name-description", "issuer.name")]


# §4.7 Issuer: "A verifiable credential MUST have an issuer property. The value of the issuer
# property MUST be either a URL, or an object containing an id property whose value is a URL".
@pytest.mark.parametrize(
    "issuer",
    [
        _DROP,
        None,
        "",
        "fake-issuer",
        {"id": None},
        {"id": "fake"},
        {"name": "Acme"},
        ["did:a:b"],
        1,
    ],
)
def test_4_7_issuer_is_a_url_or_an_object_with_a_url_id(issuer: Any) -> None:
    found = credential_violations(credential(issuer=issuer))
    assert rules(found) == {"issuer"}
    assert all(v.section == "§4.7" for v in found)


def test_4_7_issuer_object_with_url_id_is_accepted() -> None:
    assert credential_violations(credential(issuer={"id": ISSUER, "name": "Acme"})) == []


# §4.8 Credential Subject: "A verifiable credential MUST contain a credentialSubject property",
# a set of objects "where each object MUST be the subject of one or more claims".
@pytest.mark.parametrize(
    "subject", [_DROP, None, {}, [], [{"id": "did:example:a"}, {}], "did:example:a", [3], True]
)
def test_4_8_credential_subject_is_required_non_empty_objects(subject: Any) -> None:
    found = credential_violations(credential(credentialSubject=subject))
    assert rules(found) == {"credential-subject"}


def test_4_8_several_subjects_are_accepted() -> None:
    subjects = [{"id": "did:example:a"}, {"name": "B"}]
    assert credential_violations(credential(credentialSubject=subjects)) == []


# §4.9 Validity Period: validFrom / validUntil "MUST be an [XMLSCHEMA11-2] dateTimeStamp
# string value"; validFrom "MUST express a datetime that is temporally the same or earlier"
# than validUntil.
@pytest.mark.parametrize("key", ["validFrom", "validUntil"])
@pytest.mark.parametrize(
    "value",
    ["2025-01-01", "2025-01-01T00:00:00", "yesterday", 1735689600, None, "2025-13-01T00:00:00Z"],
)
def test_4_9_validity_dates_are_date_time_stamps(key: str, value: Any) -> None:
    found = credential_violations(credential(**{key: value}))
    assert [(v.rule, v.path) for v in found] == [("validity", key)]


def test_4_9_valid_until_before_valid_from_is_refused() -> None:
    doc = credential(validFrom="2026-01-01T00:00:00Z", validUntil="2025-01-01T00:00:00+01:00")
    assert [(v.rule, v.path) for v in credential_violations(doc)] == [("validity", "validUntil")]
    same = credential(validFrom="2026-01-01T00:00:00Z", validUntil="2026-01-01T01:00:00+01:00")
    assert credential_violations(same) == []
    ms = credential(validFrom="2026-01-01T00:00:00.123Z", validUntil="2027-01-01T00:00:00-05:00")
    assert credential_violations(ms) == []


def test_4_9_vc_1_1_reads_issuance_and_expiration_dates() -> None:
    v1 = credential(**{"@context": [VC_V1]}, validFrom=_DROP)
    assert [(v.rule, v.path) for v in credential_violations(v1)] == [("validity", "issuanceDate")]
    v1["issuanceDate"] = "2025-01-01T00:00:00Z"
    assert credential_violations(v1) == []
    v1["expirationDate"] = "soon"
    assert [v.path for v in credential_violations(v1)] == ["expirationDate"]


# §4.10 Status, §4.11 Data Schemas, §5.4 Refreshing, §5.5 Terms of Use, §5.6 Evidence:
# each object "MUST specify its type"; an id, when present, follows §4.4; a credentialSchema
# MUST also have an id.
TYPED = [
    ("credentialStatus", "credential-status", "§4.10"),
    ("credentialSchema", "credential-schema", "§4.11"),
    ("refreshService", "refresh-service", "§5.4"),
    ("termsOfUse", "terms-of-use", "§5.5"),
    ("evidence", "evidence", "§5.6"),
]


@pytest.mark.parametrize(("key", "rule", "section"), TYPED)
@pytest.mark.parametrize(
    "make",
    [
        lambda: {"id": "https://example.org/x/1"},
        lambda: {"id": "https://example.org/x/1", "type": 2},
        lambda: {"id": "https://example.org/x/1", "type": []},
        lambda: {"id": "https ://not-a-url/1", "type": "ExampleThing"},
        lambda: {"id": ["https://a.example/1", "https://a.example/2"], "type": "ExampleThing"},
        lambda: [{"id": "https://example.org/x/1", "type": "ExampleThing"}, "https://b.example"],
        list,
        lambda: "https://example.org/x/1",
    ],
)
def test_typed_objects_need_a_type_and_url_ids(
    key: str, rule: str, section: str, make: Callable[[], Any]
) -> None:
    found = credential_violations(credential(**{key: make()}))
    assert rules(found) == {rule}
    assert {v.section for v in found} == {section}


@pytest.mark.parametrize(("key", "rule", "section"), TYPED)
def test_typed_objects_accepted(key: str, rule: str, section: str) -> None:
    one = {"id": "https://example.org/x/1", "type": "ExampleThing"}
    assert credential_violations(credential(**{key: one})) == []
    two = [one, {"id": "https://example.org/x/2", "type": ["ExampleThing", "Other"]}]
    assert credential_violations(credential(**{key: two})) == []


def test_4_11_credential_schema_needs_an_id() -> None:
    found = credential_violations(credential(credentialSchema={"type": "JsonSchema"}))
    assert [(v.rule, v.path) for v in found] == [("credential-schema", "credentialSchema.id")]
    status_without_id = credential(credentialStatus={"type": "ExampleStatus"})
    assert credential_violations(status_without_id) == []


# §5.3 Integrity of Related Resources: "The value of the relatedResource property MUST be one
# or more objects", with an id (unique) and at least a digestSRI or a digestMultibase.
SRI = "sha384-S57yQDg1MTzF56Oi9DbSQ14u7jBy0RDdx0YbeV7shwhCS88G8SCXeFq82PafhCrW"


@pytest.mark.parametrize(
    "related",
    [
        ["https://example.org/ctx"],
        [{"digestSRI": SRI}],
        [{"id": "https://example.org/ctx"}],
        [{"id": "https://example.org/ctx", "digestSRI": 5}],
        [
            {"id": "https://example.org/ctx", "digestSRI": SRI},
            {"id": "https://example.org/ctx", "digestMultibase": "uEiB"},
        ],
        [],
    ],
)
def test_5_3_related_resource(related: Any) -> None:
    found = credential_violations(credential(relatedResource=related))
    assert rules(found) == {"related-resource"}


def test_5_3_related_resource_accepted() -> None:
    one = {"id": "https://example.org/ctx", "digestSRI": SRI, "mediaType": "application/ld+json"}
    assert credential_violations(credential(relatedResource=one)) == []
    two = [one, {"id": "https://example.org/other", "digestMultibase": "uEiBZlVztZpfWHgPyslVv6"}]
    assert credential_violations(credential(relatedResource=two)) == []


# §4.13 Verifiable Presentations: type MUST include VerifiablePresentation; holder, if present,
# "MUST be either a URL or an object containing an id property"; verifiableCredential values
# are verifiable credential objects (enveloped ones §4.13.1 with a data: URL id), never strings.
@pytest.mark.parametrize("types", [_DROP, "VerifiableCredential", [], [1]])
def test_4_13_presentation_type(types: Any) -> None:
    assert "type" in rules(presentation_violations(presentation(type=types)))


@pytest.mark.parametrize("holder", ["z6MkpJySvETLnxhQG9DzEdmK", {"name": "Acme"}, {"id": 3}, None])
def test_4_13_holder_is_a_url_or_an_object_with_a_url_id(holder: Any) -> None:
    assert rules(presentation_violations(presentation(holder=holder))) == {"holder"}
    assert presentation_violations(presentation(holder={"id": "did:example:h"})) == []
    assert presentation_violations(presentation(holder=_DROP)) == []


@pytest.mark.parametrize(
    "item",
    [
        "eyJhbGciOiJFUzI1NiJ9.eyJ2YyI6e319.c2ln",
        '{"@context": ["https://www.w3.org/ns/credentials/v2"]}',
        42,
        None,
        {"@context": [VC_V2], "type": ["ExampleCredential"]},
    ],
)
def test_4_13_presented_credentials_are_objects(item: Any) -> None:
    found = presentation_violations(presentation(verifiableCredential=[item]))
    assert all(v.path.startswith("verifiableCredential[0]") for v in found)
    assert rules(found) == {"presentation-credentials"}


def test_4_13_1_enveloped_credential_needs_a_data_url() -> None:
    good = {
        "@context": [VC_V2],
        "id": "data:application/vc+jwt,eyJhbGciOiJFUzI1NiJ9.e30.c2ln",
        "type": "EnvelopedVerifiableCredential",
    }
    assert presentation_violations(presentation(verifiableCredential=good)) == []
    bad = {**good, "id": "https://example.org/vc"}
    found = presentation_violations(presentation(verifiableCredential=[bad]))
    assert [(v.rule, v.section) for v in found] == [("enveloped-credential", "§4.13.1")]


def test_4_13_a_presentation_without_credentials_is_fine_but_an_empty_list_is_not() -> None:
    assert presentation_violations(presentation(verifiableCredential=_DROP)) == []
    assert rules(presentation_violations(presentation(verifiableCredential=[]))) == {
        "presentation-credentials"
    }


def test_is_url() -> None:
    for good in ("https://a.example", "http://127.0.0.1:8001/x", "did:key:z6Mk", "urn:uuid:1"):
        assert is_url(good), good
    for bad in ("", "a", "https://", "https:///x", "http:x", "did:", "a b:c", "ex:a b", 1, None):
        assert not is_url(bad), bad


def test_a_violation_names_its_rule_and_section() -> None:
    (found,) = credential_violations(credential(issuer=None))
    assert found.to_json() == {
        "rule": "issuer",
        "section": "§4.7",
        "path": "issuer",
        "message": found.message,
    }
    assert "§4.7" in str(found)
    assert "issuer" in str(found)


# Hostile input: wrong JSON types everywhere; the checker answers, never raises.
_WRONG: list[Any] = [
    None,
    True,
    0,
    -1.5,
    "",
    "x",
    [],
    [None],
    {},
    {"@value": {}},
    [[[]]],
    {"id": []},
]
_KEYS = [
    "@context",
    "id",
    "type",
    "name",
    "description",
    "issuer",
    "credentialSubject",
    "validFrom",
    "validUntil",
    "credentialStatus",
    "credentialSchema",
    "refreshService",
    "termsOfUse",
    "evidence",
    "relatedResource",
    "holder",
    "verifiableCredential",
]


@pytest.mark.parametrize("value", _WRONG)
def test_hostile_values_never_raise(value: Any) -> None:
    assert credential_violations(value) or isinstance(value, dict)
    assert presentation_violations(value) or isinstance(value, dict)
    for key in _KEYS:
        for base in (credential(), presentation()):
            doc = copy.deepcopy(base)
            doc[key] = value
            found = vcdm2_violations(doc)
            assert all(isinstance(v, Violation) for v in found)
            doc["issuer"] = {"id": value, "name": value, "description": value}
            doc["credentialSubject"] = [value, {"id": value}]
            assert isinstance(vcdm2_violations(doc), list)


def test_hostile_deep_and_wide_documents() -> None:
    deep: Any = "x"
    for _ in range(200):
        deep = {"a": [deep]}
    doc = credential(credentialSubject={"nested": deep}, evidence=[{"type": "E"}] * 10_000)
    assert credential_violations(doc) == []
    odd_keys = credential(**{"@context": [VC_V2, {1: 2, "@vocab": None, "T": {"@id": None}}]})
    assert credential_violations(odd_keys) == []


def test_require_conforming_credential_names_the_first_rule() -> None:
    require_conforming_credential(credential())
    with pytest.raises(MalformedCredentialError) as caught:
        require_conforming_credential(credential(issuer=None, credentialSubject={}))
    err = caught.value
    assert (err.extensions["rule"], err.extensions["section"]) == ("issuer", "§4.7")
    assert [v["rule"] for v in err.extensions["violations"]] == ["issuer", "credential-subject"]
    assert "§4.7" in err.detail
    assert "§4.8" in err.detail


def test_require_conforming_credential_checks_a_presentation_as_a_credential() -> None:
    with pytest.raises(MalformedCredentialError, match="VerifiableCredential"):
        require_conforming_credential(presentation())


def test_describe_violations_shows_five_and_counts_the_rest() -> None:
    found = credential_violations(credential(evidence=[{}] * 8))
    assert len(found) == 8
    text = describe_violations(found)
    assert text.count("§5.6") == 5
    assert text.endswith("(and 3 more)")
