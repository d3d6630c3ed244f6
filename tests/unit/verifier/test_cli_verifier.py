"""``musette verifier request`` acts on the same data folder as ``musette up``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from musette.cli import main
from musette.up import config_from_env
from verifier import settings_for_up
from verifier.main import create_app


@pytest.fixture(autouse=True)
def development_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    """These commands act on `make run`'s http demo, in development mode (off by default)."""
    monkeypatch.setenv("MUSETTE_DEV", "1")


def test_request_prints_link_and_result_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MUSETTE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MUSETTE_VERIFIER_ARGON2_TIME_COST", "1")
    assert main(["verifier", "request", "--template", "any-badge", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    # the default: a request signed with the verifier's DID, fetched by reference
    assert out["request_uri"].startswith("openid4vp://?client_id=decentralized_identifier%3A")
    assert out["result_url"].startswith("http://127.0.0.1:8003/oid4vp/requests/")
    # the running verifier (same data dir) serves the request and its result
    config = config_from_env("127.0.0.1", None, True)
    settings = settings_for_up(config.data_dir / "verifier", config.base_urls(), True)
    with TestClient(create_app(settings)) as client:
        status = client.get(out["result_url"].removeprefix("http://127.0.0.1:8003")).json()
        assert status["status"] == "pending"
        obj = client.get(out["request_object_uri"].removeprefix("http://127.0.0.1:8003"))
        assert obj.status_code == 200
        assert obj.text.count(".") == 2
        assert not obj.text.endswith(".")  # signed, never an unsecured (alg none) JWT


def test_redirect_uri_request_by_value_with_direct_post_jwt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The link carries the encryption key; the CLI derives it as the running verifier does,
    so the verifier can decrypt the answer."""
    from tests.integration.verifier.conftest import request_parameters
    from verifier.service.keys import open_response_keys

    monkeypatch.setenv("MUSETTE_DATA_DIR", str(tmp_path))
    argv = ["verifier", "request", "--template", "any-badge", "--json"]
    assert (
        main([*argv, "--client-id-prefix", "redirect_uri", "--response-mode", "direct_post.jwt"])
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    assert out["request_object_uri"] is None
    config = config_from_env("127.0.0.1", None, True)
    settings = settings_for_up(config.data_dir / "verifier", config.base_urls(), True)
    with TestClient(create_app(settings)) as client:
        params = request_parameters(client, out["request_uri"], "http://127.0.0.1:8003")
    (key,) = params["client_metadata"]["jwks"]["keys"]
    request_key = params["response_uri"].rsplit("/", 1)[1]
    assert key == open_response_keys(settings).public_jwk(request_key)


def test_plain_output_is_the_link(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MUSETTE_DATA_DIR", str(tmp_path))
    assert main(["verifier", "request", "--template", "rating"]) == 0
    assert capsys.readouterr().out.strip().startswith("openid4vp://?")


def test_request_with_direct_post_jwt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from shared.protocols.oid4vp import decode_request_object

    monkeypatch.setenv("MUSETTE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MUSETTE_VERIFIER_ARGON2_TIME_COST", "1")
    argv = ["verifier", "request", "--template", "any-badge", "--json"]
    assert main([*argv, "--response-mode", "direct_post.jwt"]) == 0
    out = json.loads(capsys.readouterr().out)
    config = config_from_env("127.0.0.1", None, True)
    settings = settings_for_up(config.data_dir / "verifier", config.base_urls(), True)
    with TestClient(create_app(settings)) as client:
        obj = client.get(out["request_object_uri"].removeprefix("http://127.0.0.1:8003"))
    _, claims = decode_request_object(obj.text)
    assert claims["response_mode"] == "direct_post.jwt"
    (key,) = claims["client_metadata"]["jwks"]["keys"]
    assert (key["use"], key["alg"]) == ("enc", "ECDH-ES")
