"""RFC 9901 SD-JWT core: issuance, presentation, verification and every §7 rejection rule."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

import pytest

from shared.encoding import b64url_decode, b64url_encode
from shared.errors import (
    InvalidInputError,
    InvalidProofError,
    MalformedCredentialError,
    UnsupportedAlgorithmError,
    VcError,
    VerificationError,
)
from shared.keys import PrivateKey
from shared.proofs.jose import parse_jws, sign_jws
from shared.proofs.sd_jwt import (
    KeyBindingExpectations,
    compute_sd_hash,
    create_disclosure,
    issue_sd_jwt,
    parse_disclosure,
    parse_sd_jwt,
    present_sd_jwt,
    verify_sd_jwt,
)

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
ISSUER = PrivateKey.from_raw("Ed25519", bytes(range(32)))
HOLDER = PrivateKey.from_raw("p256", bytes(range(1, 33)))
OTHER = PrivateKey.from_raw("p256", bytes(range(2, 34)))
EXPECT = KeyBindingExpectations(audience="https://verifier.example", nonce="n-1")

CLAIMS: dict[str, Any] = {
    "iss": "https://issuer.example",
    "iat": int(NOW.timestamp()) - 60,
    "given_name": "Ada",
    "address": {"street": "1 Main St", "city": "Anytown"},
    "nationalities": ["GB", "FR", "DE"],
}
PATHS = [("given_name",), ("address",), ("address", "city"), ("nationalities", 1)]


def counter_salt() -> Any:
    n = count()
    return lambda: next(n).to_bytes(16, "big")


def issue(**kw: Any) -> str:
    args: dict[str, Any] = {
        "issuer_key": ISSUER,
        "disclosable": PATHS,
        "holder_jwk": HOLDER.public_key.to_jwk(),
    }
    args.update(kw)
    return issue_sd_jwt(CLAIMS, **args)


def verify(token: str, **kw: Any) -> Any:
    args: dict[str, Any] = {"issuer_key": ISSUER.public_key, "now": NOW}
    args.update(kw)
    return verify_sd_jwt(token, **args)


def forge(
    payload: dict[str, Any],
    disclosures: list[str],
    *,
    header: dict[str, Any] | None = None,
    key: PrivateKey = ISSUER,
) -> str:
    """A correctly signed SD-JWT with whatever payload and disclosures a test needs."""
    jwt = sign_jws(payload, key, header or {"typ": "dc+sd-jwt"})
    return "~".join([jwt, *disclosures]) + "~"


def disc(name: str | None, value: Any, salt: int = 7) -> tuple[str, str]:
    d = create_disclosure(salt.to_bytes(16, "big"), name, value)
    return d.encoded, d.digest()


# ------------------------------------------------------------------ issuance


def test_issue_all_disclosed_round_trip() -> None:
    token = issue()
    result = verify(token)
    assert result.claims == {**CLAIMS, "cnf": {"jwk": HOLDER.public_key.to_jwk()}}
    assert result.header["typ"] == "dc+sd-jwt"
    assert result.payload["_sd_alg"] == "sha-256"
    assert "given_name" not in result.payload
    assert result.payload["nationalities"][0] == "GB"
    assert set(result.payload["nationalities"][1]) == {"..."}


def test_issue_salts_come_from_salt_source_and_are_128_bits() -> None:
    token = issue(salt=counter_salt())
    salts = [parse_disclosure(d).salt for d in parse_sd_jwt(token).disclosures]
    assert salts == [b64url_encode(i.to_bytes(16, "big")) for i in range(len(salts))]
    with pytest.raises(InvalidInputError):
        issue(salt=lambda: b"short")


def test_issue_default_salts_are_random_and_distinct() -> None:
    a = parse_sd_jwt(issue()).disclosures
    b = parse_sd_jwt(issue()).disclosures
    assert set(a).isdisjoint(b)
    assert all(len(b64url_decode(parse_disclosure(d).salt)) >= 16 for d in a)


def test_issue_decoys_are_added_and_ignored() -> None:
    token = issue(decoys=3)
    payload = parse_jws(parse_sd_jwt(token).issuer_jwt).payload
    assert len(payload["_sd"]) == 2 + 3  # given_name, address + decoys
    assert payload["_sd"] == sorted(payload["_sd"])
    assert verify(token).claims["address"] == CLAIMS["address"]


def test_issue_wildcard_path_makes_every_element_disclosable() -> None:
    token = issue_sd_jwt(
        {"a": [{"v": 1}, {"v": 2}]}, issuer_key=ISSUER, disclosable=[("a", None, "v")]
    )
    assert len(parse_sd_jwt(token).disclosures) == 2
    shown = present_sd_jwt(token, disclose=[("a", 1, "v")])
    assert verify(shown).claims == {"a": [{}, {"v": 2}]}


def test_issue_rejects_missing_path_and_reserved_names() -> None:
    with pytest.raises(InvalidInputError):
        issue(disclosable=[("nope",)])
    assert verify(issue(disclosable=[("nope",)], ignore_missing=True)).claims["given_name"]
    for bad in ({"_sd": 1}, {"x": {"...": 1}}, {"_sd_alg": "sha-256"}):
        with pytest.raises(InvalidInputError):
            issue_sd_jwt(bad, issuer_key=ISSUER)


def test_issue_refuses_private_holder_jwk() -> None:
    with pytest.raises(InvalidInputError):
        issue(holder_jwk=HOLDER.to_jwk())


# ------------------------------------------------------------------ presentation


def test_present_subset_hides_the_rest() -> None:
    shown = present_sd_jwt(issue(), disclose=[("given_name",), ("nationalities", 1)])
    claims = verify(shown).claims
    assert claims["given_name"] == "Ada"
    assert claims["nationalities"] == ["GB", "FR", "DE"]
    assert "address" not in claims
    assert len(parse_sd_jwt(shown).disclosures) == 2


def test_present_nested_claim_brings_its_parent() -> None:
    shown = present_sd_jwt(issue(), disclose=[("address", "city")])
    assert verify(shown).claims["address"] == {"street": "1 Main St", "city": "Anytown"}
    only_parent = present_sd_jwt(issue(), disclose=[("address",)])
    assert verify(only_parent).claims["address"] == {"street": "1 Main St"}


def test_present_unknown_path_is_an_error() -> None:
    with pytest.raises(InvalidInputError):
        present_sd_jwt(issue(), disclose=[("family_name",)])
    with pytest.raises(InvalidInputError):
        present_sd_jwt(issue(), disclose=[("nationalities", 9)])


def test_present_with_key_binding_verifies() -> None:
    shown = present_sd_jwt(
        issue(),
        disclose=[("given_name",)],
        holder_key=HOLDER,
        audience=EXPECT.audience,
        nonce=EXPECT.nonce,
        issued_at=NOW,
    )
    parsed = parse_sd_jwt(shown)
    kb = parse_jws(parsed.kb_jwt or "")
    assert kb.header == {"alg": "ES256", "typ": "kb+jwt"}
    assert kb.payload["sd_hash"] == compute_sd_hash(parsed)
    assert set(kb.payload) == {"iat", "aud", "nonce", "sd_hash"}
    assert verify(shown, key_binding=EXPECT).kb_claims == kb.payload


# ------------------------------------------------------------------ key binding failures


def kb_token(**kw: Any) -> str:
    args: dict[str, Any] = {
        "disclose": [("given_name",)],
        "holder_key": HOLDER,
        "audience": EXPECT.audience,
        "nonce": EXPECT.nonce,
        "issued_at": NOW,
    }
    args.update(kw)
    return present_sd_jwt(issue(), **args)


def test_kb_required_but_missing() -> None:
    with pytest.raises(VerificationError, match="no KB-JWT"):
        verify(present_sd_jwt(issue(), disclose=[]), key_binding=EXPECT)


def test_kb_signed_by_other_key_than_cnf() -> None:
    with pytest.raises(InvalidProofError):
        verify(kb_token(holder_key=OTHER), key_binding=EXPECT)


def test_kb_wrong_audience_nonce_or_stale() -> None:
    with pytest.raises(VerificationError, match="aud"):
        verify(kb_token(audience="https://evil.example"), key_binding=EXPECT)
    with pytest.raises(VerificationError, match="nonce"):
        verify(kb_token(nonce="other"), key_binding=EXPECT)
    with pytest.raises(VerificationError, match="too old"):
        verify(kb_token(issued_at=NOW - timedelta(hours=1)), key_binding=EXPECT)
    with pytest.raises(VerificationError, match="future"):
        verify(kb_token(issued_at=NOW + timedelta(hours=1)), key_binding=EXPECT)
    no_age = KeyBindingExpectations(audience=EXPECT.audience, nonce=EXPECT.nonce, max_age=None)
    assert verify(kb_token(issued_at=NOW - timedelta(days=900)), key_binding=no_age)


def _swap_kb(token: str, header: dict[str, Any] | None = None, **claims: Any) -> str:
    parsed = parse_sd_jwt(token)
    kb = parse_jws(parsed.kb_jwt or "")
    new_kb = sign_jws({**kb.payload, **claims}, HOLDER, header or kb.header)
    return parsed.without_kb + new_kb


def test_kb_sd_hash_mismatch() -> None:
    with pytest.raises(InvalidProofError, match="sd_hash"):
        verify(_swap_kb(kb_token(), sd_hash="AAAA"), key_binding=EXPECT)
    # dropping a disclosure after signing the KB-JWT changes the hash too
    parsed = parse_sd_jwt(kb_token(disclose=[("given_name",), ("address",)]))
    dropped = parse_sd_jwt(parsed.issuer_jwt + "~" + parsed.disclosures[0] + "~")
    with pytest.raises(InvalidProofError, match="sd_hash"):
        verify(dropped.without_kb + (parsed.kb_jwt or ""), key_binding=EXPECT)


def test_kb_wrong_typ() -> None:
    with pytest.raises(VerificationError, match="typ"):
        verify(_swap_kb(kb_token(), header={"typ": "JWT"}), key_binding=EXPECT)


def test_kb_present_but_no_cnf() -> None:
    token = present_sd_jwt(
        issue(holder_jwk=None),
        disclose=[],
        holder_key=HOLDER,
        audience="a",
        nonce="n",
        issued_at=NOW,
    )
    with pytest.raises(VerificationError, match="cnf"):
        verify(token)


# ------------------------------------------------------------------ RFC 9901 §7.1 rejections


def test_reject_alg_none_and_hmac() -> None:
    token = issue()
    parsed = parse_sd_jwt(token)
    _, payload, _ = parsed.issuer_jwt.split(".")
    for alg in ("none", "HS256"):
        header = b64url_encode(json.dumps({"alg": alg, "typ": "dc+sd-jwt"}).encode())
        forged = f"{header}.{payload}." + "~" + "~".join(parsed.disclosures) + "~"
        with pytest.raises(UnsupportedAlgorithmError):
            verify(forged)


def test_reject_crit_header() -> None:
    token = forge({"a": 1}, [], header={"typ": "dc+sd-jwt", "crit": ["x"], "x": 1})
    with pytest.raises(UnsupportedAlgorithmError):
        verify(token)


def test_reject_wrong_issuer_key_or_typ() -> None:
    with pytest.raises(InvalidProofError):
        verify(issue(), issuer_key=PrivateKey.from_raw("Ed25519", bytes(32)).public_key)
    with pytest.raises(UnsupportedAlgorithmError):  # EdDSA header, P-256 key
        verify(issue(), issuer_key=OTHER.public_key)
    with pytest.raises(MalformedCredentialError):
        verify(issue(typ="JWT"), accepted_typs={"dc+sd-jwt", "vc+sd-jwt"})
    assert verify(issue(typ="vc+sd-jwt"), accepted_typs={"dc+sd-jwt", "vc+sd-jwt"})


def test_reject_unreferenced_disclosure() -> None:
    stray, _ = disc("x", 1)
    with pytest.raises(InvalidProofError, match="match no digest"):
        verify(forge({"a": 1}, [stray]))


def test_reject_tampered_disclosure() -> None:
    token = issue()
    parsed = parse_sd_jwt(token)
    d = parse_disclosure(parsed.disclosures[0])
    tampered = b64url_encode(json.dumps([d.salt, d.name, "Eve"]).encode())
    forged = parsed.issuer_jwt + "~" + "~".join([tampered, *parsed.disclosures[1:]]) + "~"
    with pytest.raises(InvalidProofError):
        verify(forged)


def test_reject_same_disclosure_twice() -> None:
    enc, digest = disc("x", 1)
    with pytest.raises(InvalidProofError, match="more than once"):
        verify(forge({"_sd": [digest]}, [enc, enc]))


def test_reject_duplicate_digest_in_payload() -> None:
    enc, digest = disc("x", 1)
    with pytest.raises(InvalidProofError, match="more than once"):
        verify(forge({"_sd": [digest, digest]}, [enc]))
    with pytest.raises(InvalidProofError, match="more than once"):
        verify(forge({"_sd": [digest], "o": {"_sd": [digest]}}, [enc]))
    with pytest.raises(InvalidProofError, match="more than once"):
        verify(forge({"a": [{"...": "Zm9v"}, {"...": "Zm9v"}]}, []))


def test_reject_duplicate_digest_via_disclosure() -> None:
    inner, inner_digest = disc("x", 1, salt=1)
    outer, outer_digest = disc("o", {"_sd": [inner_digest]}, salt=2)
    with pytest.raises(InvalidProofError, match="more than once"):
        verify(forge({"_sd": [outer_digest, inner_digest]}, [inner, outer]))


@pytest.mark.parametrize("name", ["_sd", "..."])
def test_reject_reserved_claim_name_in_disclosure(name: str) -> None:
    enc = b64url_encode(json.dumps(["c2FsdHNhbHRzYWx0c2FsdA", name, 1]).encode())
    digest = parse_disclosure.__globals__["_hash_b64"](enc, "sha-256")
    with pytest.raises(MalformedCredentialError, match="reserved"):
        verify(forge({"_sd": [digest]}, [enc]))


def test_reject_claim_that_already_exists() -> None:
    enc, digest = disc("given_name", "Eve")
    with pytest.raises(InvalidProofError, match="already exists"):
        verify(forge({"given_name": "Ada", "_sd": [digest]}, [enc]))
    enc2, digest2 = disc("given_name", "Mallory", salt=9)
    with pytest.raises(InvalidProofError, match="already exists"):
        verify(forge({"_sd": [digest, digest2]}, [enc, enc2]))


def test_reject_array_element_disclosure_used_as_property() -> None:
    enc, digest = disc(None, "x")
    with pytest.raises(InvalidProofError, match="array-element"):
        verify(forge({"_sd": [digest]}, [enc]))


def test_reject_property_disclosure_used_as_array_element() -> None:
    enc, digest = disc("x", 1)
    with pytest.raises(InvalidProofError, match="array element"):
        verify(forge({"a": [{"...": digest}]}, [enc]))


def test_reject_bad_placeholders_and_sd_values() -> None:
    enc, digest = disc(None, "x")
    with pytest.raises(MalformedCredentialError):
        verify(forge({"a": [{"...": digest, "extra": 1}]}, [enc]))
    with pytest.raises(MalformedCredentialError):
        verify(forge({"_sd": "not-an-array"}, []))
    with pytest.raises(MalformedCredentialError):
        verify(forge({"_sd": [42]}, []))
    with pytest.raises(UnsupportedAlgorithmError):
        verify(forge({"_sd_alg": "md5", "a": 1}, []))


def test_sha_512_sd_alg_is_understood() -> None:
    d = create_disclosure(bytes(16), "x", 1)
    token = forge({"_sd_alg": "sha-512", "_sd": [d.digest("sha-512")]}, [d.encoded])
    assert verify(token).claims == {"x": 1}


# ------------------------------------------------------------------ malformed input


@pytest.mark.parametrize(
    "raw",
    [
        "not base64url!",
        b64url_encode(b"not json"),
        b64url_encode(b'{"an": "object"}'),
        b64url_encode(b'["only-salt"]'),
        b64url_encode(b'["s", "n", 1, "extra"]'),
        b64url_encode(b'[1, "n", 1]'),
        b64url_encode(b'["s", 2, 1]'),
        b64url_encode(b'["s", "n", NaN]'),
    ],
)
def test_malformed_disclosure(raw: str) -> None:
    with pytest.raises(MalformedCredentialError):
        parse_disclosure(raw)
    with pytest.raises(MalformedCredentialError):
        verify(forge({"a": 1}, [raw]))


@pytest.mark.parametrize(
    "token",
    ["", "abc", "a.b.c", "a.b~", "~", "x.y.z~~", 42, "e30.e30.~"],
)
def test_malformed_tokens_raise_vc_errors(token: Any) -> None:
    with pytest.raises(VcError):
        verify(token)


def test_huge_input_is_refused() -> None:
    with pytest.raises(MalformedCredentialError, match="larger"):
        verify("a" * (9 * 1024 * 1024) + "~")


def test_too_many_disclosures_refused() -> None:
    with pytest.raises(MalformedCredentialError, match="disclosures"):
        parse_sd_jwt("a.b.c~" + "x~" * 5000)


def test_deep_nesting_in_payload_is_refused() -> None:
    deep: Any = 1
    for _ in range(200):
        deep = [deep]
    with pytest.raises(MalformedCredentialError, match="nested"):
        verify(forge({"a": deep}, []))


def test_deep_nesting_through_chained_disclosures_is_refused() -> None:
    value: Any = {"leaf": 1}
    encoded: list[str] = []
    for i in range(80):
        d = create_disclosure(i.to_bytes(16, "big"), "n", value)
        encoded.append(d.encoded)
        value = {"_sd": [d.digest()]}
    with pytest.raises(MalformedCredentialError, match="nested"):
        verify(forge(value, encoded))


def test_time_claims_checked() -> None:
    with pytest.raises(VerificationError, match="expired"):
        verify(issue_sd_jwt({"exp": int(NOW.timestamp()) - 3600}, issuer_key=ISSUER))
    with pytest.raises(VerificationError, match="not valid yet"):
        verify(issue_sd_jwt({"nbf": int(NOW.timestamp()) + 3600}, issuer_key=ISSUER))
    with pytest.raises(VerificationError, match="NumericDate"):
        verify(issue_sd_jwt({"exp": "tomorrow"}, issuer_key=ISSUER))
