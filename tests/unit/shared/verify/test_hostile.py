"""Hostile input ends in a failed check or a clear error: never a crash, never a hang."""

from __future__ import annotations

import gzip
import io
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from shared.did import DidResolver, did_key_from_public, verification_method_id
from shared.encoding import multibase_encode
from shared.keys import PrivateKey
from shared.net.fetch import HttpFetcher, StaticFetcher
from shared.proofs.data_integrity import add_proof
from shared.verify.context import VerifyContext
from shared.verify.credential import verify_credential
from tests.conftest import load_json
from tests.mutants import mutate

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
SIGNED_AT = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)  # proofs are made before the fixed clock
STATUS_URL = "https://issuer.example/status/1"


def _failed(report: Any, name: str) -> str:
    check = report.check(name)
    assert check is not None, report.to_json()
    assert check.status.value == "failed", report.to_json()
    assert not report.verified
    return str(check.reason)


def _issuer() -> tuple[PrivateKey, str]:
    key = PrivateKey.generate()
    return key, did_key_from_public(key.public_key)


def _credential(key: PrivateKey, did: str, **extra: Any) -> dict[str, Any]:
    doc = load_json("peers", "ob3-credential.unsigned.json")
    doc["issuer"] = {**doc["issuer"], "id": did}
    doc.update(extra)
    return add_proof(doc, key.sign, verification_method_id(did), created=SIGNED_AT)


def test_10000_deep_json_is_refused() -> None:
    deep = "[" * 10_000 + "]" * 10_000
    report = verify_credential(deep.encode())
    assert "levels" in _failed(report, "format")
    nested: Any = {}
    for _ in range(10_000):
        nested = {"a": nested}
    report = verify_credential({"@context": ["https://www.w3.org/ns/credentials/v2"], "x": nested})
    assert "levels" in _failed(report, "format")


def test_20_mb_document_is_refused() -> None:
    big = json.dumps({"@context": "https://www.w3.org/ns/credentials/v2", "pad": "x" * 20_000_000})
    report = verify_credential(big.encode())
    assert "bytes" in _failed(report, "format")


@pytest.mark.parametrize(
    "context",
    [
        "https://evil.example/ctx.jsonld",
        "http://www.w3.org/ns/credentials/v2",
        {"name": "https://evil.example/name"},
    ],
)
def test_unknown_or_remote_context_fails_the_proof(context: Any) -> None:
    key, did = _issuer()
    doc = _credential(key, did)
    doc["@context"] = [*doc["@context"], context]
    report = verify_credential(doc, VerifyContext(clock=lambda: NOW))
    assert not report.verified


def test_remote_context_is_never_fetched() -> None:
    key, did = _issuer()
    doc = _credential(key, did)
    doc["@context"].append("https://evil.example/ctx.jsonld")
    fetcher = StaticFetcher({})
    verify_credential(doc, VerifyContext(fetcher=fetcher, clock=lambda: NOW))
    assert fetcher.calls == []


def test_did_web_issuer_on_private_addresses() -> None:
    for address in ("127.0.0.1", "169.254.169.254"):

        def resolve(host: str, port: int, a: str = address) -> list[str]:
            return [a]

        fetcher = HttpFetcher(resolve=resolve)
        doc = load_json("peers", "ob3-credential.unsigned.json")
        key = PrivateKey.generate()
        doc["issuer"] = {**doc["issuer"], "id": "did:web:issuer.example"}
        signed = add_proof(doc, key.sign, "did:web:issuer.example#key-1")
        report = verify_credential(
            signed, VerifyContext(fetcher=fetcher, resolver=DidResolver(fetcher), clock=lambda: NOW)
        )
        assert address in _failed(report, "issuer_key")


def _status_context(key: PrivateKey, did: str, encoded_list: str) -> VerifyContext:
    status_list = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": STATUS_URL,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": did,
        "validFrom": "2025-01-01T00:00:00Z",
        "credentialSubject": {
            "id": STATUS_URL + "#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encoded_list,
        },
    }
    signed = add_proof(status_list, key.sign, verification_method_id(did), created=SIGNED_AT)
    fetcher = StaticFetcher({STATUS_URL: signed})
    return VerifyContext(fetcher=fetcher, resolver=DidResolver(fetcher), clock=lambda: NOW)


def _with_status(key: PrivateKey, did: str) -> dict[str, Any]:
    entry = {
        "id": STATUS_URL + "#3",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "3",
        "statusListCredential": STATUS_URL,
    }
    return _credential(key, did, credentialStatus=entry)


def test_status_list_shorter_than_131072_bits() -> None:
    key, did = _issuer()
    short = multibase_encode(gzip.compress(bytes(1024)), "u")  # 8,192 bits
    report = verify_credential(_with_status(key, did), _status_context(key, did, short))
    assert "131" in _failed(report, "status")


def test_gzip_bomb_status_list() -> None:
    key, did = _issuer()
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", compresslevel=9) as gz:
        chunk = bytes(1 << 20)
        for _ in range(256):  # 256 MiB of zeros, about 250 KB compressed
            gz.write(chunk)
    bomb = multibase_encode(buf.getvalue(), "u")
    report = verify_credential(_with_status(key, did), _status_context(key, did, bomb))
    _failed(report, "status")


def test_status_list_signed_by_someone_else_is_not_believed() -> None:
    key, did = _issuer()
    other, other_did = _issuer()
    ok = multibase_encode(gzip.compress(bytes(16384)), "u")
    ctx = _status_context(other, other_did, ok)
    report = verify_credential(_with_status(key, did), ctx)
    # a valid list issued by another DID cannot clear (or revoke) this issuer's credential
    assert f"issued by {other_did}, not by the credential's issuer {did}" in _failed(
        report, "status"
    )
    ctx = _status_context(key, did, ok)
    assert verify_credential(_with_status(key, did), ctx).verified
    # and a tampered list of the right issuer does not verify
    ctx.fetcher.documents[STATUS_URL]["credentialSubject"]["encodedList"] = multibase_encode(  # type: ignore[attr-defined]
        gzip.compress(b"\xff" * 16384), "u"
    )
    report = verify_credential(_with_status(key, did), ctx)
    assert "does not verify" in _failed(report, "status")


@pytest.mark.parametrize(
    "payload",
    [
        b"",
        b"\x00\x01\x02",
        b"null",
        b"[]",
        b"42",
        b'"just a string"',
        b"eyJ.eyJ.",
        b"a~b~",
        b"\x89PNG\r\n\x1a\nxx",
        b"<svg></svg>",
    ],
)
def test_garbage_is_an_unusable_input_not_a_crash(payload: bytes) -> None:
    report = verify_credential(payload)
    assert not report.verified
    assert report.checks


ODD_VALUES: list[Any] = [None, 0, -1.5, True, "", "x", [], [{}], {}, {"id": {}}, [[[]]]]


def _mutants(doc: dict[str, Any], count: int, seed: int) -> list[dict[str, Any]]:
    import random

    rng = random.Random(seed)
    return [mutate(doc, ODD_VALUES, rng) for _ in range(count)]


def test_signed_tokens_with_odd_values_anywhere_get_a_report_not_a_crash() -> None:
    # validly signed, so verification goes all the way: every odd value must meet a check
    from shared.proofs.jose import sign_jws

    key, did = _issuer()
    doc = load_json("peers", "ob3-credential.unsigned.json")
    doc["issuer"] = {**doc["issuer"], "id": did}
    doc["validUntil"] = "2030-01-01T00:00:00Z"
    doc["credentialStatus"] = {
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "7",
        "statusListCredential": STATUS_URL,
    }
    ctx = VerifyContext(fetcher=StaticFetcher({}), clock=lambda: NOW)
    verdicts = set()
    for mutant in _mutants(doc, 400, seed=20261122):
        header = {"typ": "vc+jwt", "kid": verification_method_id(did)}
        token = sign_jws(mutant, key, header)  # sign_vc_jwt would refuse most of these
        report = verify_credential(token, ctx)
        assert report.checks, mutant
        verdicts.add(report.verified)
        assert not any("could not be processed" in c.reason for c in report.checks), (
            mutant,
            report.to_json(),
        )
    assert False in verdicts


def test_json_credentials_with_odd_values_anywhere_get_a_report_not_a_crash() -> None:
    key, did = _issuer()
    signed = _credential(key, did)
    for mutant in _mutants(signed, 150, seed=11):
        report = verify_credential(mutant, VerifyContext(clock=lambda: NOW))
        assert report.checks, mutant
        assert not report.verified, mutant


def _all_reasons(report: Any) -> list[str]:
    reasons = [c.reason for c in report.checks]
    for inner in report.credentials:
        reasons += _all_reasons(inner)
    return reasons


def test_signed_sd_jwt_vcs_with_odd_values_anywhere_get_a_report_not_a_crash() -> None:
    # the claims are mutated before signing, so every check past the signature sees them
    from shared.errors import VcError
    from shared.proofs.sd_jwt import issue_sd_jwt, present_sd_jwt
    from shared.proofs.sd_jwt_vc import OB3_DEFAULT_DISCLOSABLE, ob3_to_sd_jwt_claims
    from shared.verify.presentation import verify_presentation

    key, did = _issuer()
    holder = PrivateKey.generate()
    doc = load_json("peers", "ob3-credential.unsigned.json")
    doc["issuer"] = {**doc["issuer"], "id": did}
    claims = ob3_to_sd_jwt_claims(doc)
    verdicts = set()
    verified = 0
    for i, mutant in enumerate(_mutants(claims, 300, seed=7)):
        try:
            token = issue_sd_jwt(
                mutant,
                issuer_key=key,
                disclosable=OB3_DEFAULT_DISCLOSABLE,
                holder_jwk=holder.public_key.to_jwk(),
                typ="dc+sd-jwt",
                header={"kid": verification_method_id(did)},
                ignore_missing=True,
            )
            presented = present_sd_jwt(
                token,
                disclose=(),
                disclose_all=True,
                holder_key=holder,
                audience="https://v.example",
                nonce=f"n{i}",
            )
        except VcError:
            continue  # our own issuer refused to build it: nothing to verify
        ctx = VerifyContext(clock=lambda: NOW, nonce=f"n{i}", audience="https://v.example")
        report = verify_presentation(presented, ctx)
        verified += 1
        assert report.checks, mutant
        verdicts.add(report.verified)
        assert not any("unexpected error" in r for r in _all_reasons(report)), (
            mutant,
            report.to_json(),
        )
    assert False in verdicts
    assert verified > 200  # most mutants are signed and verified, not refused at issuance
