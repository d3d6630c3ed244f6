"""RDFC-1.0 canonicalization of JSON-LD documents against published vectors."""

from __future__ import annotations

import copy
import json
import socket
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

import pytest

from shared.encoding.json_limits import MAX_JSON_DEPTH
from shared.errors import ContextNotAllowedError, MalformedCredentialError
from shared.jsonld import (
    OB303_CONTEXT_URL,
    Ob303Variant,
    canonize,
    canonize_plain,
    canonize_proof_configuration,
    ob303_variants_to_try,
    uses_ob303_context,
)

DATA = Path(__file__).parents[3] / "data" / "jsonld"
V2 = "https://www.w3.org/ns/credentials/v2"
UNDEFINED_TERMS = "https://www.w3.org/ns/credentials/undefined-terms/v2"


class Canonizer(Protocol):
    """canonize or canonize_plain: the same contract, two paths."""

    def __call__(
        self,
        document: Mapping[str, Any],
        *,
        ob303_variant: Ob303Variant = ...,
        safe_mode: bool = ...,
    ) -> str: ...


CANONIZERS: list[Canonizer] = [canonize, canonize_plain]


def load(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((DATA / name).read_text(encoding="utf-8"))
    return document


def text(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("canonicalization tried to open a network connection")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


@pytest.mark.parametrize("canon", CANONIZERS)
@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ("peers-ob3-credential.unsigned.json", "peers-ob3-credential.rdfc-1.0.nq"),
        ("vc-di-eddsa-unsigned.json", "vc-di-eddsa-canonDocDataInt.txt"),
        ("vc-di-eddsa-proofConfigDataInt.json", "vc-di-eddsa-proofCanonDataInt.txt"),
        ("ob3-ldp-example-unsigned.json", "ob3-ldp-example-document-canon.txt"),
    ],
    ids=["peers-ob3-credential", "canonDocDataInt", "proofCanonDataInt", "ob3-ldp-document"],
)
def test_vectors_byte_for_byte(canon: Canonizer, document: str, expected: str) -> None:
    assert canon(load(document)) == text(expected)


def test_vc_di_eddsa_proof_configuration_takes_the_document_context() -> None:
    config = load("vc-di-eddsa-proofConfigDataInt.json")
    context = config.pop("@context")
    assert canonize_proof_configuration(config, context) == text(
        "vc-di-eddsa-proofCanonDataInt.txt"
    )


def test_ob3_ldp_example_signed_document_and_proof_configuration() -> None:
    signed = load("ob3-ldp-example-signed.json")
    proof = signed.pop("proof")
    del proof["proofValue"]
    assert canonize(signed) == text("ob3-ldp-example-document-canon.txt")
    assert canonize_proof_configuration(proof, signed["@context"]) == text(
        "ob3-ldp-example-proof-canon.txt"
    )


def test_proof_configuration_context_argument_wins_over_a_stray_one() -> None:
    config = load("vc-di-eddsa-proofConfigDataInt.json")
    context = config["@context"]
    config["@context"] = ["https://evil.example/ctx"]
    assert canonize_proof_configuration(config, context) == text(
        "vc-di-eddsa-proofCanonDataInt.txt"
    )


def test_canonize_does_not_modify_its_input() -> None:
    document = load("ob3-validator-complete.json")
    before = copy.deepcopy(document)
    canonize(document)
    canonize_plain(document)
    assert document == before


def credential_with_jti() -> dict[str, Any]:
    document = load("peers-ob3-credential.unsigned.json")
    document["jti"] = "urn:uuid:5a1b3f3e-7a57-4f6b-9d1e-0c1e6f5d2a10"
    return document


def test_jti_canonicalizes_differently_under_the_two_ob303_copies() -> None:
    document = credential_with_jti()
    validator = canonize(document, ob303_variant=Ob303Variant.VALIDATOR_2026)
    spec = canonize(document, ob303_variant=Ob303Variant.SPEC_REPO)
    assert validator != spec
    # validator copy: "jti" is https://www.iana.org/assignments/jwt#jti with @type @id
    assert (
        "<https://www.iana.org/assignments/jwt#jti> "
        "<urn:uuid:5a1b3f3e-7a57-4f6b-9d1e-0c1e6f5d2a10> ." in validator
    )
    # spec-repo copy: "jti" is undefined and credentials/v2 has no @vocab, so it is dropped
    assert "jti" not in spec
    assert "5a1b3f3e" not in spec
    assert canonize_plain(document, ob303_variant=Ob303Variant.SPEC_REPO) == spec
    assert canonize_plain(document, ob303_variant=Ob303Variant.VALIDATOR_2026) == validator


def test_the_pinned_copy_is_the_default() -> None:
    document = credential_with_jti()
    assert canonize(document) == canonize(document, ob303_variant=Ob303Variant.PINNED)


def test_without_jti_or_endorsement_jwt_both_copies_agree() -> None:
    document = load("peers-ob3-credential.unsigned.json")
    assert canonize(document, ob303_variant=Ob303Variant.SPEC_REPO) == canonize(
        document, ob303_variant=Ob303Variant.VALIDATOR_2026
    )


def test_uses_ob303_context_finds_top_level_and_nested_contexts() -> None:
    assert uses_ob303_context(load("peers-ob3-credential.unsigned.json"))
    assert not uses_ob303_context(load("vc-di-eddsa-unsigned.json"))
    nested = {"@context": [V2], "endorsement": [{"@context": [V2, OB303_CONTEXT_URL + "#"]}]}
    assert uses_ob303_context(nested)
    assert not uses_ob303_context({"@context": V2, "x": {"@context": {"@vocab": "urn:x#"}}})


def test_ob303_variants_to_try() -> None:
    assert ob303_variants_to_try(load("peers-ob3-credential.unsigned.json")) == (
        Ob303Variant.VALIDATOR_2026,
        Ob303Variant.SPEC_REPO,
    )
    assert ob303_variants_to_try(load("vc-di-eddsa-unsigned.json")) == (
        Ob303Variant.VALIDATOR_2026,
    )


# --- hostile input -------------------------------------------------------------------


@pytest.mark.parametrize("canon", CANONIZERS)
@pytest.mark.parametrize(
    "document",
    [
        {"@context": ["https://evil.example/ctx"], "name": "x"},
        {"@context": [V2, "https://evil.example/ctx"], "type": "VerifiableCredential"},
        {"@context": "http://www.w3.org/ns/credentials/v2", "type": "VerifiableCredential"},
        {
            "@context": [V2],
            "type": "VerifiableCredential",
            "credentialSubject": {"@context": "https://evil.example/c", "id": "urn:x"},
        },
        {"@context": [V2, {"@import": "https://evil.example/imported"}]},
        {"@context": [V2, {"x": {"@id": "urn:x", "@context": "https://evil.example/s"}}]},
    ],
    ids=["only-remote", "remote-after-v2", "http-form", "nested", "import", "scoped"],
)
def test_unknown_or_remote_context_is_not_allowed(
    canon: Canonizer, document: dict[str, Any]
) -> None:
    with pytest.raises(ContextNotAllowedError):
        canon(document)


def test_a_context_outside_the_bundle_in_a_published_vector_is_refused() -> None:
    # vc-di-eddsa employmentAuth.json uses https://w3id.org/citizenship/v4rc1.
    with pytest.raises(ContextNotAllowedError, match="citizenship"):
        canonize(load("vc-di-eddsa-employmentAuth.json"))


def nested(depth: int) -> dict[str, Any]:
    inner: dict[str, Any] = {"name": "leaf"}
    for _ in range(depth - 2):
        inner = {"name": "n", "child": inner}
    return {"@context": [V2, UNDEFINED_TERMS], "type": "VerifiableCredential", "child": inner}


@pytest.mark.parametrize("canon", CANONIZERS)
def test_10000_deep_nesting_is_a_clear_error(canon: Canonizer) -> None:
    with pytest.raises(MalformedCredentialError, match="nested more than"):
        canon(nested(10_000))


@pytest.mark.parametrize("canon", CANONIZERS)
def test_nesting_up_to_the_limit_still_canonicalizes(canon: Canonizer) -> None:
    out = canon(nested(MAX_JSON_DEPTH))
    assert out.count("undefined-term#child") == MAX_JSON_DEPTH - 1


@pytest.mark.parametrize("canon", CANONIZERS)
def test_a_20_mb_document_is_a_clear_error(canon: Canonizer) -> None:
    document = {"@context": [V2], "type": "VerifiableCredential", "name": "a" * 20_000_000}
    with pytest.raises(MalformedCredentialError, match="larger than"):
        canon(document)


@pytest.mark.parametrize("canon", CANONIZERS)
@pytest.mark.parametrize(
    "document",
    [
        {"@context": 5},
        {"@context": [V2], "@id": 5},
        {"@context": [V2], "type": {"not": "a string"}},
        {"@context": [V2, {"@version": 2.0}]},
        {"@context": [V2, {"id": "@type"}]},  # redefines a protected term
    ],
    ids=["context-number", "id-number", "type-object", "version", "protected"],
)
def test_invalid_json_ld_is_malformed(canon: Canonizer, document: dict[str, Any]) -> None:
    with pytest.raises(MalformedCredentialError, match="not valid JSON-LD"):
        canon(document)


def poison_graph(size: int) -> dict[str, Any]:
    """Blank nodes that all look alike: RDFC-1.0 must try many permutations."""
    ids = [f"_:n{i}" for i in range(size)]
    return {
        "@context": {"@vocab": "urn:p#"},
        "@graph": [
            {"@id": node, "p": [{"@id": other} for other in ids if other != node]} for node in ids
        ],
    }


@pytest.mark.parametrize("canon", CANONIZERS)
def test_a_poison_graph_is_refused_instead_of_hanging(canon: Canonizer) -> None:
    with pytest.raises(MalformedCredentialError, match="poison graph"):
        canon(poison_graph(7))


def test_a_small_symmetric_graph_still_canonicalizes() -> None:
    assert canonize(poison_graph(3)).count("_:c14n") == 12


# --- safe mode -----------------------------------------------------------------------


def undefined_term_credential() -> dict[str, Any]:
    document = load("peers-ob3-credential.unsigned.json")
    document["credentialSubject"]["favouriteColour"] = "green"
    return document


@pytest.mark.parametrize("canon", CANONIZERS)
def test_undefined_terms_are_dropped_by_default(canon: Canonizer) -> None:
    document = undefined_term_credential()
    assert canon(document) == text("peers-ob3-credential.rdfc-1.0.nq")


@pytest.mark.parametrize("canon", CANONIZERS)
def test_safe_mode_refuses_undefined_terms(canon: Canonizer) -> None:
    with pytest.raises(MalformedCredentialError, match="favouriteColour") as info:
        canon(undefined_term_credential(), safe_mode=True)
    assert info.value.extensions == {"term": "favouriteColour"}


def test_safe_mode_refuses_an_undefined_proof_option() -> None:
    config = load("vc-di-eddsa-proofConfigDataInt.json")
    del config["@context"]
    config["nonceX"] = "abc"
    assert canonize_proof_configuration(config, [V2])  # dropped silently by default
    with pytest.raises(MalformedCredentialError, match="nonceX"):
        canonize_proof_configuration(config, [V2], safe_mode=True)


@pytest.mark.parametrize(
    "name",
    [
        "peers-ob3-credential.unsigned.json",
        "vc-di-eddsa-unsigned.json",
        "ob3-ldp-example-signed.json",
        "ob3-validator-complete.json",
        "ob3-validator-endorsement-valid.json",
    ],
)
def test_safe_mode_accepts_published_valid_credentials(name: str) -> None:
    document = load(name)
    assert canonize(document, safe_mode=True) == canonize(document)


def test_safe_mode_refuses_relative_types() -> None:
    """1EdTech's complete_v1.json types credentialSchema and refreshService with terms only
    OB's extensions context defines, without that context: pyld resolves them against its
    default base (jsonld.js in safe mode: "relative @type reference"). Data loss: refused."""
    document = load("ob3-validator-complete_v1.json")
    assert "http://example.org/base/1EdTechJsonSchemaValidator2019" in canonize(document)
    with pytest.raises(MalformedCredentialError, match="relative IRI"):
        canonize(document, safe_mode=True)
    with pytest.raises(MalformedCredentialError, match="relative IRI"):
        canonize_plain(document, safe_mode=True)
