"""The wallet says "API key", as the issuer and the verifier do (docs/decisions/api-key-wording.md):
in its answers, its API description, and the texts of the three services."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.unit.wallet.testkit import Holder

ROOT = Path(__file__).resolve().parents[3]
#: what a person must not read any more: the wallet's old name for an API key
OLD_WORDING = re.compile(r"API[ -]tokens?\b|jetons? d[\u2019']API", re.IGNORECASE)


def visible_texts() -> list[Path]:
    """The catalogues and templates of the three services, and the docs a deployer reads."""
    found = [
        *ROOT.glob("*/locales/*/LC_MESSAGES/messages.po"),
        *ROOT.glob("*/templates/**/*.html"),
        ROOT / "docs" / "services.md",
        ROOT / "docs" / "deploy.md",
        ROOT / "docs" / "problems.md",
    ]
    return sorted(p for p in found if p.is_file())


def test_the_texts_are_found() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in visible_texts()}
    assert "wallet/locales/fr/LC_MESSAGES/messages.po" in names
    assert "issuer/locales/fr/LC_MESSAGES/messages.po" in names
    assert len(names) > 20


@pytest.mark.parametrize("path", visible_texts(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_text_says_api_token(path: Path) -> None:
    assert OLD_WORDING.findall(path.read_text(encoding="utf-8")) == []


def test_the_check_can_fail() -> None:
    for text in (
        "your API tokens still work",
        "an api-token",
        "vos jetons d\u2019API",
        "jeton d'API",
    ):
        assert OLD_WORDING.search(text), text
    assert not OLD_WORDING.search("your API keys still work; the mwt_ token; /api/tokens")


def test_a_wrong_key_is_called_an_api_key(wallet: TestClient) -> None:
    resp = wallet.get("/api/credentials", headers={"Authorization": "Bearer mwt_nope"})
    assert resp.status_code == 401
    assert resp.json()["detail"] == "the API key is not valid"


def test_no_key_says_how_to_send_one(wallet: TestClient) -> None:
    wallet.cookies.clear()
    resp = wallet.get("/api/credentials")
    assert resp.status_code == 401
    detail = resp.json()["detail"]
    assert "an API key (mwt_…)" in detail
    assert not OLD_WORDING.search(detail)


def test_revoking_an_unknown_key_says_api_key(wallet: TestClient, alice: Holder) -> None:
    resp = wallet.delete("/api/tokens/no-such-id", headers=alice.auth)
    assert resp.status_code == 404
    assert resp.json()["detail"] == "no such API key"


def test_the_api_description_says_api_key(wallet: TestClient) -> None:
    app = wallet.app
    assert isinstance(app, FastAPI)
    described = json.dumps(app.openapi(), ensure_ascii=False)
    assert "A new API key, shown once." in described
    # the titles FastAPI makes from the route's path ("Response List Tokens Api Tokens Get")
    # keep the route's name; what is written for a person says "API key"
    assert re.findall(r"API tokens?\b|an? api token", described) == []
