"""Sign a credential as a key's did:key in the formats the command line offers."""

from __future__ import annotations

from typing import Any

from shared.did import did_key_from_public, verification_method_id
from shared.errors import InvalidInputError, UnsupportedAlgorithmError
from shared.keys import PrivateKey
from shared.proofs.data_integrity import JCS, RDFC, add_proof

FORMATS = ["ldp_vc", "ldp_vc-jcs", "jwt_vc_json", "vc+jwt", "dc+sd-jwt"]


def set_issuer(document: dict[str, Any], did: str) -> dict[str, Any]:
    """Set ``issuer`` (or ``issuer.id`` when it is an object) to ``did``."""
    doc = dict(document)
    if isinstance(doc.get("issuer"), dict):
        doc["issuer"] = {**doc["issuer"], "id": did}
    else:
        doc["issuer"] = did
    return doc


def sign_document(
    document: Any, key: PrivateKey, fmt: str, *, disclose: list[str] | None = None
) -> dict[str, Any] | str:
    """Sign ``document`` with ``key`` in ``fmt``; returns JSON or a compact token."""
    if not isinstance(document, dict):
        raise InvalidInputError("the input must be a JSON object (an unsigned credential)")
    did = did_key_from_public(key.public_key)
    vm = verification_method_id(did)
    doc = set_issuer(document, did)
    if fmt in {"ldp_vc", "ldp_vc-jcs"}:
        if key.key_type != "Ed25519":
            raise UnsupportedAlgorithmError("Data Integrity signing here uses Ed25519 keys (eddsa)")
        return add_proof(doc, key.sign, vm, cryptosuite=RDFC if fmt == "ldp_vc" else JCS)
    raise UnsupportedAlgorithmError(f"format {fmt!r} is not available yet")
