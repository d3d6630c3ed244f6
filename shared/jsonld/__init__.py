"""Offline JSON-LD: bundled, sha256-pinned contexts and RDFC-1.0 canonicalization."""

from shared.jsonld.canon import (
    canonize,
    canonize_plain,
    canonize_proof_configuration,
    ob303_variants_to_try,
    uses_ob303_context,
)
from shared.jsonld.loader import (
    ALLOWED_CONTEXT_URLS,
    OB303_CONTEXT_URL,
    Ob303Variant,
    load_context,
    make_document_loader,
    verify_bundled_contexts,
)

__all__ = [
    "ALLOWED_CONTEXT_URLS",
    "OB303_CONTEXT_URL",
    "Ob303Variant",
    "canonize",
    "canonize_plain",
    "canonize_proof_configuration",
    "load_context",
    "make_document_loader",
    "ob303_variants_to_try",
    "uses_ob303_context",
    "verify_bundled_contexts",
]
