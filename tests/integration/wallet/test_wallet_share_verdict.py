"""The public share page verifies the credential at every visit and says so in words."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.unit.wallet.testkit import Holder, IssuerKit

VERIFIED = {
    "fr": "Vérifié\u00a0: authentique et valide aujourd'hui.",
    "en": "It verifies: authentic and valid today.",
}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_share_page_shows_a_live_verdict(
    wallet: TestClient, alice: Holder, kit: IssuerKit, lang: str
) -> None:
    cid = alice.import_credential(kit.vc_jwt(alice.did, name="Partagé"))["id"]
    token = alice.post(f"/api/credentials/{cid}/shares").json()["url"].rsplit("/", 1)[1]
    wallet.cookies.clear()  # a visitor, not the owner
    page = wallet.get(f"/s/{token}", headers={"Accept-Language": lang})
    assert page.status_code == 200
    assert 'class="verdict ok"' in page.text
    assert VERIFIED[lang].replace("'", "&#39;") in page.text
    assert ("Format\u00a0: vc+jwt" if lang == "fr" else "Format: vc+jwt") in page.text


def test_a_share_whose_credential_no_longer_verifies_says_so(
    wallet: TestClient, alice: Holder, kit: IssuerKit, monkeypatch: pytest.MonkeyPatch
) -> None:
    cid = alice.import_credential(kit.vc_jwt(alice.did, name="Partagé"))["id"]
    token = alice.post(f"/api/credentials/{cid}/shares").json()["url"].rsplit("/", 1)[1]
    from wallet.api import credential_pages

    monkeypatch.setattr(
        credential_pages, "_verify_now", lambda res, raw: None
    )  # could not be checked
    page = wallet.get(f"/s/{token}", headers={"Accept-Language": "fr"})
    assert 'class="verdict ok"' not in page.text
    assert 'class="verdict bad"' in page.text
