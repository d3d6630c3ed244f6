"""Corpus, family SD-JWT VC (+KB-JWT): an SD-JWT VC signed for real, then taken apart.

Structural attacks are re-signed by the real issuer, so only the hostile structure can make
them fail; key-binding attacks are presented with a KB-JWT and the verifier's nonce and
audience, through ``verify_presentation_token``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

from shared.encoding import b64url_decode, b64url_encode
from shared.keys import PrivateKey
from shared.proofs.sd_jwt import present_sd_jwt
from shared.verify.context import VerifyContext
from shared.verify.credential import verify_credential
from shared.verify.tokens import verify_presentation_token
from tests.integration.verifier.conftest import NOW
from tests.security.corpus import Case, Verdict, assert_refused, from_report, params, raw_jws
from tests.unit.verifier.builders import (
    HOLDER_P256,
    ISSUER,
    OTHER,
    PRESENTED_AT,
    badge,
    did,
    kid,
    sd_jwt_vc,
)

FAMILY = "SD-JWT VC"
AUD, NONCE = "redirect_uri:https://verifier.example/cb", "n-corpus-sd"
STRUCTURE = ("proof", "format")
BINDING = ("holder_binding", "challenge", "proof", "format")
Parts = tuple[dict[str, Any], dict[str, Any], list[str]]


def ctx() -> VerifyContext:
    """A presentation's verification: the verifier's nonce and audience."""
    return VerifyContext(clock=lambda: NOW, check_status=False, nonce=NONCE, audience=AUD)


def credential_ctx() -> VerifyContext:
    """A credential's verification (no presentation asked for)."""
    return VerifyContext(clock=lambda: NOW, check_status=False)


def issued() -> str:
    return sd_jwt_vc(badge())


def split(token: str) -> Parts:
    jwt, *rest = token.split("~")
    head, body, _ = jwt.split(".")
    disclosures = [d for d in rest if d]
    return json.loads(b64url_decode(head)), json.loads(b64url_decode(body)), disclosures


def disclosure(*elements: Any) -> str:
    return b64url_encode(json.dumps(list(elements)).encode())


def digest(encoded: str, alg: str = "sha-256") -> str:
    hasher = {"sha-256": hashlib.sha256, "sha-512": hashlib.sha512}[alg]
    return b64url_encode(hasher(encoded.encode()).digest())


def decoded(encoded: str) -> list[Any]:
    return list(json.loads(b64url_decode(encoded)))


def forge(
    head: dict[str, Any], body: dict[str, Any], disclosures: list[str], signer: PrivateKey = ISSUER
) -> str:
    """Sign ``body`` as the issuer (or ``signer``) and append the disclosures."""
    return raw_jws(head, body, signer) + "~" + "".join(d + "~" for d in disclosures)


def rebuild(change: Callable[[dict[str, Any], dict[str, Any], list[str]], None]) -> str:
    head, body, disclosures = split(issued())
    change(head, body, disclosures)
    return forge(head, body, disclosures)


def kb(
    token: str,
    *,
    holder: PrivateKey = HOLDER_P256,
    aud: str = AUD,
    nonce: str = NONCE,
    iat: datetime = PRESENTED_AT,
) -> str:
    return present_sd_jwt(
        token,
        disclose=[],
        disclose_all=True,
        holder_key=holder,
        audience=aud,
        nonce=nonce,
        issued_at=iat,
    )


def kb_raw(
    token: str,
    header: dict[str, Any],
    change: Callable[[dict[str, Any]], None],
    signer: PrivateKey = HOLDER_P256,
) -> str:
    """A KB-JWT whose header and claims are changed after a correct one was built."""
    presented = kb(token)
    base, kb_jwt = presented.rsplit("~", 1)
    _, body, _ = kb_jwt.split(".")
    claims = json.loads(b64url_decode(body))
    change(claims)
    alg = "ES256" if signer.public_key.to_jwk()["kty"] == "EC" else "EdDSA"
    return base + "~" + raw_jws({"alg": alg, "typ": "kb+jwt", **header}, claims, signer)


# ------------------------------------------------------------------ structure (no KB)


def subject_disclosure(disclosures: list[str]) -> int:
    return next(i for i, d in enumerate(disclosures) if decoded(d)[1] == "credentialSubject")


def tamper_value(h: dict[str, Any], b: dict[str, Any], ds: list[str]) -> None:
    salt, name, _ = decoded(ds[0])
    ds[0] = disclosure(salt, name, "did:key:attacker")


def tamper_salt(h: dict[str, Any], b: dict[str, Any], ds: list[str]) -> None:
    _, name, value = decoded(ds[0])
    ds[0] = disclosure("c2FsdC1vZi10aGUtYXR0YWNrZXI", name, value)


def tamper_name(h: dict[str, Any], b: dict[str, Any], ds: list[str]) -> None:
    salt, _, value = decoded(ds[0])
    ds[0] = disclosure(salt, "sub", value)


def unreferenced(h: dict[str, Any], b: dict[str, Any], ds: list[str]) -> None:
    ds.append(disclosure("dW5yZWZlcmVuY2VkLXNhbHQ", "role", "Présidente"))


def duplicate_disclosure(h: dict[str, Any], b: dict[str, Any], ds: list[str]) -> None:
    ds.append(ds[0])


def duplicate_digest(h: dict[str, Any], b: dict[str, Any], ds: list[str]) -> None:
    b["_sd"] = [*b["_sd"], b["_sd"][0]]


def digest_in_two_places(h: dict[str, Any], b: dict[str, Any], ds: list[str]) -> None:
    b["achievement"]["_sd"] = [b["_sd"][0]]


def sd_alg(value: Any) -> Callable[[dict[str, Any], dict[str, Any], list[str]], None]:
    def change(h: dict[str, Any], b: dict[str, Any], ds: list[str]) -> None:
        b["_sd_alg"] = value

    return change


def sd_not_array(h: dict[str, Any], b: dict[str, Any], ds: list[str]) -> None:
    b["_sd"] = b["_sd"][0]


def sd_not_strings(h: dict[str, Any], b: dict[str, Any], ds: list[str]) -> None:
    b["_sd"] = [*b["_sd"], 42, {"x": 1}]


def reserved_name(name: str) -> Callable[[dict[str, Any], dict[str, Any], list[str]], None]:
    def change(h: dict[str, Any], b: dict[str, Any], ds: list[str]) -> None:
        extra = disclosure("cmVzZXJ2ZWQtbmFtZS1zYWx0", name, ["x"])
        b["_sd"] = [*b["_sd"], digest(extra)]
        ds.append(extra)

    return change


def overrides_plain_claim(claim: str, value: Any) -> Callable[..., None]:
    """A disclosure for a claim the payload already has in clear (RFC 9901 §7.1 3.3.3)."""

    def change(h: dict[str, Any], b: dict[str, Any], ds: list[str]) -> None:
        extra = disclosure("b3ZlcnJpZGUtc2FsdC0x", claim, value)
        b["_sd"] = [*b["_sd"], digest(extra)]
        ds.append(extra)

    return change


def array_element_in_object(h: dict[str, Any], b: dict[str, Any], ds: list[str]) -> None:
    extra = disclosure("YXJyYXktaW4tb2JqZWN0", "value")
    b["_sd"] = [*b["_sd"], digest(extra)]
    ds.append(extra)


def object_disclosure_in_array(h: dict[str, Any], b: dict[str, Any], ds: list[str]) -> None:
    extra = disclosure("b2JqZWN0LWluLWFycmF5", "type", "Admin")
    b["achievement"]["type"] = [*b["achievement"]["type"], {"...": digest(extra)}]
    ds.append(extra)


def dots_cycle(h: dict[str, Any], b: dict[str, Any], ds: list[str]) -> None:
    """An array element whose disclosure's value points (via ``...``) at itself, twice over."""
    first = disclosure("Y3ljbGUtc2FsdC0x", [{"...": "PLACEHOLDER"}])
    second = disclosure("Y3ljbGUtc2FsdC0y", [{"...": digest(first)}])
    b["achievement"]["type"] = [
        *b["achievement"]["type"],
        {"...": digest(first)},
        {"...": digest(second)},
    ]
    ds.extend([first, second, second])


def dots_with_extra_key(h: dict[str, Any], b: dict[str, Any], ds: list[str]) -> None:
    extra = disclosure("ZG90cy1leHRyYS1rZXk", "Admin")
    b["achievement"]["type"] = [*b["achievement"]["type"], {"...": digest(extra), "x": 1}]
    ds.append(extra)


def dots_not_string(h: dict[str, Any], b: dict[str, Any], ds: list[str]) -> None:
    b["achievement"]["type"] = [*b["achievement"]["type"], {"...": ["a", "b"]}]


def nested_sd_bomb(h: dict[str, Any], b: dict[str, Any], ds: list[str]) -> None:
    """A chain of 200 disclosures each holding the digest of the next one."""
    chain: list[str] = []
    inner = disclosure("Ym9tYi1sZWFm", "leaf", "x")
    chain.append(inner)
    for i in range(200):
        inner = disclosure(
            b64url_encode(f"bomb-{i:04d}-salt-pad".encode()), f"n{i}", {"_sd": [digest(inner)]}
        )
        chain.append(inner)
    b["_sd"] = [*b["_sd"], digest(inner)]
    ds.extend(chain)


def bad_disclosure(raw: str) -> Callable[..., None]:
    def change(h: dict[str, Any], b: dict[str, Any], ds: list[str]) -> None:
        b["_sd"] = [*b["_sd"], digest(raw)]
        ds.append(raw)

    return change


def issuer_header(**header: Any) -> Callable[..., None]:
    def change(h: dict[str, Any], b: dict[str, Any], ds: list[str]) -> None:
        h.update(header)
        for name in [k for k, v in h.items() if v is None]:
            del h[name]

    return change


def issuer_claim(**claims: Any) -> Callable[..., None]:
    def change(h: dict[str, Any], b: dict[str, Any], ds: list[str]) -> None:
        b.update(claims)
        for name in [k for k, v in b.items() if v is None]:
            del b[name]

    return change


def payload_changed_not_resigned() -> str:
    token = issued()
    jwt, rest = token.split("~", 1)
    head, body, sig = jwt.split(".")
    claims = json.loads(b64url_decode(body))
    claims["name"] = "Directrice générale"
    return f"{head}.{b64url_encode(json.dumps(claims).encode())}.{sig}~{rest}"


def signed_by_attacker() -> str:
    head, body, ds = split(issued())
    return forge(head, body, ds, OTHER)


def attacker_key_as_issuer() -> str:
    head, body, ds = split(issued())
    head["kid"] = kid(OTHER)
    return forge(head, body, ds, OTHER)


def attacker_did_jwk() -> str:
    head, body, ds = split(issued())
    head["kid"] = "did:jwk:" + b64url_encode(json.dumps(OTHER.public_key.to_jwk()).encode()) + "#0"
    return forge(head, body, ds, OTHER)


def epoch(**delta: float) -> int:
    return int((NOW + timedelta(**delta)).timestamp())


STRUCTURE_CASES: list[tuple[str, str, Callable[[], str], tuple[str, ...]]] = [
    ("disclosure-value-tampered", "TM-SD-DISCLOSURE", lambda: rebuild(tamper_value), STRUCTURE),
    ("disclosure-salt-tampered", "TM-SD-DISCLOSURE", lambda: rebuild(tamper_salt), STRUCTURE),
    ("disclosure-name-tampered", "TM-SD-DISCLOSURE", lambda: rebuild(tamper_name), STRUCTURE),
    ("disclosure-unreferenced", "TM-SD-DISCLOSURE", lambda: rebuild(unreferenced), STRUCTURE),
    ("disclosure-duplicated", "TM-SD-DISCLOSURE", lambda: rebuild(duplicate_disclosure), STRUCTURE),
    ("digest-duplicated-in-sd", "TM-SD-DISCLOSURE", lambda: rebuild(duplicate_digest), STRUCTURE),
    ("digest-in-two-places", "TM-SD-DISCLOSURE", lambda: rebuild(digest_in_two_places), STRUCTURE),
    ("sd-alg-md5", "TM-SD-ALG", lambda: rebuild(sd_alg("md5")), STRUCTURE),
    ("sd-alg-sha-1", "TM-SD-ALG", lambda: rebuild(sd_alg("sha-1")), STRUCTURE),
    ("sd-alg-none", "TM-SD-ALG", lambda: rebuild(sd_alg("none")), STRUCTURE),
    ("sd-alg-number", "TM-SD-ALG", lambda: rebuild(sd_alg(256)), STRUCTURE),
    ("sd-alg-sha-512-digests-sha-256", "TM-SD-ALG", lambda: rebuild(sd_alg("sha-512")), STRUCTURE),
    ("sd-not-an-array", "TM-SD-DOTS", lambda: rebuild(sd_not_array), STRUCTURE),
    ("sd-holds-non-strings", "TM-SD-DOTS", lambda: rebuild(sd_not_strings), STRUCTURE),
    ("disclosure-named-_sd", "TM-SD-DOTS", lambda: rebuild(reserved_name("_sd")), STRUCTURE),
    ("disclosure-named-dots", "TM-SD-DOTS", lambda: rebuild(reserved_name("...")), STRUCTURE),
    (
        "disclosure-overrides-iss",
        "TM-SD-DISCLOSURE",
        lambda: rebuild(overrides_plain_claim("iss", did(OTHER))),
        STRUCTURE,
    ),
    (
        "disclosure-overrides-cnf",
        "TM-SD-DISCLOSURE",
        lambda: rebuild(overrides_plain_claim("cnf", {"jwk": OTHER.public_key.to_jwk()})),
        STRUCTURE,
    ),
    (
        "disclosure-overrides-vct",
        "TM-SD-DISCLOSURE",
        lambda: rebuild(overrides_plain_claim("vct", "urn:other")),
        STRUCTURE,
    ),
    (
        "array-disclosure-in-object",
        "TM-SD-DOTS",
        lambda: rebuild(array_element_in_object),
        STRUCTURE,
    ),
    (
        "object-disclosure-in-array",
        "TM-SD-DOTS",
        lambda: rebuild(object_disclosure_in_array),
        STRUCTURE,
    ),
    ("dots-recursive-cycle", "TM-SD-DOTS", lambda: rebuild(dots_cycle), STRUCTURE),
    ("dots-with-extra-key", "TM-SD-DOTS", lambda: rebuild(dots_with_extra_key), STRUCTURE),
    ("dots-not-a-string", "TM-SD-DOTS", lambda: rebuild(dots_not_string), STRUCTURE),
    ("disclosure-chain-200-deep", "TM-SD-DOTS", lambda: rebuild(nested_sd_bomb), STRUCTURE),
    (
        "disclosure-not-base64",
        "TM-SD-DISCLOSURE",
        lambda: rebuild(bad_disclosure("not*base64!")),
        STRUCTURE,
    ),
    (
        "disclosure-not-an-array",
        "TM-SD-DISCLOSURE",
        lambda: rebuild(bad_disclosure(b64url_encode(b'{"a": 1}'))),
        STRUCTURE,
    ),
    (
        "disclosure-four-elements",
        "TM-SD-DISCLOSURE",
        lambda: rebuild(bad_disclosure(disclosure("c2FsdA", "a", 1, 2))),
        STRUCTURE,
    ),
    (
        "disclosure-one-element",
        "TM-SD-DISCLOSURE",
        lambda: rebuild(bad_disclosure(disclosure("c2FsdA"))),
        STRUCTURE,
    ),
    (
        "disclosure-name-not-string",
        "TM-SD-DISCLOSURE",
        lambda: rebuild(bad_disclosure(disclosure("c2FsdA", 7, 1))),
        STRUCTURE,
    ),
    (
        "disclosure-not-utf8",
        "TM-SD-DISCLOSURE",
        lambda: rebuild(bad_disclosure(b64url_encode('["s", "name", "é"]'.encode("latin-1")))),
        STRUCTURE,
    ),
    ("empty-disclosure", "TM-SD-DISCLOSURE", lambda: issued().replace("~", "~~", 1), STRUCTURE),
    (
        "issuer-alg-none",
        "TM-JWS-ALG",
        lambda: rebuild(issuer_header(alg="none")),
        (*STRUCTURE, "issuer_key"),
    ),
    ("issuer-typ-jwt", "TM-JWS-TYP", lambda: rebuild(issuer_header(typ="JWT")), STRUCTURE),
    ("issuer-typ-kb-jwt", "TM-JWS-TYP", lambda: rebuild(issuer_header(typ="kb+jwt")), STRUCTURE),
    (
        "issuer-crit",
        "TM-JWS-CRIT",
        lambda: rebuild(issuer_header(crit=["x-ignore"], **{"x-ignore": 1})),
        STRUCTURE,
    ),
    ("issuer-kid-did-jwk-of-attacker", "TM-JWS-KID", attacker_did_jwk, (*STRUCTURE, "issuer_key")),
    (
        "issuer-kid-of-another-did",
        "TM-JWS-KID",
        attacker_key_as_issuer,
        (*STRUCTURE, "issuer_key"),
    ),
    ("issuer-signed-by-attacker", "TM-JWS-SIG", signed_by_attacker, (*STRUCTURE, "issuer_key")),
    ("issuer-payload-changed", "TM-JWS-SIG", payload_changed_not_resigned, STRUCTURE),
    (
        "iss-not-credential-issuer",
        "TM-JWS-ISS",
        lambda: rebuild(issuer_claim(iss=did(OTHER))),
        (*STRUCTURE, "issuer_key"),
    ),
    (
        "iss-missing",
        "TM-JWS-ISS",
        lambda: rebuild(issuer_claim(iss=None)),
        (*STRUCTURE, "issuer_key"),
    ),
    ("exp-past", "TM-JWS-TIME", lambda: rebuild(issuer_claim(exp=epoch(hours=-1))), ("validity",)),
    (
        "nbf-future",
        "TM-JWS-TIME",
        lambda: rebuild(issuer_claim(nbf=epoch(hours=1))),
        ("validity", "format"),
    ),
    (
        "exp-string",
        "TM-JWS-TIME",
        lambda: rebuild(issuer_claim(exp="never")),
        ("validity", "format"),
    ),
    ("vct-missing", "TM-SD-DISCLOSURE", lambda: rebuild(issuer_claim(vct=None)), STRUCTURE),
]

# ------------------------------------------------------------------ key binding (with KB)


def kb_missing() -> str:
    return issued()


def kb_with(**kw: Any) -> Callable[[], str]:
    return lambda: kb(issued(), **kw)


def kb_claims(
    header: dict[str, Any],
    change: Callable[[dict[str, Any]], None],
    signer: PrivateKey = HOLDER_P256,
) -> Callable[[], str]:
    return lambda: kb_raw(issued(), header, change, signer)


def drop(name: str) -> Callable[[dict[str, Any]], None]:
    return lambda claims: claims.pop(name)


def put(name: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(claims: dict[str, Any]) -> None:
        claims[name] = value

    return change


def kb_alg_none() -> str:
    presented = kb(issued())
    base, kb_jwt = presented.rsplit("~", 1)
    _head, body, _ = kb_jwt.split(".")
    none = b64url_encode(json.dumps({"alg": "none", "typ": "kb+jwt"}).encode())
    return f"{base}~{none}.{body}."


def kb_of_another_presentation() -> str:
    other = kb(sd_jwt_vc(badge(name="Présidente")))
    return issued() + other.rsplit("~", 1)[1]


def disclosure_added_after_kb() -> str:
    presented = kb(issued())
    base, kb_jwt = presented.rsplit("~", 1)
    return base + "~" + disclosure("YWRkZWQtYWZ0ZXI", "role", "x") + "~" + kb_jwt


def disclosures_reordered_after_kb() -> str:
    presented = kb(issued())
    jwt, *ds, kb_jwt = presented.split("~")
    return "~".join([jwt, *reversed(ds), kb_jwt])


def cnf_missing() -> str:
    return kb(rebuild(issuer_claim(cnf=None)))


def cnf_of_attacker() -> str:
    return kb(rebuild(issuer_claim(cnf={"jwk": OTHER.public_key.to_jwk()})))


def cnf_with_private_key() -> str:
    jwk = {**HOLDER_P256.public_key.to_jwk(), "d": "AAAA"}
    return kb(rebuild(issuer_claim(cnf={"jwk": jwk})))


def cnf_kid_only() -> str:
    return kb(rebuild(issuer_claim(cnf={"kid": "https://attacker.example/key"})))


BINDING_CASES: list[tuple[str, str, Callable[[], str], tuple[str, ...]]] = [
    ("kb-missing", "TM-SD-KB", kb_missing, BINDING),
    (
        "kb-for-another-aud",
        "TM-SD-KB",
        kb_with(aud="redirect_uri:https://attacker.example/cb"),
        BINDING,
    ),
    ("kb-for-another-nonce", "TM-SD-KB", kb_with(nonce="an-earlier-nonce"), BINDING),
    ("kb-signed-by-another-key", "TM-SD-KB", kb_with(holder=OTHER), BINDING),
    ("kb-iat-future", "TM-SD-KB", kb_with(iat=NOW + timedelta(hours=1)), BINDING),
    ("kb-iat-too-old", "TM-SD-KB", kb_with(iat=NOW - timedelta(hours=3)), BINDING),
    ("kb-alg-none", "TM-SD-KB", kb_alg_none, BINDING),
    ("kb-alg-hs256-header", "TM-SD-KB", kb_claims({"alg": "HS256"}, lambda c: None), BINDING),
    ("kb-typ-jwt", "TM-SD-KB", kb_claims({"typ": "JWT"}, lambda c: None), BINDING),
    (
        "kb-jwk-header-attacker",
        "TM-SD-KB",
        kb_claims({"jwk": OTHER.public_key.to_jwk()}, lambda c: None, OTHER),
        BINDING,
    ),
    (
        "kb-sd-hash-wrong",
        "TM-SD-KB",
        kb_claims({}, put("sd_hash", digest("something else"))),
        BINDING,
    ),
    ("kb-sd-hash-missing", "TM-SD-KB", kb_claims({}, drop("sd_hash")), BINDING),
    ("kb-nonce-missing", "TM-SD-KB", kb_claims({}, drop("nonce")), BINDING),
    ("kb-aud-missing", "TM-SD-KB", kb_claims({}, drop("aud")), BINDING),
    (
        "kb-aud-array-with-attacker-first",
        "TM-SD-KB",
        kb_claims({}, put("aud", ["https://attacker.example", "x"])),
        BINDING,
    ),
    ("kb-iat-missing", "TM-SD-KB", kb_claims({}, drop("iat")), BINDING),
    ("kb-iat-string", "TM-SD-KB", kb_claims({}, put("iat", "now")), BINDING),
    ("kb-of-another-presentation", "TM-SD-KB", kb_of_another_presentation, BINDING),
    ("kb-disclosure-added-after", "TM-SD-KB", disclosure_added_after_kb, BINDING),
    ("kb-disclosures-reordered", "TM-SD-KB", disclosures_reordered_after_kb, BINDING),
    ("cnf-missing", "TM-SD-CNF", cnf_missing, BINDING),
    ("cnf-of-attacker", "TM-SD-CNF", cnf_of_attacker, BINDING),
    ("cnf-with-private-key", "TM-SD-CNF", cnf_with_private_key, BINDING),
    ("cnf-kid-url-only", "TM-SD-CNF", cnf_kid_only, BINDING),
    (
        "tampered-disclosure-under-valid-kb",
        "TM-SD-DISCLOSURE",
        lambda: kb(rebuild(tamper_value)),
        BINDING,
    ),
    (
        "unreferenced-disclosure-under-valid-kb",
        "TM-SD-DISCLOSURE",
        lambda: kb(rebuild(unreferenced)),
        BINDING,
    ),
]


def _credential_case(
    name: str, threat: str, build: Callable[[], str], expect: tuple[str, ...]
) -> Case:
    def run() -> Verdict:
        return from_report(verify_credential(build(), credential_ctx()), expect)

    return Case(FAMILY, f"credential/{name}", threat, run)


def _presentation_case(
    name: str, threat: str, build: Callable[[], str], expect: tuple[str, ...]
) -> Case:
    def run() -> Verdict:
        return from_report(
            verify_presentation_token(build(), "dc+sd-jwt", ctx(), verify_credential), expect
        )

    return Case(FAMILY, f"presentation/{name}", threat, run)


CASES = [_credential_case(*c) for c in STRUCTURE_CASES] + [
    _presentation_case(*c) for c in BINDING_CASES
]


@pytest.mark.parametrize("case", params(CASES))
def test_hostile(case: Case) -> None:
    assert_refused(case)


def test_the_untouched_artefacts_verify() -> None:
    assert verify_credential(issued(), credential_ctx()).verified
    assert verify_credential(rebuild(lambda h, b, ds: None), credential_ctx()).verified
    report = verify_presentation_token(kb(issued()), "dc+sd-jwt", ctx(), verify_credential)
    assert report.verified, report.to_json()
