"""Response models every service answers with: DID documents, OAuth errors, ``{}``.

Response models allow extra members (``extra="allow"``): they document what every answer
carries without dropping what a later version adds.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "DidDocumentOut",
    "EmptyOut",
    "OAuthErrorOut",
    "Out",
    "VerificationMethodOut",
    "media_response",
]


class Out(BaseModel):
    """A response body: named members documented, others kept."""

    model_config = ConfigDict(extra="allow")


class EmptyOut(BaseModel):
    """``{}``."""

    model_config = ConfigDict(extra="forbid")


class OAuthErrorOut(Out):
    """An OAuth 2.0 error answer (RFC 6749 §5.2), as OpenID4VCI and OpenID4VP use it."""

    error: str
    error_description: str | None = None


class VerificationMethodOut(Out):
    id: str
    type: str
    controller: str
    publicKeyMultibase: str


class DidDocumentOut(Out):
    """A DID document (DID Core §5): its keys in ``verificationMethod``."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, serialize_by_alias=True)

    context: list[str] | str = Field(alias="@context")
    id: str
    verificationMethod: list[VerificationMethodOut] = Field(default_factory=list)
    assertionMethod: list[str] = Field(default_factory=list)
    authentication: list[str] = Field(default_factory=list)


def media_response(description: str, *media_types: str) -> dict[int | str, dict[str, Any]]:
    """``responses=`` of a route that answers a file, an image or a token (no JSON schema)."""
    content = {kind: {"schema": {"type": "string"}} for kind in media_types}
    return {200: {"description": description, "content": content}}
