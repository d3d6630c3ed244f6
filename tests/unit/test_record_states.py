"""The states records are in are StrEnums whose values are what the databases hold: renaming a
value would strand every row written before, so the stored spellings are pinned here."""

from __future__ import annotations

from enum import StrEnum

import pytest

from issuer.service.states import OfferState
from verifier.schemas import RequestState as RequestStateOut
from verifier.service.states import RequestState
from wallet.schemas import EndorsementRequestState as EndorsementRequestStateOut
from wallet.service.states import (
    CredentialStatusState,
    EndorsementRequestState,
    PendingKind,
    ProfileState,
)


@pytest.mark.parametrize(
    ("states", "stored"),
    [
        (OfferState, {"pending", "redeemed", "dead"}),
        (RequestState, {"pending", "processing", "answered", "refused", "expired"}),
        (EndorsementRequestState, {"open", "used", "revoked", "expired"}),
        (ProfileState, {"open", "revoked", "expired"}),
        (PendingKind, {"offer", "request"}),
        (CredentialStatusState, {"revoked", "suspended", "unchecked", "clear", "none"}),
    ],
)
def test_state_values_are_the_stored_strings(states: type[StrEnum], stored: set[str]) -> None:
    assert {s.value for s in states} == stored
    for state in states:
        assert state == state.value
        assert str(state) == state.value  # written as the plain text


def test_the_response_models_use_the_service_enums() -> None:
    assert RequestStateOut is RequestState
    assert EndorsementRequestStateOut is EndorsementRequestState
