"""The person sees what the issuer wrote about them and the evidence it attached."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.integration.narrative_evidence import assert_shown, badge
from tests.integration.wallet.test_wallet_pages import page, sign_in
from tests.unit.wallet.testkit import Holder, IssuerKit


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_person_sees_the_narrative_and_evidence(
    wallet: TestClient, alice: Holder, kit: IssuerKit, lang: str
) -> None:
    cid = alice.import_credential(badge(kit, alice.did))["id"]
    sign_in(wallet, alice)
    page(wallet, f"/credentials/{cid}", lang)  # 200, in this language
    raw = wallet.get(
        f"/credentials/{cid}", headers={"Accept": "text/html", "Accept-Language": lang}
    )
    assert_shown(raw.text, lang)
