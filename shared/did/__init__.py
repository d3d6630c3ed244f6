"""DIDs: did:key, did:jwk, did:web; documents, verification methods, purposes."""

from shared.did.document import DidDocument, VerificationMethod
from shared.did.methods import (
    did_jwk_from_public,
    did_key_from_public,
    did_web_from_url,
    did_web_url,
    verification_method_id,
)
from shared.did.resolver import DidResolver

__all__ = [
    "DidDocument",
    "DidResolver",
    "VerificationMethod",
    "did_jwk_from_public",
    "did_key_from_public",
    "did_web_from_url",
    "did_web_url",
    "verification_method_id",
]
