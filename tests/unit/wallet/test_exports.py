"""Exports (docs/decisions/recruiter-exports.md): proof strength, LinkedIn's Add to profile link,
the Europass (ELM v3) document against ELM's published SHACL shapes and example, the CV's HTML and
PDF."""

from __future__ import annotations

import base64
import io
import re
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from shared.errors import InvalidInputError
from tests.unit.wallet import elm
from wallet.service.exports import europass, linkedin, pdf
from wallet.service.exports.items import ExportItem, issuer_country, parse_ids, strength_of

ITEM = ExportItem(
    credential_id="c-1",
    credential_uri="urn:uuid:0f1e",
    title="Soudure TIG & MIG — niveau 2",
    issuer_name="Lycée Eiffel, Lyon",
    issuer_id="did:web:eiffel.example",
    description="Souder des tubes inox.",
    issued=datetime(2025, 3, 4, 10, 0, tzinfo=UTC),
    activity_start=datetime(2024, 9, 1, tzinfo=UTC),
    activity_end=datetime(2025, 2, 28, tzinfo=UTC),
    strength="endorsed",
    share_url="https://wallet.example/s/AbC-123_x",
    results=(("Note", "17"),),
    issuer_country="FR",
)
OTHER = replace(
    ITEM,
    credential_id="c-2",
    credential_uri=None,
    title="Cariste",
    issuer_name="Entrepôts Durand",
    issuer_id="https://durand.example",
    issued=datetime(2023, 11, 20, tzinfo=UTC),
    activity_start=None,
    activity_end=None,
    strength="self_declared",
    share_url="https://wallet.example/s/ZZZ",
    results=(),
    issuer_country=None,
)


# --------------------------------------------------------------------------- proof strength


def test_strength_issued_endorsed_self_declared() -> None:
    base: dict[str, Any] = {
        "issuer": {"id": "did:web:a"},
        "credentialSubject": {"id": "did:key:z1"},
    }
    assert strength_of(base) == "issued"
    assert strength_of({**base, "endorsement": [{"id": "urn:e"}]}) == "endorsed"
    assert strength_of({**base, "issuer": "did:key:z1"}) == "self_declared"
    assert strength_of({**base, "credentialSubject": [{"id": "did:web:a"}]}) == "self_declared"


@pytest.mark.parametrize(
    "hostile",
    [
        {},
        {"issuer": None, "credentialSubject": []},
        {"issuer": 3, "credentialSubject": "x"},
        {"issuer": {"id": ""}, "credentialSubject": {"id": ""}},
        {"endorsement": "x"},
    ],
)
def test_strength_of_odd_shapes_is_issued(hostile: dict[str, Any]) -> None:
    assert strength_of(hostile) == "issued"


def test_issuer_country_only_from_a_two_letter_code() -> None:
    assert issuer_country({"issuer": {"address": {"addressCountryCode": "fr"}}}) == "FR"
    for odd in (
        {"issuer": "did:x"},
        {"issuer": {"address": "Lyon"}},
        {"issuer": {"address": {"addressCountryCode": "FRA"}}},
        {"issuer": {"address": {"addressCountryCode": "1A"}}},
    ):
        assert issuer_country(odd) is None


def test_parse_ids_keeps_order_and_refuses_nothing_or_too_many() -> None:
    assert parse_ids("b, a,b  c") == ["b", "a", "c"]
    with pytest.raises(InvalidInputError):
        parse_ids(" , ")
    with pytest.raises(InvalidInputError):
        parse_ids(",".join(str(n) for n in range(51)))


# --------------------------------------------------------------------------- LinkedIn


def test_linkedin_add_to_profile_url_fields_and_encoding() -> None:
    url = linkedin.add_to_profile_url(ITEM)
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "www.linkedin.com", "/profile/add")
    assert dict(parse_qsl(parts.query)) == {
        "startTask": "CERTIFICATION_NAME",
        "name": "Soudure TIG & MIG — niveau 2",
        "organizationName": "Lycée Eiffel, Lyon",
        "issueYear": "2025",
        "issueMonth": "3",
        "certUrl": "https://wallet.example/s/AbC-123_x",
        "certId": "c-1",
    }
    # reserved characters are encoded: the & of the name does not start a parameter
    assert "name=Soudure+TIG+%26+MIG+%E2%80%94+niveau+2" in parts.query
    assert "certUrl=https%3A%2F%2Fwallet.example%2Fs%2FAbC-123_x" in parts.query


def test_linkedin_without_a_date_leaves_the_date_out() -> None:
    query = dict(parse_qsl(urlsplit(linkedin.add_to_profile_url(replace(ITEM, issued=None))).query))
    assert "issueYear" not in query
    assert "issueMonth" not in query


# --------------------------------------------------------------------------- Europass (ELM v3)


def test_europass_conforms_to_elm_shapes_but_for_the_eidas_seal() -> None:
    located = replace(OTHER, issuer_country="DE")
    document = europass.to_elm(
        [ITEM, located],
        "fr",
        "Ana Martin",
        "https://wallet.example",
        country="FR",
        image_png=europass.display_png([ITEM], "x"),
    )
    # the only constraint left is the issuer's eIDAS legal identifier (a sealing organisation),
    # which the published unsigned example misses too
    assert elm.violations(document) == {"elm:eidasLegalIdentifier"}
    assert "elm:eidasLegalIdentifier" in elm.violations(elm.sample())


def test_europass_without_country_or_image_says_what_is_missing() -> None:
    document = europass.to_elm([OTHER], "en", None, "https://wallet.example")
    assert elm.violations(document) == {"elm:eidasLegalIdentifier", "elm:location", "elm:image"}


def test_europass_has_the_published_example_structure() -> None:
    document = europass.to_elm([ITEM], "en", "Ana", "https://wallet.example", country="BE")
    example = elm.sample()
    for key in (
        "@context",
        "type",
        "credentialProfiles",
        "credentialSchema",
        "displayParameter",
        "credentialSubject",
        "issuer",
        "validFrom",
    ):
        assert key in example
        assert key in document
    assert document["@context"] == example["@context"]
    assert document["type"] == example["type"]
    assert document["credentialSubject"]["type"] == example["credentialSubject"]["type"] == "Person"
    claim = document["credentialSubject"]["hasClaim"][0]
    assert claim["type"] == "LearningAchievement"
    theirs = example["credentialSubject"]["hasClaim"]  # one object, or a list of them
    theirs = theirs[0] if isinstance(theirs, list) else theirs
    assert set(theirs["awardedBy"]) >= set(claim["awardedBy"]) - {"awardingDate"}
    assert theirs["awardedBy"]["type"] == claim["awardedBy"]["type"] == "AwardingProcess"


def test_europass_says_what_each_badge_says() -> None:
    document = europass.to_elm([ITEM, OTHER], "fr", "Ana", "https://wallet.example")
    claims = document["credentialSubject"]["hasClaim"]
    assert [c["title"]["fr"] for c in claims] == [ITEM.title, OTHER.title]
    body = claims[0]["awardedBy"]["awardingBody"][0]
    assert body["legalName"] == {"fr": ITEM.issuer_name}
    assert body["id"] == ITEM.issuer_id
    assert claims[0]["awardedBy"]["awardingDate"] == "2025-03-04T10:00:00Z"
    assert claims[0]["supplementaryDocument"][0]["contentURL"] == ITEM.share_url
    notes = [n["noteLiteral"]["fr"] for n in claims[0]["additionalNote"]]
    assert notes == ["Recommandé", "Note: 17"]
    assert claims[1]["additionalNote"][0]["noteLiteral"]["fr"] == "Auto-déclaré"
    assert claims[1]["identifier"][0]["notation"] == "c-2"
    ids = [n["id"] for n in claims[0]["additionalNote"] + claims[1]["additionalNote"]]
    assert len(ids) == len(set(ids))


# --------------------------------------------------------------------------- the CV


def _zbar_available() -> bool:
    try:
        import pyzbar.pyzbar  # noqa: F401
    except (ImportError, OSError):
        return False
    return True


NEEDS_ZBAR = pytest.mark.skipif(
    not _zbar_available(), reason="QR decoding needs zbar: apt-get install libzbar0"
)


def decode_qr(png: bytes) -> str:
    """A QR code read back with zbar (pyzbar; Debian's libzbar0)."""
    from PIL import Image
    from pyzbar.pyzbar import decode

    [found] = decode(Image.open(io.BytesIO(png)))
    return str(found.data.decode())


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("fr", ("Émetteur\u00a0: Lycée Eiffel, Lyon", "Recommandé", "Auto-déclaré", "4 mars 2025")),
        ("en", ("Issuer: Lycée Eiffel, Lyon", "Endorsed", "Self-declared", "March 4, 2025")),
    ],
)
def test_cv_html_holds_each_item_and_its_qr(lang: str, words: tuple[str, ...]) -> None:
    import html as htmllib

    text = htmllib.unescape(pdf.cv_html([ITEM, OTHER], lang, "Ana"))
    for word in words:
        assert word in text
    for item in (ITEM, OTHER):
        assert f'<a href="{item.share_url}">' in text


@NEEDS_ZBAR
def test_cv_qr_codes_decode_to_the_share_links() -> None:
    text = pdf.cv_html([ITEM, OTHER], "fr", None)
    # each QR code, decoded, is its item's share link, in the order of the items
    pngs = [base64.b64decode(m) for m in re.findall(r'src="data:image/png;base64,([^"]+)"', text)]
    assert [decode_qr(png) for png in pngs] == [ITEM.share_url, OTHER.share_url]


def _pdf_text_and_links(data: bytes) -> tuple[str, list[str], list[str]]:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    qrs = [decode_qr(image.data) for page in reader.pages for image in page.images]
    links = []
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            action = annot.get_object().get("/A")
            if action and action.get("/URI"):
                links.append(str(action["/URI"]))
    return text, links, qrs


@NEEDS_ZBAR
@pytest.mark.skipif(
    not pdf.weasyprint_available(),
    reason="WeasyPrint needs pango: apt-get install libpango-1.0-0 libpangoft2-1.0-0",
)
@pytest.mark.parametrize(
    ("lang", "words"),
    [
        (
            "fr",
            (
                "Mes badges vérifiables",
                "Recommandé",
                "Auto-déclaré",
                "4 mars 2025",
                "20 novembre 2023",
            ),
        ),
        (
            "en",
            (
                "My verifiable credentials",
                "Endorsed",
                "Self-declared",
                "March 4, 2025",
                "November 20, 2023",
            ),
        ),
    ],
)
def test_pdf_text_and_links(lang: str, words: tuple[str, ...]) -> None:
    text, links, qrs = _pdf_text_and_links(pdf.render_pdf([ITEM, OTHER], lang, "Ana Martin"))
    flat = " ".join(text.split())
    for word in (
        *words,
        ITEM.title,
        OTHER.title,
        ITEM.issuer_name,
        OTHER.issuer_name,
        "Ana Martin",
    ):
        assert " ".join(word.split()) in flat, word
    assert sorted(set(links)) == sorted({ITEM.share_url, OTHER.share_url})
    # the QR codes printed in the PDF, decoded by zbar: each item's live share link
    assert qrs == [ITEM.share_url, OTHER.share_url]


@pytest.mark.skipif(
    not pdf.weasyprint_available(),
    reason="WeasyPrint needs pango: apt-get install libpango-1.0-0 libpangoft2-1.0-0",
)
def test_hostile_badge_texts_are_printed_not_obeyed() -> None:
    hostile = replace(
        ITEM,
        title='<img src="file:///etc/hostname"><style>body{display:none}</style>',
        issuer_name="</section><a href='javascript:alert(1)'>x</a>",
        description="\u202e\x00" + "A" * 5000,
    )
    text, links, _ = _pdf_text_and_links(pdf.render_pdf([hostile], "en", "<b>Ana</b>"))
    flat = " ".join(text.split())
    assert '<img src="file:///etc/hostname">' in flat
    assert "<b>Ana</b>" in flat
    assert set(links) == {hostile.share_url}  # no javascript: link
