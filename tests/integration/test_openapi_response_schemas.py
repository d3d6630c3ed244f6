"""Every JSON route of the three services documents its 2xx answer with a schema.

The walk reads each app's OpenAPI document (``app.openapi()``): a route whose success answer
is JSON must carry a schema with named members (a model), not ``{}`` nor a free-form object.
HTML pages, redirects, images, files and tokens are not JSON and are left out by their media
type; the few JSON answers that are free-form on purpose are listed below with the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel

#: (service, method, path): why its 2xx JSON answer has no fixed shape
FREE_FORM: dict[tuple[str, str, str], str] = {
    ("issuer", "GET", "/admin/orgs/{slug}/credentials/{credential_id}/download"): (
        "a file: the signed credential itself (application/vc+ld+json), whatever it says"
    ),
    ("wallet", "GET", "/p/{token}/{index}/raw"): (
        "a file (a token or the credential as published), documented as JSON by default: the "
        "route lives in wallet/api/profile_pages.py, which the page split is moving; its media "
        "types go with that move (media_response, as /s/{token}/raw)"
    ),
}


def _issuer(folder: Path) -> FastAPI:
    from issuer.main import create_app
    from tests.integration.issuer.conftest import make_settings

    return create_app(make_settings(folder))


def _wallet(folder: Path) -> FastAPI:
    from tests.unit.wallet.testkit import wallet_settings
    from wallet.main import create_app

    return create_app(wallet_settings(folder))


def _verifier(folder: Path) -> FastAPI:
    from tests.integration.verifier.conftest import make_settings
    from verifier.main import create_app

    return create_app(make_settings(folder))


APPS: dict[str, Callable[[Path], FastAPI]] = {
    "issuer": _issuer,
    "wallet": _wallet,
    "verifier": _verifier,
}


def _is_json(media_type: str) -> bool:
    return media_type == "application/json" or media_type.endswith("+json")


def _resolve(schema: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
        found: dict[str, Any] = document["components"]["schemas"][ref.rsplit("/", 1)[1]]
        return found
    return schema


def is_described(schema: dict[str, Any], document: dict[str, Any]) -> bool:
    """A schema that says something: a model (named members), or a union, array or scalar of
    such; ``{}`` and a bare ``{"type": "object"}`` (``dict[str, Any]``) say nothing."""
    schema = _resolve(schema, document)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            return all(is_described(part, document) for part in schema[key])
    kind = schema.get("type")
    if kind == "array":
        return "items" in schema and is_described(schema["items"], document)
    if kind == "object" or (kind is None and "properties" in schema):
        # members named, or none allowed (``{}``, as OpenID4VP's response endpoint answers)
        return bool(schema.get("properties")) or schema.get("additionalProperties") is False
    return kind is not None or "const" in schema or "enum" in schema


def undescribed_routes(name: str, app: FastAPI) -> list[tuple[str, str, str]]:
    """The routes whose 2xx JSON answer has no schema that says something."""
    document = app.openapi()
    missing: list[tuple[str, str, str]] = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status, response in operation.get("responses", {}).items():
                if not str(status).startswith("2"):
                    continue
                for media_type, body in response.get("content", {}).items():
                    if _is_json(media_type) and not is_described(body.get("schema", {}), document):
                        missing.append((name, method.upper(), path))
    return missing


@pytest.mark.parametrize("name", sorted(APPS))
def test_every_json_route_has_a_response_schema(name: str, tmp_path: Path) -> None:
    app = APPS[name](tmp_path)
    missing = undescribed_routes(name, app)
    assert [route for route in missing if route not in FREE_FORM] == []
    # an exception that no longer applies goes from the list
    mine = {route for route in FREE_FORM if route[0] == name}
    assert mine <= set(missing), mine - set(missing)


class Thing(BaseModel):
    name: str


def test_the_walk_finds_an_undescribed_route() -> None:
    """The check bites: ``dict[str, Any]`` and an unannotated Response are caught, a model,
    an HTML page and an image are not."""
    app = FastAPI()

    @app.get("/free")
    def free() -> dict[str, Any]:
        return {}

    @app.get("/raw")
    def raw() -> Response:
        return Response(b"{}", media_type="application/json")

    @app.get("/typed")
    def typed() -> Thing:
        return Thing(name="x")

    @app.get("/page", response_class=HTMLResponse)
    def page() -> str:
        return "<p>hi</p>"

    @app.get(
        "/image",
        response_class=Response,
        responses={200: {"content": {"image/png": {"schema": {"type": "string"}}}}},
    )
    def image() -> Response:
        return Response(b"", media_type="image/png")

    assert sorted(undescribed_routes("t", app)) == [("t", "GET", "/free"), ("t", "GET", "/raw")]
