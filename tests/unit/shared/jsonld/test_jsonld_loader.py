"""The offline document loader over the bundled, sha256-pinned contexts."""

from __future__ import annotations

import hashlib
from importlib import resources

import pytest

import shared.jsonld
from shared.errors import ContextNotAllowedError, VcError
from shared.jsonld import (
    ALLOWED_CONTEXT_URLS,
    OB303_CONTEXT_URL,
    Ob303Variant,
    load_context,
    make_document_loader,
    verify_bundled_contexts,
)
from shared.jsonld import loader as loader_module

REQUIRED_URLS = {
    "https://www.w3.org/ns/credentials/v2",
    "https://www.w3.org/2018/credentials/v1",
    "https://purl.imsglobal.org/spec/ob/v3p0/context.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
    "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json",
    "https://w3id.org/security/data-integrity/v1",
    "https://w3id.org/security/data-integrity/v2",
    "https://w3id.org/security/multikey/v1",
    "https://w3id.org/security/jwk/v1",
    "https://www.w3.org/ns/did/v1",
    "https://www.w3.org/ns/credentials/status/v1",
    "https://w3id.org/security/suites/ed25519-2020/v1",
    "https://w3id.org/security/v1",
    "https://w3id.org/security/v2",
    "https://www.w3.org/ns/credentials/examples/v1",
    "https://www.w3.org/ns/credentials/examples/v2",
    "https://www.w3.org/2018/credentials/examples/v1",
    "https://www.w3.org/ns/credentials/undefined-terms/v2",
}


def test_package_all_is_sorted() -> None:
    assert shared.jsonld.__all__ == sorted(shared.jsonld.__all__)


def test_allowed_urls_cover_the_required_contexts() -> None:
    # examples/v1 is published at .../2018/credentials/examples/v1 only.
    assert REQUIRED_URLS - {"https://www.w3.org/ns/credentials/examples/v1"} <= set(
        ALLOWED_CONTEXT_URLS
    )


@pytest.mark.parametrize("url", sorted(ALLOWED_CONTEXT_URLS))
def test_every_allowed_context_loads_as_a_context_document(url: str) -> None:
    document = load_context(url)
    assert isinstance(document, dict)
    assert "@context" in document


def test_pinned_digests_match_the_bundled_files() -> None:
    verify_bundled_contexts()
    files = resources.files("shared.jsonld").joinpath("contexts")
    table = {**loader_module.BUNDLED_CONTEXTS}
    for name, sha in table.values():
        assert hashlib.sha256(files.joinpath(name).read_bytes()).hexdigest() == sha


def test_credentials_v2_digest_is_the_one_published_in_vcdm_2_0() -> None:
    # VCDM 2.0 §B.1 publishes the sha256 of the v2 context: 59955ced...
    _, sha = loader_module.BUNDLED_CONTEXTS["https://www.w3.org/ns/credentials/v2"]
    assert sha.startswith("59955ced6697d61e")


def test_a_digest_mismatch_raises() -> None:
    with pytest.raises(VcError, match="sha256"):
        loader_module._read_bundled("credentials-v2.jsonld", "0" * 64)


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/context.jsonld",
        "http://www.w3.org/ns/credentials/v2",  # http:// form is a different URL
        "https://www.w3.org/ns/credentials/v2/",  # so is a trailing slash
        "https://www.w3.org/ns/credentials/V2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.4.json",
        "file:///etc/passwd",
        "",
    ],
)
def test_anything_else_is_not_allowed(url: str) -> None:
    with pytest.raises(ContextNotAllowedError) as info:
        load_context(url)
    assert info.value.extensions["context"] == url


@pytest.mark.parametrize("suffix", ["#", "#anything"])
def test_a_fragment_names_the_same_document(suffix: str) -> None:
    url = "https://www.w3.org/ns/credentials/v2"
    assert load_context(url + suffix) == load_context(url)


def test_load_context_returns_a_private_copy() -> None:
    first = load_context("https://www.w3.org/ns/credentials/v2")
    first["@context"].clear()
    assert load_context("https://www.w3.org/ns/credentials/v2")["@context"]


def test_the_two_ob303_copies_differ_only_by_jti_and_endorsement_jwt() -> None:
    validator = load_context(OB303_CONTEXT_URL, ob303_variant=Ob303Variant.VALIDATOR_2026)
    spec = load_context(OB303_CONTEXT_URL, ob303_variant=Ob303Variant.SPEC_REPO)
    assert set(validator["@context"]) - set(spec["@context"]) == {"jti", "endorsementJwt"}
    assert set(spec["@context"]) <= set(validator["@context"])


def test_the_pinned_copy_is_the_validator_copy_and_alternate_flips() -> None:
    # looked up by name: mypy takes the alias member for a third, distinct literal
    assert Ob303Variant["PINNED"] is Ob303Variant.VALIDATOR_2026
    assert Ob303Variant.PINNED.alternate() is Ob303Variant.SPEC_REPO
    assert Ob303Variant.SPEC_REPO.alternate() is Ob303Variant.VALIDATOR_2026
    assert list(Ob303Variant) == [Ob303Variant.VALIDATOR_2026, Ob303Variant.SPEC_REPO]


def test_document_loader_shape_and_cache_tag() -> None:
    remote = make_document_loader()(OB303_CONTEXT_URL, {})
    assert remote["documentUrl"] == OB303_CONTEXT_URL
    assert remote["contextUrl"] is None
    assert "jti" in remote["document"]["@context"]
    assert remote["tag"] is None
    assert make_document_loader(cacheable=True)(OB303_CONTEXT_URL, {})["tag"] == "static"
    spec = make_document_loader(Ob303Variant.SPEC_REPO)(OB303_CONTEXT_URL, {})
    assert "jti" not in spec["document"]["@context"]


def test_document_loader_refuses_remote_urls() -> None:
    with pytest.raises(ContextNotAllowedError):
        make_document_loader()("https://evil.example/ctx", {})
