"""The issuer console's pages over TestClient: French and English, CSRF, organisation isolation."""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from issuer.demo import DEMO_ADMIN
from issuer.service.images import badge_png
from issuer.service.orgs import create_admin, create_org, password_hasher
from servicekit.i18n import LANG_COOKIE, catalogue
from tests.integration.issuer.conftest import Env, Wallet

LOCALES = Path(__file__).parents[3] / "issuer" / "locales"
TEMPLATES = Path(__file__).parents[3] / "issuer" / "templates"
OTHER_ADMIN = "admin@other.example"
OTHER_PASSWORD = "other-admin-password"


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, html
    return found.group(1)


def signin(
    client: TestClient, email: str = DEMO_ADMIN, password: str | None = None, lang: str = "fr"
) -> None:
    page = client.get("/signin", headers={"Accept-Language": lang})
    response = client.post(
        "/signin",
        data={
            "csrf_token": csrf_of(page.text),
            "email": email,
            "password": password or demo_password(client),
            "next": "/console",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/console"


def demo_password(client: TestClient) -> str:
    data_dir = client.app.state.resources.settings.data_dir  # type: ignore[attr-defined]
    return Path(data_dir, "demo-admin.txt").read_text().strip()


def get(client: TestClient, path: str, lang: str = "fr", **kwargs: Any) -> Any:
    return client.get(path, headers={"Accept-Language": lang}, **kwargs)


def post(client: TestClient, path: str, data: dict[str, Any], lang: str = "fr", **kw: Any) -> Any:
    return client.post(
        path, data=data, headers={"Accept-Language": lang}, follow_redirects=False, **kw
    )


def form_csrf(client: TestClient, path: str) -> str:
    return csrf_of(get(client, path).text)


@pytest.fixture
def admin(env: Env) -> TestClient:
    signin(env.client)
    return env.client


def make_other_org(env: Env) -> None:
    res = env.client.app.state.resources  # type: ignore[attr-defined]
    with res.sessions.begin() as session:
        org = create_org(
            session,
            res.key_store(session),
            base_url="http://testserver",
            slug="other-employer",
            kind="employer",
            name="Other Employer",
            now=env.clock(),
        )
        create_admin(session, org, OTHER_ADMIN, OTHER_PASSWORD, password_hasher(1, 64), env.clock())


def issue_offer(client: TestClient, lang: str = "fr", **fields: Any) -> Any:
    path = "/console/achievements/volunteer/issue"
    data = {
        "csrf_token": form_csrf(client, path),
        "recipient_name": "Léa Dubois",
        "recipient_email": "lea@example.org",
        "role": "Encadrante",
        "start": "2026-03-01",
        "end": "2026-06-30",
        "hours": "7,5" if lang == "fr" else "7.5",
        "narrative": "A encadré l'équipe du samedi.",
        "formats": ["ldp_vc", "jwt_vc_json", "dc+sd-jwt"],
        "language": lang,
        **fields,
    }
    response = post(client, path, data, lang)
    assert response.status_code == 303, response.text
    return response


# --------------------------------------------------------------------------- sign in, language


def test_a_signed_out_form_post_is_sent_to_sign_in_and_back_to_the_console(env: Env) -> None:
    """A form post cannot be replayed by the GET after signing in: the way back is /console."""
    response = env.client.post(
        "/console/achievements/new", data={"name": "x"}, follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/signin?next=%2Fconsole"


def test_console_needs_a_session_and_signin_is_french_by_default(env: Env) -> None:
    client = env.client
    response = client.get("/console/achievements?x=1", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/signin?next=%2Fconsole%2Fachievements%3Fx%3D1"
    page = client.get("/signin")
    assert '<html lang="fr">' in page.text
    assert "Se connecter" in page.text
    assert "Mot de passe" in page.text
    assert '<label for="email">' in page.text
    assert '<label for="password">' in page.text
    assert client.get("/", follow_redirects=False).headers["location"] == "/console"


def test_accept_language_and_the_lang_switch(env: Env) -> None:
    client = env.client
    english = client.get("/signin", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert '<html lang="en">' in english.text
    assert "Password" in english.text
    assert 'href="/signin?lang=fr"' in english.text  # switch back, keeping the page
    switched = client.get("/signin?lang=en", headers={"Accept-Language": "fr"})
    assert '<html lang="en">' in switched.text
    assert switched.cookies.get(LANG_COOKIE) == "en"
    # the cookie now wins over Accept-Language
    assert '<html lang="en">' in client.get("/signin", headers={"Accept-Language": "fr"}).text
    client.get("/signin?lang=fr")
    assert '<html lang="fr">' in client.get("/signin", headers={"Accept-Language": "en"}).text


def test_wrong_password_and_sign_out(env: Env) -> None:
    client = env.client
    page = client.get("/signin")
    wrong = post(
        client,
        "/signin",
        {"csrf_token": csrf_of(page.text), "email": DEMO_ADMIN, "password": "nope-nope-nope"},
    )
    assert wrong.status_code == 401
    assert "Adresse e-mail ou mot de passe incorrect." in wrong.text
    signin(client, lang="en")
    console = get(client, "/console", "en")
    assert "Sign out" in console.text
    out = post(client, "/signout", {"csrf_token": csrf_of(console.text)})
    assert out.status_code == 303
    assert client.get("/console", follow_redirects=False).status_code == 303


def test_signin_next_is_local_only(env: Env) -> None:
    page = env.client.get("/signin?next=https://evil.example/")
    assert 'name="next" value="/console"' in page.text
    response = post(
        env.client,
        "/signin",
        {
            "csrf_token": csrf_of(page.text),
            "email": DEMO_ADMIN,
            "password": demo_password(env.client),
            "next": "//evil.example/",
        },
    )
    assert response.headers["location"] == "/console"
    for target in ("/\\evil.example/", "https://evil.example/console", "console"):
        assert 'value="/console"' in env.client.get("/signin", params={"next": target}).text


# --------------------------------------------------------------------------- CSRF


def test_forms_without_the_csrf_token_are_refused(admin: TestClient, wallet: Wallet) -> None:
    wallet.receive()
    offer_page = get(admin, "/console/credentials")
    credential_id = re.search(r'href="/console/credentials/([^"]+)"', offer_page.text)
    assert credential_id
    issued = issue_offer(admin)
    offer_path = issued.headers["location"].split("?")[0]
    for path, data in [
        ("/console/achievements/new", {"id": "x", "name_fr": "X"}),
        ("/console/achievements/volunteer", {"name_fr": "Changé"}),
        ("/console/achievements/volunteer/issue", {"recipient_name": "X"}),
        (f"{offer_path}/email", {"email": "x@example.org"}),
        (f"/console/credentials/{credential_id.group(1)}/status", {"action": "revoke"}),
        ("/signout", {}),
    ]:
        for token in (None, "wrong-token"):
            body = {**data, "reason": "r"} if token is None else {**data, "csrf_token": token}
            response = post(admin, path, body)
            assert response.status_code == 403, (path, response.text)
            assert "Ce formulaire a expiré" in response.text
    # nothing changed: still signed in, still active, the name unchanged
    detail = get(admin, f"/console/credentials/{credential_id.group(1)}")
    assert "actif" in detail.text
    assert "Changé" not in get(admin, "/console/achievements").text
    # the sign-in form needs its double-submit token too
    admin.cookies.clear()
    refused = post(admin, "/signin", {"email": DEMO_ADMIN, "password": "x", "csrf_token": "bad"})
    assert refused.status_code == 403


# --------------------------------------------------------------------------- organisation


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("fr", ["Clés de signature", "actuelle", "Voir le document DID", "Association"]),
        ("en", ["Signing keys", "current", "See the DID document", "Association"]),
    ],
)
def test_profile_shows_did_and_keys(admin: TestClient, lang: str, words: list[str]) -> None:
    admin.post(
        "/admin/orgs/demo-association/keys/rotate",
        headers={"X-CSRF-Token": _api_csrf(admin)},
    )
    page = get(admin, "/console/organisation", lang)
    assert page.status_code == 200
    assert "did:web:testserver:orgs:demo-association" in page.text
    assert 'href="http://testserver/orgs/demo-association/did.json"' in page.text
    for word in words:
        assert word in page.text
    assert ("retirée" if lang == "fr" else "retired") in page.text


def _api_csrf(client: TestClient) -> str:
    """A CSRF header for the JSON admin API, from a fresh API login on the same client."""
    response = client.post(
        "/admin/login", json={"email": DEMO_ADMIN, "password": demo_password(client)}
    )
    return str(response.json()["csrf_token"])


# --------------------------------------------------------------------------- achievements


def _achievement_form(client: TestClient, **fields: Any) -> dict[str, Any]:
    return {
        "csrf_token": form_csrf(client, "/console/achievements/new"),
        "id": "repair-cafe",
        "name_fr": "Animation d'un repair café",
        "name_en": "Running a repair café",
        "description_fr": "A animé des ateliers de réparation.",
        "description_en": "Ran repair workshops.",
        "criteria_fr": "Au moins cinq ateliers.",
        "criteria_en": "At least five workshops.",
        "achievement_type": "CommunityService",
        "align_url_0": "http://data.europa.eu/esco/skill/abc",
        "align_name_0": "réparer des appareils",
        "align_framework_0": "ESCO",
        "align_url_1": "https://candidat.francetravail.fr/metierscope/fiche-metier/I1401",
        "align_name_1": "Maintenance informatique",
        "align_framework_1": "ROME",
        "hours": "1",
        "hours_fr": "Heures d'animation",
        "hours_en": "Hours of workshops",
        **fields,
    }


def test_create_an_achievement_with_image_skills_and_hours(admin: TestClient) -> None:
    png = badge_png(32)
    created = post(
        admin,
        "/console/achievements/new",
        _achievement_form(admin),
        files={"image": ("badge.png", png, "image/png")},
    )
    assert created.status_code == 303, created.text
    listing = get(admin, created.headers["location"], "en")
    assert "Running a repair café" in listing.text
    assert "The badge has been created." in listing.text
    stored = admin.get("/orgs/demo-association/achievements/repair-cafe").json()
    image_url = stored["image"]["id"]
    assert image_url.startswith("http://testserver/orgs/demo-association/images/")
    served = admin.get(image_url.removeprefix("http://testserver"))
    assert served.status_code == 200
    assert served.content == png
    assert served.headers["content-type"] == "image/png"
    assert "sandbox" in served.headers["content-security-policy"]
    assert stored["achievementType"] == "CommunityService"
    assert {a["targetFramework"] for a in stored["alignment"]} == {"ESCO", "ROME"}
    assert stored["resultDescription"][0]["name"] == "Heures d'animation"
    # the OpenID4VCI metadata shows the new badge with its logo
    metadata = admin.get("/.well-known/openid-credential-issuer/orgs/demo-association").json()
    display = metadata["credential_configurations_supported"]["repair-cafe_ldp_vc"][
        "credential_metadata"
    ]["display"]
    assert display[0]["logo"]["uri"] == image_url


def test_edit_an_achievement_keeps_or_replaces_its_image(admin: TestClient) -> None:
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="8" height="8"/></svg>'
    page = get(admin, "/console/achievements/volunteer")
    assert 'value="Bénévole — encadrement"' in page.text
    assert (
        'value="http://data.europa.eu/esco/skill/2b5bd5b5-8a32-4a6c-8f63-7f07b7d9e4e6"' in page.text
    )
    data = _achievement_form(admin, csrf_token=csrf_of(page.text), name_fr="Bénévole — équipe")
    del data["id"]
    saved = post(
        admin,
        "/console/achievements/volunteer",
        data,
        files={"image": ("b.svg", svg, "image/svg+xml")},
    )
    assert saved.status_code == 303, saved.text
    stored = admin.get("/orgs/demo-association/achievements/volunteer").json()
    assert stored["name"] == "Bénévole — équipe"
    assert stored["image"]["id"].endswith(".svg")
    svg_url = stored["image"]["id"]
    # saving again without a file keeps the image; "remove" removes it
    again = post(admin, "/console/achievements/volunteer", {**data, "name_fr": "Bénévole"})
    assert again.status_code == 303
    assert (
        admin.get("/orgs/demo-association/achievements/volunteer").json()["image"]["id"] == svg_url
    )
    removed = post(admin, "/console/achievements/volunteer", {**data, "remove_image": "1"})
    assert removed.status_code == 303
    assert "image" not in admin.get("/orgs/demo-association/achievements/volunteer").json()


@pytest.mark.parametrize(
    ("fields", "files", "message"),
    [
        ({"id": "Pas Bon"}, None, "Utilisez des lettres minuscules"),
        ({"name_fr": "", "name_en": ""}, None, "Donnez le nom en français"),
        ({"align_name_0": ""}, None, "Chaque compétence a besoin"),
        ({"align_url_0": "javascript:alert(1)"}, None, "commence par https://"),
        ({"achievement_type": "Nonsense"}, None, "Choisissez un type dans la liste"),
        ({"id": "volunteer"}, None, "Un badge avec cet identifiant existe déjà"),
        ({}, ("x.png", b"GIF89a....", "image/png"), "Choisissez une image PNG, JPEG ou SVG"),
        ({}, ("x.png", b"\x89PNG\r\n\x1a\n" + b"0" * 600_000, "image/png"), "trop lourde"),
        (
            {},
            (
                "x.svg",
                b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
                "image/svg+xml",
            ),
            "contient des scripts",
        ),
        (
            {},
            (
                "x.svg",
                b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
                "image/svg+xml",
            ),
            "contient des scripts",
        ),
        (
            {},
            (
                "x.svg",
                b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "b">]><svg/>',
                "image/svg+xml",
            ),
            "contient des scripts",
        ),
    ],
)
def test_achievement_form_errors_are_shown_in_french(
    admin: TestClient, fields: dict[str, Any], files: Any, message: str
) -> None:
    response = post(
        admin,
        "/console/achievements/new",
        _achievement_form(admin, **fields),
        files={"image": files} if files else None,
    )
    assert response.status_code == 422
    assert message in response.text
    assert 'aria-invalid="true"' in response.text
    assert "Animation d&#39;un repair café" in response.text or fields.get("name_fr") == ""
    assert "repair-cafe" not in admin.get("/admin/orgs/demo-association/achievements").text


# --------------------------------------------------------------------------- issuing


def test_issue_shows_qr_links_and_the_tx_code(admin: TestClient, env: Env, wallet: Wallet) -> None:
    response = issue_offer(admin, tx_code="1")
    offer_path = response.headers["location"].split("?")[0]
    page = get(admin, response.headers["location"])
    assert page.status_code == 200
    offer_id = offer_path.rsplit("/", 1)[1]
    qr = re.search(r'<img src="([^"]+)" alt="([^"]+)"', page.text)
    assert qr
    assert qr.group(1) == f"/orgs/demo-association/offers/{offer_id}/qr.svg"
    assert "QR code pour récupérer le badge" in qr.group(2)
    assert admin.get(qr.group(1)).headers["content-type"].startswith("image/svg+xml")
    assert 'href="openid-credential-offer://?credential_offer_uri=' in page.text
    assert 'href="http://wallet.test/receive?credential_offer_uri=' in page.text
    assert "Prêt à être récupéré" in page.text
    assert "L&#39;offre est prête" in page.text
    code = re.search(r'<p class="code mono">(\d+)</p>', page.text)
    assert code
    assert len(code.group(1)) == env.settings.tx_code_length
    # reloading (or switching language) still shows the code on this device, not elsewhere
    assert code.group(1) in get(admin, f"{offer_path}?lang=en").text
    other_device = TestClient(
        admin.app, cookies={k: v for k, v in admin.cookies.items() if k != "musette_issuer_tx"}
    )
    assert code.group(1) not in other_device.get(offer_path).text
    # the code shown is the one the offer needs
    link = re.search(r'href="(openid-credential-offer://[^"]+)"', page.text)
    assert link
    offer = wallet.resolve(link.group(1).replace("&amp;", "&"))
    assert wallet.token(offer, code.group(1)).status_code == 200
    collected = get(admin, offer_path, "en")
    assert "Collected" in collected.text
    assert "<img src=" not in collected.text


@pytest.mark.parametrize(
    ("lang", "expect"),
    [
        ("fr", ["1 mars 2026", "30 juin 2026", "7,5", "Ce que dit le badge"]),
        ("en", ["March 1, 2026", "June 30, 2026", "7.5", "What the badge says"]),
    ],
)
def test_offer_page_localises_dates_and_numbers(
    admin: TestClient, lang: str, expect: list[str]
) -> None:
    response = issue_offer(admin, lang=lang)
    page = get(admin, response.headers["location"], lang)
    assert f'<html lang="{lang}">' in page.text
    for text in expect:
        assert text in page.text, text
    assert 'class="code mono"' not in page.text  # no tx_code asked


def test_issue_form_ticks_one_format_so_one_issuance_is_one_badge(admin: TestClient) -> None:
    """Every ticked format is a credential the wallet collects: by default only the
    recommended one is ticked, so the person gets one badge and the admin revokes one row."""
    html = get(admin, "/console/achievements/volunteer/issue", "en").text
    ticked = re.findall(r'<input type="checkbox" name="formats" value="([^"]+)" checked>', html)
    assert ticked == ["ldp_vc"]
    assert "(recommended)" in html
    assert html.count('name="formats"') == 3  # the others stay one tick away


def test_issue_form_errors(admin: TestClient) -> None:
    path = "/console/achievements/volunteer/issue"
    data = {
        "csrf_token": form_csrf(admin, path),
        "recipient_name": "",
        "recipient_email": "not-an-email",
        "start": "2026-06-01",
        "end": "2026-05-01",
        "hours": "beaucoup",
    }
    response = post(admin, path, data, "en")
    assert response.status_code == 422
    for message in [
        "Give the person&#39;s name.",
        "This is not an email address.",
        "The end comes before the start.",
        "Give a number of hours",
        "Choose at least one format.",
    ]:
        assert message in response.text
    assert 'value="not-an-email"' in response.text
    assert get(admin, "/console/achievements/nope/issue").status_code == 404


def test_email_is_written_to_the_outbox(admin: TestClient, env: Env) -> None:
    response = issue_offer(admin, tx_code="1")
    offer_path = response.headers["location"].split("?")[0]
    page = get(admin, response.headers["location"])
    assert 'value="lea@example.org"' in page.text
    assert "aucun e-mail ne quitte le serveur" in page.text
    code = re.search(r'<p class="code mono">(\d+)</p>', page.text)
    assert code
    bad = post(admin, f"{offer_path}/email", {"csrf_token": csrf_of(page.text), "email": "x"})
    assert bad.status_code == 422
    assert "Ce n&#39;est pas une adresse e-mail." in bad.text
    assert f'href="{offer_path}?lang=en"' in bad.text  # the switch leads back to a page
    sent = post(
        admin, f"{offer_path}/email", {"csrf_token": csrf_of(page.text), "email": "lea@example.org"}
    )
    assert sent.status_code == 303
    assert "dossier d&#39;envoi" in get(admin, sent.headers["location"]).text
    outbox = list(Path(env.settings.data_dir, "outbox").glob("*.eml"))
    assert len(outbox) == 1
    message = outbox[0].read_text()
    assert "To: lea@example.org" in message
    assert "Bonjour L=C3=A9a Dubois" in message or "Bonjour Léa Dubois" in message
    assert "wallet.test/receive?credential_offer_uri=" in message
    assert code.group(1) not in message  # the code travels by another channel


# --------------------------------------------------------------------------- issued credentials


def test_credentials_list_and_status_changes_with_reasons(
    admin: TestClient, wallet: Wallet
) -> None:
    wallet.receive(suspendable=True)
    listing = get(admin, "/console/credentials")
    assert "Camille Martin" in listing.text
    assert "actif" in listing.text
    found = re.search(r'href="(/console/credentials/[^"]+)"', listing.text)
    assert found
    path = found.group(1)
    page = get(admin, path)
    assert "Suspendre" in page.text
    assert "Révoquer (définitif)" in page.text
    no_reason = post(
        admin, f"{path}/status", {"csrf_token": csrf_of(page.text), "action": "suspend"}
    )
    assert no_reason.status_code == 422
    assert "Indiquez un motif" in no_reason.text
    token = csrf_of(page.text)
    suspended = post(
        admin,
        f"{path}/status",
        {"csrf_token": token, "action": "suspend", "reason": "Enquête en cours"},
    )
    assert suspended.status_code == 303
    page = get(admin, suspended.headers["location"], "en")
    assert "The credential has been suspended." in page.text
    assert "Reactivate" in page.text
    assert "Suspend<" not in page.text
    assert "Enquête en cours" in page.text
    assert (
        post(
            admin, f"{path}/status", {"csrf_token": token, "action": "unsuspend", "reason": "Clos"}
        ).status_code
        == 303
    )
    assert (
        post(
            admin,
            f"{path}/status",
            {"csrf_token": token, "action": "revoke", "reason": "Erreur de saisie"},
        ).status_code
        == 303
    )
    page = get(admin, path)
    assert "révoqué" in page.text
    assert "c&#39;est définitif" in page.text
    history = page.text.split("Historique", 1)[1]
    assert (
        history.index("Enquête en cours")
        < history.index("Clos")
        < history.index("Erreur de saisie")
    )
    assert "demo@association.example" in history
    assert 'name="action"' not in page.text  # nothing left to do
    again = post(admin, f"{path}/status", {"csrf_token": token, "action": "suspend", "reason": "x"})
    assert again.status_code == 422
    assert "Un badge révoqué ne peut plus changer." in again.text
    assert "révoqué" in get(admin, "/console/credentials").text
    download = re.search(
        r'href="(/admin/orgs/demo-association/credentials/[^"?]+/download)\?as=json"', page.text
    )
    assert download
    assert admin.get(f"{download.group(1)}?as=json").json()["type"][1] == "OpenBadgeCredential"
    api = admin.get(f"/admin/orgs/demo-association/credentials/{path.rsplit('/', 1)[1]}").json()
    assert api["revoked"] is True
    assert [h["reason"] for h in api["history"]] == ["Enquête en cours", "Clos", "Erreur de saisie"]


# --------------------------------------------------------------------------- isolation


def test_another_organisation_sees_nothing_of_the_demo(env: Env, wallet: Wallet) -> None:
    make_other_org(env)
    demo = env.client
    signin(demo)
    wallet.receive()
    issued = issue_offer(demo)
    offer_path = issued.headers["location"].split("?")[0]
    credential = re.search(
        r'href="(/console/credentials/[^"]+)"', get(demo, "/console/credentials").text
    )
    assert credential
    other = TestClient(demo.app)
    signin(other, OTHER_ADMIN, OTHER_PASSWORD)
    assert "Other Employer" in get(other, "/console/organisation").text
    for page in ["/console/achievements", "/console/issue", "/console/credentials"]:
        text = get(other, page).text
        for name in ("Camille", "Léa", "Bénévole"):
            assert name not in text, page
    for page in [
        "/console/achievements/volunteer",
        "/console/achievements/volunteer/issue",
        offer_path,
        credential.group(1),
    ]:
        response = get(other, page)
        assert response.status_code == 404, page
        assert "n&#39;existe pas dans votre organisation" in response.text
    token = csrf_of(get(other, "/console").text)
    for path, data in [
        (f"{credential.group(1)}/status", {"action": "revoke", "reason": "x"}),
        ("/console/achievements/volunteer", {"name_fr": "Volé"}),
        ("/console/achievements/volunteer/issue", {"recipient_name": "X", "formats": "ldp_vc"}),
        (f"{offer_path}/email", {"email": "x@example.org"}),
    ]:
        assert post(other, path, {**data, "csrf_token": token}).status_code == 404, path
    # the demo session's CSRF token is no good in the other session either
    demo_token = csrf_of(get(demo, "/console").text)
    assert post(other, "/console/achievements/new", {"csrf_token": demo_token}).status_code == 403
    assert "actif" in get(demo, credential.group(1)).text


# --------------------------------------------------------------------------- catalogues


def _msgids() -> set[str]:
    pattern = re.compile(r"""_\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')""")
    ids = {
        m.group(1) or m.group(2)
        for path in TEMPLATES.glob("*.html")
        for m in pattern.finditer(path.read_text())
    }
    from issuer.api import batch_pages, forms, pages
    from issuer.pages import CSRF_MESSAGE
    from issuer.service import outbox

    source = "".join(
        Path(inspect.getfile(m)).read_text() for m in (pages, forms, batch_pages, outbox)
    )
    ids |= set(re.findall(r'\bt\(\s*"([^"]+)"', source))
    ids |= set(re.findall(r'(?:errors\[[^\]]+\]|error)\s*=\s*"([^"]+)"', source))
    ids |= set(re.findall(r'PageError\(\d+, "([^"]+)"\)', source))
    ids |= set(pages.DONE.values()) | set(forms.ACHIEVEMENT_TYPES.values())
    ids |= set(forms.FORMAT_LABELS.values()) | {CSRF_MESSAGE}
    ids |= set(batch_pages.LIFETIMES.values())
    ids |= {f"status:{s}" for s in ("active", "suspended", "revoked")}
    ids |= {f"{k}:{a}" for k in ("action", "event") for a in ("revoke", "suspend", "unsuspend")}
    ids |= {f"offer:{s}" for s in ("pending", "collected", "expired", "closed")}
    ids |= {f"kind:{k}" for k in ("association", "employer", "platform", "school")}
    return {i for i in ids if not i.endswith(":")}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_console_message_is_in_both_catalogues(lang: str) -> None:
    ids = _msgids()
    assert len(ids) > 150
    missing = sorted(ids - set(catalogue(LOCALES, lang)))
    assert missing == []


def test_images_and_static_files_are_served_only_by_exact_name(admin: TestClient) -> None:
    assert admin.get("/static/musette.css").headers["content-type"].startswith("text/css")
    assert admin.get("/static/issuer.css").status_code == 200
    assert admin.get("/static/../pages.py").status_code == 404
    assert admin.get("/static/nope.css").status_code == 404
    for name in ["..%2Fdemo-admin.txt", "abc.png", "0" * 64 + ".gif", "0" * 64 + ".png"]:
        assert admin.get(f"/orgs/demo-association/images/{name}").status_code == 404, name
    assert admin.get(f"/orgs/nobody/images/{'0' * 64}.png").status_code == 404


def test_a_default_badge_can_be_revoked_but_not_suspended(
    admin: TestClient, wallet: Wallet
) -> None:
    """A badge carries one status entry (the OB 3.0 schema allows one): revocation by default,
    so a verifier says "revoked"; suspension needs an offer marked suspendable."""
    wallet.receive()
    listing = get(admin, "/console/credentials")
    found = re.search(r'href="(/console/credentials/[^"]+)"', listing.text)
    assert found
    page = get(admin, found.group(1))
    assert "Révoquer (définitif)" in page.text
    assert "Suspendre" not in page.text
    refused = post(
        admin,
        f"{found.group(1)}/status",
        {"csrf_token": csrf_of(page.text), "action": "suspend", "reason": "Essai"},
    )
    assert refused.status_code in (409, 422)


@pytest.mark.parametrize(
    ("lang", "task", "technical"),
    [("fr", "Délivrer un badge", "Identifiant (DID)"), ("en", "Issue a badge", "Identifier (DID)")],
)
def test_the_console_opens_on_issuing_a_badge(
    env: Env, lang: str, task: str, technical: str
) -> None:
    """The main task first; the DIDs, keys and OpenID4VCI metadata are under Organisation."""
    signin(env.client, lang=lang)
    home = get(env.client, "/console", lang)
    assert home.status_code == 200
    assert f"<h1>{task}</h1>" in home.text
    assert "did:web:" not in home.text
    assert "openid-credential-issuer" not in home.text
    assert 'href="/console/achievements/volunteer/issue"' in home.text
    organisation = get(env.client, "/console/organisation", lang)
    assert technical in organisation.text
    assert "did:web:testserver:orgs:demo-association" in organisation.text
