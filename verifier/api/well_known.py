"""The verifier's did:web document (the key that signs decentralized_identifier requests)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from verifier.deps import ResourcesDep
from verifier.schemas import DidDocumentOut
from verifier.service.keys import did_document

router = APIRouter(tags=["well-known"])
#: public to browser-based wallets (servicekit.cors.PublicCors)
PUBLIC_PATHS = (r"/\.well-known/did\.json",)


@router.get("/.well-known/did.json", response_model=DidDocumentOut)
def did_json(res: ResourcesDep) -> dict[str, Any]:
    return did_document(res.settings, res.key_store)
