"""A status list's conditional GET answered 304 from the process's ETag memo, before
FastAPI's routing, for at most ``status_etag_memo_seconds``
(docs/decisions/status-etag-memo.md); a change made by this process is seen at once, one
made elsewhere (another instance) once the memo's seconds have passed."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import update

from issuer.db.models import StatusList as StatusListRow
from issuer.service import status
from tests.integration.issuer.conftest import Env, Wallet


class Reads:
    """Counts the database reads of a list's current ETag; moves the memo's clock."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        self.now = 1000.0
        original = status.current_etag

        def counted(*args: Any) -> str | None:
            self.count += 1
            return original(*args)

        monkeypatch.setattr("issuer.api.oid4vci.current_etag", counted)
        monkeypatch.setattr(status, "_monotonic", lambda: self.now)


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Reads:
    return Reads(monkeypatch)


def _list_path(wallet: Wallet) -> str:
    credential = wallet.receive("volunteer_ldp_vc", suspendable=True)
    return str(credential["credentialStatus"]["statusListCredential"]).removeprefix(
        "http://testserver"
    )


def _changed_elsewhere(env: Env) -> None:
    """Another instance revokes something: the row changes, this process is not told."""
    res = env.client.app.state.resources  # type: ignore[attr-defined]
    with res.sessions.begin() as session:
        session.execute(update(StatusListRow).values(version=StatusListRow.version + 1))


def test_a_304_from_the_memo_reads_no_database(env: Env, wallet: Wallet, reads: Reads) -> None:
    path = _list_path(wallet)
    etag = env.client.get(path).headers["etag"]
    for _ in range(3):
        cheap = env.client.get(path, headers={"If-None-Match": etag})
        assert cheap.status_code == 304
        assert cheap.headers["etag"] == etag
        assert cheap.headers["cache-control"] == "public, max-age=300"
        assert cheap.headers["x-request-id"]
    assert reads.count == 0


def test_a_change_elsewhere_is_seen_once_the_memo_has_expired(
    env: Env, wallet: Wallet, reads: Reads
) -> None:
    path = _list_path(wallet)
    etag = env.client.get(path).headers["etag"]
    _changed_elsewhere(env)
    reads.now += 4.9
    assert env.client.get(path, headers={"If-None-Match": etag}).status_code == 304  # stale
    reads.now += 0.1  # status_etag_memo_seconds (5) since the read
    fresh = env.client.get(path, headers={"If-None-Match": etag})
    assert fresh.status_code == 200
    assert fresh.headers["etag"] != etag
    assert reads.count == 1


def test_a_change_here_is_seen_at_once(env: Env, wallet: Wallet, reads: Reads) -> None:
    from tests.integration.issuer.test_issuer_status import credential_id, set_status

    path = _list_path(wallet)
    etag = env.client.get(path).headers["etag"]
    assert env.client.get(path, headers={"If-None-Match": etag}).status_code == 304
    assert set_status(env, credential_id(env), "suspend").status_code == 200
    changed = env.client.get(path, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag


def test_no_memo_with_zero_seconds(env: Env, wallet: Wallet, reads: Reads) -> None:
    res = env.client.app.state.resources  # type: ignore[attr-defined]
    object.__setattr__(
        res, "settings", res.settings.model_copy(update={"status_etag_memo_seconds": 0})
    )
    path = _list_path(wallet)
    etag = env.client.get(path).headers["etag"]
    assert env.client.get(path, headers={"If-None-Match": etag}).status_code == 304
    assert env.client.get(path, headers={"If-None-Match": etag}).status_code == 304
    assert reads.count == 2


def test_the_memo_never_outlives_the_lists_max_age(env: Env) -> None:
    from issuer.api.oid4vci import _etag_memo_seconds

    res = env.client.app.state.resources  # type: ignore[attr-defined]
    short = res.settings.model_copy(
        update={"status_etag_memo_seconds": 30, "status_list_max_age_seconds": 3}
    )
    object.__setattr__(res, "settings", short)
    assert _etag_memo_seconds(res) == 3


def test_cross_origin_and_hostile_tags_go_the_full_way(
    env: Env, wallet: Wallet, reads: Reads
) -> None:
    path = _list_path(wallet)
    etag = env.client.get(path).headers["etag"]
    cors = env.client.get(path, headers={"If-None-Match": etag, "Origin": "https://w.example"})
    assert cors.status_code == 304
    assert cors.headers["access-control-allow-origin"] == "*"
    assert reads.count == 1
    for header in ('"other"', "W/", ",,,", etag[:-1], etag + "x", "W/" * 1000):
        assert env.client.get(path, headers={"If-None-Match": header}).status_code == 200
    for other in ("/orgs/demo-association/status/revocation/99", path + "0", path + "/x"):
        assert env.client.get(other, headers={"If-None-Match": etag}).status_code == 404
