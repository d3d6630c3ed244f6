"""Demo data for ``musette up``: a recruiter account and a registry trusting the demo association
and the demo platform (each with its kind, so the rating template trusts only the platform)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from argon2 import PasswordHasher
from sqlalchemy.orm import sessionmaker

from shared.did import did_web_from_url
from verifier.db.base import make_engine, run_migrations
from verifier.service import accounts, trust
from verifier.settings import VerifierSettings

DEMO_EMAIL = "recruteur@demo.musette.example"
DEMO_PASSWORD = "musette-recruteur-demo"  # noqa: S105 - demo account, printed by `musette up`
DEMO_ASSOCIATION_NAME = "Association Démo"
DEMO_PLATFORM_NAME = "Plateforme Démo"
DEMO_KEY_FILE = "demo-recruiter-api-key.txt"


def demo_association_did(issuer_base_url: str) -> str:
    return did_web_from_url(issuer_base_url.rstrip("/") + "/orgs/demo-association")


def demo_platform_did(issuer_base_url: str) -> str:
    return did_web_from_url(issuer_base_url.rstrip("/") + "/orgs/demo-platform")


def seed_demo(settings: VerifierSettings) -> list[str]:
    """Idempotent: create what is missing and print how to use it."""
    engine = make_engine(settings.database_url)
    try:
        if settings.migrate:
            run_migrations(engine)
        sessions = sessionmaker(engine, expire_on_commit=False)
        now = datetime.now(UTC)
        hasher = PasswordHasher(
            time_cost=settings.argon2_time_cost, memory_cost=settings.argon2_memory_kib
        )
        key_path = Path(settings.data_dir) / DEMO_KEY_FILE
        lines = []
        with sessions.begin() as session:
            account = accounts.find_account(session, DEMO_EMAIL)
            if account is None:
                account = accounts.create_account(session, DEMO_EMAIL, DEMO_PASSWORD, hasher, now)
                key = accounts.create_api_key(session, account.id, "demo", now)
                key_path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                with os.fdopen(fd, "w") as handle:
                    handle.write(key)
            if settings.demo_issuer_base_url:
                did = demo_association_did(settings.demo_issuer_base_url)
                platform = demo_platform_did(settings.demo_issuer_base_url)
                trust.ensure_entries(
                    session,
                    [
                        ("did", did, DEMO_ASSOCIATION_NAME, "association"),
                        ("did", platform, DEMO_PLATFORM_NAME, "platform"),
                    ],
                    source="demo",
                    now=now,
                )
                lines.append(f"trust registry: {DEMO_ASSOCIATION_NAME} = {did}")
                lines.append(f"trust registry: {DEMO_PLATFORM_NAME} = {platform}")
        lines.insert(0, f"demo recruiter: {DEMO_EMAIL} / {DEMO_PASSWORD}")
        if key_path.exists():
            lines.insert(1, f"demo recruiter API key: {key_path.read_text().strip()}")
        return lines
    finally:
        engine.dispose()
