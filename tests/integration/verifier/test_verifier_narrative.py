"""The recruiter sees what the issuer wrote about the person and the evidence it attached."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from tests.integration.narrative_evidence import assert_shown, badge
from tests.unit.wallet.testkit import IssuerKit

HOLDER = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_recruiter_sees_the_narrative_and_evidence(client: TestClient, lang: str) -> None:
    credential = json.dumps(badge(IssuerKit(), HOLDER))
    result = client.post(f"/verify?lang={lang}", data={"credential": credential})
    assert result.status_code == 200, result.text
    assert 'class="verdict' in result.text
    assert_shown(result.text, lang)
