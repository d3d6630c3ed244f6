"""Fewer database round trips per issued credential (issue #16): the newest status lists
are read in one query, and expired nonces are purged at most once a minute per process."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from conftest import Env
from sqlalchemy import event, func, select

from issuer.db.models import Nonce
from issuer.db.models import StatusList as StatusListRow
from issuer.service import oid4vci, status
from issuer.service.orgs import get_org


def _statements(env: Env) -> list[str]:
    log: list[str] = []
    engine = env.client.app.state.resources.sessions.kw["bind"]  # type: ignore[attr-defined]
    event.listen(engine, "before_cursor_execute", lambda *a: log.append(a[2].split()[0]))
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
    assert log.count("SELECT") == 2  # the organisation, then the newest lists
    assert log.count("INSERT") == 1  # the allocation only: no list created again


def test_a_full_list_moves_on_to_the_next_with_all_its_purposes(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    _allocate(env, "c-1")
    drawn = [7]
    monkeypatch.setattr(status.secrets, "randbelow", lambda n: drawn[0])
    assert _allocate(env, "c-2") == (1, 7)
    assert _allocate(env, "c-3") == (2, 7)  # eight collisions in a row: list 2
    assert _lists(env) == sorted((s, p) for s in (1, 2) for p in status.LIST_PURPOSES)
    drawn[0] = 8
    assert _allocate(env, "c-4") == (2, 8)  # the newest list, not the first one


def test_expired_nonces_are_purged_at_most_once_a_minute(env: Env) -> None:
    res: Any = env.client.app.state.resources  # type: ignore[attr-defined]
    oid4vci._next_nonce_purge.clear()

    def count() -> int:
        with res.sessions.begin() as session:
            return int(session.scalar(select(func.count()).select_from(Nonce)) or 0)

    def new() -> str:
        resp = env.client.post("/orgs/demo-association/nonce")
        assert resp.status_code == 200, resp.text
        return str(resp.json()["c_nonce"])

    new()
    env.clock.advance(seconds=res.settings.nonce_ttl + 1)  # the first one has expired
    new()  # more than a minute since the last purge: purged
    assert count() == 1
    env.clock.advance(seconds=res.settings.nonce_ttl + 1)
    new()
    assert count() == 1
    env.clock.advance(seconds=30)
    new()  # within the minute: not purged, the expired one stays (and is refused)
    assert count() == 2
    assert timedelta(minutes=1) == oid4vci.NONCE_PURGE_EVERY
