"""wallet.service.credential_status: where a stored badge's status entry is, and what a
status check means for the person (hostile and odd stored claims included)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from shared.net.fetch import StaticFetcher
from shared.verify.context import VerifyContext
from tests.unit.verifier.builders import STATUS_URL, badge, status_list
from wallet.errors import CredentialBlockedError
from wallet.service import credential_status as cs
from wallet.service.storage import CredentialView

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def _view(claims: Any, fmt: str = "ldp_vc") -> CredentialView:
    return CredentialView(
        "c1", fmt, NOW, {"title": "Bénévole"}, {"credential": "", "claims": claims}
    )


def _ctx(revoked: tuple[int, ...] = ()) -> VerifyContext:
    return VerifyContext(
        fetcher=StaticFetcher({STATUS_URL: status_list(revoked)}), clock=lambda: NOW
    )


@pytest.mark.parametrize(
    "claims",
    [
        None,
        "text",
        [],
        {},
        {"status": "x"},
        {"status": {"status_list": {"idx": 1, "uri": "u"}}},
        {"status": 3},
    ],
    ids=["none", "string", "list", "empty", "status-string", "token-status-list", "number"],
)
def test_no_usable_entry_means_no_status(claims: Any) -> None:
    assert cs.status_entries(_view(claims)) is None
    assert cs.check_status(_view(claims), _ctx()).state == cs.NONE


def test_w3c_and_sd_jwt_entries_are_found() -> None:
    w3c = badge(status_index=3)
    assert cs.status_entries(_view(w3c)) == w3c["credentialStatus"]
    sd = {"status": w3c["credentialStatus"]}  # our SD-JWT VC mapping
    assert cs.status_entries(_view(sd, "dc+sd-jwt")) == w3c["credentialStatus"]


def test_clear_revoked_and_unreadable() -> None:
    view = _view(badge(status_index=3))
    clear = cs.check_status(view, _ctx())
    assert (clear.state, clear.blocked, clear.checked_at) == (cs.CLEAR, False, NOW.isoformat())
    revoked = cs.check_status(view, _ctx((3,)))
    assert (revoked.state, revoked.blocked) == (cs.REVOKED, True)
    with pytest.raises(CredentialBlockedError, match="revoked"):
        cs.refuse_blocked(view, revoked)
    down = cs.check_status(view, VerifyContext(fetcher=StaticFetcher({}), clock=lambda: NOW))
    assert (down.state, down.blocked, down.checked_at) == (cs.UNCHECKED, False, None)
    cs.refuse_blocked(view, down)  # not blocked: the verifier fails closed on its side


def test_a_forged_list_is_unchecked_not_revoked() -> None:
    forged = status_list()
    forged["credentialSubject"]["encodedList"] = status_list((3,))["credentialSubject"][
        "encodedList"
    ]
    ctx = VerifyContext(fetcher=StaticFetcher({STATUS_URL: forged}), clock=lambda: NOW)
    assert cs.check_status(_view(badge(status_index=3)), ctx).state == cs.UNCHECKED
