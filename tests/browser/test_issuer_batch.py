"""CSV batch issuance in real Chromium, in French and English: upload a file with mistakes,
read the problems, upload the corrected file, confirm, and get every person's link and QR
code. A screenshot and an axe-core check on every page."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from musette.up import UpConfig
from tests.browser.conftest import LAPTOP, new_page
from tests.browser.test_issuer_pages import ADMIN, check_page, demo_password

WORDS = {
    "fr": {
        "email": "Adresse e-mail",
        "password": "Mot de passe",
        "issue": "Délivrer",
        "many": "À plusieurs personnes (CSV)",
        "file": "Fichier CSV",
        "lifetime": "Les liens peuvent être utilisés pendant",
        "check": "Vérifier le fichier",
        "problem": "Ligne 3\u00a0: « pas-un-mail » n'est pas une adresse e-mail.",
        "corrected": "Envoyer un fichier corrigé",
        "ready": "Lignes prêtes à être délivrées\u00a0: 3.",
        "confirm": "Délivrer les badges (3)",
        "created": "Offres créées\u00a0: 3",
        "emails": "E-mails écrits dans le dossier d'envoi\u00a0: 2.",
        "download": "Télécharger les résultats (CSV)",
        "csv": "nom;courriel;heures;récit\nLéa Dubois;lea@example.org;7,5;Accueil\n",
    },
    "en": {
        "email": "Email",
        "password": "Password",
        "issue": "Issue",
        "many": "To many people (CSV)",
        "file": "CSV file",
        "lifetime": "The links can be used for",
        "check": "Check the file",
        "problem": "Line 3: “pas-un-mail” is not an email address.",
        "corrected": "Upload a corrected file",
        "ready": "Rows ready to issue: 3.",
        "confirm": "Issue the badges (3)",
        "created": "Offers created: 3",
        "emails": "Emails written to the outbox: 2.",
        "download": "Download the results (CSV)",
        "csv": "name,email,hours,narrative\nSam Taylor,sam@example.org,7.5,Welcome desk\n",
    },
}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_upload_preview_confirm_in_both_languages(
    browser: Any, stack_config: UpConfig, tmp_path: Path, lang: str
) -> None:
    w = WORDS[lang]
    issuer = stack_config.base_urls()["issuer"]
    sep = ";" if lang == "fr" else ","
    good = w["csv"] + f"Ana Martin{sep}ana@example.org{sep}3{sep}\nNoah{sep}{sep}{sep}\n"
    bad = w["csv"] + f"Ana Martin{sep}pas-un-mail{sep}3{sep}\n"
    (tmp_path / "bad.csv").write_text(bad, encoding="utf-8")
    (tmp_path / "good.csv").write_text(good, encoding="utf-8")
    page = new_page(browser, lang=lang, viewport=LAPTOP)

    page.goto(f"{issuer}/console/issue")
    page.get_by_label(w["email"], exact=True).fill(ADMIN)
    page.get_by_label(w["password"], exact=True).fill(demo_password(stack_config))
    with page.expect_navigation():
        page.get_by_label(w["password"], exact=True).press("Enter")
    assert page.url.endswith("/console/issue")

    link = page.locator("a[href='/console/achievements/volunteer/batch']")
    assert w["many"] in link.inner_text()
    with page.expect_navigation():
        link.click()
    assert page.url.endswith("/console/achievements/volunteer/batch")
    assert page.get_attribute("html", "lang") == lang
    check_page(page, f"issuer-batch-upload-{lang}", phone=False)

    # a file with a bad email: the preview says where, and offers no confirmation
    page.get_by_label(w["file"]).set_input_files(str(tmp_path / "bad.csv"))
    page.get_by_label(w["lifetime"]).select_option("336")
    with page.expect_navigation():
        page.get_by_role("button", name=w["check"]).click()
    assert w["problem"] in page.locator("ul.problems").inner_text()
    assert page.get_by_role("button", name=re.compile(re.escape(w["confirm"][:8]))).count() == 0
    check_page(page, f"issuer-batch-problems-{lang}", phone=False)

    # the corrected file: three rows, then confirm
    with page.expect_navigation():
        page.get_by_role("link", name=w["corrected"]).click()
    page.get_by_label(w["file"]).set_input_files(str(tmp_path / "good.csv"))
    with page.expect_navigation():
        page.get_by_role("button", name=w["check"]).click()
    assert w["ready"] in page.inner_text("main")
    check_page(page, f"issuer-batch-preview-{lang}", phone=False)
    with page.expect_navigation():
        page.get_by_role("button", name=w["confirm"]).click()

    # results: each person with a wallet link and a QR code that loads
    assert page.get_by_role("heading", level=1).inner_text() == w["created"]
    assert w["emails"] in page.inner_text("main")
    rows = page.locator("table tbody tr")
    assert rows.count() == 3
    qr = rows.first.locator("a[href$='/qr.png']").get_attribute("href")
    assert qr
    png = page.request.get(qr)
    assert png.status == 200
    assert png.headers["content-type"] == "image/png"
    wallet = rows.first.locator("a[href*='/receive?credential_offer_uri=']")
    assert wallet.count() == 1
    check_page(page, f"issuer-batch-results-{lang}", phone=False)
    with page.expect_download() as download:
        page.get_by_role("link", name=w["download"]).click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert len(text.strip().splitlines()) == 4
    page.context.close()
