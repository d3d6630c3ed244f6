"""Corpus, family JWS/JWT: vc+jwt and OB 3.0 VC-JWT tokens, signed for real, then mutated.

Every mutation is applied to both profiles; the expected outcome is a failed check among the
ones the case names, through the one entry point ``verify_credential``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization

from shared.encoding import b64url_decode, b64url_encode
from shared.keys import PrivateKey
from shared.verify.context import VerifyContext
from shared.verify.credential import verify_credential
from tests.integration.verifier.conftest import NOW
from tests.security.corpus import Case, Verdict, assert_refused, from_report, params, raw_jws
from tests.unit.verifier.builders import ISSUER, OTHER, badge, did, key, kid, vc_jwt

FAMILY = "JWS/JWT"
ISSUER_P256 = key("corpus-issuer-p256", "P-256")
PROFILES = {"vc+jwt": ISSUER, "ob3-vc-jwt": ISSUER_P256}
SIGNATURE = ("proof", "issuer_key", "format")
Token = tuple[dict[str, Any], dict[str, Any]]


def ctx() -> VerifyContext:
    return VerifyContext(clock=lambda: NOW, check_status=False)


def valid(profile: str) -> str:
    issuer = PROFILES[profile]
    return vc_jwt(badge(issuer=issuer), issuer, "vc+jwt" if profile == "vc+jwt" else "jwt_vc_json")


def parts(token: str) -> tuple[dict[str, Any], dict[str, Any], str]:
    head, body, sig = token.split(".")
    return json.loads(b64url_decode(head)), json.loads(b64url_decode(body)), sig


def resign(token: str, signer: PrivateKey, **header: Any) -> str:
    head, body, _ = parts(token)
    head.update(header)
    return raw_jws({k: v for k, v in head.items() if v is not None}, body, signer)


def with_payload(token: str, signer: PrivateKey, change: Callable[[dict[str, Any]], None]) -> str:
    head, body, _ = parts(token)
    change(body)
    return raw_jws(head, body, signer)


def unsigned_header(token: str, **header: Any) -> str:
    """Change the header and keep the old signature."""
    head, _, sig = parts(token)
    head.update(header)
    _, body, _ = token.split(".")
    return f"{b64url_encode(json.dumps(head).encode())}.{body}.{sig}"


def hmac_token(token: str, secret: bytes, alg: str = "HS256") -> str:
    head, body, _ = parts(token)
    head["alg"] = alg
    signing_input = (
        f"{b64url_encode(json.dumps(head).encode())}.{b64url_encode(json.dumps(body).encode())}"
    )
    digest = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}[alg]
    mac = hmac.new(secret, signing_input.encode(), digest).digest()
    return f"{signing_input}.{b64url_encode(mac)}"


def public_secrets(signer: PrivateKey) -> dict[str, bytes]:
    public = signer.key.public_key()
    pem = public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    der = public.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return {
        "pem": pem,
        "der": der,
        "jwk": json.dumps(signer.public_key.to_jwk()).encode(),
        "multikey": signer.public_key.to_multikey().encode(),
    }


def set_claim(name: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(body: dict[str, Any]) -> None:
        body[name] = value

    return change


def epoch(**delta: float) -> int:
    return int((NOW + timedelta(**delta)).timestamp())


def vc_of(body: dict[str, Any]) -> dict[str, Any]:
    vc: dict[str, Any] = body.get("vc", body)
    return vc


def change_name(body: dict[str, Any]) -> None:
    vc_of(body)["credentialSubject"]["achievement"]["name"] = "Directrice générale"


def other_issuer(body: dict[str, Any]) -> None:
    vc_of(body)["issuer"]["id"] = did(OTHER)


def deep(token: str, signer: PrivateKey) -> str:
    """5000 levels of nesting, written as text (a JSON encoder would recurse)."""
    _, b, _ = parts(token)
    text = json.dumps(b)[:-1] + ', "deep": ' + '{"a": ' * 5000 + "{}" + "}" * 5000 + "}"
    return jws_with_bytes(token, signer, body=text.encode())


def huge(body: dict[str, Any]) -> None:
    vc_of(body)["credentialSubject"]["blob"] = "A" * (6 * 1024 * 1024)


def jws_with_bytes(
    token: str, signer: PrivateKey, *, head: bytes | None = None, body: bytes | None = None
) -> str:
    h, b, _ = parts(token)
    return raw_jws(head or json.dumps(h).encode(), body or json.dumps(b).encode(), signer)


def dup_keys_payload(token: str, signer: PrivateKey) -> str:
    """The issuer's iss first, the attacker's last: a last-wins parser reads the attacker."""
    _, b, _ = parts(token)
    text = json.dumps(b)[:-1] + f', "iss": "{did(OTHER)}"}}'
    return jws_with_bytes(token, OTHER, body=text.encode())


def dup_keys_header(token: str, signer: PrivateKey) -> str:
    h, _, _ = parts(token)
    text = json.dumps(h)[:-1] + ', "alg": "none"}'
    return jws_with_bytes(token, signer, head=text.encode())


def latin1_payload(token: str, signer: PrivateKey) -> str:
    _, b, _ = parts(token)
    return jws_with_bytes(
        token, signer, body=json.dumps(b, ensure_ascii=False).encode("latin-1", "replace")
    )


def latin1_header(token: str, signer: PrivateKey) -> str:
    h, _, _ = parts(token)
    h["kid"] = h.get("kid", "") + "é"
    return jws_with_bytes(token, signer, head=json.dumps(h, ensure_ascii=False).encode("latin-1"))


def swap_payload(token: str, signer: PrivateKey) -> str:
    other = vc_jwt(badge(issuer=signer, name="Présidente"), signer, "vc+jwt")
    head, _, sig = token.split(".")
    return f"{head}.{other.split('.')[1]}.{sig}"


def signature_of_another(token: str, signer: PrivateKey) -> str:
    other = vc_jwt(badge(issuer=signer, name="Présidente"), signer, "vc+jwt")
    return token.rsplit(".", 1)[0] + "." + other.rsplit(".", 1)[1]


def flip_bit(token: str) -> str:
    head, body, sig = token.split(".")
    raw = bytearray(b64url_decode(sig))
    raw[len(raw) // 2] ^= 1
    return f"{head}.{body}.{b64url_encode(bytes(raw))}"


def padded(token: str) -> str:
    return ".".join(p + "=" * (-len(p) % 4 or 4) for p in token.split("."))


def std_alphabet(token: str) -> str:
    """Standard base64 alphabet ('+', '/') instead of base64url: the signing input changes."""
    head, body, sig = token.split(".")
    swapped = sig.replace("-", "+").replace("_", "/")
    if swapped == sig:  # force one: a signature without '-'/'_' gets a '+' in place of an 'A'
        swapped = "+" + sig[1:]
    return f"{head}.{body}.{swapped}"


def body_alphabet(token: str) -> str:
    head, body, sig = token.split(".")
    return f"{head}.{body.replace('-', '+').replace('_', '/')}+.{sig}"


Mutation = Callable[[str, PrivateKey], str]
MUTATIONS: list[tuple[str, str, Mutation, tuple[str, ...]]] = [
    # (name, threat line, mutation, expected failed checks)
    (
        "alg-none-empty-signature",
        "TM-JWS-ALG",
        lambda t, k: unsigned_header(t, alg="none").rsplit(".", 1)[0] + ".",
        SIGNATURE,
    ),
    (
        "alg-none-kept-signature",
        "TM-JWS-ALG",
        lambda t, k: unsigned_header(t, alg="none"),
        SIGNATURE,
    ),
    ("alg-None-capitalised", "TM-JWS-ALG", lambda t, k: unsigned_header(t, alg="None"), SIGNATURE),
    ("alg-missing", "TM-JWS-ALG", lambda t, k: resign(t, k, alg=None), SIGNATURE),
    ("alg-number", "TM-JWS-ALG", lambda t, k: unsigned_header(t, alg=256), SIGNATURE),
    (
        "alg-hs256-pem-public-key",
        "TM-JWS-ALG",
        lambda t, k: hmac_token(t, public_secrets(k)["pem"]),
        SIGNATURE,
    ),
    (
        "alg-hs256-der-public-key",
        "TM-JWS-ALG",
        lambda t, k: hmac_token(t, public_secrets(k)["der"]),
        SIGNATURE,
    ),
    (
        "alg-hs256-jwk-public-key",
        "TM-JWS-ALG",
        lambda t, k: hmac_token(t, public_secrets(k)["jwk"]),
        SIGNATURE,
    ),
    (
        "alg-hs384-multikey",
        "TM-JWS-ALG",
        lambda t, k: hmac_token(t, public_secrets(k)["multikey"], "HS384"),
        SIGNATURE,
    ),
    (
        "alg-hs512-pem",
        "TM-JWS-ALG",
        lambda t, k: hmac_token(t, public_secrets(k)["pem"], "HS512"),
        SIGNATURE,
    ),
    (
        "alg-swapped-for-another-curve",
        "TM-JWS-ALG",
        lambda t, k: unsigned_header(t, alg="ES256" if k is ISSUER else "EdDSA"),
        SIGNATURE,
    ),
    ("alg-rs256-on-ec-key", "TM-JWS-ALG", lambda t, k: unsigned_header(t, alg="RS256"), SIGNATURE),
    ("kid-missing", "TM-JWS-KID", lambda t, k: resign(t, k, kid=None), SIGNATURE),
    ("kid-of-another-did", "TM-JWS-KID", lambda t, k: resign(t, OTHER, kid=kid(OTHER)), SIGNATURE),
    (
        "kid-unknown-fragment",
        "TM-JWS-KID",
        lambda t, k: resign(t, k, kid=did(k) + "#nope"),
        SIGNATURE,
    ),
    (
        "kid-did-web-private-address",
        "TM-JWS-KID",
        lambda t, k: resign(t, k, kid="did:web:169.254.169.254#key-1"),
        SIGNATURE,
    ),
    (
        "kid-https-controller-elsewhere",
        "TM-JWS-KID",
        lambda t, k: resign(t, OTHER, kid="https://attacker.example/keys#k"),
        SIGNATURE,
    ),
    (
        "kid-10k-characters",
        "TM-JWS-KID",
        lambda t, k: resign(t, k, kid=did(k) + "#" + "k" * 10_000),
        SIGNATURE,
    ),
    ("kid-not-a-string", "TM-JWS-KID", lambda t, k: resign(t, k, kid={"$ref": "x"}), SIGNATURE),
    (
        "jwk-header-attacker-key",
        "TM-JWS-KID",
        lambda t, k: resign(t, OTHER, kid=None, jwk=OTHER.public_key.to_jwk()),
        SIGNATURE,
    ),
    (
        "jwk-header-private-key",
        "TM-JWS-KID",
        lambda t, k: resign(t, OTHER, kid=None, jwk={**OTHER.public_key.to_jwk(), "d": "AAAA"}),
        SIGNATURE,
    ),
    (
        "jku-header",
        "TM-JWS-KID",
        lambda t, k: resign(t, k, jku="https://attacker.example/jwks"),
        SIGNATURE,
    ),
    (
        "x5u-header",
        "TM-JWS-KID",
        lambda t, k: resign(t, k, x5u="https://attacker.example/cert"),
        SIGNATURE,
    ),
    (
        "crit-unknown",
        "TM-JWS-CRIT",
        lambda t, k: resign(
            t,
            k,
            crit=["http://attacker.example/ignore-exp"],
            **{"http://attacker.example/ignore-exp": True},
        ),
        SIGNATURE,
    ),
    ("crit-empty", "TM-JWS-CRIT", lambda t, k: resign(t, k, crit=[]), SIGNATURE),
    ("b64-false", "TM-JWS-CRIT", lambda t, k: resign(t, k, b64=False, crit=["b64"]), SIGNATURE),
    ("signature-stripped", "TM-JWS-SIG", lambda t, k: t.rsplit(".", 1)[0] + ".", SIGNATURE),
    ("signature-truncated", "TM-JWS-SIG", lambda t, k: t[: len(t) - 20], SIGNATURE),
    ("signature-bit-flipped", "TM-JWS-SIG", lambda t, k: flip_bit(t), SIGNATURE),
    ("signature-of-another-token", "TM-JWS-SIG", signature_of_another, SIGNATURE),
    ("payload-swapped", "TM-JWS-SIG", swap_payload, SIGNATURE),
    (
        "claim-changed-not-resigned",
        "TM-JWS-SIG",
        lambda t, k: with_payload(t, k, change_name).rsplit(".", 1)[0] + "." + t.rsplit(".", 1)[1],
        SIGNATURE,
    ),
    ("signed-by-attacker-with-issuer-kid", "TM-JWS-SIG", lambda t, k: resign(t, OTHER), SIGNATURE),
    (
        "exp-past",
        "TM-JWS-TIME",
        lambda t, k: with_payload(t, k, set_claim("exp", epoch(hours=-1))),
        ("validity",),
    ),
    (
        "exp-just-beyond-skew",
        "TM-JWS-TIME",
        lambda t, k: with_payload(t, k, set_claim("exp", epoch(minutes=-6))),
        ("validity",),
    ),
    (
        "exp-string",
        "TM-JWS-TIME",
        lambda t, k: with_payload(t, k, set_claim("exp", str(epoch(days=365)))),
        ("validity", "format"),
    ),
    (
        "exp-boolean",
        "TM-JWS-TIME",
        lambda t, k: with_payload(t, k, set_claim("exp", True)),
        ("validity", "format"),
    ),
    (
        "exp-zero",
        "TM-JWS-TIME",
        lambda t, k: with_payload(t, k, set_claim("exp", 0)),
        ("validity", "format"),
    ),
    (
        "nbf-future",
        "TM-JWS-TIME",
        lambda t, k: with_payload(t, k, set_claim("nbf", epoch(hours=1))),
        ("validity", "format"),
    ),
    (
        "nbf-just-beyond-skew",
        "TM-JWS-TIME",
        lambda t, k: with_payload(t, k, set_claim("nbf", epoch(minutes=6))),
        ("validity", "format"),
    ),
    (
        "nbf-string",
        "TM-JWS-TIME",
        lambda t, k: with_payload(t, k, set_claim("nbf", "yesterday")),
        ("validity", "format"),
    ),
    (
        "nbf-array",
        "TM-JWS-TIME",
        lambda t, k: with_payload(t, k, set_claim("nbf", [0])),
        ("validity", "format"),
    ),
    (
        "iss-not-credential-issuer",
        "TM-JWS-ISS",
        lambda t, k: with_payload(
            resign(t, OTHER, kid=kid(OTHER)), OTHER, set_claim("iss", did(OTHER))
        ),
        SIGNATURE,
    ),
    (
        "credential-issuer-changed-iss-kept",
        "TM-JWS-ISS",
        lambda t, k: with_payload(resign(t, OTHER, kid=kid(OTHER)), OTHER, other_issuer),
        SIGNATURE,
    ),
    (
        "iss-missing-signed-by-other",
        "TM-JWS-ISS",
        lambda t, k: with_payload(resign(t, OTHER, kid=kid(OTHER)), OTHER, lambda b: b.pop("iss")),
        SIGNATURE,
    ),
    ("typ-vp-jwt", "TM-JWS-TYP", lambda t, k: resign(t, k, typ="vp+jwt"), ("format", "proof")),
    ("typ-kb-jwt", "TM-JWS-TYP", lambda t, k: resign(t, k, typ="kb+jwt"), ("format",)),
    (
        "typ-openid4vci-proof",
        "TM-JWS-TYP",
        lambda t, k: resign(t, k, typ="openid4vci-proof+jwt"),
        ("format",),
    ),
    ("typ-sd-jwt", "TM-JWS-TYP", lambda t, k: resign(t, k, typ="dc+sd-jwt"), ("format",)),
    ("cty-vp", "TM-JWS-TYP", lambda t, k: resign(t, k, typ="vc+jwt", cty="vp"), ("format",)),
    ("payload-6-mb", "TM-JSON", lambda t, k: with_payload(t, k, huge), ("format",)),
    ("payload-5000-levels", "TM-JSON", deep, ("format",)),
    ("duplicate-iss-keys", "TM-JSON", dup_keys_payload, SIGNATURE),
    ("duplicate-alg-keys", "TM-JSON", dup_keys_header, SIGNATURE),
    ("payload-not-utf8", "TM-JSON", latin1_payload, ("format",)),
    ("header-not-utf8", "TM-JSON", latin1_header, ("format",)),
    ("payload-array", "TM-JSON", lambda t, k: jws_with_bytes(t, k, body=b"[1, 2, 3]"), ("format",)),
    ("header-string", "TM-JSON", lambda t, k: jws_with_bytes(t, k, head=b'"EdDSA"'), ("format",)),
    (
        "payload-nan",
        "TM-JSON",
        lambda t, k: jws_with_bytes(t, k, body=b'{"iss": NaN}'),
        ("format",),
    ),
    ("base64-padding", "TM-B64", lambda t, k: padded(t), ("format", "proof")),
    (
        "base64-standard-alphabet-signature",
        "TM-B64",
        lambda t, k: std_alphabet(t),
        ("format", "proof"),
    ),
    (
        "base64-standard-alphabet-payload",
        "TM-B64",
        lambda t, k: body_alphabet(t),
        ("format", "proof"),
    ),
    (
        "base64-whitespace-inside",
        "TM-B64",
        lambda t, k: t[:30] + "\n" + t[30:],
        ("format", "proof"),
    ),
    ("four-segments", "TM-B64", lambda t, k: t + ".AAAA", ("format",)),
    ("jwe-shaped", "TM-B64", lambda t, k: t + ".AAAA.BBBB", ("format",)),
]


def _case(
    profile: str, name: str, threat: str, mutation: Mutation, expect: tuple[str, ...]
) -> Case:
    def run() -> Verdict:
        token = mutation(valid(profile), PROFILES[profile])
        return from_report(verify_credential(token, ctx()), expect)

    return Case(FAMILY, f"{profile}/{name}", threat, run)


CASES = [_case(profile, *mutation) for profile in PROFILES for mutation in MUTATIONS]


@pytest.mark.parametrize("case", params(CASES))
def test_hostile(case: Case) -> None:
    assert_refused(case)


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_the_unmutated_token_verifies(profile: str) -> None:
    """The cases differ from a valid token only in the hostile part."""
    report = verify_credential(valid(profile), ctx())
    assert report.verified, report.to_json()
