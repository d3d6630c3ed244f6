"""Corpus, families Data Integrity and Open Badges rules.

Data Integrity: an OB 3.0 credential signed for real with eddsa-rdfc-2022 and eddsa-jcs-2022,
then mutated (after signing, or re-signed by someone who should not be believed). Open Badges
rules: credentials that break the OB 3.0 rules, signed for real by their issuer, so only the
rule can refuse them.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from shared.encoding.multibase import multibase_decode, multibase_encode
from shared.keys import PrivateKey
from shared.proofs.data_integrity import JCS, RDFC, _proof_config, add_proof, hash_data
from shared.proofs.vc_jwt import sign_vc_jwt
from shared.verify.context import VerifyContext
from shared.verify.credential import verify_credential
from tests.integration.verifier.conftest import NOW
from tests.security.corpus import Case, Verdict, assert_refused, from_report, params, raw_jws
from tests.unit.verifier.builders import CREATED, ISSUER, OTHER, VC_V2, badge, did, kid

DI, OB = "Data Integrity", "Open Badges rules"
SUITES = (RDFC, JCS)
PROOF = ("proof", "issuer_key", "format")
Doc = dict[str, Any]
Mutation = Callable[[Doc, str], Doc]

#: fixed on the engine branch (shared/proofs; docs/decisions/engine-time-and-status-list-issuer.md)
#: OB 3.0 §B.1.1 "Unique URI for the Achievement": the JSON Schema only asks for a string,
#: and eddsa-jcs-2022 never expands the document, so nothing checks it is a URI


def ctx() -> VerifyContext:
    return VerifyContext(clock=lambda: NOW, check_status=False)


def signed(suite: str, doc: Doc | None = None, signer: PrivateKey = ISSUER, **proof: Any) -> Doc:
    options: dict[str, Any] = {"cryptosuite": suite, "created": CREATED, **proof}
    return add_proof(doc or badge(), signer.sign, kid(signer), **options)


def proof_of(doc: Doc) -> Doc:
    value = doc["proof"]
    return dict(value[0] if isinstance(value, list) else value)


def edit_proof(**changes: Any) -> Mutation:
    def change(doc: Doc, suite: str) -> Doc:
        for name, value in changes.items():
            if value is None:
                doc["proof"].pop(name, None)
            else:
                doc["proof"][name] = value
        return doc

    return change


def proof_value(transform: Callable[[bytes], bytes]) -> Mutation:
    def change(doc: Doc, suite: str) -> Doc:
        raw = multibase_decode(doc["proof"]["proofValue"])
        doc["proof"]["proofValue"] = multibase_encode(transform(raw), "z")
        return doc

    return change


def flip(raw: bytes) -> bytes:
    return raw[:10] + bytes([raw[10] ^ 1]) + raw[11:]


def other_suite(doc: Doc, suite: str) -> Doc:
    doc["proof"]["cryptosuite"] = JCS if suite == RDFC else RDFC
    return doc


def resigned_by(signer: PrivateKey, vm: str | None = None) -> Mutation:
    def change(doc: Doc, suite: str) -> Doc:
        unsigned = {k: v for k, v in doc.items() if k != "proof"}
        out = add_proof(
            unsigned, signer.sign, vm or kid(signer), cryptosuite=suite, created=CREATED
        )
        return out

    return change


def resigned_with(**proof: Any) -> Mutation:
    def change(doc: Doc, suite: str) -> Doc:
        unsigned = {k: v for k, v in doc.items() if k != "proof"}
        return signed(suite, unsigned, **proof)

    return change


def claim(path: tuple[str, ...], value: Any) -> Mutation:
    """Set (or, with None, remove) a claim after signing."""

    def change(doc: Doc, suite: str) -> Doc:
        target = doc
        for step in path[:-1]:
            target = target[step]
        if value is None:
            target.pop(path[-1])
        else:
            target[path[-1]] = value
        return doc

    return change


def contexts(change_list: Callable[[list[Any]], list[Any]], *, in_proof: bool = False) -> Mutation:
    def change(doc: Doc, suite: str) -> Doc:
        doc["@context"] = change_list(list(doc["@context"]))
        if in_proof and "@context" in doc["proof"]:
            doc["proof"]["@context"] = doc["@context"]
        return doc

    return change


def proof_from_another_document(doc: Doc, suite: str) -> Doc:
    other = signed(suite, badge(name="Présidente du conseil"))
    doc["proof"] = other["proof"]
    return doc


def proof_of_a_status_list(doc: Doc, suite: str) -> Doc:
    unsigned = {k: v for k, v in doc.items() if k != "proof"}
    holder = signed(
        suite,
        {
            "@context": [VC_V2],
            "type": ["VerifiableCredential"],
            "issuer": did(ISSUER),
            "credentialSubject": {"id": "urn:uuid:0a4c7a1e-2b1b-4d5e-8c7f-1d2e3f4a5b6c"},
        },
    )
    unsigned["proof"] = holder["proof"]
    return unsigned


def duplicated_proof(doc: Doc, suite: str) -> Doc:
    # one signature dressed as two proofs (an exact copy is one proof, counted once)
    twin = {**doc["proof"], "id": "urn:uuid:a-second-name-for-one-signature"}
    doc["proof"] = [doc["proof"], twin]
    return doc


def valid_and_forged_proofs(doc: Doc, suite: str) -> Doc:
    forged = copy.deepcopy(doc["proof"])
    forged["verificationMethod"] = kid(OTHER)
    doc["proof"] = [doc["proof"], forged]
    return doc


def created(delta: timedelta) -> str:
    return (NOW + delta).strftime("%Y-%m-%dT%H:%M:%SZ")


def signed_with_expires(doc: Doc, suite: str) -> Doc:
    """Re-signed by the issuer with ``proof.expires`` a day ago (covered by the signature)."""
    unsecured = {k: v for k, v in doc.items() if k != "proof"}
    options = {k: v for k, v in doc["proof"].items() if k != "proofValue"}
    options["expires"] = created(-timedelta(days=1))
    config = _proof_config(unsecured, options, suite)
    value = multibase_encode(ISSUER.sign(hash_data(unsecured, config, suite)), "z")
    return {**unsecured, "proof": {**options, "proofValue": value}}


INLINE_REDEFINE = {"name": "https://attacker.example/vocab#name"}
INLINE_VOCAB = {"@vocab": "https://attacker.example/vocab#"}

DI_MUTATIONS: list[tuple[str, str, Mutation, tuple[str, ...], str | None]] = [
    ("proof-value-bit-flipped", "TM-DI-SIG", proof_value(flip), PROOF, None),
    ("proof-value-truncated", "TM-DI-SIG", proof_value(lambda r: r[:40]), PROOF, None),
    ("proof-value-zeroed", "TM-DI-SIG", proof_value(lambda r: bytes(64)), PROOF, None),
    (
        "proof-value-base64-multibase",
        "TM-DI-SIG",
        lambda d, s: edit_proof(proofValue="u" + d["proof"]["proofValue"][1:])(d, s),
        PROOF,
        None,
    ),
    ("proof-value-missing", "TM-DI-SIG", edit_proof(proofValue=None), PROOF, None),
    ("proof-value-number", "TM-DI-SIG", edit_proof(proofValue=12345), PROOF, None),
    (
        "proof-missing",
        "TM-DI-SIG",
        lambda d, s: {k: v for k, v in d.items() if k != "proof"},
        PROOF,
        None,
    ),
    (
        "proof-empty-list",
        "TM-DI-SIG",
        lambda d, s: {**d, "proof": []},
        PROOF,
        None,
    ),
    ("proof-a-string", "TM-DI-SIG", lambda d, s: {**d, "proof": "z" + "1" * 80}, PROOF, None),
    ("cryptosuite-swapped", "TM-DI-SUITE", other_suite, PROOF, None),
    ("cryptosuite-ecdsa", "TM-DI-SUITE", edit_proof(cryptosuite="ecdsa-rdfc-2019"), PROOF, None),
    ("cryptosuite-missing", "TM-DI-SUITE", edit_proof(cryptosuite=None), PROOF, None),
    (
        "proof-type-ed25519-2020",
        "TM-DI-SUITE",
        edit_proof(type="Ed25519Signature2020"),
        PROOF,
        None,
    ),
    ("proof-type-jws-2020", "TM-DI-SUITE", edit_proof(type="JsonWebSignature2020"), PROOF, None),
    ("vm-of-another-did", "TM-DI-VM", resigned_by(OTHER), PROOF, None),
    ("vm-issuer-but-signed-by-attacker", "TM-DI-VM", resigned_by(OTHER, kid(ISSUER)), PROOF, None),
    (
        "vm-did-web-of-attacker",
        "TM-DI-VM",
        resigned_by(OTHER, "did:web:attacker.example#key-1"),
        PROOF,
        None,
    ),
    (
        "vm-https-controller-document",
        "TM-DI-VM",
        resigned_by(OTHER, "https://attacker.example/keys#k1"),
        PROOF,
        None,
    ),
    (
        "vm-did-jwk-of-attacker",
        "TM-DI-VM",
        edit_proof(
            verificationMethod="did:jwk:eyJrdHkiOiJPS1AiLCJjcnYiOiJFZDI1NTE5IiwieCI6IkFBQUEifQ#0"
        ),
        PROOF,
        None,
    ),
    ("vm-missing", "TM-DI-VM", edit_proof(verificationMethod=None), PROOF, None),
    (
        "vm-not-a-string",
        "TM-DI-VM",
        edit_proof(verificationMethod={"id": kid(ISSUER)}),
        PROOF,
        None,
    ),
    (
        "purpose-authentication",
        "TM-DI-PURPOSE",
        resigned_with(proof_purpose="authentication"),
        PROOF,
        None,
    ),
    (
        "purpose-capability-delegation",
        "TM-DI-PURPOSE",
        resigned_with(proof_purpose="capabilityDelegation"),
        PROOF,
        None,
    ),
    ("purpose-missing", "TM-DI-PURPOSE", edit_proof(proofPurpose=None), PROOF, None),
    ("purpose-list", "TM-DI-PURPOSE", edit_proof(proofPurpose=["assertionMethod"]), PROOF, None),
    (
        "context-unknown-url-appended",
        "TM-DI-CONTEXT",
        contexts(lambda c: [*c, "https://attacker.example/ctx.jsonld"]),
        PROOF,
        None,
    ),
    (
        "context-unknown-url-appended-in-proof",
        "TM-DI-CONTEXT",
        contexts(lambda c: [*c, "https://attacker.example/ctx.jsonld"], in_proof=True),
        PROOF,
        None,
    ),
    (
        "context-inline-vocab-and-undefined-claim",
        "TM-DI-CONTEXT",
        lambda d, s: claim(("credentialSubject", "salary"), "100k")(
            contexts(lambda c: [*c, INLINE_VOCAB])(d, s), s
        ),
        PROOF,
        None,
    ),
    (
        "context-inline-redefines-name",
        "TM-DI-CONTEXT",
        contexts(lambda c: [*c, INLINE_REDEFINE]),
        PROOF,
        None,
    ),
    (
        "context-inline-redefines-name-in-proof",
        "TM-DI-CONTEXT",
        contexts(lambda c: [*c, INLINE_REDEFINE], in_proof=True),
        PROOF,
        None,
    ),
    (
        "context-import-remote",
        "TM-DI-CONTEXT",
        contexts(lambda c: [*c, {"@import": "https://attacker.example/ctx"}]),
        PROOF,
        None,
    ),
    ("context-vc-v2-not-first", "TM-DI-CONTEXT", contexts(lambda c: [*reversed(c)]), PROOF, None),
    (
        "context-ob3-removed",
        "TM-DI-CONTEXT",
        contexts(lambda c: c[:1]),
        ("proof", "format", "schema"),
        None,
    ),
    (
        "claim-added",
        "TM-DI-CLAIMS",
        claim(("credentialSubject", "role"), "Présidente"),
        PROOF,
        None,
    ),
    (
        "claim-removed",
        "TM-DI-CLAIMS",
        claim(("validFrom",), None),
        ("proof", "format", "schema"),
        None,
    ),
    (
        "claim-changed",
        "TM-DI-CLAIMS",
        claim(("credentialSubject", "achievement", "name"), "Directrice"),
        PROOF,
        None,
    ),
    (
        "claim-unicode-normalised",
        "TM-DI-CLAIMS",
        claim(("name",), "Be\u0301ne\u0301vole — encadrement"),
        PROOF,
        None,
    ),
    ("issuer-changed", "TM-DI-CLAIMS", claim(("issuer", "id"), did(OTHER)), PROOF, None),
    (
        "subject-changed",
        "TM-DI-CLAIMS",
        claim(("credentialSubject", "id"), did(OTHER)),
        PROOF,
        None,
    ),
    (
        "valid-until-removed-after-signing",
        "TM-DI-CLAIMS",
        lambda d, s: claim(("validUntil",), None)(
            resigned_with()({**d, "validUntil": "2026-06-01T00:00:00Z"}, s), s
        ),
        ("proof", "validity"),
        None,
    ),
    ("proof-of-another-document", "TM-DI-OTHER-DOC", proof_from_another_document, PROOF, None),
    ("proof-of-a-status-list", "TM-DI-OTHER-DOC", proof_of_a_status_list, PROOF, None),
    ("proof-set-valid-and-forged", "TM-DI-OTHER-DOC", valid_and_forged_proofs, PROOF, None),
    ("proof-duplicated", "TM-DI-PROOFSET", duplicated_proof, PROOF, None),
    (
        "created-far-future",
        "TM-DI-CREATED",
        resigned_with(created=NOW + timedelta(days=400)),
        (*PROOF, "validity"),
        None,
    ),
    ("created-not-a-date", "TM-DI-CREATED", edit_proof(created="yesterday"), PROOF, None),
    (
        "proof-expires-past",
        "TM-DI-CREATED",
        signed_with_expires,
        (*PROOF, "validity"),
        None,
    ),
]


def _di_case(
    suite: str,
    name: str,
    threat: str,
    mutation: Mutation,
    expect: tuple[str, ...],
    xfail: str | None,
) -> Case:
    def run() -> Verdict:
        return from_report(verify_credential(mutation(signed(suite), suite), ctx()), expect)

    return Case(DI, f"{suite}/{name}", threat, run, xfail)


# ------------------------------------------------------------------ Open Badges rules


def ob(change: Callable[[Doc], None]) -> Callable[[], Doc]:
    def build() -> Doc:
        doc = badge()
        change(doc)
        return doc

    return build


def drop(*path: str) -> Callable[[Doc], None]:
    def change(doc: Doc) -> None:
        target = doc
        for step in path[:-1]:
            target = target[step]
        target.pop(path[-1])

    return change


def put(path: tuple[str, ...], value: Any) -> Callable[[Doc], None]:
    def change(doc: Doc) -> None:
        target = doc
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value

    return change


def ob_vc_jwt_without_nbf() -> str:
    token = sign_vc_jwt(badge(), ISSUER, kid(ISSUER), profile="jwt_vc_json")
    head, body, _ = token.split(".")
    import json

    from shared.encoding import b64url_decode

    payload = json.loads(b64url_decode(body))
    payload.pop("nbf")
    return raw_jws(json.loads(b64url_decode(head)), payload, ISSUER)


SCHEMA = ("schema", "format")
OB_CASES: list[tuple[str, str, Callable[[], Any], tuple[str, ...], str | None]] = [
    (
        "achievement-missing",
        "TM-OB-RULES",
        ob(drop("credentialSubject", "achievement")),
        SCHEMA,
        None,
    ),
    (
        "achievement-a-string",
        "TM-OB-RULES",
        ob(put(("credentialSubject", "achievement"), "urn:x")),
        SCHEMA,
        None,
    ),
    (
        "achievement-criteria-missing",
        "TM-OB-RULES",
        ob(drop("credentialSubject", "achievement", "criteria")),
        SCHEMA,
        None,
    ),
    (
        "achievement-name-missing",
        "TM-OB-RULES",
        ob(drop("credentialSubject", "achievement", "name")),
        SCHEMA,
        None,
    ),
    (
        "achievement-name-number",
        "TM-OB-RULES",
        ob(put(("credentialSubject", "achievement", "name"), 42)),
        SCHEMA,
        None,
    ),
    (
        "achievement-type-wrong",
        "TM-OB-RULES",
        ob(put(("credentialSubject", "achievement", "type"), ["Profile"])),
        SCHEMA,
        None,
    ),
    (
        "achievement-id-not-uri",
        "TM-OB-RULES",
        ob(put(("credentialSubject", "achievement", "id"), "not a uri")),
        SCHEMA,
        None,
    ),
    (
        "subject-type-wrong",
        "TM-OB-RULES",
        ob(put(("credentialSubject", "type"), ["Person"])),
        SCHEMA,
        None,
    ),
    (
        "subject-without-id-or-identifier",
        "TM-OB-RULES",
        ob(drop("credentialSubject", "id")),
        SCHEMA,
        None,
    ),
    (
        "credential-type-without-openbadge",
        "TM-OB-RULES",
        ob(put(("type",), ["VerifiableCredential", "OpenBadgeCredential", 7])),
        SCHEMA,
        None,
    ),
    (
        "type-without-verifiable-credential",
        "TM-OB-RULES",
        ob(put(("type",), ["OpenBadgeCredential"])),
        SCHEMA,
        None,
    ),
    ("issuer-without-type", "TM-OB-RULES", ob(drop("issuer", "type")), SCHEMA, None),
    ("issuer-type-wrong", "TM-OB-RULES", ob(put(("issuer", "type"), ["Person"])), SCHEMA, None),
    ("valid-from-missing", "TM-OB-RULES", ob(drop("validFrom")), SCHEMA, None),
    (
        "valid-from-not-a-date",
        "TM-OB-RULES",
        ob(put(("validFrom",), "le 1er janvier")),
        (*SCHEMA, "validity"),
        None,
    ),
    (
        "valid-until-before-valid-from",
        "TM-OB-RULES",
        ob(put(("validUntil",), "2025-01-01T00:00:00Z")),
        (*SCHEMA, "validity"),
        None,
    ),
    ("name-not-a-string", "TM-OB-RULES", ob(put(("name",), [1, 2])), SCHEMA, None),
    (
        "credential-subject-list-of-strings",
        "TM-OB-RULES",
        ob(put(("credentialSubject",), ["a", "b"])),
        SCHEMA,
        None,
    ),
    (
        "context-ob3-missing",
        "TM-OB-RULES",
        ob(put(("@context",), [VC_V2])),
        (*SCHEMA, "proof"),
        None,
    ),
    (
        "evidence-not-objects",
        "TM-OB-RULES",
        ob(put(("evidence",), "https://x.example")),
        SCHEMA,
        None,
    ),
]


def _ob_case(
    name: str, threat: str, build: Callable[[], Any], expect: tuple[str, ...], xfail: str | None
) -> Case:
    def run() -> Verdict:
        return from_report(verify_credential(signed(JCS, build()), ctx()), expect)

    return Case(OB, name, threat, run, xfail)


CASES = [_di_case(suite, *m) for suite in SUITES for m in DI_MUTATIONS]
CASES += [_ob_case(*c) for c in OB_CASES]
CASES.append(
    Case(
        OB,
        "ob3-vc-jwt-without-nbf",
        "TM-OB-RULES",
        lambda: from_report(
            verify_credential(ob_vc_jwt_without_nbf(), ctx()), (*SCHEMA, "validity")
        ),
        None,
    )
)


@pytest.mark.parametrize("case", params(CASES))
def test_hostile(case: Case) -> None:
    assert_refused(case)


@pytest.mark.parametrize("suite", SUITES)
def test_the_unmutated_credential_verifies(suite: str) -> None:
    report = verify_credential(signed(suite), ctx())
    assert report.verified, report.to_json()
