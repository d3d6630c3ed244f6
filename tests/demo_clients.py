"""HTTP clients for the demo data that `musette up` seeds (used by e2e and browser tests)."""

from __future__ import annotations

import httpx2

from musette.up import UpConfig

DEMO_ORG = "demo-association"


def demo_issuer_client(config: UpConfig, key_name: str) -> httpx2.Client:
    """The demo association's admin API with a fresh API key named ``key_name``."""
    base = config.base_url("issuer")
    password = (config.data_dir / "issuer" / "demo-admin.txt").read_text().strip()
    with httpx2.Client(base_url=base) as admin:
        login = admin.post(
            "/admin/login", json={"email": "demo@association.example", "password": password}
        )
        assert login.status_code == 200, login.text
        key = admin.post(
            f"/admin/orgs/{DEMO_ORG}/api-keys",
            json={"name": key_name},
            headers={"X-CSRF-Token": login.json()["csrf_token"]},
        )
        assert key.status_code == 201, key.text
    return httpx2.Client(
        base_url=base, headers={"Authorization": f"Bearer {key.json()['api_key']}"}, timeout=30
    )
