"""A service verifies a status list credential once, not once per credential pointing at it.

The memo remembers passed verifications of a list's exact content; a changed, failing or
old list is verified again, and a credential's own bit is always read.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.net.fetch import StaticFetcher
from shared.verify.context import VerifyContext
from shared.verify.credential import verify_credential
from shared.verify.report import VerificationReport
from shared.verify.status import check_credential_status
from shared.verify.status_memo import StatusListMemo
from tests.unit.verifier.builders import STATUS_URL, badge, status_list

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


class CountingVerify:
    """verify_credential, counting the status lists it is asked to verify."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, value: Any, ctx: VerifyContext) -> VerificationReport:
        self.calls += 1
        return verify_credential(value, ctx)


def _status(
    index: int, lists: dict[str, Any], memo: StatusListMemo | None, verify: CountingVerify
) -> tuple[str, str]:
    ctx = VerifyContext(fetcher=StaticFetcher(lists), clock=lambda: NOW, status_lists=memo)
    report = VerificationReport()
    check_credential_status(report, badge(status_index=index), ctx, verify)
    check = report.check("status")
    assert check is not None
    return check.status.value, check.reason


def test_one_list_is_verified_once_for_many_credentials() -> None:
    lists = {STATUS_URL: status_list(revoked=(5,))}
    memo, verify = StatusListMemo(), CountingVerify()
    outcomes = [_status(i, lists, memo, verify)[0] for i in (1, 2, 5, 7, 5)]
    assert outcomes == ["passed", "passed", "failed", "passed", "failed"]
    assert verify.calls == 1


def test_without_a_memo_every_check_verifies_the_list() -> None:
    lists = {STATUS_URL: status_list()}
    verify = CountingVerify()
    for i in range(3):
        _status(i, lists, None, verify)
    assert verify.calls == 3


def test_a_changed_list_is_verified_again_and_its_bits_are_read() -> None:
    memo, verify = StatusListMemo(), CountingVerify()
    assert _status(9, {STATUS_URL: status_list()}, memo, verify)[0] == "passed"
    status, reason = _status(9, {STATUS_URL: status_list(revoked=(9,))}, memo, verify)
    assert (status, verify.calls) == ("failed", 2)
    assert "revoked" in reason


def test_a_list_that_fails_is_never_remembered() -> None:
    forged = copy.deepcopy(status_list())
    forged["credentialSubject"]["statusPurpose"] = "suspension"  # the proof no longer holds
    memo, verify = StatusListMemo(), CountingVerify()
    for _ in range(2):
        status, reason = _status(1, {STATUS_URL: forged}, memo, verify)
        assert status == "failed"
        assert "does not verify" in reason
    assert verify.calls == 2


def test_a_verdict_is_kept_for_max_age_only() -> None:
    lists = {STATUS_URL: status_list()}
    memo, verify = StatusListMemo(max_age=timedelta(minutes=5)), CountingVerify()
    key = memo.key(lists[STATUS_URL])
    assert key is not None
    memo.remember(key, NOW - timedelta(minutes=6))
    _status(1, lists, memo, verify)
    assert verify.calls == 1  # the old verdict was not trusted
    _status(2, lists, memo, verify)
    assert verify.calls == 1  # the fresh one is


def test_the_memo_is_bounded() -> None:
    memo = StatusListMemo(max_entries=3)
    for i in range(10):
        memo.remember(f"k{i}", NOW)
    assert [memo.holds(f"k{i}", NOW) for i in (0, 6, 7, 8, 9)] == [False, False, True, True, True]


def test_values_that_are_not_json_have_no_key() -> None:
    assert StatusListMemo.key({"a": object()}) is None
    assert StatusListMemo.key({"a": 1}) == StatusListMemo.key({"a": 1})
    assert StatusListMemo.key({"a": 1}) != StatusListMemo.key({"a": 2})
