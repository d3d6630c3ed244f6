"""Revocation and suspension through the status lists, checked with verify_credential."""

from __future__ import annotations

import json
from typing import Any

import pytest

from issuer.service.status import signed_list
from shared.status import StatusList
from shared.verify.credential import verify_credential
from tests.integration.issuer.conftest import Env, Wallet, make_settings


def check(env: Env, credential: Any) -> tuple[bool, str]:
    data = credential if isinstance(credential, str) else json.dumps(credential).encode()
    report = verify_credential(data, env.verify_ctx())
    status = next(c for c in report.checks if c.name == "status")
    return report.verified, f"{status.status.value}: {status.reason}"


def credential_id(env: Env) -> str:
    rows = env.client.get("/admin/orgs/demo-association/credentials", headers=env.auth).json()
    return str(rows[0]["id"])


def set_status(env: Env, cred_id: str, action: str, reason: str = "test") -> Any:
    return env.client.post(
        f"/admin/orgs/demo-association/credentials/{cred_id}/status",
        json={"action": action, "reason": reason},
        headers=env.auth,
    )


def list_bit(env: Env, credential: dict[str, Any]) -> int:
    entry = credential["credentialStatus"]
    doc = env.client.get(entry["statusListCredential"].removeprefix("http://testserver")).json()
    bits = StatusList.decode(doc["credentialSubject"]["encodedList"])
    return bits.get(int(entry["statusListIndex"]))


def test_suspend_unsuspend_and_revoke_round_trip(env: Env, wallet: Wallet) -> None:
    credential = wallet.receive("volunteer_ldp_vc", suspendable=True)
    assert credential["credentialStatus"]["statusPurpose"] == "suspension"
    cred_id = credential_id(env)
    assert check(env, credential)[0]
    assert list_bit(env, credential) == 0

    assert set_status(env, cred_id, "suspend", "enquête en cours").status_code == 200
    assert list_bit(env, credential) == 1
    verified, reason = check(env, credential)
    assert not verified
    assert "suspended" in reason

    assert set_status(env, cred_id, "unsuspend", "enquête close").status_code == 200
    assert list_bit(env, credential) == 0
    assert check(env, credential)[0]

    response = set_status(env, cred_id, "revoke", "badge attribué par erreur")
    assert response.status_code == 200
    history = response.json()["history"]
    assert [h["action"] for h in history] == ["suspend", "unsuspend", "revoke"]
    assert history[-1]["reason"] == "badge attribué par erreur"
    assert history[-1]["actor"].startswith("apikey:")
    assert history[-1]["at"]
    assert not check(env, credential)[0]
    # revocation is final
    assert set_status(env, cred_id, "unsuspend").status_code == 409
    assert not check(env, credential)[0]


def test_default_badge_is_revoked_not_suspended(env: Env, wallet: Wallet) -> None:
    """One entry per OB 3.0 badge: revocation by default, so a verifier says "revoked"."""
    credential = wallet.receive("volunteer_ldp_vc")
    assert credential["credentialStatus"]["statusPurpose"] == "revocation"
    cred_id = credential_id(env)
    assert set_status(env, cred_id, "suspend", "essai").status_code == 409
    assert check(env, credential)[0]
    assert set_status(env, cred_id, "revoke", "erreur").status_code == 200
    verified, reason = check(env, credential)
    assert not verified
    assert "revoked" in reason


@pytest.mark.parametrize("config_id", ["volunteer_jwt_vc_json", "volunteer_sd_jwt"])
def test_revocation_of_jwt_formats(env: Env, wallet: Wallet, config_id: str) -> None:
    credential = wallet.receive(config_id)
    assert check(env, credential)[0]
    assert set_status(env, credential_id(env), "revoke").status_code == 200
    verified, reason = check(env, credential)
    assert not verified, reason


def test_both_entries_when_configured(tmp_path: Any) -> None:
    from fastapi.testclient import TestClient

    from issuer.demo import seed_demo
    from issuer.main import create_app
    from issuer.service.orgs import create_api_key, get_org

    settings = make_settings(tmp_path, ob3_status_purposes="both")
    seed_demo(settings)
    app = create_app(settings)
    res = app.state.resources
    with res.sessions.begin() as session:
        _, key = create_api_key(
            session, get_org(session, "demo-association"), "t", "t", res.clock()
        )
    with TestClient(app) as client:
        response = client.post(
            "/admin/orgs/demo-association/credentials",
            json={
                "achievement": "volunteer",
                "recipient": {"name": "A"},
                "subject_id": "did:example:1",
            },
            headers={"Authorization": f"Bearer {key}"},
        )
        assert response.status_code == 201, response.text
        entries = response.json()["credential"]["credentialStatus"]
        assert [e["statusPurpose"] for e in entries] == ["revocation", "suspension"]
        assert len({e["statusListIndex"] for e in entries}) == 1


def test_status_list_is_signed_cached_and_etagged(env: Env, wallet: Wallet) -> None:
    credential = wallet.receive("volunteer_ldp_vc", suspendable=True)
    path = credential["credentialStatus"]["statusListCredential"].removeprefix("http://testserver")
    first = env.client.get(path)
    assert first.status_code == 200
    assert first.headers["cache-control"] == "public, max-age=300"
    etag = first.headers["etag"]
    doc = first.json()
    assert doc["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert doc["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    report = verify_credential(json.dumps(doc).encode(), env.verify_ctx())
    assert report.verified
    assert StatusList.decode(doc["credentialSubject"]["encodedList"]).entries == 131_072
    assert etag.startswith('"')  # a strong ETag (a weak one starts with W/)
    assert env.client.get(path, headers={"If-None-Match": etag}).status_code == 304
    # RFC 9110 §13.1.2: a list of tags, a weak form of ours, or "*" also match
    for header in (f'"other", {etag}', f"W/{etag}", "*"):
        assert env.client.get(path, headers={"If-None-Match": header}).status_code == 304
    # hostile or malformed: never a 304 for a tag that is not ours, never an error
    for header in ('"other"', "W/", ",,,", etag[:-1], etag + "x", "W/" * 1000, " " * 5000):
        assert env.client.get(path, headers={"If-None-Match": header}).status_code == 200
    assert env.client.get(path).text == first.text  # signed once per version
    set_status(env, credential_id(env), "suspend")
    changed = env.client.get(path, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag


def test_a_304_neither_signs_nor_reads_the_signed_list(
    env: Env, wallet: Wallet, monkeypatch: pytest.MonkeyPatch
) -> None:
    credential = wallet.receive("volunteer_ldp_vc", suspendable=True)
    path = credential["credentialStatus"]["statusListCredential"].removeprefix("http://testserver")
    etag = env.client.get(path).headers["etag"]  # signed once for this version
    calls: list[str] = []

    def counting(*args: object, **kwargs: object) -> object:
        calls.append("signed_list")
        return signed_list(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("issuer.api.oid4vci.signed_list", counting)
    cheap = env.client.get(path, headers={"If-None-Match": etag})
    assert cheap.status_code == 304
    assert cheap.headers["etag"] == etag
    assert cheap.headers["cache-control"] == "public, max-age=300"
    assert calls == []
    # the list changes: its old tag is never answered from the cheap path
    set_status(env, credential_id(env), "suspend")
    changed = env.client.get(path, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert calls == ["signed_list"]
    index = int(credential["credentialStatus"]["statusListIndex"])
    assert StatusList.decode(changed.json()["credentialSubject"]["encodedList"]).get(index) == 1


def test_indexes_are_random_and_distinct(env: Env) -> None:
    indexes = set()
    for n in range(20):
        response = env.client.post(
            "/admin/orgs/demo-association/credentials",
            json={
                "achievement": "volunteer",
                "recipient": {"name": f"P{n}"},
                "format": "jwt_vc_json",
            },
            headers=env.auth,
        )
        assert response.status_code == 201
        indexes.add(response.json()["status_list_index"])
    assert len(indexes) == 20
    assert indexes != set(range(min(indexes), min(indexes) + 20))


def test_unknown_status_list(env: Env) -> None:
    assert env.client.get("/orgs/demo-association/status/revocation/99").status_code == 404
    assert env.client.get("/orgs/demo-association/status/other/1").status_code == 404
