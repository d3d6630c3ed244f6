"""The recruiter's side: a refusal turns the page to "refused" at once, an
expired request hides its QR code, the Musette wallet link sits beside the QR code, and the
signed-in recruiter has a list of past requests with their results."""

from __future__ import annotations

import html as htmllib
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from tests.integration.verifier.conftest import NOW, Served, make_fetcher, make_settings
from tests.integration.verifier.test_verifier_oid4vp import _request_object
from tests.integration.verifier.test_verifier_pages import (
    _answer_request,
    _create,
    _status,
    sign_in,
    verdict_of,
)
from tests.unit.verifier.builders import badge
from verifier.demo import seed_demo
from verifier.main import create_app
from verifier.service import accounts

__all__ = ["_status"]  # the status list fixture (autouse) of the pages' tests

WALLET = "https://wallet.example"


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def recruiter(tmp_path: Path, served: Served, clock: Clock) -> Iterator[tuple[TestClient, str]]:
    """The verifier with a Musette wallet configured, signed in as the demo recruiter."""
    settings = make_settings(tmp_path, wallet_url=WALLET + "/")
    with TestClient(create_app(settings, fetcher=make_fetcher(served), clock=clock)) as c:
        seed_demo(settings)
        yield c, sign_in(c)


def _refuse(client: TestClient, request_id: str) -> None:
    page = client.get(f"/requests/{request_id}").text
    uri = page.split('href="openid4vp://?')[1].split('"')[0].replace("&amp;", "&")
    obj = _request_object(client, {"request_uri": "openid4vp://?" + uri})
    answered = client.post(
        obj["response_uri"].removeprefix("https://verifier.example"),
        data={"error": "access_denied", "state": obj["state"]},
    )
    assert answered.status_code == 200, answered.text


def test_a_refusal_turns_the_page_to_refused_and_hides_the_qr_code(
    recruiter: tuple[TestClient, str], clock: Clock
) -> None:
    client, csrf = recruiter
    request_id, waiting = _create(client, csrf, "volunteering")
    assert "data-qr>" in waiting.text
    assert "/qr.svg" in waiting.text
    clock.now += timedelta(seconds=5)  # long before the 600 s expiry
    _refuse(client, request_id)
    part = client.get(f"/requests/{request_id}/answer?lang=fr").text
    assert 'data-state="refused"' in part
    assert verdict_of(part) == "refused"
    assert "✘ Refusé" in part
    assert "La personne a refusé de montrer ses badges. Rien n&#39;a été envoyé." in part
    fr = client.get(f"/requests/{request_id}?lang=fr").text
    assert "data-qr hidden" in fr
    assert "/qr.svg" not in fr
    en = client.get(f"/requests/{request_id}?lang=en").text
    assert "✘ Refused" in en
    assert "The person refused to share their credentials." in en


def test_an_expired_request_hides_its_qr_code_and_says_so(
    recruiter: tuple[TestClient, str], clock: Clock
) -> None:
    client, csrf = recruiter
    request_id, _page = _create(client, csrf, "any-badge")
    clock.now += timedelta(seconds=601)
    fr = client.get(f"/requests/{request_id}?lang=fr").text
    assert 'data-state="expired"' in fr
    assert "data-qr hidden" in fr
    assert "/qr.svg" not in fr
    assert "Cette demande a expiré sans réponse." in htmllib.unescape(fr)


def test_the_musette_wallet_link_sits_beside_the_qr_code(recruiter: tuple[TestClient, str]) -> None:
    client, csrf = recruiter
    request_id, page = _create(client, csrf, "any-badge")
    html = htmllib.unescape(page.text)
    link = html.split("data-wallet-link")[0].rsplit('href="', 1)[1].split('"')[0]
    assert link.startswith(WALLET + "/present?")
    qr_link = html.split('href="openid4vp://?')[1].split('"')[0]
    assert parse_qs(urlsplit(link).query) == parse_qs(qr_link)  # the very same request
    assert "Ouvrir dans le portefeuille Musette" in html
    assert "Pas d'application de portefeuille sur le téléphone\u202f?" in html
    assert "fonctionne dans n'importe quel navigateur web\u00a0:" in html
    en = htmllib.unescape(client.get(f"/requests/{request_id}?lang=en").text)
    assert "Open in the Musette wallet" in en
    assert "No wallet app on the phone?" in en


def test_without_a_wallet_url_only_the_openid4vp_link_is_offered(
    client: TestClient, api_key: str
) -> None:
    csrf = sign_in(client)
    _request_id, page = _create(client, csrf, "any-badge")
    assert "data-wallet-link" not in page.text
    assert 'href="openid4vp://?' in page.text
    assert "Pas d&#39;application de portefeuille" in page.text


def test_past_requests_list_each_result_for_the_signed_in_recruiter(
    recruiter: tuple[TestClient, str], clock: Clock
) -> None:
    client, csrf = recruiter
    assert 'href="/requests">Demandes passées' in client.get("/requests/new?lang=fr").text
    verified, _ = _create(client, csrf, "any-badge")
    _answer_request(client, verified, badge(status_index=3))
    revoked, _ = _create(client, csrf, "any-badge")
    _answer_request(client, revoked, badge(status_index=7))
    refused, _ = _create(client, csrf, "volunteering")
    _refuse(client, refused)
    waiting, _ = _create(client, csrf, "rating")
    fr = client.get("/requests?lang=fr")
    assert fr.status_code == 200
    found = dict(re.findall(r'data-request="([^"]+)" data-verdict="(\w+)"', fr.text))
    assert found == {
        verified: "verified",
        revoked: "revoked",
        refused: "refused",
        waiting: "pending",
    }
    text = htmllib.unescape(fr.text)
    for word in ("Vérifié", "Révoqué", "Refusé", "En attente du portefeuille"):
        assert word in text
    clock.now += timedelta(seconds=601)
    en = client.get("/requests?lang=en").text
    assert f'data-request="{waiting}" data-verdict="expired"' in en
    assert "Expired without an answer" in en
    res = client.app.state.resources  # type: ignore[attr-defined]
    with res.sessions.begin() as session:
        accounts.create_account(
            session, "autre@rh.example", "un-autre-mot-de-passe", res.hasher, res.clock()
        )
    sign_in(client, "autre@rh.example", "un-autre-mot-de-passe")
    assert "data-request=" not in client.get("/requests?lang=fr").text  # only one's own
    client.cookies.clear()
    assert client.get("/requests", follow_redirects=False).status_code in {302, 303}
