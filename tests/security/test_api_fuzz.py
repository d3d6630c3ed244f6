"""API fuzzing: schemathesis against the three OpenAPI documents, in process.

Every operation of each service gets generated requests (bounded examples, so CI stays
short), once anonymous and once with a valid credential for its kind of caller. The
checks: no answer is a server error (5xx), and an answer the document describes matches its
schema (every JSON route has a response model: tests/integration/test_openapi_response_schemas.py). Outbound fetches go to an in-process transport that answers 404, so
nothing leaves the machine.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx2
import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis.core.failures import FailureGroup
from schemathesis.core.result import Err
from schemathesis.specs.openapi.checks import response_schema_conformance

from shared.net.fetch import HttpFetcher
from tests.security.report import LINES

MAX_EXAMPLES = 12
PUBLIC_ADDRESS = "93.184.215.14"


def offline_fetcher() -> HttpFetcher:
    """The real fetcher (URL checks, caps), on a transport that answers 404 to everything."""
    return HttpFetcher(
        resolve=lambda host, port: [PUBLIC_ADDRESS],
        transport=httpx2.MockTransport(lambda request: httpx2.Response(404)),
    )


def issuer_app(folder: Path) -> tuple[FastAPI, dict[str, str]]:
    from issuer.demo import seed_demo
    from issuer.main import create_app
    from issuer.service.orgs import create_api_key, get_org
    from tests.integration.issuer.conftest import make_settings

    issuer_settings = make_settings(folder)
    seed_demo(issuer_settings)
    app = create_app(issuer_settings)
    with app.state.resources.sessions.begin() as session:
        org = get_org(session, "demo-association")
        _, key = create_api_key(session, org, "fuzz", "fuzz", datetime.now(UTC))
    return app, {"Authorization": f"Bearer {key}"}


def wallet_app(folder: Path) -> tuple[FastAPI, dict[str, str]]:
    from fastapi.testclient import TestClient

    from tests.unit.wallet.testkit import sign_up, wallet_settings
    from wallet.main import create_app

    app = create_app(wallet_settings(folder), fetcher=offline_fetcher())
    with TestClient(app) as client:
        holder = sign_up(client, "fuzz@example.org")
    return app, {"Authorization": f"Bearer {holder.token}"}


def verifier_app(folder: Path) -> tuple[FastAPI, dict[str, str]]:
    from tests.integration.verifier.conftest import make_settings
    from verifier.demo import DEMO_KEY_FILE, seed_demo
    from verifier.main import create_app

    verifier_settings = make_settings(folder)
    app = create_app(verifier_settings, fetcher=offline_fetcher())
    seed_demo(verifier_settings)
    key = (Path(verifier_settings.data_dir) / DEMO_KEY_FILE).read_text().strip()
    return app, {"Authorization": f"Bearer {key}"}


BUILDERS = {"issuer": issuer_app, "wallet": wallet_app, "verifier": verifier_app}


def server_errors(app: FastAPI, headers: dict[str, str], seen: Counter[int]) -> list[str]:
    """Every operation, generated requests anonymous and authenticated; the 5xx found."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    found: list[str] = []
    for result in schema.get_all_operations():
        if isinstance(result, Err):  # an operation the document cannot describe
            found.append(f"invalid operation in the document: {str(result.err())[:300]}")
            continue
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def run(case: Any) -> None:
            for extra in ({}, headers):
                try:
                    response = case.call(headers=extra)
                except Exception as err:  # an app without a catch-all handler: the crash itself
                    found.append(f"{case.method} {case.formatted_path} -> raised {err!r:.200}")
                    return
                seen[response.status_code] += 1
                if response.status_code >= 500:
                    found.append(
                        f"{case.method} {case.formatted_path} -> {response.status_code}: "
                        f"{response.text[:200]}"
                    )
                    return
                try:  # a documented response must match its documented schema
                    case.validate_response(response, checks=[response_schema_conformance])
                except FailureGroup as err:  # every failed check, grouped
                    found.append(f"{case.method} {case.formatted_path}: {str(err)[:300]}")
                    return

        run()
    return found


def test_an_operation_the_document_cannot_describe_is_reported() -> None:
    """A broken operation is a finding with its reason, not an AttributeError on ``Err``."""
    app = FastAPI()

    @app.get("/fine")
    def fine() -> dict[str, str]:
        return {}

    document = app.openapi()
    document["paths"]["/broken"] = {
        "get": {
            "parameters": [{"$ref": "#/components/parameters/Missing"}],
            "responses": {"200": {"description": "ok"}},
        }
    }
    app.openapi_schema = document
    seen: Counter[int] = Counter()
    found = server_errors(app, {}, seen)
    assert len(found) == 1
    assert found[0].startswith("invalid operation in the document: ")
    assert "#/components/parameters/Missing" in found[0]
    assert seen[200] > 0  # the sound operation was still exercised


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_no_server_error(name: str, tmp_path: Path) -> None:
    app, headers = BUILDERS[name](tmp_path)
    seen: Counter[int] = Counter()
    assert server_errors(app, headers, seen) == []
    LINES.append(
        f"API fuzzing, {name}: {sum(seen.values())} requests, 0 server errors, 0 responses off their schema, "
        f"statuses {dict(sorted(seen.items()))}"
    )
    # the generated requests reached the routes: some were accepted, some refused as invalid
    assert any(200 <= status < 300 for status in seen)
    assert seen[422] + seen[400] > 0


def test_the_fuzzer_finds_a_server_error_and_a_wrong_response() -> None:
    """The two checks bite: a route that crashes, and one that answers off its schema."""
    from pydantic import BaseModel

    class Thing(BaseModel):
        name: str

    app = FastAPI()

    @app.get("/crash")
    def crash() -> None:
        raise RuntimeError("boom")

    @app.get("/thing", responses={200: {"model": Thing}})
    def thing() -> dict[str, int]:
        return {"wrong": 1}

    found = server_errors(app, {}, Counter())
    assert any(f.startswith("GET /crash -> raised RuntimeError") for f in found), found
    assert any(f.startswith("GET /thing:") for f in found), found
