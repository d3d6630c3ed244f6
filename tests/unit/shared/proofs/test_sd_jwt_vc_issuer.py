"""SD-JWT VC issuer keys without DIDs: JWT VC Issuer Metadata (§4) and ``x5c`` (§3.5),
with hostile metadata, mismatched issuers, oversized documents, unknown kids, wrong algs."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx2
import pytest

from shared.keys import PrivateKey
from shared.net.fetch import HttpFetcher, StaticFetcher
from shared.proofs.sd_jwt import issue_sd_jwt
from shared.proofs.sd_jwt_vc import OB3_VCT
from shared.proofs.sd_jwt_vc_issuer import jwt_vc_issuer_metadata_url
from shared.verify import verify_sd_jwt_vc
from shared.verify.context import VerifyContext
from shared.verify.report import CheckStatus, VerificationReport
from tests.conftest import FIXED_NOW
from tests.x509_certs import make_ca, make_leaf, x5c

ISS = "https://issuer.example/tenant/7"
META_URL = "https://issuer.example/.well-known/jwt-vc-issuer/tenant/7"
KEY = PrivateKey.from_raw("p256", bytes(range(3, 35)))
OTHER = PrivateKey.from_raw("Ed25519", bytes(range(1, 33)))


def token(key: PrivateKey = KEY, *, iss: str = ISS, header: dict[str, Any] | None = None) -> str:
    claims = {"vct": OB3_VCT, "iss": iss, "iat": int(FIXED_NOW.timestamp()), "name": "Badge"}
    return issue_sd_jwt(claims, issuer_key=key, header={"kid": "k1"} if header is None else header)


def jwk(key: PrivateKey = KEY, **extra: Any) -> dict[str, Any]:
    return {**key.public_key.to_jwk(), "kid": "k1", **extra}


def metadata(**overrides: Any) -> dict[str, Any]:
    return {"issuer": ISS, "jwks": {"keys": [jwk()]}, **overrides}


def verify(tok: str, docs: dict[str, Any], **kw: Any) -> VerificationReport:
    return verify_sd_jwt_vc(
        tok, VerifyContext(fetcher=StaticFetcher(docs), clock=lambda: FIXED_NOW, **kw)
    )


def status(report: VerificationReport, name: str) -> CheckStatus | None:
    check = report.check(name)
    return None if check is None else check.status


def detail(report: VerificationReport, name: str) -> str:
    check = report.check(name)
    assert check is not None
    return check.reason


# --------------------------------------------------------------------------- metadata URL


@pytest.mark.parametrize(
    ("iss", "url"),
    [
        ("https://issuer.example", "https://issuer.example/.well-known/jwt-vc-issuer"),
        ("https://issuer.example/", "https://issuer.example/.well-known/jwt-vc-issuer"),
        (ISS, META_URL),
        (
            "https://issuer.example:8443/a",
            "https://issuer.example:8443/.well-known/jwt-vc-issuer/a",
        ),
    ],
)
def test_well_known_goes_between_host_and_path(iss: str, url: str) -> None:
    assert jwt_vc_issuer_metadata_url(iss) == url


@pytest.mark.parametrize(
    "iss",
    ["http://issuer.example", "https://issuer.example/a?x=1", "https://i.example/#f", "ftp://x"],
)
def test_metadata_url_refuses_non_https_query_fragment(iss: str) -> None:
    from shared.proofs.sd_jwt_vc_issuer import IssuerKeyError

    with pytest.raises(IssuerKeyError):
        jwt_vc_issuer_metadata_url(iss)


# --------------------------------------------------------------------------- metadata keys


def test_key_from_inline_jwks_verifies() -> None:
    report = verify(token(), {META_URL: metadata()})
    assert status(report, "issuer_key") is CheckStatus.PASSED, report.checks
    assert status(report, "proof") is CheckStatus.PASSED
    assert META_URL in detail(report, "issuer_key")
    assert report.issuer == ISS


def test_key_from_jwks_uri_verifies() -> None:
    jwks_uri = "https://keys.issuer.example/jwks.json"
    docs = {
        META_URL: {"issuer": ISS, "jwks_uri": jwks_uri},
        jwks_uri: {"keys": [jwk(OTHER, kid="k0"), jwk()]},
    }
    report = verify(token(), docs)
    assert status(report, "proof") is CheckStatus.PASSED, report.checks


def test_only_key_is_used_when_no_kid() -> None:
    report = verify(token(header={}), {META_URL: metadata()})
    assert status(report, "proof") is CheckStatus.PASSED, report.checks


@pytest.mark.parametrize(
    ("docs", "needle"),
    [
        ({}, "could not be fetched"),
        ({META_URL: ["not", "an", "object"]}, "not a JSON object"),
        ({META_URL: metadata(issuer="https://evil.example/tenant/7")}, "not the 'iss'"),
        ({META_URL: metadata(issuer=ISS + "/")}, "not the 'iss'"),
        ({META_URL: {"issuer": ISS}}, "exactly one of jwks and jwks_uri"),
        ({META_URL: metadata(jwks_uri="https://k.example/j")}, "exactly one"),
        ({META_URL: metadata(jwks={"keys": "nope"})}, "no 'keys' array"),
        ({META_URL: metadata(jwks={"keys": [jwk(kid="other")]})}, "no key(s) with kid"),
        ({META_URL: metadata(jwks={"keys": [jwk(), jwk()]})}, "several key(s)"),
        ({META_URL: metadata(jwks={"keys": [jwk(alg="EdDSA")]})}, "is for 'EdDSA'"),
        ({META_URL: metadata(jwks={"keys": [jwk(OTHER)]})}, "cannot verify 'ES256'"),
        ({META_URL: metadata(jwks={"keys": [jwk(use="enc")]})}, "not a signing key"),
        (
            {META_URL: metadata(jwks={"keys": [{"kid": "k1", "kty": "oct", "k": "AAAA"}]})},
            "unusable",
        ),
        (
            {META_URL: metadata(jwks={"keys": [jwk(kid=f"k{i}") for i in range(1, 200)]})},
            "more than",
        ),
        (
            {META_URL: metadata(jwks_uri="http://k.example/j", jwks=None) | {"jwks": None}},
            "exactly",
        ),
        ({META_URL: {"issuer": ISS, "jwks_uri": "http://k.example/j"}}, "not an https URL"),
        ({META_URL: {"issuer": ISS, "jwks_uri": 7}}, "not a string"),
    ],
)
def test_hostile_metadata_fails_issuer_key(docs: dict[str, Any], needle: str) -> None:
    report = verify(token(), docs)
    assert status(report, "issuer_key") is CheckStatus.FAILED
    assert needle in detail(report, "issuer_key")
    assert status(report, "proof") is not CheckStatus.PASSED
    assert not report.verified


def test_signature_by_another_key_fails_proof() -> None:
    report = verify(token(PrivateKey.generate("P-256")), {META_URL: metadata()})
    assert status(report, "issuer_key") is CheckStatus.PASSED
    assert status(report, "proof") is CheckStatus.FAILED


def test_oversized_metadata_is_refused_by_the_fetcher() -> None:
    huge = b'{"issuer": "' + ISS.encode() + b'", "pad": "' + b"x" * 5000 + b'"}'
    transport = httpx2.MockTransport(lambda request: httpx2.Response(200, content=huge))
    fetcher = HttpFetcher(
        max_bytes=2000, transport=transport, resolve=lambda h, p: ["93.184.216.34"]
    )
    report = verify_sd_jwt_vc(token(), VerifyContext(fetcher=fetcher, clock=lambda: FIXED_NOW))
    assert status(report, "issuer_key") is CheckStatus.FAILED
    assert "limit" in detail(report, "issuer_key")


def test_metadata_on_a_private_address_is_refused() -> None:
    fetcher = HttpFetcher(resolve=lambda h, p: ["10.0.0.7"])
    report = verify_sd_jwt_vc(token(), VerifyContext(fetcher=fetcher, clock=lambda: FIXED_NOW))
    assert status(report, "issuer_key") is CheckStatus.FAILED
    assert "non-public" in detail(report, "issuer_key")


# --------------------------------------------------------------------------- x5c


def x5c_token(leaf_key: PrivateKey, chain: list[str], iss: str = ISS) -> str:
    return token(leaf_key, iss=iss, header={"x5c": chain})


def test_x5c_chain_to_a_configured_anchor_verifies() -> None:
    root = make_ca("Root", FIXED_NOW)
    inter = make_ca("Intermediate", FIXED_NOW, parent=root)
    leaf, key = make_leaf(inter, FIXED_NOW, dns=("issuer.example",))
    report = verify(x5c_token(key, x5c(leaf, inter.cert)), {}, x509_trust_anchors=(root.cert,))
    assert status(report, "issuer_key") is CheckStatus.PASSED, report.checks
    assert status(report, "proof") is CheckStatus.PASSED


def test_x5c_without_anchors_is_not_trusted() -> None:
    root = make_ca("Root", FIXED_NOW)
    leaf, key = make_leaf(root, FIXED_NOW, dns=("issuer.example",))
    report = verify(x5c_token(key, x5c(leaf, root.cert)), {})
    assert status(report, "issuer_key") is CheckStatus.FAILED
    assert "no X.509 trust anchor" in detail(report, "issuer_key")
    assert status(report, "proof") is not CheckStatus.PASSED


def test_self_signed_leaf_is_not_trusted_by_another_anchor() -> None:
    mine = make_ca("Self", FIXED_NOW)
    leaf, key = make_leaf(mine, FIXED_NOW, dns=("issuer.example",))
    trusted = make_ca("Trusted", FIXED_NOW)
    report = verify(x5c_token(key, x5c(leaf, mine.cert)), {}, x509_trust_anchors=(trusted.cert,))
    assert status(report, "issuer_key") is CheckStatus.FAILED
    assert "trusted anchor" in detail(report, "issuer_key")


def test_x5c_leaf_must_name_the_https_iss() -> None:
    root = make_ca("Root", FIXED_NOW)
    leaf, key = make_leaf(root, FIXED_NOW, dns=("other.example",))
    report = verify(x5c_token(key, x5c(leaf)), {}, x509_trust_anchors=(root.cert,))
    assert status(report, "issuer_key") is CheckStatus.FAILED
    assert "subjectAltName" in detail(report, "issuer_key")
    uri_leaf, uri_key = make_leaf(root, FIXED_NOW, uris=(ISS,))
    report = verify(x5c_token(uri_key, x5c(uri_leaf)), {}, x509_trust_anchors=(root.cert,))
    assert status(report, "issuer_key") is CheckStatus.PASSED, report.checks


def test_expired_leaf_is_not_trusted() -> None:
    root = make_ca("Root", FIXED_NOW)
    leaf, key = make_leaf(root, FIXED_NOW - timedelta(days=400), dns=("issuer.example",), days=30)
    report = verify(x5c_token(key, x5c(leaf)), {}, x509_trust_anchors=(root.cert,))
    assert status(report, "issuer_key") is CheckStatus.FAILED


def test_x5c_signed_by_another_key_fails_proof() -> None:
    root = make_ca("Root", FIXED_NOW)
    leaf, _ = make_leaf(root, FIXED_NOW, dns=("issuer.example",))
    report = verify(x5c_token(KEY, x5c(leaf)), {}, x509_trust_anchors=(root.cert,))
    assert status(report, "issuer_key") is CheckStatus.PASSED
    assert status(report, "proof") is CheckStatus.FAILED


@pytest.mark.parametrize(
    "value",
    [[], "MIIB", ["not base64!"], ["aGVsbG8="], [1], ["A" * 30_000], ["aGVsbG8="] * 6, {"x": 1}],
)
def test_hostile_x5c_fails_issuer_key(value: Any) -> None:
    root = make_ca("Root", FIXED_NOW)
    report = verify(token(header={"x5c": value}), {}, x509_trust_anchors=(root.cert,))
    # a header over the JOSE size limit is already refused as a format failure
    refused = {status(report, "issuer_key"), status(report, "format")}
    assert CheckStatus.FAILED in refused
    assert not report.verified


def test_a_did_issuer_keeps_its_did_key_even_with_an_x5c_header() -> None:
    from shared.did import did_key_from_public, verification_method_id

    did = did_key_from_public(KEY.public_key)
    root = make_ca("Root", FIXED_NOW)
    leaf, _ = make_leaf(root, FIXED_NOW, dns=("issuer.example",))
    tok = token(iss=did, header={"kid": verification_method_id(did), "x5c": x5c(leaf)})
    report = verify(tok, {})  # no anchors: the x5c would not be trusted, the DID is
    assert status(report, "issuer_key") is CheckStatus.PASSED, report.checks
    assert status(report, "proof") is CheckStatus.PASSED
