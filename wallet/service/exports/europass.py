"""Europass: the chosen badges as one European Learning Model v3 credential (ELM 3.x,
`EuropeanDigitalCredential`, profile EDC generic), unsigned.

Mapping (OB 3.0 → ELM): the holder is the `credentialSubject` `Person`; each badge is a
`LearningAchievement` claim whose `awardedBy` `AwardingProcess` names the badge issuer as
`awardingBody` `Organisation` and its issuance date as `awardingDate`; the achievement's
description and results become `description` and `additionalNote`s, its proof strength a note,
its live share page a `supplementaryDocument`, the OB credential id an `identifier`.
The ELM `issuer` is the wallet acting for the holder: Europass expects an eIDAS-sealed issuer
(JAdES), which a personal wallet cannot be, so the export is unsigned and says so."""

from __future__ import annotations

import base64
import io
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from wallet.service.exports.items import ExportItem
from wallet.service.exports.pdf import strength_label

CONTEXT = [
    "https://www.w3.org/2018/credentials/v1",
    "http://data.europa.eu/snb/model/context/edc-ap",
]
# ELM controlled vocabularies (data.europa.eu/snb, publications.europa.eu/resource/authority)
GENERIC_PROFILE = "http://data.europa.eu/snb/credential/e34929035b"
PROFILE_SCHEME = "http://data.europa.eu/snb/credential/25831c2"
SHACL_SCHEMA = "http://data.europa.eu/snb/model/ap/edc-generic-full"
LANGUAGE_SCHEME = "http://publications.europa.eu/resource/authority/language"
LANGUAGES = {"fr": ("FRA", "français"), "en": ("ENG", "English")}
COUNTRY_SCHEME = "http://publications.europa.eu/resource/authority/country"
# ISO 3166-1 alpha-2 → the EU country authority table's codes (alpha-3), EU/EEA and neighbours
COUNTRIES = {
    "AT": "AUT",
    "BE": "BEL",
    "BG": "BGR",
    "CH": "CHE",
    "CY": "CYP",
    "CZ": "CZE",
    "DE": "DEU",
    "DK": "DNK",
    "EE": "EST",
    "ES": "ESP",
    "FI": "FIN",
    "FR": "FRA",
    "GB": "GBR",
    "GR": "GRC",
    "HR": "HRV",
    "HU": "HUN",
    "IE": "IRL",
    "IS": "ISL",
    "IT": "ITA",
    "LI": "LIE",
    "LT": "LTU",
    "LU": "LUX",
    "LV": "LVA",
    "MC": "MCO",
    "MT": "MLT",
    "NL": "NLD",
    "NO": "NOR",
    "PL": "POL",
    "PT": "PRT",
    "RO": "ROU",
    "SE": "SWE",
    "SI": "SVN",
    "SK": "SVK",
    "UA": "UKR",
}


class _Ids:
    """ELM's blank-node-like `urn:epass:<kind>:<n>` ids, unique within one document."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    def __call__(self, kind: str) -> str:
        self.counts[kind] = self.counts.get(kind, 0) + 1
        return f"urn:epass:{kind}:{self.counts[kind]}"


def _when(value: datetime | None) -> str | None:
    if value is None:
        return None
    value = value if value.tzinfo else value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _language(lang: str) -> dict[str, Any]:
    code, label = LANGUAGES.get(lang, LANGUAGES["en"])
    return {
        "id": f"{LANGUAGE_SCHEME}/{code}",
        "type": "Concept",
        "inScheme": {"id": LANGUAGE_SCHEME, "type": "ConceptScheme"},
        "prefLabel": {lang: label},
        "notation": code.lower(),
    }


def _location(ids: _Ids, country: str | None) -> list[dict[str, Any]]:
    """ELM wants every organisation located with a country; none when the country is unknown
    (the export then says less rather than guess)."""
    code = COUNTRIES.get((country or "").upper())
    if code is None:
        return []
    concept = {
        "id": f"{COUNTRY_SCHEME}/{code}",
        "type": "Concept",
        "inScheme": {"id": COUNTRY_SCHEME, "type": "ConceptScheme"},
        "notation": "country",
    }
    address = {"id": ids("address"), "type": "Address", "countryCode": concept}
    return [{"id": ids("location"), "type": "Location", "address": [address]}]


def _with_location(org: dict[str, Any], ids: _Ids, country: str | None) -> dict[str, Any]:
    location = _location(ids, country)
    return {**org, "location": location} if location else org


def _note(ids: _Ids, lang: str, text: str) -> dict[str, Any]:
    return {"id": ids("note"), "type": "Note", "noteLiteral": {lang: text}}


def _achievement(ids: _Ids, item: ExportItem, lang: str) -> dict[str, Any]:
    awarding_body = _with_location(
        {
            "id": item.issuer_id or ids("org"),
            "type": "Organisation",
            "legalName": {lang: item.issuer_name or item.issuer_id or "?"},
        },
        ids,
        item.issuer_country,
    )
    awarded: dict[str, Any] = {
        "id": ids("awardingProcess"),
        "type": "AwardingProcess",
        "awardingBody": [awarding_body],
    }
    if item.issued is not None:
        awarded["awardingDate"] = _when(item.issued)
    notes = [_note(ids, lang, f"{strength_label(item.strength, lang)}")]
    notes += [
        _note(ids, lang, f"{name}: {value}" if name else value) for name, value in item.results
    ]
    achievement: dict[str, Any] = {
        "id": ids("learningAchievement"),
        "type": "LearningAchievement",
        "title": {lang: item.title},
        "awardedBy": awarded,
        "additionalNote": notes,
        "supplementaryDocument": [
            {"id": ids("webResource"), "type": "WebResource", "contentURL": item.share_url}
        ],
        "identifier": [
            {
                "id": ids("identifier"),
                "type": "Identifier",
                "notation": item.credential_uri or item.credential_id,
                "schemeName": "Open Badges 3.0 credential",
            }
        ],
    }
    if item.description:
        achievement["description"] = {lang: item.description}
    return achievement


def _image(ids: _Ids, png: bytes) -> dict[str, Any]:
    return {
        "id": ids("mediaObject"),
        "type": "MediaObject",
        "content": base64.b64encode(png).decode(),
        "contentEncoding": {
            "id": "http://data.europa.eu/snb/encoding/6146cde7dd",
            "type": "Concept",
            "inScheme": {
                "id": "http://data.europa.eu/snb/encoding/25831c2",
                "type": "ConceptScheme",
            },
            "prefLabel": {"en": "base64"},
        },
        "contentType": {
            "id": "http://publications.europa.eu/resource/authority/file-type/PNG",
            "type": "Concept",
            "inScheme": {
                "id": "http://publications.europa.eu/resource/authority/file-type",
                "type": "ConceptScheme",
            },
            "notation": "file-type",
            "prefLabel": {"en": "PNG"},
        },
    }


def display_png(items: Sequence[ExportItem], title: str) -> bytes:
    """The credential's page as Europass shows it: a plain rendering of the titles and issuers
    (ELM's DisplayDetail.image)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (800, 120 + 40 * len(items)), "white")
    draw = ImageDraw.Draw(image)
    draw.text((40, 40), title, fill="black", font_size=28)
    for n, item in enumerate(items):
        draw.text(
            (40, 100 + 40 * n), f"{item.title} — {item.issuer_name}", fill="black", font_size=20
        )
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def to_elm(
    items: Sequence[ExportItem],
    lang: str,
    holder: str | None,
    wallet_url: str,
    *,
    country: str | None = None,
    image_png: bytes | None = None,
) -> dict[str, Any]:
    """One unsigned ELM v3 `EuropeanDigitalCredential` holding the chosen badges."""
    ids = _Ids()
    language = _language(lang)
    now = _when(datetime.now(UTC))
    title = {"fr": "Mes badges vérifiables", "en": "My verifiable credentials"}.get(
        lang, "My verifiable credentials"
    )
    person: dict[str, Any] = {
        "id": ids("person"),
        "type": "Person",
        "hasClaim": [_achievement(ids, item, lang) for item in items],
    }
    if holder:
        person["fullName"] = {lang: holder}
    return {
        "@context": CONTEXT,
        "id": f"urn:credential:{uuid.uuid4()}",
        "type": ["VerifiableCredential", "EuropeanDigitalCredential"],
        "credentialProfiles": [
            {
                "id": GENERIC_PROFILE,
                "type": "Concept",
                "inScheme": {"id": PROFILE_SCHEME, "type": "ConceptScheme"},
                "prefLabel": {"en": "Generic"},
            }
        ],
        "credentialSchema": [{"id": SHACL_SCHEMA, "type": "ShaclValidator2017"}],
        "displayParameter": {
            "id": ids("displayParameter"),
            "type": "DisplayParameter",
            "title": {lang: title},
            "language": [language],
            "primaryLanguage": language,
            "individualDisplay": [
                {
                    "id": ids("individualDisplay"),
                    "type": "IndividualDisplay",
                    "language": language,
                    "displayDetail": [
                        {
                            "id": ids("displayDetail"),
                            "type": "DisplayDetail",
                            "page": 1,
                            **({"image": _image(ids, image_png)} if image_png else {}),
                        }
                    ],
                }
            ],
        },
        "issuer": _with_location(
            {"id": wallet_url.rstrip("/"), "type": "Organisation", "legalName": {lang: "Musette"}},
            ids,
            country,
        ),
        "issuanceDate": now,
        "issued": now,
        "validFrom": now,
        "credentialSubject": person,
    }
