"""CSV batch issuance over HTTP: the admin API and the console pages, all rows or none."""

from __future__ import annotations

import ast
import base64
import csv
import email
import inspect
import io
import re
from datetime import datetime, timedelta
from email import policy
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from issuer.db.models import Batch, Offer
from servicekit.i18n import catalogue
from shared.errors import InvalidInputError
from shared.model.identity import identity_matches
from tests.integration.issuer.conftest import Env, Wallet
from tests.integration.issuer.test_issuer_pages import LOCALES, csrf_of, get, post, signin

API = "/admin/orgs/demo-association/achievements/volunteer/batches"
PAGE = "/console/achievements/volunteer/batch"
GOOD_FR = (
    "\ufeffnom;courriel;rôle;début;fin;heures;récit\r\n"
    "Léa Dubois;lea@example.org;Encadrante;01/03/2026;30/06/2026;7,5;A encadré\r\n"
    'Sam Taylor;;Cuisine;2026-03-01;;12;"Deux lignes\r\nde récit"\r\n'
    '=HYPERLINK("http://evil.example");evil@example.org;;;;;\r\n'
)


def _total(env: Env, model: Any) -> int:
    res = env.client.app.state.resources  # type: ignore[attr-defined]
    with res.sessions.begin() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


_BEFORE: dict[int, dict[Any, int]] = {}


@pytest.fixture(autouse=True)
def _baseline(env: Env) -> None:
    """The demo seeds an offer: tests count what they add."""
    _BEFORE[id(env)] = {m: _total(env, m) for m in (Offer, Batch)}


def count(env: Env, model: Any) -> int:
    """Rows of ``model`` added since the test started."""
    return _total(env, model) - _BEFORE[id(env)][model]


def outbox(env: Env) -> list[Path]:
    return sorted(Path(env.settings.data_dir, "outbox").glob("*.eml"))


def upload(env: Env, body: bytes | str, path: str = API, lang: str = "fr", **fields: Any) -> Any:
    data = body.encode() if isinstance(body, str) else body
    return env.client.post(
        path,
        files={"file": ("volunteers.csv", data, "text/csv")},
        data=fields,
        headers={**env.auth, "Accept-Language": lang},
    )


# --------------------------------------------------------------------------- API


def test_api_preview_then_issue_creates_n_offers_and_emails(env: Env) -> None:
    preview = upload(env, GOOD_FR, f"{API}/preview")
    assert preview.status_code == 200, preview.text
    body = preview.json()
    assert body["valid"] is True
    assert body["delimiter"] == ";"
    assert [r["recipient"]["name"] for r in body["rows"]] == [
        "Léa Dubois",
        "Sam Taylor",
        '=HYPERLINK("http://evil.example")',
    ]
    assert body["rows"][0]["subject"]["results"] == {"hours": "7.5"}
    assert body["rows"][1]["subject"]["narrative"] == "Deux lignes\nde récit"
    assert count(env, Offer) == 0  # a preview writes nothing

    created = upload(env, GOOD_FR, lifetime_hours="72", tx_code="true")
    assert created.status_code == 201, created.text
    result = created.json()
    assert result["count"] == 3
    assert count(env, Offer) == 3
    assert count(env, Batch) == 1
    assert len(outbox(env)) == 2  # Sam has no email
    offers = result["offers"]
    assert [o["line"] for o in offers] == [2, 3, 5]
    assert all(re.fullmatch(r"\d{6}", o["tx_code"]) for o in offers)
    assert offers[0]["email_written"] is True
    assert offers[1]["email_written"] is None
    assert offers[0]["wallet_link"].startswith("http://wallet.test/receive?")
    messages = [
        email.message_from_bytes(p.read_bytes(), policy=policy.default) for p in outbox(env)
    ]
    to_lea = next(m for m in messages if m["To"] == "lea@example.org")
    text = to_lea.get_content()
    assert "Léa Dubois" in text
    assert offers[0]["wallet_link"] in text
    assert "code" in text  # the code itself is never in the email
    assert offers[0]["tx_code"] not in text
    # 72 hours, not the 10-minute default
    expires = datetime.fromisoformat(offers[0]["expires_at"].replace("Z", "+00:00"))
    assert expires == env.clock() + timedelta(hours=72)


def test_api_accepts_json_and_an_english_comma_file(env: Env) -> None:
    text = "Name,E-mail,Hours\nAlex Doe,alex@example.org,3\n"
    response = env.client.post(
        API,
        json={"csv": text, "send_emails": False, "language": "en"},
        headers={**env.auth, "Accept-Language": "en"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["count"] == 1
    assert outbox(env) == []


def test_api_invalid_rows_are_422_and_nothing_is_created(env: Env) -> None:
    bad = (
        "nom;courriel;début;heures;couleur\n"
        "Léa;not-an-email;32/13/2026;-3;bleu\n"
        ";x@example.org;;;\n"
        "Sam;sam@example.org;;abc;\n"
        "Sam;sam@example.org;;4;\n"
        "Sam;sam@example.org;;4;\n"
        "Trop;de;cellules;1;2;3\n"
    )
    for lang, word in (("fr", "n'est pas une adresse e-mail"), ("en", "is not an email address")):
        response = upload(env, bad, lang=lang)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        assert problem["type"].endswith("#batch-rows-invalid")
        codes = {(e["line"], e["code"]) for e in problem["errors"]}
        assert {
            (1, "unknown-column"),
            (2, "bad-email"),
            (2, "bad-date"),
            (2, "bad-number"),
            (3, "missing-name"),
            (4, "bad-number"),
            (6, "duplicate-row"),
            (7, "too-many-cells"),
        } <= codes, codes
        assert any(word in e["message"] for e in problem["errors"]), problem["errors"]
    assert count(env, Offer) == 0
    assert count(env, Batch) == 0
    assert outbox(env) == []


@pytest.mark.parametrize(
    ("failure", "status"),
    [
        (RuntimeError("disk full"), 500),
        (InvalidInputError("results ['hours'] are not described by volunteer"), 400),
    ],
)
def test_a_failing_row_at_creation_rolls_everything_back(
    env: Env, monkeypatch: pytest.MonkeyPatch, failure: Exception, status: int
) -> None:
    """If the 3rd offer cannot be created, the first two and the batch are not kept."""
    from issuer.service import batch as batch_service
    from issuer.service.oid4vci import create_offer as real  # what batch calls by that name

    calls = {"n": 0}

    def failing(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 3:
            raise failure
        return real(*args, **kwargs)

    monkeypatch.setattr(batch_service, "create_offer", failing)
    client = TestClient(env.client.app, raise_server_exceptions=False)
    response = client.post(
        API, files={"file": ("v.csv", GOOD_FR.encode(), "text/csv")}, headers=env.auth
    )
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert calls["n"] == 3
    assert count(env, Offer) == 0
    assert count(env, Batch) == 0
    assert outbox(env) == []


def test_api_needs_auth_and_the_right_organisation(env: Env, other_org_key: str) -> None:
    files = {"file": ("v.csv", b"nom\nLea\n", "text/csv")}
    assert env.client.post(API, files=files).status_code == 401
    other = {"Authorization": f"Bearer {other_org_key}"}
    refused = env.client.post(API, files=files, headers=other)
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    created = upload(env, "nom\nLea\n")
    batch_id = created.json()["batch_id"]
    for path in (
        f"/admin/orgs/demo-association/batches/{batch_id}",
        f"/admin/orgs/demo-association/batches/{batch_id}/results.csv",
        f"{API}/template.csv",
    ):
        assert env.client.get(path).status_code == 401, path
        assert env.client.get(path, headers=other).status_code == 403, path
    # the other organisation's own URL does not reach this batch either
    hidden = env.client.get(f"/admin/orgs/other-employer/batches/{batch_id}", headers=other)
    assert hidden.status_code == 404
    assert count(env, Offer) == 1


def test_file_limits_are_413_and_unreadable_files_422(env: Env) -> None:
    big = b"nom\n" + b"x" * (600 * 1024)
    response = upload(env, big)
    assert response.status_code == 413
    assert response.json()["type"].endswith("#csv-too-large")
    many = "nom\n" + "".join(f"Personne {i}\n" for i in range(1001))
    response = upload(env, many)
    assert response.status_code == 413
    assert "1000" in response.json()["detail"]
    for data, reason in [
        (b"", None),
        (b"PK\x03\x04rest-of-a-zip", "workbook"),
        (b"nom\nL\x00a\n", "binary"),
    ]:
        response = upload(env, data)
        assert response.status_code in (400, 422), (data, response.text)
        if reason:
            assert response.json()["reason"] == reason
    assert count(env, Offer) == 0


def test_results_csv_neutralises_formulas(env: Env) -> None:
    created = upload(env, GOOD_FR, send_emails="false").json()
    response = env.client.get(created["results_csv"], headers={**env.auth, "Accept-Language": "fr"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Ligne", "Nom", "Adresse e-mail"]
    names = [r[1] for r in rows[1:]]
    assert names == ["Léa Dubois", "Sam Taylor", '\'=HYPERLINK("http://evil.example")']
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    assert rows[1][3].startswith("http://wallet.test/receive?")


def test_template_lists_this_badges_columns(env: Env) -> None:
    fr = env.client.get(f"{API}/template.csv?lang=fr", headers=env.auth)
    assert fr.status_code == 200
    assert (
        fr.content.decode("utf-8-sig").splitlines()[0]
        == "nom;courriel;rôle;année;début;fin;heures;récit"
    )
    en = env.client.get(f"{API}/template.csv?lang=en", headers=env.auth)
    assert (
        en.content.decode("utf-8-sig").splitlines()[0]
        == "name,email,role,year,start,end,hours,narrative"
    )
    # the template itself is a valid batch
    assert upload(env, fr.content, f"{API}/preview").json()["valid"] is True
    assert upload(env, en.content, f"{API}/preview").json()["valid"] is True


def test_a_batch_offer_is_redeemed_through_openid4vci(env: Env, wallet: Wallet) -> None:
    created = upload(env, "nom;heures\nLéa Dubois;7,5\n", tx_code="1").json()
    offer = created["offers"][0]
    env.clock.advance(hours=2)  # past the 10-minute default: a batch offer lives longer
    document = wallet.resolve(offer["offer_uri"])
    token = wallet.token(document, offer["tx_code"])
    assert token.status_code == 200, token.text
    response = wallet.credential(token.json()["access_token"], "volunteer_ldp_vc")
    assert response.status_code == 200, response.text
    credential = response.json()["credentials"][0]["credential"]
    subject = credential["credentialSubject"]
    assert subject["id"] == wallet.did
    # the name is salted and hashed by default (docs/decisions/reveal-less.md): never in clear in
    # ldp_vc
    assert "Léa Dubois" not in str(credential)
    (name,) = [i for i in subject["identifier"] if i["identityType"] == "name"]
    assert identity_matches(name, "Léa Dubois")
    assert not identity_matches(name, "Léa Durand")
    assert "7.5" in str(subject)
    again = wallet.token(document, offer["tx_code"])
    assert again.status_code == 400  # single use


# --------------------------------------------------------------------------- console


@pytest.fixture
def admin(env: Env) -> TestClient:
    signin(env.client)
    return env.client


def page_upload(client: TestClient, body: bytes | str, lang: str = "fr", **fields: Any) -> Any:
    csrf = csrf_of(get(client, PAGE, lang).text)
    data = body.encode() if isinstance(body, str) else body
    return client.post(
        PAGE,
        data={"csrf_token": csrf, "formats": "ldp_vc", "send_emails": "1", **fields},
        files={"file": ("benevoles.csv", data, "text/csv")},
        headers={"Accept-Language": lang},
        follow_redirects=False,
    )


def confirm_form(html: str) -> dict[str, Any]:
    form = html[html.index('action="/console/achievements/volunteer/batch/confirm"') :]
    fields: dict[str, Any] = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form):
        fields.setdefault(name, []).append(value)
    return {k: v[0] if len(v) == 1 else v for k, v in fields.items()}


def multipart(fields: dict[str, Any]) -> list[tuple[str, tuple[None, str]]]:
    out = []
    for k, v in fields.items():
        for item in v if isinstance(v, list) else [v]:
            out.append((k, (None, item)))
    return out


def test_console_requires_a_session_and_csrf(env: Env) -> None:
    response = env.client.get(PAGE, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/signin")
    signin(env.client)
    refused = env.client.post(
        PAGE,
        data={"csrf_token": "wrong"},
        files={"file": ("v.csv", b"nom\nLea\n", "text/csv")},
        follow_redirects=False,
    )
    assert refused.status_code == 403
    confirm = post(env.client, f"{PAGE}/confirm", {"csrf_token": "wrong"})
    assert confirm.status_code == 403
    assert count(env, Offer) == 0


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        (
            "fr",
            [
                "Lignes prêtes à être délivrées\u00a0: 3.",
                "Délivrer les badges (3)",
                "1 mars 2026",
                "7,5",
            ],
        ),
        ("en", ["Rows ready to issue: 3.", "Issue the badges (3)", "March 1, 2026", "7.5"]),
    ],
)
def test_console_preview_confirm_results(
    admin: TestClient, env: Env, lang: str, words: list[str]
) -> None:
    page = get(admin, PAGE, lang)
    assert page.status_code == 200
    assert "template.csv?lang=fr" in page.text
    preview = page_upload(admin, GOOD_FR, lang)
    assert preview.status_code == 200, preview.text
    for word in words:
        assert word in preview.text, word
    assert count(env, Offer) == 0
    fields = confirm_form(preview.text)
    assert base64.b64decode(fields["file_b64"]) == GOOD_FR.encode()
    done = admin.post(
        f"{PAGE}/confirm",
        files=multipart(fields),
        headers={"Accept-Language": lang},
        follow_redirects=False,
    )
    assert done.status_code == 200, done.text
    assert count(env, Offer) == 3
    assert len(outbox(env)) == 2
    assert "qr.png" in done.text
    assert "http://wallet.test/receive" in done.text
    # an offer of the batch lives for days: its page says until when, not "in 10080 minutes"
    offer_page = re.search(r'href="(/console/offers/[^"]+)"', done.text)
    assert offer_page
    until = "Il fonctionne une fois, jusqu" if lang == "fr" else "It works once, until"
    assert until in get(admin, offer_page.group(1), lang).text
    # posting the same confirmation again (a reload) creates nothing more
    again = admin.post(f"{PAGE}/confirm", files=multipart(fields), follow_redirects=False)
    assert again.status_code == 303
    assert count(env, Offer) == 3
    assert count(env, Batch) == 1
    results = get(admin, again.headers["location"], lang)
    assert results.status_code == 200
    assert "Léa Dubois" in results.text
    csv_link = re.search(r'href="(/console/batches/[^"]+/results\.csv)"', results.text)
    assert csv_link
    download = get(admin, csv_link.group(1), lang)
    assert download.status_code == 200
    assert "'=HYPERLINK" in download.content.decode("utf-8-sig")


def test_console_preview_shows_errors_with_line_numbers(admin: TestClient, env: Env) -> None:
    bad = "nom;courriel;heures\nLéa;pas-un-mail;-2\n;x@example.org;1\n"
    for lang, words in (
        ("fr", ["Ligne 2", "pas-un-mail", "n&#39;est pas une adresse e-mail", "Ligne 3"]),
        ("en", ["Line 2", "is not an email address", "Line 3: the name is missing"]),
    ):
        response = page_upload(admin, bad, lang)
        assert response.status_code == 422
        for word in words:
            assert word in response.text, (lang, word)
        assert "batch/confirm" not in response.text
    too_big = page_upload(admin, b"nom\n" + b"x" * (600 * 1024))
    assert too_big.status_code == 413
    assert "512" in too_big.text
    no_format = page_upload(admin, "nom\nLéa\n", formats="")
    assert no_format.status_code == 422
    assert "Choisissez au moins un format" in no_format.text
    workbook = page_upload(admin, b"PK\x03\x04...")
    assert workbook.status_code == 422
    assert "CSV" in workbook.text
    assert count(env, Offer) == 0


def test_another_organisation_cannot_see_a_batch(admin: TestClient, env: Env) -> None:
    from tests.integration.issuer.test_issuer_pages import (
        OTHER_ADMIN,
        OTHER_PASSWORD,
        make_other_org,
    )

    created = upload(env, "nom\nLéa\n").json()
    make_other_org(env)
    other = TestClient(env.client.app)
    signin(other, OTHER_ADMIN, OTHER_PASSWORD)
    for path in (
        f"/console/batches/{created['batch_id']}",
        f"/console/batches/{created['batch_id']}/results.csv",
        PAGE,
        f"{PAGE}/template.csv",
    ):
        assert get(other, path).status_code == 404, path
    assert urlsplit(created["results_csv"]).path.startswith("/admin/orgs/demo-association/")


# --------------------------------------------------------------------------- catalogues


def _service_msgids() -> set[str]:
    """Every message the batch services raise or report (msgids, with implicit joins)."""
    from issuer.service import batch, spreadsheet

    ids: set[str] = set()
    for module in (batch, spreadsheet):
        for node in ast.walk(ast.parse(Path(inspect.getfile(module)).read_text())):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            args = node.args
            if name == "add" and len(args) >= 4 and not isinstance(args[3], ast.Subscript):
                ids.add(ast.literal_eval(args[3]))
            elif name in {"CsvFileError", "CsvTooLargeError"} and args:
                ids.add(ast.literal_eval(args[0]))
            elif name == "t" and args and isinstance(args[0], ast.Constant):
                assert isinstance(args[0].value, str), ast.dump(node)
                ids.add(args[0].value)
    return ids | set(batch.VOLUNTEERING_PROBLEMS.values())


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_batch_message_is_in_both_catalogues(lang: str) -> None:
    ids = _service_msgids()
    assert len(ids) > 25
    missing = sorted(ids - set(catalogue(LOCALES, lang)))
    assert missing == []


@pytest.mark.parametrize("lifetime", ["²", "٣", "9" * 5000, "-1", "72.5", "soixante"])
def test_a_hostile_lifetime_shows_the_form_again(
    admin: TestClient, env: Env, lifetime: str
) -> None:
    """The form comes back with its lifetime list (never a crash): a superscript two is a
    digit to Python but no number, and a 5,000-digit number is more than int() reads."""
    response = page_upload(admin, "nom\nLéa\n", lifetime_hours=lifetime)
    assert response.status_code == 422, response.text
    assert "Choisissez au moins un format et une durée" in response.text
    assert 'value="168" selected' in response.text.replace('selected="selected"', "selected")
    assert count(env, Offer) == 0
