"""The OpenID4VCI answers match the schemas their routes document.

These routes return a ``JSONResponse`` or a ``Response`` built as before (no response-model
pass on the hot paths): the models only describe them, so this test checks each real answer
of a whole exchange against the OpenAPI document, and that no answer carries a ``null``.
"""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import urlsplit

import jsonschema
import pytest
from fastapi import FastAPI

from issuer.schemas import TokenOut
from tests.integration.issuer.conftest import Env, Wallet


def documented(env: Env, method: str, template: str, status: str = "200") -> dict[str, Any]:
    """The schema the OpenAPI document gives ``method template``'s answer, resolvable."""
    document = cast(FastAPI, env.client.app).openapi()
    content = document["paths"][template][method]["responses"][status]["content"]
    (body,) = content.values()
    return {"components": document["components"], **body["schema"]}


def check(env: Env, method: str, template: str, answer: Any, status: str = "200") -> None:
    jsonschema.validate(answer, documented(env, method, template, status))
    if isinstance(answer, dict):
        assert [k for k, v in answer.items() if v is None] == [], answer


def test_a_whole_exchange_answers_as_documented(env: Env, wallet: Wallet) -> None:
    slug_base = "/orgs/demo-association"
    well_known = "/.well-known/openid-credential-issuer"
    for template, path in [
        (well_known + "/orgs/{slug}", well_known + slug_base),
        ("/orgs/{slug}" + well_known, slug_base + well_known),
        (
            "/orgs/{slug}/.well-known/oauth-authorization-server",
            slug_base + "/.well-known/oauth-authorization-server",
        ),
        ("/orgs/{slug}/did.json", slug_base + "/did.json"),
        ("/orgs/{slug}/achievements/{achievement}", slug_base + "/achievements/volunteer"),
    ]:
        response = env.client.get(path)
        assert response.status_code == 200, (path, response.text)
        check(env, "get", template, response.json())

    created = env.offer()
    offer = wallet.resolve(created["offer_uri"])
    check(env, "get", "/orgs/{slug}/offers/{offer_id}", offer)
    token = wallet.token(offer, created.get("tx_code"))
    check(env, "post", "/orgs/{slug}/token", token.json())
    nonce = env.client.post(slug_base + "/nonce").json()
    check(env, "post", "/orgs/{slug}/nonce", nonce)
    issued = wallet.credential(token.json()["access_token"], "volunteer_ldp_vc")
    assert issued.status_code == 200, issued.text
    check(env, "post", "/orgs/{slug}/credential", issued.json())

    credential = issued.json()["credentials"][0]["credential"]
    status = credential["credentialStatus"]
    entries = status if isinstance(status, list) else [status]
    for entry in entries:
        response = env.client.get(urlsplit(entry["statusListCredential"]).path)
        assert response.status_code == 200, response.text
        check(env, "get", "/orgs/{slug}/status/{purpose}/{seq}", response.json())


def test_a_refused_token_request_answers_as_documented(env: Env) -> None:
    response = env.client.post(
        "/orgs/demo-association/token",
        data={"grant_type": "urn:ietf:params:oauth:grant-type:pre-authorized_code"},
    )
    assert response.status_code == 400, response.text
    check(env, "post", "/orgs/{slug}/token", response.json(), status="400")


def test_the_check_bites() -> None:
    """A document off its schema is refused (the models are not empty shells)."""
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"access_token": "t"}, TokenOut.model_json_schema())
