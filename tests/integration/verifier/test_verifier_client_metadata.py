"""The verifier says who it is, in words: ``client_metadata`` carries its name and logo
(OpenID4VP 1.0 §5.1, RFC 7591 §2 ``client_name`` and ``logo_uri``), signed or not."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.integration.verifier.test_verifier_oid4vp import _new, _request_object


@pytest.mark.parametrize("prefix", ["redirect_uri", "decentralized_identifier"])
def test_request_object_names_the_verifier_and_its_logo(
    client: TestClient, api_key: str, prefix: str
) -> None:
    obj = _request_object(client, _new(client, api_key, "any-badge", prefix))
    meta = obj["client_metadata"]
    assert meta["client_name"] == "Recrutement Démo"
    assert meta["client_name"] != "Musette"  # never the product's (the wallet's) name
    assert meta["logo_uri"] == "https://verifier.example/static/logo.svg"
    logo = client.get("/static/logo.svg")
    assert logo.status_code == 200
    assert logo.headers["content-type"].startswith("image/svg+xml")
    assert logo.content.startswith(b"<svg")


def test_name_and_logo_are_settings(tmp_path, served) -> None:  # type: ignore[no-untyped-def]
    from tests.integration.verifier.conftest import NOW, make_fetcher, make_settings
    from verifier.demo import DEMO_KEY_FILE, seed_demo
    from verifier.main import create_app

    settings = make_settings(
        tmp_path, client_name="Cabinet Dupont", logo_uri="https://cdn.example/dupont.png"
    )
    with TestClient(create_app(settings, fetcher=make_fetcher(served), clock=lambda: NOW)) as c:
        seed_demo(settings)
        key = (tmp_path / DEMO_KEY_FILE).read_text().strip()
        obj = _request_object(c, _new(c, key, "any-badge"))
    assert obj["client_metadata"]["client_name"] == "Cabinet Dupont"
    assert obj["client_metadata"]["logo_uri"] == "https://cdn.example/dupont.png"
