"""The CV's QR codes lead to live verification: read back from the PDF, each opens a share
page that says « verified », then « revoked » once the issuer revokes the badge."""

from __future__ import annotations

import io
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from tests.integration.wallet.test_wallet_pages import csrf_of, page, sign_in
from tests.integration.wallet.test_wallet_status import (  # noqa: F401
    StatusIssuer,
    _holder,
    holder_wallet,
    issuer,
)
from tests.unit.verifier.builders import badge, ldp_vc
from tests.unit.wallet.test_exports import _zbar_available, decode_qr
from wallet.service.exports import pdf


@pytest.mark.skipif(
    not (pdf.weasyprint_available() and _zbar_available()),
    reason="needs pango and zbar: apt-get install libpango-1.0-0 libpangoft2-1.0-0 libzbar0",
)
def test_the_printed_qr_answers_verified_then_revoked(
    holder_wallet: TestClient,  # noqa: F811
    issuer: StatusIssuer,  # noqa: F811
) -> None:
    from pypdf import PdfReader

    camille = _holder(holder_wallet)
    cid = camille.import_credential(ldp_vc(badge(subject=camille.did, status_index=4)))["id"]
    sign_in(holder_wallet, camille)
    html = page(holder_wallet, "/export", "en")
    resp = holder_wallet.post(
        "/export", data={"csrf_token": csrf_of(html), "credentials": [cid], "format": "pdf-en"}
    )
    assert resp.status_code == 200
    reader = PdfReader(io.BytesIO(resp.content))
    [url] = [decode_qr(image.data) for p in reader.pages for image in p.images]
    holder_wallet.cookies.clear()  # a recruiter, not the owner
    shared = holder_wallet.get(urlsplit(url).path, headers={"Accept-Language": "en"})
    assert 'class="verdict ok"' in shared.text
    issuer.revoked = (4,)
    shared = holder_wallet.get(urlsplit(url).path, headers={"Accept-Language": "en"})
    assert 'class="verdict ok"' not in shared.text
    assert "Revoked: the issuer withdrew this credential." in shared.text
