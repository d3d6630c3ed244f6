"""« Mes droits / My rights » in real Chromium (docs/decisions/cec-rules.md): a volunteer whose
association filled in its CEC profile receives two volunteer badges, opens « Mes droits »
from their musette, and reads the estimate, in French on a phone and in English on a laptop;
a screenshot, an axe-core check and no sideways scrolling on every page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest

from musette.up import UpConfig
from tests.browser.conftest import LAPTOP, PHONE, keep_recovery_kit, new_page
from tests.browser.test_issuer_pages import check_page
from tests.demo_clients import demo_issuer_client

ORG = "demo-association"
PASSWORD = "un-mot-de-passe-solide"
WORDS = {
    "fr": {
        "signup": "Créer un compte",
        "import": "Importer",
        "rights": "Mes droits",
        "estimate": "Ceci est une estimation, pas une décision.",
        "met": "Conditions apparemment remplies",
        "amount": "240\u00a0€ de droits à la formation",
        "year": "Année 2025",
        "window": "Déclarez entre le",
        "counts": "compté",
    },
    "en": {
        "signup": "Create an account",
        "import": "Import",
        "rights": "My rights",
        "estimate": "This is an estimate, not a decision.",
        "met": "Conditions appear met",
        "amount": "240 € of training rights",
        "year": "Year 2025",
        "window": "Declare between",
        "counts": "counts",
    },
}


@pytest.fixture(scope="module")
def issuer_api(stack_config: UpConfig) -> Iterator[httpx2.Client]:
    with demo_issuer_client(stack_config, "rights pages") as client:
        profile = client.patch(
            f"/admin/orgs/{ORG}/association",
            json={
                "rna": "W751234567",
                "siren": "732829320",
                "declared_on": "2015-03-01",
                "field": "social",
            },
        )
        assert profile.status_code == 200, profile.text
        yield client


def badge_png(issuer_api: httpx2.Client, folder: Path, name: str, role: str, hours: str) -> Path:
    issued = issuer_api.post(
        f"/admin/orgs/{ORG}/credentials",
        json={
            "achievement": "volunteer",
            "recipient": {"name": "Camille Martin"},
            "subject": {
                "cec_role": role,
                "results": {"hours": hours},
                "activity_start_date": "2025-01-01T00:00:00Z",
                "activity_end_date": "2025-12-31T00:00:00Z",
            },
            "format": "ldp_vc",
        },
    )
    assert issued.status_code == 201, issued.text
    png = issuer_api.get(
        f"/admin/orgs/{ORG}/credentials/{issued.json()['id']}/download", params={"as": "png"}
    )
    assert png.status_code == 200, png.text
    path = folder / f"{name}.png"
    path.write_bytes(png.content)
    return path


@pytest.mark.parametrize(
    ("lang", "viewport", "device"), [("fr", PHONE, "phone"), ("en", LAPTOP, "laptop")]
)
def test_a_volunteer_reads_their_rights(
    browser: Any,
    stack_config: UpConfig,
    issuer_api: httpx2.Client,
    tmp_path: Path,
    lang: str,
    viewport: dict[str, int],
    device: str,
) -> None:
    words = WORDS[lang]
    wallet = stack_config.base_urls()["wallet"]
    page = new_page(browser, lang=lang, viewport=viewport)
    shot = f"{lang}-{device}"
    phone = viewport == PHONE
    page.goto(wallet + "/signup")
    page.fill("#email", f"benevole-{lang}@example.org")
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name=words["signup"]).click()
    keep_recovery_kit(page)
    page.wait_for_url(wallet + "/")
    for name, role, hours in (("board", "board", "150"), ("supervision", "supervision", "60")):
        page.goto(wallet + "/receive")
        page.set_input_files("#file", str(badge_png(issuer_api, tmp_path, name, role, hours)))
        page.get_by_role("button", name=words["import"], exact=True).click()
        page.wait_for_url(re.compile(r".*/credentials/[0-9a-f]+.*"))

    # from the person's badges (« ma musette »), to « Mes droits »
    page.goto(wallet + "/")
    page.locator("main").get_by_role("link", name=words["rights"]).click()
    page.wait_for_url(wallet + "/rights")
    main = page.inner_text("main")
    for key in ("estimate", "met", "amount", "year", "window"):
        assert words[key] in main, key
    assert "210" in main  # 150 + 60 hours that count
    assert page.locator("[data-year='2025'][data-eligible='yes']").count() == 1
    assert page.locator("li[data-counted='yes']").count() == 2
    assert "W751234567" in main
    check_page(page, f"wallet-rights-{shot}", phone=phone)
    # the rules behind it, opened
    page.locator("details summary").click()
    assert "D5151-14" in page.inner_text("main")
    check_page(page, f"wallet-rights-rules-{shot}", phone=phone)
    page.context.close()
