"""Data Integrity proofs: eddsa-rdfc-2022, eddsa-jcs-2022, legacy Ed25519Signature2020.

Implements: VC Data Integrity 1.0 §4.2 (Add Proof), §4.4 (Verify Proof), §2.1 (``created``
and ``expires``), §2.1.1 (proof sets and chains); vc-di-eddsa 1.0 §3.2 (eddsa-rdfc-2022),
§3.3 (eddsa-jcs-2022) and Ed25519Signature2020 (CCG report, 2020).
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import rfc8785

from shared.did.resolver import DidResolver
from shared.encoding.multibase import multibase_decode, multibase_encode
from shared.errors import (
    InvalidInputError,
    InvalidProofError,
    MalformedCredentialError,
    UnsupportedAlgorithmError,
    VcError,
)
from shared.jsonld import ALLOWED_CONTEXT_URLS, canonize, ob303_variants_to_try
from shared.keys.keypair import PublicKey

RDFC = "eddsa-rdfc-2022"
JCS = "eddsa-jcs-2022"
ED25519_2020 = "Ed25519Signature2020"
CRYPTOSUITES = (RDFC, JCS)
# SPEC-DEVIATION(vc-di-eddsa#eddsa-rdfc-2022): "eddsa-2022" is the suite's name in drafts
# before 2023 (same algorithm); 1EdTech's validator samples still use it. Verify only.
LEGACY_SUITES = {"eddsa-2022": RDFC}
ED25519_2020_CONTEXT = "https://w3id.org/security/suites/ed25519-2020/v1"
VC_V1 = "https://www.w3.org/2018/credentials/v1"
DATA_INTEGRITY_V2 = "https://w3id.org/security/data-integrity/v2"
#: contexts that define DataIntegrityProof, cryptosuite, proofValue and created
_DEFINES_DATA_INTEGRITY = frozenset(
    {DATA_INTEGRITY_V2, "https://w3id.org/security/data-integrity/v1"}
)

#: Our policy (docs/threat-model.md, "Engine checks"): a proof ``created`` later than now plus
#: this allowance, or ``expires`` earlier than now minus it, fails. Same allowance as the
#: credential's validity window and JWT ``nbf``/``exp`` (``VerifyContext.clock_skew``).
DEFAULT_CLOCK_SKEW = timedelta(minutes=5)

Signer = Callable[[bytes], bytes]


@dataclass(frozen=True)
class ProofResult:
    """Outcome of verifying one proof."""

    verified: bool
    reason: str
    verification_method: str | None = None
    cryptosuite: str | None = None
    unsupported: bool = False


def _suite_of(proof: dict[str, Any]) -> str:
    if proof.get("type") == "DataIntegrityProof":
        suite = proof.get("cryptosuite")
        if suite in CRYPTOSUITES:
            return str(suite)
        if isinstance(suite, str) and suite in LEGACY_SUITES:
            return LEGACY_SUITES[suite]
        raise UnsupportedAlgorithmError(
            f"cryptosuite {suite!r} is not supported ({', '.join(CRYPTOSUITES)})"
        )
    if proof.get("type") == ED25519_2020:
        return ED25519_2020
    raise UnsupportedAlgorithmError(f"proof type {proof.get('type')!r} is not supported")


def hash_data(
    document: dict[str, Any], proof_config: dict[str, Any], suite: str, **canon: Any
) -> bytes:
    """Transformation + hashing: sha256(canonical proof config) || sha256(canonical document)."""
    if suite == JCS:
        try:
            doc_bytes = rfc8785.dumps(document)
            config_bytes = rfc8785.dumps(proof_config)
        except rfc8785.CanonicalizationError as err:
            raise MalformedCredentialError(
                f"RFC 8785 cannot canonicalize this document: {err}"
            ) from err
    else:
        canon.setdefault("safe_mode", True)  # Data Integrity §2.5 "Securing Data Losslessly"
        doc_bytes = canonize(document, **canon).encode()
        config_bytes = canonize(proof_config, **canon).encode()
    return hashlib.sha256(config_bytes).digest() + hashlib.sha256(doc_bytes).digest()


def _proof_config(unsecured: dict[str, Any], options: dict[str, Any], suite: str) -> dict[str, Any]:
    config = {k: v for k, v in options.items() if k != "proofValue"}
    if suite != JCS:
        # vc-di-eddsa §3.2.5 (rdfc): "Set proofConfig.@context to unsecuredDocument.@context"
        config["@context"] = unsecured["@context"]
    # eddsa-jcs-2022 (§3.3.2) hashes the proof options as they are; add_proof puts the
    # document's @context in them (§3.3.1 step 2), so our proofs carry it explicitly.
    return config


def add_proof(
    document: dict[str, Any],
    signer: Signer,
    verification_method: str,
    *,
    cryptosuite: str = RDFC,
    proof_purpose: str = "assertionMethod",
    created: datetime | None = None,
    challenge: str | None = None,
    domain: str | None = None,
    expires: datetime | None = None,
    proof_id: str | None = None,
    previous_proof: str | list[str] | None = None,
) -> dict[str, Any]:
    """Return a copy of ``document`` with a Data Integrity proof added (Data Integrity §4.2).

    An existing proof is kept: the new one joins it as a proof set, or, with
    ``previous_proof`` (the ``id`` of proofs already there), extends a proof chain ("Add
    Proof Set/Chain": the new signature covers those proofs too). ``expires`` sets the
    proof's own expiry (§2.1). A VC 1.1 document gets the Data Integrity context (§2.4.2).
    """
    if cryptosuite not in CRYPTOSUITES:
        raise UnsupportedAlgorithmError(f"cryptosuite {cryptosuite!r} cannot sign here")
    if not isinstance(document.get("@context"), list | str) and cryptosuite == RDFC:
        raise MalformedCredentialError("a document signed with eddsa-rdfc-2022 needs @context")
    document = with_data_integrity_context(document)
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    options: dict[str, Any] = {
        "type": "DataIntegrityProof",
        "cryptosuite": cryptosuite,
        "created": (created or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "verificationMethod": verification_method,
        "proofPurpose": proof_purpose,
    }
    if expires is not None:
        options["expires"] = expires.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if challenge is not None:
        options["challenge"] = challenge
    if domain is not None:
        options["domain"] = domain
    if proof_id is not None:
        options = {"id": proof_id, **options}
    if previous_proof is not None:
        options["previousProof"] = previous_proof
    if cryptosuite == JCS and "@context" in unsecured:
        # vc-di-eddsa §3.3.1 step 2: "set proof.@context to unsecuredDocument.@context"
        options["@context"] = unsecured["@context"]
    config = _proof_config(unsecured, options, cryptosuite)
    # "Add Proof Set/Chain": the proofs named by previousProof are part of what is signed
    to_sign = _unsecured(document, options) if previous_proof is not None else unsecured
    signature = signer(hash_data(to_sign, config, cryptosuite))
    proof = {**options, "proofValue": multibase_encode(signature, "z")}
    existing = document.get("proof")
    secured = copy.deepcopy(unsecured)
    if existing is None:
        secured["proof"] = proof
    else:
        secured["proof"] = [*(existing if isinstance(existing, list) else [existing]), proof]
    return secured


def with_data_integrity_context(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` with the Data Integrity context added when it is VC 1.1 only.

    Spec: VC Data Integrity 1.0 §2.4.2 "Context Injection": "if ... the Data Integrity
    terms used in the document are not mapped by existing values in the @context property,
    implementations SHOULD inject or append an @context property with a value of
    https://w3id.org/security/data-integrity/v2". The VC 1.1 context does not map them.
    """
    contexts = _as_context_list(document.get("@context"))
    if not contexts or contexts[0] != VC_V1:
        return document
    if any(c in _DEFINES_DATA_INTEGRITY for c in contexts if isinstance(c, str)):
        return document
    return {**document, "@context": [*contexts, DATA_INTEGRITY_V2]}


def proofs_of(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The proofs of a secured document (a single proof or a proof set)."""
    proof = document.get("proof")
    if proof is None:
        return []
    proofs = proof if isinstance(proof, list) else [proof]
    if not all(isinstance(p, dict) for p in proofs):
        raise MalformedCredentialError("every proof must be a JSON object")
    return proofs


def verify_proof(
    document: dict[str, Any],
    proof: dict[str, Any],
    resolver: DidResolver,
    *,
    expected_purpose: str = "assertionMethod",
    controller: str | None = None,
    key: PublicKey | None = None,
    now: datetime | None = None,
    clock_skew: timedelta = DEFAULT_CLOCK_SKEW,
) -> ProofResult:
    """Verify one proof of ``document`` (Data Integrity §4.4). Never raises on bad input.

    ``controller``, when given, is the DID the verification method must belong to.
    ``key`` bypasses DID resolution (for test vectors with a known key). ``now`` (default:
    the system clock) is the moment ``created`` and ``expires`` are judged at, with
    ``clock_skew`` allowed either way.
    """
    vm = proof.get("verificationMethod")
    try:
        suite = _suite_of(proof)
    except UnsupportedAlgorithmError as err:
        return ProofResult(False, err.detail, vm if isinstance(vm, str) else None, unsupported=True)
    try:
        if proof.get("proofPurpose") != expected_purpose:
            return ProofResult(
                False,
                f"proof purpose is {proof.get('proofPurpose')!r}, expected {expected_purpose!r}",
                vm if isinstance(vm, str) else None,
                suite,
            )
        if not isinstance(vm, str):
            raise MalformedCredentialError("proof.verificationMethod must be a DID URL string")
        if vm.startswith("did:key:") and "#" not in vm:
            # a bare did:key names its one key (did:key §3.1.2 derives the fragment from it)
            vm = f"{vm}#{vm.removeprefix('did:key:')}"
        if key is None:
            key = resolver.verification_method(
                vm, expected_purpose, controller=controller
            ).public_key
        if key.key_type != "Ed25519":
            raise UnsupportedAlgorithmError(f"{suite} needs an Ed25519 key, not {key.key_type}")
        signature = multibase_decode(_str(proof, "proofValue"))
        if not _str(proof, "proofValue").startswith("z"):
            raise MalformedCredentialError("proofValue must be base58btc multibase ('z')")
        if len(signature) != 64:
            return ProofResult(False, f"signature is {len(signature)} bytes, not 64", vm, suite)
        window_problem = check_proof_window(proof, now or datetime.now(UTC), clock_skew)
        if window_problem is not None:
            return ProofResult(False, window_problem, vm, suite)
        unsecured = _unsecured(document, proof)
        options = dict(proof.items())
        if (
            "@context" in options
            and suite != ED25519_2020
            and not _context_prefix(options["@context"], unsecured.get("@context"))
        ):
            return ProofResult(False, "proof @context does not match the document", vm, suite)
        if "@context" in options and suite == JCS:
            # vc-di-eddsa §3.3.2: "Set unsecuredDocument.@context equal to proofOptions.@context"
            signed_ctx = _as_context_list(options["@context"])
            added = _as_context_list(unsecured.get("@context"))[len(signed_ctx) :]
            if any(not isinstance(c, str) or c not in ALLOWED_CONTEXT_URLS for c in added):
                # Contexts appended after a JCS signature are not covered by it; a bundled one
                # is harmless (its meaning is fixed), anything else could change what the
                # credential says. Stricter than the spec's "starts with" rule.
                return ProofResult(
                    False, "a @context added after signing is not one Musette knows", vm, suite
                )
            unsecured["@context"] = options["@context"]
        config = _proof_config(unsecured, options, suite)
        failure = _verify_signature(unsecured, config, suite, key, signature)
        if failure is None:
            return ProofResult(True, f"{suite} signature verifies with {vm}", vm, suite)
        return ProofResult(False, failure, vm, suite)
    except VcError as err:
        return ProofResult(False, err.detail, vm if isinstance(vm, str) else None)


def _verify_signature(
    unsecured: dict[str, Any], config: dict[str, Any], suite: str, key: PublicKey, signature: bytes
) -> str | None:
    """None when the signature verifies, else the reason it does not."""
    if key.verify(hash_data(unsecured, config, suite), signature, "EdDSA"):
        return None
    variants = ob303_variants_to_try(unsecured) if suite != JCS else ()
    if len(variants) > 1:
        # The OB 3.0.3 context has two published copies. They give the same canonical form
        # unless `jti` or `endorsementJwt` is used, which only the pinned copy defines: a
        # signature made with the other copy does not cover those values. Say so, and refuse.
        loose = hash_data(unsecured, config, suite, ob303_variant=variants[1], safe_mode=False)
        if key.verify(loose, signature, "EdDSA"):
            return (
                "signed with the older copy of the OB 3.0.3 context, which does not define "
                "'jti' or 'endorsementJwt': their values are not covered by the signature"
            )
    return f"{suite} signature does not match the document"


def _unsecured(document: dict[str, Any], proof: dict[str, Any]) -> dict[str, Any]:
    """The document as it was signed: without proofs, or with the chained previous proofs."""
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    previous = proof.get("previousProof")
    if previous is not None:
        wanted = previous if isinstance(previous, list) else [previous]
        others = [p for p in proofs_of(document) if p.get("id") in wanted]
        if len(others) != len(wanted):
            raise InvalidProofError("previousProof names a proof the document does not have")
        # "Verify Proof Sets and Chains": "set inputDocument.proof to matchingProofs"
        # (a list, even of one: eddsa-jcs-2022 hashes that form)
        unsecured["proof"] = others
    return unsecured


def _as_context_list(ctx: Any) -> list[Any]:
    return ctx if isinstance(ctx, list) else [ctx]


def _context_prefix(proof_ctx: Any, doc_ctx: Any) -> bool:
    p = proof_ctx if isinstance(proof_ctx, list) else [proof_ctx]
    d = doc_ctx if isinstance(doc_ctx, list) else [doc_ctx]
    return d[: len(p)] == p


def check_proof_window(
    proof: dict[str, Any], now: datetime, clock_skew: timedelta = DEFAULT_CLOCK_SKEW
) -> str | None:
    """Why the proof is not current at ``now`` (None when it is): ``created`` and ``expires``.

    Spec: VC Data Integrity 1.0 §2.1 (https://www.w3.org/TR/vc-data-integrity/#proofs):
    ``created`` is when the proof was made, ``expires`` "specifies when the proof expires".
    A proof created in the future is our policy, not a spec MUST (docs/threat-model.md).

    Raises:
        MalformedCredentialError: either member is not a date-time string.
    """
    created = _proof_datetime(proof, "created")
    if created is not None and created > now + clock_skew:
        return (
            f"the proof was created in the future ({proof['created']}), beyond the allowed "
            f"clock skew of {_minutes(clock_skew)}"
        )
    expires = _proof_datetime(proof, "expires")
    if expires is not None and expires < now - clock_skew:
        return f"the proof expired on {proof['expires']}"
    return None


def _proof_datetime(proof: dict[str, Any], member: str) -> datetime | None:
    if member not in proof:
        return None
    value = proof[member]
    if not isinstance(value, str):
        raise MalformedCredentialError(f"proof.{member} must be a date-time string")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as err:
        raise MalformedCredentialError(f"proof.{member} {value!r} is not a date-time") from err
    # SPEC-DEVIATION(vc-data-integrity#proofs): a dateTimeStamp has a time zone; one without
    # is read as UTC rather than refused, as older signers wrote them.
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _minutes(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    return f"{seconds // 60} min" if seconds % 60 == 0 else f"{seconds} s"


def duplicate_proofs(proofs: list[dict[str, Any]]) -> list[str]:
    """The ``proofValue`` (or JSON form) of every proof present more than once in a proof set.

    Two copies of one proof are one signature: counting them as two proofs would overstate
    the assurance of a proof set (Data Integrity §2.1.1 sets are of distinct proofs).
    """
    seen: set[str] = set()
    repeated: list[str] = []
    for proof in proofs:
        value = proof.get("proofValue")
        key = value if isinstance(value, str) else json.dumps(proof, sort_keys=True, default=repr)
        if key in seen and key not in repeated:
            repeated.append(key)
        seen.add(key)
    return repeated


def _str(proof: dict[str, Any], member: str) -> str:
    value = proof.get(member)
    if not isinstance(value, str):
        raise InvalidInputError(f"proof.{member} is missing or not a string")
    return value
