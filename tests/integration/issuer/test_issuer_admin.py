"""Admin access: sessions with CSRF, API keys, tenancy; achievements; downloads; VC-API."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from shared.encoding.baked import extract_baked
from shared.verify.credential import verify_credential
from tests.integration.issuer.conftest import Env

ADMIN = "/admin/orgs/demo-association"


def test_every_admin_route_requires_authentication(env: Env) -> None:
    for method, path in [
        ("GET", ADMIN),
        ("GET", f"{ADMIN}/achievements"),
        ("POST", f"{ADMIN}/offers"),
        ("GET", f"{ADMIN}/credentials"),
        ("POST", f"{ADMIN}/keys/rotate"),
        ("POST", "/credentials/issue"),
        ("POST", "/credentials/status"),
    ]:
        response = env.client.request(method, path, json={})
        assert response.status_code == 401, (method, path, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
    bad = env.client.get(ADMIN, headers={"Authorization": "Bearer mik_nope_nope"})
    assert bad.status_code == 401


def test_cross_organisation_access_is_impossible(env: Env, other_org_key: str) -> None:
    other = {"Authorization": f"Bearer {other_org_key}"}
    issued = env.client.post(
        f"{ADMIN}/credentials",
        json={"achievement": "volunteer", "recipient": {"name": "A"}},
        headers=env.auth,
    ).json()
    calls: list[tuple[str, str, dict[str, Any] | None]] = [
        ("GET", ADMIN, None),
        ("GET", f"{ADMIN}/achievements", None),
        ("GET", f"{ADMIN}/credentials", None),
        ("GET", f"{ADMIN}/credentials/{issued['id']}", None),
        ("POST", f"{ADMIN}/offers", {"achievement": "volunteer", "recipient": {"name": "X"}}),
        ("POST", f"{ADMIN}/credentials/{issued['id']}/status", {"action": "revoke", "reason": "x"}),
        ("POST", f"{ADMIN}/keys/rotate", None),
        ("POST", "/orgs/demo-association/credentials/issue", {"credential": {}}),
    ]
    for method, path, body in calls:
        response = env.client.request(method, path, json=body, headers=other)
        assert response.status_code == 403, (method, path, response.text)
    # its own org cannot reach the demo's credential by id either
    assert (
        env.client.get(
            f"/admin/orgs/other-employer/credentials/{issued['id']}", headers=other
        ).status_code
        == 404
    )
    vc_api = env.client.post(
        "/credentials/status",
        json={
            "credentialId": issued["id"],
            "credentialStatus": [{"type": "BitstringStatusListCredential", "status": "revoked"}],
        },
        headers=other,
    )
    assert vc_api.status_code == 404
    assert (
        env.client.get(f"{ADMIN}/credentials/{issued['id']}", headers=env.auth).json()["revoked"]
        is False
    )


def test_password_session_and_csrf(env: Env) -> None:
    wrong = env.client.post(
        "/admin/login", json={"email": "demo@association.example", "password": "nope"}
    )
    assert wrong.status_code == 401
    password = Path(env.settings.data_dir, "demo-admin.txt").read_text().strip()
    login = env.client.post(
        "/admin/login", json={"email": "demo@association.example", "password": password}
    )
    assert login.status_code == 200, login.text
    csrf = login.json()["csrf_token"]
    assert env.client.get(ADMIN).status_code == 200  # cookie
    body = {"achievement": "volunteer", "recipient": {"name": "X"}}
    assert env.client.post(f"{ADMIN}/offers", json=body).status_code == 403  # no CSRF header
    assert (
        env.client.post(f"{ADMIN}/offers", json=body, headers={"X-CSRF-Token": csrf}).status_code
        == 201
    )
    assert env.client.get("/admin/orgs/other-employer").status_code == 404
    assert env.client.post("/admin/logout").status_code == 403  # no CSRF header: kept
    assert env.client.get(ADMIN).status_code == 200
    out = env.client.post("/admin/logout", headers={"X-CSRF-Token": csrf})
    assert out.status_code == 204
    assert env.client.get(ADMIN).status_code == 401


def test_api_keys_are_hashed_and_revocable(env: Env) -> None:
    created = env.client.post(f"{ADMIN}/api-keys", json={"name": "ci"}, headers=env.auth).json()
    key = {"Authorization": f"Bearer {created['api_key']}"}
    assert env.client.get(ADMIN, headers=key).status_code == 200
    res = env.client.app.state.resources  # type: ignore[attr-defined]
    from sqlalchemy import select

    from issuer.db.models import ApiKey

    with res.sessions.begin() as session:
        stored = session.scalars(select(ApiKey).where(ApiKey.key_id == created["key_id"])).one()
        assert created["api_key"].split("_")[-1] not in stored.secret_hash
    assert (
        env.client.delete(f"{ADMIN}/api-keys/{created['key_id']}", headers=env.auth).status_code
        == 204
    )
    assert env.client.get(ADMIN, headers=key).status_code == 401
    listed = env.client.get(f"{ADMIN}/api-keys", headers=env.auth).json()
    assert any(k["key_id"] == created["key_id"] and k["revoked_at"] for k in listed)


def test_achievement_crud(env: Env) -> None:
    body: dict[str, Any] = {
        "id": "mentor",
        "name": {"fr": "Tutrice ou tuteur", "en": "Mentor"},
        "description": {"fr": "Accompagne des bénévoles.", "en": "Mentors volunteers."},
        "criteria": {"fr": "Six mois de tutorat.", "en": "Six months of mentoring."},
        "achievement_type": "CommunityService",
        "image_url": "https://example.org/mentor.png",
        "alignments": [
            {
                "target_url": "http://data.europa.eu/esco/skill/x",
                "target_name": "mentor",
                "framework": "ESCO",
            }
        ],
        "result_descriptions": [{"id": "hours", "name": {"fr": "Heures", "en": "Hours"}}],
    }
    created = env.client.post(f"{ADMIN}/achievements", json=body, headers=env.auth)
    assert created.status_code == 201, created.text
    assert env.client.post(f"{ADMIN}/achievements", json=body, headers=env.auth).status_code == 409
    bad = env.client.post(
        f"{ADMIN}/achievements",
        json={**body, "id": "bad", "achievement_type": "Nope"},
        headers=env.auth,
    )
    assert bad.status_code == 400
    patched = env.client.patch(
        f"{ADMIN}/achievements/mentor",
        json={"name": {"fr": "Mentor·e", "en": "Mentor"}},
        headers=env.auth,
    )
    assert patched.json()["name"]["fr"] == "Mentor·e"
    public = env.client.get("/orgs/demo-association/achievements/mentor?lang=en").json()
    assert public["name"] == "Mentor"
    assert public["inLanguage"] == "en"
    assert public["related"][0]["inLanguage"] == "fr"
    meta = env.client.get("/.well-known/openid-credential-issuer/orgs/demo-association").json()
    assert "mentor_ldp_vc" in meta["credential_configurations_supported"]
    assert env.client.delete(f"{ADMIN}/achievements/mentor", headers=env.auth).status_code == 204
    meta = env.client.get("/.well-known/openid-credential-issuer/orgs/demo-association").json()
    assert "mentor_ldp_vc" not in meta["credential_configurations_supported"]
    invalid = env.client.post(f"{ADMIN}/achievements", json={"id": "x"}, headers=env.auth)
    assert invalid.status_code == 400
    assert invalid.json()["errors"]


def test_downloads_json_jwt_and_baked_images(env: Env) -> None:
    for fmt, as_ in [("ldp_vc", "json"), ("jwt_vc_json", "jwt")]:
        issued = env.client.post(
            f"{ADMIN}/credentials",
            json={
                "achievement": "volunteer",
                "recipient": {"name": "Ana"},
                "format": fmt,
                "subject": {"results": {"hours": 12}},
            },
            headers=env.auth,
        ).json()
        url = f"{ADMIN}/credentials/{issued['id']}/download"
        plain = env.client.get(url, params={"as": as_}, headers=env.auth)
        assert plain.status_code == 200
        assert verify_credential(plain.content, env.verify_ctx()).verified
        wrong = "jwt" if as_ == "json" else "json"
        assert env.client.get(url, params={"as": wrong}, headers=env.auth).status_code == 409
        for image, media in [("png", "image/png"), ("svg", "image/svg+xml")]:
            baked = env.client.get(url, params={"as": image}, headers=env.auth)
            assert baked.status_code == 200
            assert baked.headers["content-type"].startswith(media)
            assert extract_baked(baked.content) == plain.text.strip()
            report = verify_credential(baked.content, env.verify_ctx())
            assert report.verified, [(c.name, c.reason) for c in report.checks]


def test_qr_codes(env: Env) -> None:
    created = env.offer()
    path = created["qr_png"].removeprefix("http://testserver")
    png = env.client.get(path)
    assert png.status_code == 200
    assert png.content.startswith(b"\x89PNG")
    svg = env.client.get(created["qr_svg"].removeprefix("http://testserver"))
    assert svg.status_code == 200
    assert b"<svg" in svg.content


def test_vc_api_issue_and_status(env: Env) -> None:
    credential = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://www.w3.org/ns/credentials/examples/v2",
        ],
        "type": ["VerifiableCredential"],
        "credentialSubject": {"id": "did:example:subject", "name": "Someone"},
    }
    response = env.client.post(
        "/credentials/issue",
        json={
            "credential": credential,
            "options": {"credentialStatus": {"type": "BitstringStatusListEntry"}},
        },
        headers=env.auth,
    )
    assert response.status_code == 201, response.text
    vc = response.json()["verifiableCredential"]
    assert vc["issuer"] == "did:web:testserver:orgs:demo-association"
    assert [e["statusPurpose"] for e in vc["credentialStatus"]] == ["revocation", "suspension"]
    assert verify_credential(json.dumps(vc).encode(), env.verify_ctx()).verified
    update = env.client.post(
        "/credentials/status",
        json={
            "credentialId": vc["id"],
            "credentialStatus": [{"type": "BitstringStatusListCredential", "status": "revoked"}],
        },
        headers=env.auth,
    )
    assert update.status_code == 200, update.text
    report = verify_credential(json.dumps(vc).encode(), env.verify_ctx())
    assert not report.verified
    other_issuer = env.client.post(
        "/credentials/issue",
        json={"credential": {**credential, "issuer": "did:example:evil"}},
        headers=env.auth,
    )
    assert other_issuer.status_code == 400
