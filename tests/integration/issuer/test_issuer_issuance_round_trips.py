"""Fewer database round trips per issued credential: the newest status lists
are read in one query, a nonce needs no database until it is used (then its use is
recorded, once), and expired records are purged at most once a minute per process."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import anyio.to_thread
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, event, func, select

from issuer.db.models import IssuedCredential, Nonce, Offer, StatusAllocation
from issuer.db.models import StatusList as StatusListRow
from issuer.service import oid4vci, status
from issuer.service.orgs import create_api_key, get_org
from shared.keys import EncryptedKeyStore
from tests.integration.issuer.conftest import Clock, Env, Wallet


def _statements(env: Env) -> list[str]:
    log: list[str] = []
    engine = env.client.app.state.resources.sessions.kw["bind"]  # type: ignore[attr-defined]

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if "rate_limits" not in statement:  # the throttle's own counters
            log.append(statement.split()[0])

    event.listen(engine, "before_cursor_execute", record)
    return log


def _allocate(env: Env, credential_id: str) -> tuple[int, int]:
    res = env.client.app.state.resources  # type: ignore[attr-defined]
    with res.sessions.begin() as session:
        org = get_org(session, "demo-association")
        return status.allocate_index(session, org, credential_id, env.clock())


def _lists(env: Env) -> list[tuple[int, str]]:
    res = env.client.app.state.resources  # type: ignore[attr-defined]
    with res.sessions.begin() as session:
        rows = session.execute(select(StatusListRow.seq, StatusListRow.purpose)).all()
    return sorted((int(r.seq), str(r.purpose)) for r in rows)


def test_lists_are_created_once_then_read_in_one_query(env: Env) -> None:
    first = _allocate(env, "c-1")
    assert first[0] == 1
    assert _lists(env) == [(1, p) for p in sorted(status.LIST_PURPOSES)]
    log = _statements(env)
    assert _allocate(env, "c-2")[0] == 1
    # the organisation, then one INSERT … SELECT into the newest lists: no SAVEPOINT, no
    # separate read of the lists, no list created again
    assert log == ["SELECT", "INSERT"]


def test_a_taken_index_or_a_missing_list_falls_back_to_drawing_again(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    _allocate(env, "c-1")
    drawn = iter([5, 5, 6, 9, 9])
    monkeypatch.setattr("issuer.service.status.secrets.randbelow", lambda n: next(drawn))
    assert _allocate(env, "c-2") == (1, 5)
    assert _allocate(env, "c-3") == (1, 6)  # 5 is taken: drawn again, not a duplicate
    res = env.client.app.state.resources  # type: ignore[attr-defined]
    with res.sessions.begin() as session:  # a list the newest number lacks (an older schema)
        session.execute(delete(StatusListRow).where(StatusListRow.purpose == "supersession"))
    assert _allocate(env, "c-4") == (1, 9)
    assert _lists(env) == [(1, p) for p in sorted(status.LIST_PURPOSES)]  # created again
    with res.sessions.begin() as session:
        taken = {r.credential_id: r.idx for r in session.scalars(select(StatusAllocation))}
    assert taken == {"c-1": taken["c-1"], "c-2": 5, "c-3": 6, "c-4": 9}


def test_a_full_list_moves_on_to_the_next_with_all_its_purposes(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    _allocate(env, "c-1")
    drawn = [7]
    monkeypatch.setattr("issuer.service.status.secrets.randbelow", lambda n: drawn[0])
    assert _allocate(env, "c-2") == (1, 7)
    assert _allocate(env, "c-3") == (2, 7)  # eight collisions in a row: list 2
    assert _lists(env) == sorted((s, p) for s in (1, 2) for p in status.LIST_PURPOSES)
    drawn[0] = 8
    assert _allocate(env, "c-4") == (2, 8)  # the newest list, not the first one


def test_a_nonce_costs_no_database_and_is_used_once(env: Env, wallet: Wallet) -> None:
    first = wallet.nonce()  # the full route: the organisation is looked up once
    log = _statements(env)
    nonces = {wallet.nonce() for _ in range(3)}
    assert log == []  # answered before FastAPI's routing, from the master secret
    assert len(nonces | {first}) == 4
    offer = wallet.resolve(env.offer(formats=["jwt_vc_json"])["offer_uri"])
    token = wallet.token(offer, None).json()["access_token"]
    proof = wallet.proof(first)
    assert wallet.credential(token, "volunteer_jwt_vc_json", proof).status_code == 200
    offer = wallet.resolve(env.offer(formats=["jwt_vc_json"])["offer_uri"])
    token = wallet.token(offer, None).json()["access_token"]
    again = wallet.credential(token, "volunteer_jwt_vc_json", proof)  # the same nonce
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_nonce"


@pytest.mark.parametrize(
    "forged",
    [
        "",
        "x" * 65,
        "not base64!",
        "A" * 54,  # the right length, a wrong MAC
        "A" * 53,
    ],
)
def test_forged_nonces_are_refused(env: Env, wallet: Wallet, forged: str) -> None:
    res: Any = env.client.app.state.resources  # type: ignore[attr-defined]
    with res.sessions.begin() as session:
        org = get_org(session, "demo-association")
        assert not oid4vci.consume_nonce(
            session, res.settings, res.master_secret, org, forged, env.clock()
        )


def test_a_nonce_is_bound_to_its_organisation_and_expires(env: Env, other_org_key: str) -> None:
    res: Any = env.client.app.state.resources  # type: ignore[attr-defined]
    now = env.clock()
    mine = oid4vci.new_nonce(res.master_secret, res.settings, "demo-association", now)
    theirs = oid4vci.new_nonce(res.master_secret, res.settings, "other-employer", now)
    with res.sessions.begin() as session:
        org = get_org(session, "demo-association")
        assert not oid4vci.consume_nonce(session, res.settings, res.master_secret, org, theirs, now)
        late = now + timedelta(seconds=res.settings.nonce_ttl_seconds)
        assert not oid4vci.consume_nonce(session, res.settings, res.master_secret, org, mine, late)
        assert oid4vci.consume_nonce(session, res.settings, res.master_secret, org, mine, now)
        assert not oid4vci.consume_nonce(session, res.settings, res.master_secret, org, mine, now)


def test_used_nonces_are_purged_at_most_once_a_minute(env: Env) -> None:
    res: Any = env.client.app.state.resources  # type: ignore[attr-defined]
    oid4vci._next_nonce_purge.clear()

    def use() -> int:
        now = env.clock()
        value = oid4vci.new_nonce(res.master_secret, res.settings, "demo-association", now)
        with res.sessions.begin() as session:
            org = get_org(session, "demo-association")
            assert oid4vci.consume_nonce(session, res.settings, res.master_secret, org, value, now)
            return int(session.scalar(select(func.count()).select_from(Nonce)) or 0)

    assert use() == 1
    env.clock.advance(seconds=res.settings.nonce_ttl_seconds + 1)  # the first record has expired
    assert use() == 1  # more than a minute since the last purge: purged
    env.clock.advance(seconds=res.settings.nonce_ttl_seconds + 1)
    assert use() == 1
    env.clock.advance(seconds=30)
    assert use() == 2  # within the minute: not purged (the expired one is refused anyway)
    assert timedelta(minutes=1) == oid4vci.NONCE_PURGE_EVERY


def test_a_nonce_is_used_once_on_postgresql(pg_settings: Any, request: Any) -> None:
    """The first use is told by the insert's RETURNING (psycopg reports no rowcount for an
    INSERT … ON CONFLICT DO NOTHING through SQLAlchemy): two uses at once, one passes."""
    import threading

    from issuer.demo import seed_demo
    from issuer.main import open_resources

    seed_demo(pg_settings)
    res = open_resources(pg_settings)
    request.addfinalizer(res.dispose)
    now = res.clock()
    value = oid4vci.new_nonce(res.master_secret, pg_settings, "demo-association", now)
    results: list[bool] = []
    start = threading.Barrier(2)

    def use() -> None:
        start.wait()
        with res.sessions.begin() as session:
            org = get_org(session, "demo-association")
            results.append(
                oid4vci.consume_nonce(session, pg_settings, res.master_secret, org, value, now)
            )

    threads = [threading.Thread(target=use) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False, True]


def test_the_offer_is_read_in_autocommit(env: Env, wallet: Wallet) -> None:
    created = env.offer(formats=["jwt_vc_json"])
    engine = env.client.app.state.resources.sessions.kw["bind"]  # type: ignore[attr-defined]
    levels: list[str | None] = []
    event.listen(
        engine,
        "before_cursor_execute",
        lambda conn, *a: levels.append(conn.get_execution_options().get("isolation_level")),
    )
    offer = wallet.resolve(created["offer_uri"])
    assert offer["credential_configuration_ids"] == ["volunteer_jwt_vc_json"]
    assert levels == ["AUTOCOMMIT"]  # the organisation and the offer in one read; no BEGIN
    path = urlsplit(parse_qs(urlsplit(created["offer_uri"]).query)["credential_offer_uri"][0]).path
    used = env.client.get(path)  # still pending: the same answer
    assert used.status_code == 200
    unknown = env.client.get(path[:-3] + "xyz")
    assert unknown.status_code >= 400
    assert unknown.status_code < 500
    elsewhere = env.client.get(path.replace("/demo-association/", "/nope/"))
    assert elsewhere.status_code == 404
    assert "no organisation nope" in elsewhere.text


def test_a_credential_is_one_read_and_three_inserts(env: Env, wallet: Wallet) -> None:
    Wallet(env).receive("volunteer_jwt_vc_json")  # the first use of a nonce purges (once a minute)
    offer = wallet.resolve(env.offer(formats=["jwt_vc_json"])["offer_uri"])
    token = wallet.token(offer, None).json()["access_token"]
    proof = wallet.proof(wallet.nonce())
    log = _statements(env)
    assert wallet.credential(token, "volunteer_jwt_vc_json", proof).status_code == 200
    # the organisation, token, offer, achievement, issued credentials and active key in one
    # read; then the nonce's use, the status index, the credential; no SAVEPOINT
    assert log == ["SELECT", "INSERT", "INSERT", "INSERT"]


def test_a_signing_key_is_decrypted_once_per_process(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    res: Any = env.client.app.state.resources  # type: ignore[attr-defined]
    res.signing_keys.clear()
    loads: list[str] = []
    real = EncryptedKeyStore._load

    def counted(store: EncryptedKeyStore, key_id: str) -> Any:
        loads.append(key_id)
        return real(store, key_id)

    monkeypatch.setattr(EncryptedKeyStore, "_load", counted)
    first, second = Wallet(env).receive("volunteer_ldp_vc"), Wallet(env).receive("volunteer_ldp_vc")
    assert first["proof"]["verificationMethod"] == second["proof"]["verificationMethod"]
    assert len(loads) == 1
    assert list(res.signing_keys) == loads


def test_a_token_is_one_update_and_one_insert(env: Env, wallet: Wallet) -> None:
    offer = wallet.resolve(env.offer(formats=["jwt_vc_json"])["offer_uri"])
    log = _statements(env)
    assert wallet.token(offer, None).status_code == 200
    assert log == ["UPDATE", "INSERT"]  # the code redeemed (RETURNING), the access token
    log.clear()
    again = wallet.token(offer, None)  # used: the reads of before tell why
    assert (again.status_code, again.json()["error"]) == (400, "invalid_grant")
    assert "already been used" in again.json()["error_description"]
    assert "INSERT" not in log


def test_a_token_for_an_offer_with_a_tx_code_counts_the_try(env: Env, wallet: Wallet) -> None:
    created = env.offer(formats=["jwt_vc_json"], tx_code=True)
    offer = wallet.resolve(created["offer_uri"])
    assert wallet.token(offer, None).json()["error"] == "invalid_request"  # the code is needed
    wrong = "".join("1" if c == "0" else "0" for c in created["tx_code"])
    assert wallet.token(offer, wrong).json()["error"] == "invalid_grant"
    res: Any = env.client.app.state.resources  # type: ignore[attr-defined]
    with res.sessions.begin() as session:
        row = session.scalars(select(Offer).where(Offer.tx_code_hash.is_not(None))).one()
        assert (row.tx_attempts, row.state) == (1, "pending")
    assert wallet.token(offer, created["tx_code"]).status_code == 200


def test_each_step_of_the_exchange_takes_one_thread_hop(
    env: Env, wallet: Wallet, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The blocking work of each step runs in one worker-thread hop (a plain ``def``
    dependency would add one per request); the nonce takes none."""
    hops: list[str] = []
    original = anyio.to_thread.run_sync

    async def counted(func: Any, *args: Any, **kwargs: Any) -> Any:
        hops.append(getattr(func, "__name__", "?"))
        return await original(func, *args, **kwargs)

    created = env.offer(formats=["jwt_vc_json"])
    Wallet(env).nonce()  # the organisation known to the early nonce route
    monkeypatch.setattr(anyio.to_thread, "run_sync", counted)
    offer = wallet.resolve(created["offer_uri"])
    assert len(hops) == 1
    token = wallet.token(offer, None).json()["access_token"]
    assert len(hops) == 2
    proof = wallet.proof(wallet.nonce())
    assert len(hops) == 2
    assert wallet.credential(token, "volunteer_jwt_vc_json", proof).status_code == 200
    assert len(hops) == 3


@contextmanager
def _pg_issuer(pg_settings: Any, request: Any) -> Iterator[Env]:
    """The demo issuer on PostgreSQL, with an API key."""
    from issuer.demo import seed_demo
    from issuer.main import create_app

    seed_demo(pg_settings)
    app = create_app(pg_settings)
    res = app.state.resources
    with res.sessions.begin() as session:
        org = get_org(session, "demo-association")
        _, api_key = create_api_key(session, org, "tests", "test", res.clock())
    with TestClient(app) as client:
        request.addfinalizer(res.dispose)
        yield Env(client, pg_settings, Clock(), api_key)


def test_a_token_is_one_autocommit_statement_on_postgresql(
    pg_settings: Any, request: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``WITH redeemed AS (UPDATE … RETURNING) INSERT …``: no BEGIN, no COMMIT round trip;
    the code is redeemed once, and a second use is told by the usual reads."""
    with _pg_issuer(pg_settings, request) as env:
        res: Any = env.client.app.state.resources  # type: ignore[attr-defined]
        wallet = Wallet(env)
        offer = wallet.resolve(env.offer(formats=["jwt_vc_json"])["offer_uri"])
        monkeypatch.setattr(pg_settings, "rate_limit_token", "off")
        seen: list[tuple[str, str | None]] = []
        event.listen(
            res.engine,
            "before_cursor_execute",
            lambda conn, _cur, statement, *_: seen.append(
                (statement.split()[0], conn.get_execution_options().get("isolation_level"))
            ),
        )
        token = wallet.token(offer, None)
        assert token.status_code == 200
        assert seen == [("WITH", "AUTOCOMMIT")]
        proof = wallet.proof(wallet.nonce())
        issued = wallet.credential(token.json()["access_token"], "volunteer_jwt_vc_json", proof)
        assert issued.status_code == 200
        again = wallet.token(offer, None)
        assert (again.status_code, again.json()["error"]) == (400, "invalid_grant")
        assert "already been used" in again.json()["error_description"]


def test_a_credential_is_one_read_and_two_writes_on_postgresql(
    pg_settings: Any, request: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The nonce's use and the status index in one statement (``WITH used AS (INSERT …),
    taken AS (INSERT … WHERE EXISTS (SELECT FROM used)) SELECT …``), then the credential's
    INSERT; the index taken is the credential's; a used nonce takes no index; a taken
    index is drawn again."""
    with _pg_issuer(pg_settings, request) as env:
        res: Any = env.client.app.state.resources  # type: ignore[attr-defined]
        monkeypatch.setattr(pg_settings, "rate_limit_token", "off")
        Wallet(env).receive("volunteer_jwt_vc_json")  # the lists, the nonce purge: once
        wallet = Wallet(env)

        def ready() -> tuple[str, str]:
            offer = wallet.resolve(env.offer(formats=["jwt_vc_json"])["offer_uri"])
            return wallet.token(offer, None).json()["access_token"], wallet.proof(wallet.nonce())

        token, proof = ready()
        seen: list[str] = []

        def listener(_conn: Any, _cur: Any, statement: str, *_: Any) -> None:
            if "rate_limits" not in statement:
                seen.append(statement.split()[0])

        event.listen(res.engine, "before_cursor_execute", listener)
        issued = wallet.credential(token, "volunteer_jwt_vc_json", proof)
        event.remove(res.engine, "before_cursor_execute", listener)
        assert issued.status_code == 200, issued.text
        assert seen == ["SELECT", "WITH", "INSERT"]
        with res.sessions.begin() as session:
            rows = session.execute(
                select(StatusAllocation.credential_id, StatusAllocation.seq, StatusAllocation.idx)
            ).all()
            newest = session.scalars(
                select(IssuedCredential).order_by(IssuedCredential.issued_at.desc())
            ).first()
        assert newest is not None
        assert (newest.id, newest.status_seq, newest.status_index) in {tuple(r) for r in rows}

        # the same nonce again: refused, and no index taken for it
        token, _ = ready()
        again = wallet.credential(token, "volunteer_jwt_vc_json", proof)
        assert (again.status_code, again.json()["error"]) == (400, "invalid_nonce")
        with res.sessions.begin() as session:
            assert session.scalar(select(func.count()).select_from(StatusAllocation)) == len(rows)

        # an index already taken: the combined statement takes none, the usual draw does
        taken_idx = newest.status_index
        drawn = iter([taken_idx, taken_idx, 7, 7])
        monkeypatch.setattr("issuer.service.oid4vci.secrets.randbelow", lambda n: next(drawn))
        monkeypatch.setattr("issuer.service.status.secrets.randbelow", lambda n: next(drawn))
        token, proof = ready()
        third = wallet.credential(token, "volunteer_jwt_vc_json", proof)
        assert third.status_code == 200, third.text
        with res.sessions.begin() as session:
            indexes = sorted(session.scalars(select(StatusAllocation.idx)))
        assert len(indexes) == len(set(indexes)) == len(rows) + 1
        assert 7 in indexes
