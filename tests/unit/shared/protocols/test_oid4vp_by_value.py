"""A request passed by value (OpenID4VP 1.0 §5; RFC 6749 §4.1.1): every parameter in the link,
JSON values JSON-encoded, the request object's JWT claims left out."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

from shared.protocols.oid4vp import (
    authorization_request_by_value,
    build_request_object,
)

DCQL = {"credentials": [{"id": "q", "format": "jwt_vc_json", "meta": {"type_values": [["T"]]}}]}


def _claims() -> dict[str, object]:
    return build_request_object(
        client_id="redirect_uri:https://v.example/response/k",
        response_uri="https://v.example/response/k",
        nonce="n-1",
        state="s&=?#",  # characters that must be escaped in a query
        dcql_query=DCQL,
        response_mode="direct_post.jwt",
        client_metadata={"client_name": "Recruteur Démo", "jwks": {"keys": [{"kty": "EC"}]}},
        issued_at=1,
        expires_at=2,
    )


def test_parameters_round_trip_through_the_link() -> None:
    link = authorization_request_by_value(_claims())
    assert link.startswith("openid4vp://?")
    params = {k: v[0] for k, v in parse_qs(urlsplit(link).query, strict_parsing=True).items()}
    assert "request_uri" not in params
    assert params["client_id"] == "redirect_uri:https://v.example/response/k"
    assert params["state"] == "s&=?#"
    assert params["response_mode"] == "direct_post.jwt"
    assert json.loads(params["dcql_query"]) == DCQL
    metadata = json.loads(params["client_metadata"])
    assert metadata["client_name"] == "Recruteur Démo"
    assert metadata["jwks"] == {"keys": [{"kty": "EC"}]}
    assert "vp_formats_supported" in metadata


def test_jwt_claims_are_not_request_parameters() -> None:
    params = parse_qs(urlsplit(authorization_request_by_value(_claims())).query)
    assert {"aud", "iat", "exp"}.isdisjoint(params)
