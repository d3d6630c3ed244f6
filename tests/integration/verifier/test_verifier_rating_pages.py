"""The recruiter picks the rating threshold and scale in the console, and reads the verdict
in plain words (fr and en): a volunteer badge's hours are not a rating."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.integration.verifier.conftest import auth
from tests.integration.verifier.test_verifier_pages import _answer_request, sign_in
from tests.unit.verifier.builders import ISSUER, badge, did


@pytest.fixture
def csrf(client: TestClient, api_key: str) -> str:
    return sign_in(client)


def _trust_platform(client: TestClient, api_key: str) -> None:
    body = {
        "kind": "did",
        "value": did(ISSUER),
        "name": "Plateforme Test",
        "issuer_kind": "platform",
    }
    assert client.post("/trust/issuers", json=body, headers=auth(api_key)).status_code == 201


def _create(client: TestClient, csrf: str, **form: str) -> tuple[str, Any]:
    created = client.post(
        "/requests?lang=fr",
        data={"template": "rating", "csrf_token": csrf, **form},
        follow_redirects=False,
    )
    if created.status_code != 303:
        return "", created
    location = created.headers["location"]
    return location.split("/requests/")[1].split("?")[0], client.get(location)


def test_the_form_offers_threshold_and_scale_with_the_default(
    client: TestClient, csrf: str
) -> None:
    fr = client.get("/requests/new?lang=fr").text
    assert 'name="rating-minimum"' in fr
    assert 'value="4,5"' in fr
    assert 'name="rating-scale"' in fr
    assert "une note d&#39;au moins 4,5 sur 5" in fr
    assert "le badge doit venir d&#39;une plateforme inscrite au registre de confiance" in fr
    en = client.get("/requests/new?lang=en").text
    assert 'value="4.5"' in en
    assert "a rating of at least 4.5 out of 5" in en
    assert "Minimum rating" in en


def test_a_rating_of_9_out_of_10_asked_in_the_console(
    client: TestClient, csrf: str, api_key: str
) -> None:
    _trust_platform(client, api_key)
    request_id, page = _create(client, csrf, **{"rating-minimum": "9", "rating-scale": "10"})
    assert request_id, page.text
    assert "au moins 9 sur 10" in page.text
    _answer_request(client, request_id, badge(rating="4.8", count="230"))
    fr = client.get(f"/requests/{request_id}?lang=fr").text
    assert "Sa note atteint ce que vous demandez\u00a0: au moins 9 sur 10." in fr
    assert "4,8 sur 5" in fr
    assert "Nombre d&#39;avis" in fr
    en = client.get(f"/requests/{request_id}?lang=en").text
    assert "Its rating meets what you asked: at least 9 out of 10." in en


def test_hours_shown_as_a_rating_read_as_no_rating(
    client: TestClient, csrf: str, api_key: str
) -> None:
    _trust_platform(client, api_key)
    request_id, _page = _create(client, csrf, **{"rating-minimum": "4,5", "rating-scale": "5"})
    _answer_request(client, request_id, badge(hours="220"))
    fr = client.get(f"/requests/{request_id}?lang=fr").text
    assert "Il ne porte aucune note (des heures ou d&#39;autres nombres ne sont pas une note)" in fr
    en = client.get(f"/requests/{request_id}?lang=en").text
    assert "It carries no rating (hours or other numbers are not a rating)" in en


def test_a_threshold_above_the_scale_is_refused_in_plain_words(
    client: TestClient, csrf: str
) -> None:
    request_id, page = _create(client, csrf, **{"rating-minimum": "6", "rating-scale": "5"})
    assert request_id == ""
    assert page.status_code == 400
    assert "Vérifiez la note minimale et son échelle" in page.text


@pytest.mark.parametrize(
    ("lang", "sentence"),
    [
        ("fr", "L'émetteur l'a remplacé par un plus récent (une note plus récente, par exemple)."),
        ("en", "The issuer has replaced it with a newer one (a newer rating, for example)."),
    ],
)
def test_a_superseded_rating_reads_replaced(lang: str, sentence: str) -> None:
    from verifier.api.page_checks import check_views
    from verifier.i18n import translator

    check = {
        "name": "status",
        "status": "failed",
        "reason": "superseded by its issuer (status list https://p.example/status/supersession/1)",
        "details": {"purpose": "supersession"},
    }
    (view,) = check_views([check], translator(lang), lang)
    assert view.sentence == sentence


def test_the_registry_page_says_and_sets_what_an_issuer_is(client: TestClient, csrf: str) -> None:
    page = client.get("/registry?lang=fr").text
    assert "plateforme" in page
    assert 'id="add-issuer-kind"' in page
    added = client.post(
        "/registry/add?lang=fr",
        data={
            "csrf_token": csrf,
            "name": "Livreurs",
            "kind": "domain",
            "value": "livreurs.example",
            "issuer_kind": "platform",
        },
    )
    assert "Émetteur ajouté au registre." in added.text
    entries = client.get("/trust/issuers").json()["issuers"]
    (entry,) = [e for e in entries if e["value"] == "livreurs.example"]
    assert entry["issuer_kind"] == "platform"
    changed = client.post(
        f"/registry/{entry['id']}/kind?lang=en",
        data={"csrf_token": csrf, "issuer_kind": "employer"},
    )
    assert "Issuer updated." in changed.text
    assert "What Livreurs is" in changed.text
    cleared = client.post(
        f"/registry/{entry['id']}/kind", data={"csrf_token": csrf, "issuer_kind": ""}
    )
    assert cleared.status_code == 200
    entries = client.get("/trust/issuers").json()["issuers"]
    assert [e["issuer_kind"] for e in entries if e["value"] == "livreurs.example"] == [None]
    refused = client.post(
        f"/registry/{entry['id']}/kind", data={"csrf_token": csrf, "issuer_kind": "pirate"}
    )
    assert refused.status_code == 400
    no_csrf = client.post(f"/registry/{entry['id']}/kind", data={"issuer_kind": "platform"})
    assert no_csrf.status_code == 403
