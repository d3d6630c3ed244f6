"""French pages of the wallet say what went wrong in French only: used, expired and unknown
offers each get their own message, and error pages never show the English ``detail``."""

from __future__ import annotations

import html as htmllib
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from shared.ui.problem_text import problem_message, problem_title
from tests.integration.error_pages import check_error_pages
from tests.integration.wallet.test_wallet_pages import csrf_of, page, sign_in
from tests.unit.shared.test_problem_text import ENGLISH
from tests.unit.wallet.fake_issuer import FakeIssuer
from tests.unit.wallet.testkit import Holder, serve
from wallet.errors import EndorsementLinkUsedError

FLASH = re.compile(r'<p class="flash error"[^>]*>(.*?)</p>', re.DOTALL)


@pytest.fixture
def issuer() -> Iterator[FakeIssuer]:
    fake = FakeIssuer()
    with serve(fake.app()) as base:
        fake.base = base
        yield fake


def _flash(text: str) -> str:
    found = FLASH.search(text)
    assert found, "no error message on the page"
    return htmllib.unescape(found.group(1)).strip()


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("case", ["offer-used", "offer-expired", "offer-unknown"])
def test_used_expired_and_unknown_offers_have_their_own_message(
    wallet: TestClient, alice: Holder, issuer: FakeIssuer, case: str, lang: str
) -> None:
    sign_in(wallet, alice)
    token = csrf_of(page(wallet, "/receive", lang))
    uri = issuer.offer("volunteer_sd")
    offer_id = uri.rsplit("/", 1)[1]
    if case == "offer-unknown":
        uri = uri.rsplit("/", 1)[0] + "/nothing-here"
    else:
        issuer.gone[offer_id] = case
    answer = wallet.post(
        "/receive", data={"csrf_token": token, "offer": uri}, headers={"Accept-Language": lang}
    )
    message = _flash(answer.text)
    assert problem_message(case, lang) in message
    others = {"offer-used", "offer-expired", "offer-unknown"} - {case}
    assert all(problem_message(other, lang) not in message for other in others)
    if lang == "fr":
        assert ENGLISH.search(message) is None, message
    assert issuer.token_requests == []


def test_a_french_error_page_shows_no_english_detail(wallet: TestClient, alice: Holder) -> None:
    sign_in(wallet, alice)
    html = {"Accept": "text/html", "Accept-Language": "fr"}
    missing = wallet.get("/credentials/no-such-credential", headers=html)
    assert missing.status_code == 404
    text = htmllib.unescape(missing.text)
    assert problem_title("not-found", "fr") in text
    main = text.split("<main", 1)[1].split("</main>", 1)[0]
    visible = re.sub(r"<[^>]+>", " ", main)
    assert ENGLISH.search(visible) is None, visible
    api = wallet.get("/api/credentials/no-such-credential", headers={"Accept-Language": "fr"})
    assert api.headers["content-type"].startswith("application/problem+json")
    assert api.json()["detail"]  # the machine's English detail stays in the JSON


def test_a_wrong_tx_code_reads_as_such_in_french(
    wallet: TestClient, alice: Holder, issuer: FakeIssuer
) -> None:
    sign_in(wallet, alice)
    token = csrf_of(page(wallet, "/receive?lang=fr"))
    preview = wallet.post(
        "/receive",
        data={"csrf_token": token, "offer": issuer.offer("volunteer_sd", tx_code="1234")},
    )
    offer_id = re.search(r'action="/receive/([^/]+)/accept"', preview.text)
    assert offer_id, preview.text
    answer = wallet.post(
        f"/receive/{offer_id.group(1)}/accept", data={"csrf_token": token, "tx_code": "9999"}
    )
    message = _flash(answer.text)
    assert problem_message("tx-code-wrong", "fr") in message
    assert ENGLISH.search(message) is None, message


def test_404_410_500_are_pages_for_browsers_and_problems_for_clients(wallet: TestClient) -> None:
    check_error_pages(wallet, EndorsementLinkUsedError)
