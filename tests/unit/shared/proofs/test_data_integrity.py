"""Data Integrity: W3C vc-di-eddsa vectors byte for byte, proof sets and chains, peers, hostile proofs.

Sources: tests/data/vc-di-eddsa (github:w3c/vc-di-eddsa@abb673eb9df6:TestVectors) and
tests/data/peers (Digital Bazaar @digitalbazaar/vc 7.3.0, see peers/manifest.json).
"""

from __future__ import annotations

import copy
import hashlib
from datetime import UTC, datetime
from typing import Any

import pytest

from shared.did import DidResolver, did_key_from_public, verification_method_id
from shared.encoding import multibase_encode
from shared.jsonld import canonize
from shared.keys import PrivateKey
from shared.proofs.data_integrity import (
    ED25519_2020,
    JCS,
    RDFC,
    add_proof,
    hash_data,
    proofs_of,
    verify_proof,
)
from tests.conftest import data_path, load_json

VECTORS = {
    RDFC: ("eddsa-rdfc-2022", "DataInt"),
    JCS: ("eddsa-jcs-2022", "JCS"),
    ED25519_2020: ("Ed25519Signature2020", "EdSig"),
}


def _text(folder: str, name: str) -> str:
    return data_path("vc-di-eddsa", folder, name).read_text()


def _key() -> PrivateKey:
    return PrivateKey.from_secret_multibase(
        load_json("vc-di-eddsa", "keyPair.json")["privateKeyMultibase"]
    )


@pytest.mark.parametrize("suite", [RDFC, ED25519_2020])
def test_w3c_vc_di_eddsa_canonical_forms(suite: str) -> None:
    """vc-di-eddsa TestVectors: canonical document and proof configuration, byte for byte."""
    folder, tag = VECTORS[suite]
    unsigned = load_json("vc-di-eddsa", folder, f"signed{tag}.json")
    unsigned.pop("proof")
    config = load_json("vc-di-eddsa", folder, f"proofConfig{tag}.json")
    config.setdefault("@context", unsigned["@context"])
    assert canonize(unsigned) == _text(folder, f"canonDoc{tag}.txt")
    assert canonize(config) == _text(folder, f"proofCanon{tag}.txt")


@pytest.mark.parametrize("suite", [RDFC, JCS, ED25519_2020])
def test_w3c_vc_di_eddsa_hashes_and_signature(suite: str) -> None:
    """vc-di-eddsa TestVectors: docHash, proofHash, combined hash and signature reproduced."""
    folder, tag = VECTORS[suite]
    signed = load_json("vc-di-eddsa", folder, f"signed{tag}.json")
    proof = signed.pop("proof")
    config = load_json("vc-di-eddsa", folder, f"proofConfig{tag}.json")
    if suite != JCS:
        config.setdefault("@context", signed["@context"])
    combined = hash_data(signed, config, suite)
    assert combined[32:].hex() == _text(folder, f"docHash{tag}.txt").strip()
    assert combined[:32].hex() == _text(folder, f"proofHash{tag}.txt").strip()
    assert combined.hex() == _text(folder, f"combinedHash{tag}.txt").strip()
    signature = _key().sign(combined)
    assert signature.hex() == _text(folder, f"sigHex{tag}.txt").strip()
    assert multibase_encode(signature) == _text(folder, f"sigBTC58{tag}.txt").strip()
    assert proof["proofValue"] == multibase_encode(signature)


@pytest.mark.parametrize("suite", [RDFC, JCS])
def test_add_proof_reproduces_w3c_signed_vector(suite: str) -> None:
    folder, tag = VECTORS[suite]
    expected = load_json("vc-di-eddsa", folder, f"signed{tag}.json")
    unsigned = {k: v for k, v in expected.items() if k != "proof"}
    config = load_json("vc-di-eddsa", folder, f"proofConfig{tag}.json")
    signed = add_proof(
        unsigned,
        _key().sign,
        config["verificationMethod"],
        cryptosuite=suite,
        created=datetime(2023, 2, 24, 23, 36, 38, tzinfo=UTC),
    )
    assert signed["proof"]["proofValue"] == expected["proof"]["proofValue"]


@pytest.mark.parametrize(
    "name",
    [
        "eddsa-rdfc-2022/signedDataInt.json",
        "eddsa-jcs-2022/signedJCS.json",
        "Ed25519Signature2020/signedEdSig.json",
        "proof-set-chain/signedProofSet1.json",
        "proof-set-chain/signedProofSet2.json",
        "proof-set-chain/signedProofChain1.json",
        "proof-set-chain/signedProofChain2.json",
    ],
)
def test_w3c_signed_vectors_verify(name: str) -> None:
    doc = load_json("vc-di-eddsa", *name.split("/"))
    results = [verify_proof(doc, p, DidResolver()) for p in proofs_of(doc)]
    assert results
    assert all(r.verified for r in results), results


def test_proof_chain_with_missing_previous_proof_fails() -> None:
    doc = load_json("vc-di-eddsa", "proof-set-chain", "signedProofChain2.json")
    chained = [p for p in doc["proof"] if "previousProof" in p]
    doc["proof"] = chained  # the two proofs the third one chains to are gone
    result = verify_proof(doc, chained[0], DidResolver())
    assert not result.verified
    assert "previousProof" in result.reason


def test_peers_canonical_form_reproduced_exactly() -> None:
    """vectors/peers/ob3-credential.rdfc-1.0.nq: Digital Bazaar's RDFC-1.0 form of the OB 3.0 credential."""
    unsigned = load_json("peers", "ob3-credential.unsigned.json")
    assert canonize(unsigned) == data_path("peers", "ob3-credential.rdfc-1.0.nq").read_text()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("ob3-di-eddsa-rdfc-2022.json", True),
        ("ob3-di-eddsa-jcs-2022.json", True),
        ("status-list-1.json", True),
        ("ob3-di-status-active.json", True),
        ("neg-di-status-revoked.json", True),  # the signature is valid; status makes it fail
        ("neg-di-tampered-claim.json", False),
    ],
)
def test_peers_digital_bazaar_proofs(name: str, expected: bool) -> None:
    doc = load_json("peers", name)
    issuer = doc["issuer"]["id"] if isinstance(doc["issuer"], dict) else doc["issuer"]
    results = [verify_proof(doc, p, DidResolver(), controller=issuer) for p in proofs_of(doc)]
    assert all(r.verified for r in results) is expected


def _signed(suite: str = RDFC, **kw: Any) -> tuple[dict[str, Any], PrivateKey, str]:
    key = PrivateKey.generate()
    did = did_key_from_public(key.public_key)
    unsigned = load_json("peers", "ob3-credential.unsigned.json")
    unsigned["issuer"] = {**unsigned["issuer"], "id": did}
    return (
        add_proof(unsigned, key.sign, verification_method_id(did), cryptosuite=suite, **kw),
        key,
        did,
    )


@pytest.mark.parametrize("suite", [RDFC, JCS])
def test_sign_then_verify_and_tamper(suite: str) -> None:
    doc, _, did = _signed(suite)
    assert verify_proof(doc, doc["proof"], DidResolver(), controller=did).verified
    tampered = copy.deepcopy(doc)
    tampered["credentialSubject"]["achievement"]["name"] = "Something else"
    assert not verify_proof(tampered, tampered["proof"], DidResolver(), controller=did).verified


def test_proof_set_needs_every_proof() -> None:
    doc, _, _did = _signed()
    other = PrivateKey.generate()
    other_did = did_key_from_public(other.public_key)
    both = add_proof(doc, other.sign, verification_method_id(other_did), cryptosuite=JCS)
    assert len(both["proof"]) == 2
    assert all(verify_proof(both, p, DidResolver()).verified for p in proofs_of(both))
    both["proof"][1]["proofValue"] = both["proof"][0]["proofValue"]
    assert not verify_proof(both, both["proof"][1], DidResolver()).verified


def test_wrong_purpose_fails() -> None:
    doc, _, did = _signed(proof_purpose="authentication")
    result = verify_proof(doc, doc["proof"], DidResolver(), controller=did)
    assert not result.verified
    assert "purpose" in result.reason


def test_verification_method_of_another_did_fails() -> None:
    doc, _, _ = _signed()
    attacker = PrivateKey.generate()
    attacker_did = did_key_from_public(attacker.public_key)
    forged = add_proof(
        {k: v for k, v in doc.items() if k != "proof"},
        attacker.sign,
        verification_method_id(attacker_did),
    )
    result = verify_proof(forged, forged["proof"], DidResolver(), controller=doc["issuer"]["id"])
    assert not result.verified
    assert "belongs to" in result.reason


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("proofValue", "z1"),
        ("proofValue", "not-multibase"),
        ("proofValue", "u" + "A" * 86),
        ("proofValue", 42),
        ("cryptosuite", "ecdsa-rdfc-2019"),
        ("type", "RsaSignature2018"),
        ("verificationMethod", None),
        ("verificationMethod", "did:key:zBad#zBad"),
        ("created", "yesterday"),
    ],
)
def test_hostile_proofs_fail_cleanly(field: str, value: Any) -> None:
    doc, _, did = _signed()
    doc["proof"][field] = value
    result = verify_proof(doc, doc["proof"], DidResolver(), controller=did)
    assert not result.verified
    assert result.reason


def test_unknown_remote_context_fails_cleanly() -> None:
    doc, _, did = _signed()
    doc["@context"] = [*doc["@context"], "https://evil.example/context.jsonld"]
    result = verify_proof(doc, doc["proof"], DidResolver(), controller=did)
    assert not result.verified
    assert "evil.example" in result.reason


def test_ob303_other_context_copy_verifies_unless_data_is_lost() -> None:
    """The peers vectors were signed with the npm (spec-repo) copy of the OB 3.0.3 context and
    verify (test_peers_digital_bazaar_proofs). A credential using `jti`, which only the pinned
    copy defines, signed under the other copy: that copy drops `jti`, so its value is not
    signed; Musette refuses it and says why (a verifier in safe mode, as Data Integrity asks)."""
    from shared.jsonld import Ob303Variant

    key = PrivateKey.generate()
    did = did_key_from_public(key.public_key)
    unsigned = load_json("peers", "ob3-credential.unsigned.json")
    unsigned["issuer"] = {**unsigned["issuer"], "id": did}
    pinned, other = Ob303Variant.PINNED, Ob303Variant.PINNED.alternate()
    assert canonize(unsigned, ob303_variant=pinned) == canonize(unsigned, ob303_variant=other)
    unsigned["credentialSubject"]["jti"] = "urn:uuid:1234"  # term differs between the copies
    assert canonize(unsigned, ob303_variant=pinned) != canonize(unsigned, ob303_variant=other)
    doc = add_proof(unsigned, key.sign, verification_method_id(did))
    assert verify_proof(doc, doc["proof"], DidResolver(), controller=did).verified
    proof = doc["proof"]
    config = {k: v for k, v in proof.items() if k != "proofValue"} | {
        "@context": unsigned["@context"]
    }
    lossy = hash_data(unsigned, config, RDFC, ob303_variant=other, safe_mode=False)
    proof["proofValue"] = multibase_encode(key.sign(lossy))
    result = verify_proof(doc, proof, DidResolver(), controller=did)
    assert not result.verified
    assert "not covered by the signature" in result.reason
    proof["proofValue"] = multibase_encode(key.sign(hashlib.sha256(b"x").digest() * 2))
    result = verify_proof(doc, proof, DidResolver(), controller=did)
    assert not result.verified
    assert "does not match" in result.reason


def test_signing_refuses_data_loss() -> None:
    """An issuer never signs a credential whose data a JSON-LD processor would drop."""
    from shared.errors import MalformedCredentialError

    key = PrivateKey.generate()
    did = did_key_from_public(key.public_key)
    unsigned = load_json("peers", "ob3-credential.unsigned.json")
    unsigned["issuer"] = {**unsigned["issuer"], "id": did}
    unsigned["credentialSchema"] = [
        {"id": "https://example.org/schema.json", "type": "UndefinedSchemaType"}
    ]
    with pytest.raises(MalformedCredentialError):
        add_proof(unsigned, key.sign, verification_method_id(did))


@pytest.mark.parametrize(
    "extra",
    ["https://evil.example/ctx.jsonld", {"name": "https://evil.example/name"}],
)
def test_jcs_context_appended_after_signing_is_refused(extra: Any) -> None:
    """eddsa-jcs-2022 hashes the proof's @context, so a context appended to the document after
    signing is not covered; an unknown one could change the meaning: refused."""
    doc, _, did = _signed(JCS)
    doc["@context"] = [*doc["@context"], extra]
    result = verify_proof(doc, doc["proof"], DidResolver(), controller=did)
    assert not result.verified
    assert "after signing" in result.reason
