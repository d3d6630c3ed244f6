"""« Exporter / Export » in real Chromium (docs/decisions/recruiter-exports.md): a volunteer with
two badges opens the export page from their musette, sees what will be exported, picks one badge,
and downloads it as Europass JSON and as a PDF CV; each download holds exactly that badge. In French
on a phone and in English on a laptop; a screenshot, axe-core and no sideways scroll."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import httpx2
import pytest

from musette.up import UpConfig
from tests.browser.conftest import LAPTOP, PHONE, keep_recovery_kit, new_page
from tests.browser.test_issuer_pages import check_page
from tests.browser.test_wallet_rights import PASSWORD, badge_png, issuer_api  # noqa: F401
from wallet.service.exports import pdf

WORDS = {
    "fr": {
        "signup": "Créer un compte",
        "import": "Importer",
        "export": "Exporter",
        "download": "Télécharger l'export",
        "europass": "Europass (European Learning Model, JSON-LD)",
        "cv": "CV à imprimer (PDF), en français",
        "strength": "Délivré par son émetteur",
    },
    "en": {
        "signup": "Create an account",
        "import": "Import",
        "export": "Export",
        "download": "Download the export",
        "europass": "Europass (European Learning Model, JSON-LD)",
        "cv": "Printable CV (PDF), in English",
        "strength": "Issued by its issuer",
    },
}


def _download(page: Any, fmt_label: str, button: str) -> bytes:
    page.get_by_label(fmt_label).check()
    with page.expect_download() as info:
        page.get_by_role("button", name=button).click()
    return Path(info.value.path()).read_bytes()


@pytest.mark.parametrize(
    ("lang", "viewport", "device"), [("fr", PHONE, "phone"), ("en", LAPTOP, "laptop")]
)
def test_export_what_was_chosen(
    browser: Any,
    stack_config: UpConfig,
    issuer_api: httpx2.Client,  # noqa: F811
    tmp_path: Path,
    lang: str,
    viewport: dict[str, int],
    device: str,
) -> None:
    words = WORDS[lang]
    wallet = stack_config.base_urls()["wallet"]
    page = new_page(browser, lang=lang, viewport=viewport)
    phone = viewport == PHONE
    page.goto(wallet + "/signup")
    page.fill("#email", f"export-{lang}@example.org")
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name=words["signup"]).click()
    keep_recovery_kit(page)
    page.wait_for_url(wallet + "/")
    ids = []
    for name, role, hours in (("board", "board", "151"), ("supervision", "supervision", "67")):
        page.goto(wallet + "/receive")
        page.set_input_files("#file", str(badge_png(issuer_api, tmp_path, name, role, hours)))
        page.get_by_role("button", name=words["import"], exact=True).click()
        page.wait_for_url(re.compile(r".*/credentials/[0-9a-f]+.*"))
        ids.append(page.url.rsplit("/", 1)[-1].split("?")[0])

    page.goto(wallet + "/")
    page.locator("main").get_by_role("link", name=words["export"], exact=True).click()
    page.wait_for_url(wallet + "/export")
    # what will be exported: both badges listed, each with its proof strength and LinkedIn
    assert page.locator("input[name=credentials]").count() == 2
    assert page.locator("main").inner_text().count(words["strength"]) == 2
    assert page.locator("form[action$='/linkedin']").count() == 2
    check_page(page, f"wallet-export-{lang}-{device}", phone=phone)

    page.locator(f"input[value='{ids[0]}']").check()
    document = json.loads(_download(page, words["europass"], words["download"]))
    [claim] = document["credentialSubject"]["hasClaim"]
    notes = " ".join(next(iter(n["noteLiteral"].values())) for n in claim["additionalNote"])
    assert "151" in notes
    assert "67" not in notes

    if pdf.weasyprint_available():
        from pypdf import PdfReader

        page.goto(wallet + "/export")
        page.locator(f"input[value='{ids[1]}']").check()
        cv = PdfReader(io.BytesIO(_download(page, words["cv"], words["download"])))
        text = " ".join(p.extract_text() for p in cv.pages)
        assert words["strength"] in " ".join(text.split())
        assert "67" in text
        assert "151" not in text
    page.context.close()
