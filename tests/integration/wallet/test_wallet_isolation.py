"""Account A cannot read, present, export, share or delete account B's data through ANY route.

Every route comes from the app's OpenAPI document: a new route with a new path parameter
fails ``test_every_path_parameter_is_known`` until it is added here.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.unit.wallet.testkit import Holder, IssuerKit, principal_of
from wallet.db.models import PendingExchange
from wallet.service.accounts import new_id, now

PARAM = re.compile(r"\{([a-z_]+)\}")
#: bodies that get a route past validation, so the ownership check itself is exercised
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("patch", "/api/credentials/{credential_id}"): {"json": {"sphere": "pwned", "tags": ["x"]}},
    ("post", "/api/offers/{offer_id}/accept"): {"json": {"tx_code": "1234"}},
    ("post", "/api/presentations/{request_id}/consent"): {"json": {}},
    ("post", "/credentials/{credential_id}/edit"): {"data": {"sphere": "pwned", "tags": ""}},
    ("post", "/shares/{share_id}/unpublish"): {"data": {}},
    ("post", "/receive/{offer_id}/accept"): {"data": {}},
    ("post", "/present/{request_id}/consent"): {"data": {}},
}


def _pending(wallet: TestClient, holder: Holder, kind: str) -> str:
    res = wallet.app.state.resources  # type: ignore[attr-defined]
    with res.sessions.begin() as session:
        who = principal_of(holder, session)
        pid = new_id()
        state: dict[str, Any] = {
            "offer": {
                "credential_issuer": "https://issuer.example",
                "credential_configuration_ids": ["x"],
                "grants": {
                    "urn:ietf:params:oauth:grant-type:pre-authorized_code": {
                        "pre-authorized_code": "c"
                    }
                },
            },
            "metadata": {
                "credential_issuer": "https://issuer.example",
                "credential_endpoint": "https://issuer.example/c",
                "credential_configurations_supported": {"x": {"format": "ldp_vc"}},
            },
            "preview": {"issuer_name": "x"},
            "client_id": "redirect_uri:https://verifier.example/cb",
            "request": {"nonce": "n", "response_uri": "https://verifier.example/cb"},
            "verifier": {"client_id": "redirect_uri:https://verifier.example/cb"},
            "matching": {"satisfied": True, "selected_query_ids": [], "queries": []},
        }
        session.add(
            PendingExchange(
                id=pid,
                account_id=who.account_id,
                kind=kind,
                created_at=now(),
                ct=who.vault.seal_json("pending", pid, state),
            )
        )
    return pid


@pytest.fixture
def bobs(wallet: TestClient, bob: Holder, kit: IssuerKit) -> dict[str, str]:
    cred = bob.import_credential(kit.ldp(bob.did, name="Bob secret badge"))
    share = bob.post(f"/api/credentials/{cred['id']}/shares").json()
    identity = bob.post("/api/identities", json={"method": "key"}).json()
    token = bob.post("/api/tokens", json={"name": "second"}).json()
    experience = bob.post(
        "/api/experiences",
        json={"title": "Bob secret job", "organisation": "Bob Corp", "start_date": "2020-01-01"},
    ).json()
    endorse_link = bob.post(f"/api/experiences/{experience['id']}/requests").json()
    profile = bob.post(
        "/api/profiles",
        json={"title": "Bob secret profile", "credentials": [{"credential_id": cred["id"]}]},
    ).json()
    return {
        "credential_id": cred["id"],
        "share_id": share["id"],
        "share_url": share["url"],
        "identity_id": identity["id"],
        "token_id": token["id"],
        "offer_id": _pending(wallet, bob, "offer"),
        "request_id": _pending(wallet, bob, "request"),
        "token": share["url"].rsplit("/", 1)[1] + "-guess",
        "experience_id": experience["id"],
        "endorsement_request_id": endorse_link["id"],
        "profile_id": profile["id"],
        "index": "0",
    }


def routes(wallet: TestClient) -> list[tuple[str, str]]:
    doc = wallet.app.openapi()  # type: ignore[attr-defined]
    return sorted(
        (method, path)
        for path, ops in doc["paths"].items()
        for method in ops
        if method in {"get", "post", "put", "patch", "delete"}
    )


def test_every_path_parameter_is_known(wallet: TestClient) -> None:
    known = {
        "credential_id",
        "share_id",
        "identity_id",
        "token_id",
        "offer_id",
        "request_id",
        "token",
        "experience_id",
        "endorsement_request_id",
        "profile_id",
        "index",
    }
    found = {name for _, path in routes(wallet) for name in PARAM.findall(path)}
    assert found <= known, f"add these path parameters to the isolation test: {found - known}"
    assert len(routes(wallet)) >= 40


def test_alice_cannot_touch_bobs_data_through_any_route(
    wallet: TestClient, alice: Holder, bob: Holder, bobs: dict[str, str], kit: IssuerKit
) -> None:
    alice.import_credential(kit.vc_jwt(alice.did, name="Alice badge"))
    secrets_of_bob = [
        bobs["credential_id"],
        bobs["share_id"],
        bobs["identity_id"],
        bobs["offer_id"],
        bobs["request_id"],
        "Bob secret badge",
        bob.did,
        bobs["experience_id"],
        bobs["endorsement_request_id"],
        "Bob secret job",
        bobs["profile_id"],
        "Bob secret profile",
    ]
    for method, path in routes(wallet):
        if path in {"/api/me", "/api/session"} and method == "delete":
            continue  # alice ending her own session or account says nothing about bob
        url = PARAM.sub(lambda m: bobs[m.group(1)], path)
        extra = BODIES.get((method, path), {})
        if method in {"post", "patch", "put"} and not extra:
            extra = {"json": {}}
        resp = wallet.request(
            method.upper(), url, headers=alice.auth, follow_redirects=False, **extra
        )
        where = f"{method.upper()} {path} -> {resp.status_code}"
        if PARAM.search(path):
            assert resp.status_code >= 400, where
        body = resp.content.replace(url.encode(), b"")  # problem+json echoes the path
        for secret in secrets_of_bob:
            assert secret.encode() not in body, f"{where} leaks {secret[:20]}"

    # bob's data is untouched
    got = bob.get(f"/api/credentials/{bobs['credential_id']}").json()
    assert got["sphere"] != "pwned"
    assert (
        wallet.get(bobs["share_url"].replace("http://testserver", "") + "/raw").status_code == 200
    )
    assert any(i["id"] == bobs["identity_id"] for i in bob.get("/api/identities").json())
    assert any(t["id"] == bobs["token_id"] for t in bob.get("/api/tokens").json())
    assert bob.get(f"/api/offers/{bobs['offer_id']}").status_code == 200
    assert bob.get(f"/api/presentations/{bobs['request_id']}").status_code == 200
    kept = bob.get(f"/api/experiences/{bobs['experience_id']}").json()
    assert [r["state"] for r in kept["requests"]] == ["open"]
    assert [p["state"] for p in bob.get("/api/profiles").json()] == ["open"]
    export = alice.get("/api/export")
    assert export.status_code == 200
    import io
    import zipfile

    names = zipfile.ZipFile(io.BytesIO(export.content)).namelist()
    assert not any(bobs["credential_id"] in n for n in names)


#: public protocol endpoints of an endorsement link (another wallet calls them, no session):
#: the token is the capability, so a guessed one is simply not found
TOKEN_ONLY = {"/api/endorse/{token}/request", "/api/endorse/{token}/deliver"}


def test_anonymous_callers_get_nothing(wallet: TestClient, bobs: dict[str, str]) -> None:
    for method, path in routes(wallet):
        if path.startswith("/api/") and path not in {"/api/accounts", "/api/session"}:
            url = PARAM.sub(lambda m: bobs[m.group(1)], path)
            resp = wallet.request(method.upper(), url, json={} if method != "get" else None)
            allowed = {404} if path in TOKEN_ONLY else {400, 401, 403}
            assert resp.status_code in allowed, f"{method} {path} -> {resp.status_code}"
