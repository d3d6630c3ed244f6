"""Starting several instances of a service on one database (docs/decisions/stateless-instances.md).

Every instance must hold the same master secret: one with another secret refuses to start
with a message saying so, instead of signing nothing and opening no session. Instances
starting together on a fresh database do not trip over what each creates at start-up (the
verifier's request-signing key, the wallet's configured trusted issuers). On SQLite always,
and on PostgreSQL when MUSETTE_TEST_POSTGRES_URL is set.
"""

from __future__ import annotations

import base64
import secrets
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from shared.errors import InvalidInputError
from tests.databases import DIALECTS, database_url

BASES = {
    "issuer": "http://127.0.0.1:8001",
    "wallet": "http://127.0.0.1:8002",
    "verifier": "http://127.0.0.1:8003",
}


def _together(count: int, action: Callable[[], object]) -> list[BaseException]:
    """Run ``action`` in ``count`` threads released at once; what they raised."""
    errors: list[BaseException] = []
    start = threading.Barrier(count)

    def run() -> None:
        try:
            start.wait()
            action()
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def _secret() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")


@pytest.fixture(params=DIALECTS)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with database_url(request.param, tmp_path, "instances") as url:
        yield url


def _settings(service: str, tmp_path: Path, url: str, secret: str) -> Any:
    package = __import__(service)
    base = package.settings_for_up(tmp_path / service, BASES, True)
    return base.model_copy(update={"database_url": url, "master_secret": secret})


def test_an_issuer_with_another_master_secret_refuses_to_start(tmp_path: Path, db: str) -> None:
    from issuer.demo import seed_demo
    from issuer.main import open_resources

    first = _settings("issuer", tmp_path, db, _secret())
    seed_demo(first)  # stores the demo organisations' keys, encrypted under the first secret
    same = open_resources(first.model_copy())  # a second instance, same secret: starts
    same.dispose()
    with pytest.raises(InvalidInputError, match="every instance of the issuer must use the same"):
        open_resources(first.model_copy(update={"master_secret": _secret()}))


def test_a_wallet_with_another_master_secret_refuses_to_start(tmp_path: Path, db: str) -> None:
    from wallet.demo import seed_demo
    from wallet.main import open_resources

    first = _settings("wallet", tmp_path, db, _secret())
    seed_demo(first)  # the first start stores a check value sealed under the first secret
    with open_resources(first.model_copy()):
        pass
    with (
        pytest.raises(InvalidInputError, match="every instance of the wallet must use the same"),
        open_resources(first.model_copy(update={"master_secret": _secret()})),
    ):
        pass


def _verifier_sessions(url: str) -> sessionmaker[Session]:
    from verifier.db.base import make_engine, run_migrations

    engine = make_engine(url)
    run_migrations(engine)
    return sessionmaker(engine, expire_on_commit=False)


def test_a_verifier_with_another_master_secret_refuses_to_start(tmp_path: Path, db: str) -> None:
    from verifier.service.keys import REQUEST_KEY_ID, open_key_store

    first = _settings("verifier", tmp_path, db, _secret())
    sessions = _verifier_sessions(db)
    try:
        key = open_key_store(first, sessions).public_key(REQUEST_KEY_ID).to_multikey()
        again = open_key_store(first.model_copy(), sessions).public_key(REQUEST_KEY_ID)
        assert again.to_multikey() == key
        other = first.model_copy(update={"master_secret": _secret()})
        with pytest.raises(InvalidInputError, match="every instance of the verifier must"):
            open_key_store(other, sessions)
    finally:
        sessions.kw["bind"].dispose()


def test_verifiers_starting_together_share_the_first_request_key(
    tmp_path: Path, db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second instance found no key, then the first stored its own: the second uses it."""
    from shared.keys.store import EncryptedKeyStore
    from verifier.service.keys import REQUEST_KEY_ID, open_key_store

    settings = _settings("verifier", tmp_path, db, _secret())
    sessions = _verifier_sessions(db)
    try:
        first = open_key_store(settings, sessions).public_key(REQUEST_KEY_ID).to_multikey()
        # what the second saw before the first committed: no key yet
        monkeypatch.setattr(EncryptedKeyStore, "key_ids", lambda self: [])
        second = open_key_store(settings.model_copy(), sessions).public_key(REQUEST_KEY_ID)
        assert second.to_multikey() == first
    finally:
        sessions.kw["bind"].dispose()


def test_wallets_seeding_the_same_trusted_issuers_at_once_both_start(db: str) -> None:
    from wallet.db.base import make_engine, run_migrations
    from wallet.db.models import TrustedIssuer
    from wallet.service.trust import seed_trusted

    engine = make_engine(db)
    run_migrations(engine)
    issuers = [f"https://issuer-{n}.example" for n in range(10)]

    def seed() -> None:
        with Session(engine) as session, session.begin():
            seed_trusted(session, issuers)

    errors = _together(2, seed)
    try:
        assert errors == []
        with Session(engine) as session:
            count = session.scalar(select(func.count()).select_from(TrustedIssuer))
        assert count == len(issuers)
    finally:
        engine.dispose()


def _load_master(service: str, data_dir: Path) -> bytes:
    if service == "issuer":
        from issuer.service.keys import load_master_secret

        return load_master_secret("", str(data_dir))
    if service == "wallet":
        from wallet.service.vault import load_master_secret as load_wallet_secret

        return load_wallet_secret("", data_dir)
    from verifier.service.keys import master_secret
    from verifier.settings import VerifierSettings

    return master_secret(VerifierSettings(data_dir=str(data_dir), dev=True))


WORKERS = 8


@pytest.mark.parametrize("service", ["issuer", "wallet", "verifier"])
def test_workers_starting_together_on_a_fresh_folder_share_one_master_key(
    tmp_path: Path, service: str
) -> None:
    """Each worker of `--workers N` creates master.key if missing: one wins, all read its key."""
    results: list[bytes] = []
    errors = _together(WORKERS, lambda: results.append(_load_master(service, tmp_path)))
    assert errors == []
    assert len(results) == WORKERS
    assert len(set(results)) == 1
    assert len(results[0]) >= 32
    assert [p.name for p in tmp_path.iterdir()] == ["master.key"]  # no temporary file left
    assert (tmp_path / "master.key").stat().st_mode & 0o777 == 0o600
    # and a later start reads the same key
    assert _load_master(service, tmp_path) == results[0]
