"""The Export page (docs/decisions/recruiter-exports.md), fr and en: it lists the badges, the
download holds exactly the chosen ones (PDF text and links, Europass claims), every exported link
opens the badge's live share page, LinkedIn's link carries it, and nothing is exported without a
choice or a CSRF token."""

from __future__ import annotations

import io
import json
from urllib.parse import parse_qsl, urlsplit

import pytest
from fastapi.testclient import TestClient

from tests.integration.wallet.test_wallet_pages import csrf_of, page, rich_credential, sign_in
from tests.unit.wallet import elm
from tests.unit.wallet.test_exports import _zbar_available, decode_qr
from tests.unit.wallet.testkit import Holder, IssuerKit
from wallet.service.exports import pdf

NEEDS_PANGO = pytest.mark.skipif(
    not pdf.weasyprint_available(),
    reason="WeasyPrint needs pango: apt-get install libpango-1.0-0 libpangoft2-1.0-0",
)


def _three(alice: Holder, kit: IssuerKit) -> dict[str, str]:
    return {
        "Bénévole — encadrement": alice.import_credential(rich_credential(kit, alice.did))["id"],
        "Cariste": alice.import_credential(kit.vc_jwt(alice.did, name="Cariste"))["id"],
        "Chorale": alice.import_credential(kit.sd_jwt(alice.did, name="Chorale"))["id"],
    }


def _export(wallet: TestClient, lang: str, ids: list[str], fmt: str) -> tuple[int, bytes, str]:
    html = page(wallet, "/export", lang)
    resp = wallet.post(
        "/export",
        data={
            "csrf_token": csrf_of(html),
            "credentials": ids,
            "format": fmt,
            "holder": "Alice Martin",
            "country": "FR",
        },
        headers={"Accept-Language": lang},
    )
    return resp.status_code, resp.content, resp.headers.get("content-type", "")


def _share_pages_answer(wallet: TestClient, urls: list[str], titles: list[str]) -> None:
    """Each exported link opens a live share page, and together they show the chosen badges."""
    opened = []
    for url in urls:
        resp = wallet.get(urlsplit(url).path)
        assert resp.status_code == 200, url
        opened.append(resp.text)
    for title in titles:
        assert sum(title in text for text in opened) == 1, title


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_export_page_lists_the_badges_and_the_formats(
    wallet: TestClient, alice: Holder, kit: IssuerKit, lang: str
) -> None:
    titles = _three(alice, kit)
    sign_in(wallet, alice)
    html = page(wallet, "/", lang)
    assert 'href="/export"' in html
    html = page(wallet, "/export", lang)
    for title, cid in titles.items():
        assert title in html
        assert f'value="{cid}"' in html
        assert f'action="/credentials/{cid}/linkedin"' in html
    words = {
        "fr": (
            "Exporter",
            "CV à imprimer (PDF), en français",
            "n'est pas signé",
            "Délivré par son émetteur",
            '<option value="DE">Allemagne</option>',
        ),
        "en": (
            "Export",
            "Printable CV (PDF), in English",
            "is not signed",
            "Issued by its issuer",
            '<option value="DE">Germany</option>',
        ),
    }[lang]
    for word in words:
        assert word in html


@NEEDS_PANGO
@pytest.mark.parametrize(
    ("lang", "words"),
    [
        (
            "fr",
            (
                "Mes badges vérifiables",
                "Délivré par son émetteur",
                "Émetteur",
                "Association des Musiciens",
            ),
        ),
        (
            "en",
            (
                "My verifiable credentials",
                "Issued by its issuer",
                "Issuer",
                "Association des Musiciens",
            ),
        ),
    ],
)
def test_pdf_holds_exactly_the_chosen_badges(
    wallet: TestClient, alice: Holder, kit: IssuerKit, lang: str, words: tuple[str, ...]
) -> None:
    from pypdf import PdfReader

    titles = _three(alice, kit)
    sign_in(wallet, alice)
    chosen = ["Bénévole — encadrement", "Cariste"]
    status, body, kind = _export(wallet, lang, [titles[t] for t in chosen], f"pdf-{lang}")
    assert status == 200
    assert kind == "application/pdf"
    reader = PdfReader(io.BytesIO(body))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    for word in (*words, *chosen, "Alice Martin"):
        assert word in text, word
    assert "Chorale" not in text
    links = [
        str(a.get_object()["/A"]["/URI"])
        for p in reader.pages
        for a in p.get("/Annots") or []
        if a.get_object().get("/A")
    ]
    assert len(set(links)) == len(chosen)
    _share_pages_answer(wallet, sorted(set(links)), chosen)
    if _zbar_available():  # the printed QR codes, read back: the same live links
        qrs = [decode_qr(image.data) for p in reader.pages for image in p.images]
        assert sorted(qrs) == sorted(set(links))


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_europass_holds_exactly_the_chosen_badges_and_conforms(
    wallet: TestClient, alice: Holder, kit: IssuerKit, lang: str
) -> None:
    titles = _three(alice, kit)
    sign_in(wallet, alice)
    chosen = ["Cariste", "Chorale"]
    status, body, kind = _export(wallet, lang, [titles[t] for t in chosen], "europass")
    assert status == 200
    assert kind.startswith("application/ld+json")
    document = json.loads(body)
    claims = document["credentialSubject"]["hasClaim"]
    assert sorted(next(iter(c["title"].values())) for c in claims) == chosen
    assert document["credentialSubject"]["fullName"] == {lang: "Alice Martin"}
    # ELM's shapes: only what an unsigned export cannot have (the issuer's eIDAS seal) and the
    # awarding bodies' country, which these test issuers do not state
    assert elm.violations(document) <= {"elm:eidasLegalIdentifier", "elm:location"}
    urls = [c["supplementaryDocument"][0]["contentURL"] for c in claims]
    _share_pages_answer(wallet, urls, chosen)


def test_linkedin_button_opens_linkedin_with_the_share_link(
    wallet: TestClient, alice: Holder, kit: IssuerKit
) -> None:
    cid = _three(alice, kit)["Cariste"]
    sign_in(wallet, alice)
    html = page(wallet, "/export", "en")
    resp = wallet.post(
        f"/credentials/{cid}/linkedin", data={"csrf_token": csrf_of(html)}, follow_redirects=False
    )
    assert resp.status_code == 303
    target = urlsplit(resp.headers["location"])
    assert (target.netloc, target.path) == ("www.linkedin.com", "/profile/add")
    query = dict(parse_qsl(target.query))
    assert query["name"] == "Cariste"
    assert query["certId"] == cid
    assert query["organizationName"]
    _share_pages_answer(wallet, [query["certUrl"]], ["Cariste"])


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("fr", "Choisissez au moins un badge à exporter."),
        ("en", "Choose at least one credential to export."),
    ],
)
def test_nothing_chosen_or_an_unknown_format_is_refused(
    wallet: TestClient, alice: Holder, kit: IssuerKit, lang: str, message: str
) -> None:
    titles = _three(alice, kit)
    sign_in(wallet, alice)
    status, body, _ = _export(wallet, lang, [], "pdf-fr")
    assert status == 400
    assert message in body.decode()
    status, _, _ = _export(wallet, lang, [titles["Cariste"]], "docx")
    assert status == 400
    status, _, _ = _export(
        wallet, lang, [titles["Cariste"]] + [f"x{n}" for n in range(50)], "europass"
    )
    assert status == 400


def test_export_needs_its_csrf_token_and_a_session(
    wallet: TestClient, alice: Holder, kit: IssuerKit
) -> None:
    cid = _three(alice, kit)["Cariste"]
    sign_in(wallet, alice)
    for url in ("/export", f"/credentials/{cid}/linkedin"):
        resp = wallet.post(
            url, data={"credentials": [cid], "format": "europass"}, follow_redirects=False
        )
        assert resp.status_code == 403, url
    wallet.cookies.clear()
    resp = wallet.get("/export", follow_redirects=False)
    assert resp.status_code == 303


def test_another_accounts_badge_cannot_be_exported(
    wallet: TestClient, alice: Holder, bob: Holder, kit: IssuerKit
) -> None:
    cid = _three(alice, kit)["Cariste"]
    sign_in(wallet, bob)
    status, body, _ = _export(wallet, "en", [cid], "europass")
    assert status == 404
    assert b"Cariste" not in body


def test_every_export_message_is_in_both_catalogues() -> None:
    import re
    from pathlib import Path

    from servicekit.i18n import catalogue
    from wallet.i18n import LOCALES

    root = Path(__file__).parents[3] / "wallet"
    sources = [
        *(root / "templates" / "exports").glob("*.html"),
        root / "api" / "export_pages.py",
        *(root / "service" / "exports").glob("*.py"),
    ]
    used: set[str] = set()
    for path in sources:
        used |= set(re.findall(r'_\(\s*"((?:[^"\\]|\\.)*)"', path.read_text()))
    assert len(used) > 20
    fr, en = catalogue(LOCALES, "fr"), catalogue(LOCALES, "en")
    assert used - set(fr) == set()
    assert used - set(en) == set()
    same = {m for m in used if fr[m] == m}
    assert same <= {"Format", "Europass (European Learning Model, JSON-LD)"}, same
