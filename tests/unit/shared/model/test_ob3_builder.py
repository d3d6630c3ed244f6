"""build_achievement_credential: schema-valid, JSON-LD-clean output for varied inputs."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from pyld import jsonld

from shared.errors import InvalidInputError
from shared.jsonld import make_document_loader
from shared.model import (
    OB3_CONTEXT,
    OB3_EXTENSIONS_CONTEXT,
    VC_V2_CONTEXT,
    Achievement,
    AchievementSubject,
    BitstringStatusListEntry,
    Criteria,
    EndorsementSubject,
    Evidence,
    IdentityObject,
    Image,
    Profile,
    alternate_language,
    build_achievement_credential,
    build_endorsement_credential,
    hours_result,
    hours_result_description,
    parse_achievement_credential,
    parse_credential,
    skill_alignment,
    validate_ob3,
)

ISSUER_DEPENDENT = "https://www.w3.org/ns/credentials/issuer-dependent#"
START = datetime(2024, 6, 1, 9, 30, tzinfo=UTC)
HOURS_ID = "https://musette.example/results/hours"


_offline_loader = make_document_loader()  # the bundled, sha256-pinned contexts


def _iris(node: Any) -> set[str]:
    """Every property IRI and @type value in an expanded document."""
    found: set[str] = set()
    if isinstance(node, list):
        for item in node:
            found |= _iris(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "@type":
                found |= set(value if isinstance(value, list) else [value])
            elif not key.startswith("@"):
                found.add(key)
            if key != "@value":
                found |= _iris(value)
    return found


def _volunteer_achievement(language: str = "fr", **extra: Any) -> Achievement:
    other = "en" if language == "fr" else "fr"
    return Achievement(
        id=f"https://musette.example/achievements/food-bank-{language}",
        name="Bénévolat à la banque alimentaire" if language == "fr" else "Food bank volunteering",
        description="Accueil et distribution" if language == "fr" else "Welcome and distribution",
        criteria=Criteria(narrative="Au moins 20 heures" if language == "fr" else "20 hours+"),
        achievement_type="CommunityService",
        in_language=language,
        related=[
            alternate_language(f"https://musette.example/achievements/food-bank-{other}", other)
        ],
        alignment=[
            skill_alignment(
                "http://data.europa.eu/esco/skill/6b7a5f0e-2d5c-4fb4-8d4a-9e4c1c7b1f9b",
                "travailler en équipe",
                target_code="S1.8.1",
            ),
            skill_alignment(
                "https://candidat.francetravail.fr/metierscope/fiche-metier/K1207",
                "Intervention socioéducative",
                framework="ROME",
                target_code="K1207",
            ),
        ],
        result_description=[hours_result_description(HOURS_ID, "Heures de bénévolat")],
        **extra,
    )


def _volunteer_subject(**extra: Any) -> AchievementSubject:
    fields: dict[str, Any] = {
        "id": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
        **extra,
    }
    return AchievementSubject(
        role="Coordinatrice",
        activity_start_date=datetime(2024, 1, 8, tzinfo=UTC),
        activity_end_date=datetime(2024, 5, 31, 18, tzinfo=timezone(timedelta(hours=2))),
        narrative="A coordonné **12** bénévoles.",
        result=[hours_result(Decimal("42.50"), HOURS_ID)],
        **fields,
    )


def _status(index: int) -> BitstringStatusListEntry:
    return BitstringStatusListEntry(
        id=f"https://musette.example/status/1#{index}",
        status_purpose="revocation",
        status_list_index=str(index),
        status_list_credential="https://musette.example/status/1",
    )


def _build(**overrides: Any) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "credential_id": "urn:uuid:0b5e6f0c-8c3e-4a49-9a3f-4f4a3c2b1a00",
        "valid_from": START,
        "name": "Bénévolat à la banque alimentaire",
    }
    kwargs.update(overrides)
    issuer = kwargs.pop("issuer", Profile(id="did:web:asso.example", name="Les Restos"))
    achievement = kwargs.pop("achievement", _volunteer_achievement())
    subject = kwargs.pop("subject", _volunteer_subject())
    return build_achievement_credential(issuer, achievement, subject, **kwargs)


def _random_case(rng: random.Random, n: int) -> dict[str, Any]:
    language = rng.choice(["fr", "en", "fr-CA", "en-GB"])
    extra_achievement: dict[str, Any] = {}
    if rng.random() < 0.5:
        extra_achievement["tag"] = rng.sample(["santé", "social", "food", "équipe"], 2)
    if rng.random() < 0.3:
        extra_achievement["image"] = Image(id=f"https://musette.example/img/{n}.png", caption="x")
    if rng.random() < 0.3:
        extra_achievement["creator"] = Profile(id=f"https://musette.example/org/{n}")
    if rng.random() < 0.3:
        extra_achievement["version"] = f"1.{n}"
    achievement = _volunteer_achievement("fr" if language.startswith("fr") else "en")
    achievement = achievement.model_copy(update={"in_language": language, **extra_achievement})
    subject_extra: dict[str, Any] = {}
    if rng.random() < 0.5:
        subject_extra["identifier"] = [
            IdentityObject(
                hashed=True,
                identity_hash="sha256$" + "ab" * 32,
                identity_type="emailAddress",
                salt="s",
            )
        ]
        subject_extra["id"] = None
    if rng.random() < 0.3:
        subject_extra["credits_earned"] = rng.choice([1, 2.5])
    if rng.random() < 0.3:
        subject_extra["term"] = "Printemps 2024"
    subject = _volunteer_subject(**subject_extra)
    if rng.random() < 0.3:
        subject = subject.model_copy(update={"role": None, "narrative": None, "result": None})
    start = START + timedelta(days=rng.randrange(0, 2000), microseconds=rng.choice([0, 1500]))
    issuers: list[Profile | str] = [
        "did:web:asso.example",
        Profile(id="did:key:z6Mkw", name="Asso", url="https://asso.example"),
        Profile(id="https://asso.example/profile", type=["Profile"], email="a@asso.example"),
    ]
    issuer = rng.choice(issuers)
    overrides: dict[str, Any] = {
        "issuer": issuer,
        "achievement": achievement,
        "subject": subject,
        "credential_id": f"urn:uuid:00000000-0000-4000-8000-{n:012d}",
        "valid_from": start.astimezone(timezone(timedelta(hours=rng.choice([-5, 0, 1, 2])))),
        "name": rng.choice(["Bénévolat", "Volunteering", "Bénévolat — 2024 ✓"]),
    }
    if rng.random() < 0.5:
        overrides["valid_until"] = start + timedelta(days=365 * 3)
    if rng.random() < 0.5:
        overrides["description"] = "Merci pour votre engagement !"
    if rng.random() < 0.5:
        overrides["awarded_date"] = start - timedelta(days=1)
    if rng.random() < 0.6:
        overrides["status"] = _status(rng.randrange(0, 131_072))
    if rng.random() < 0.5:
        overrides["evidence"] = [
            Evidence(id=f"https://asso.example/evidence/{n}", name="Attestation"),
            Evidence(narrative="Présence vérifiée", genre="Attestation", audience="Public"),
        ]
    if rng.random() < 0.3:
        overrides["image"] = Image(id="data:image/png;base64,iVBORw0KGgo=")
    if rng.random() < 0.3:
        overrides["include_schema"] = False
    return overrides


CASES = [_random_case(random.Random(seed), seed) for seed in range(150)]


@pytest.mark.parametrize("overrides", CASES, ids=[f"case{i}" for i in range(len(CASES))])
def test_built_credentials_validate(overrides: dict[str, Any]) -> None:
    doc = _build(**overrides)
    assert validate_ob3(doc) == []
    badge = parse_achievement_credential(doc)
    assert badge.credential_subject.achievement is not None
    assert parse_credential(doc).validity_window().valid_from is not None
    assert json.loads(json.dumps(doc)) == doc


@pytest.mark.parametrize("overrides", CASES[:15], ids=[f"case{i}" for i in range(15)])
def test_built_credentials_expand_as_json_ld_without_undefined_terms(
    overrides: dict[str, Any],
) -> None:
    doc = _build(**overrides)
    expanded = jsonld.expand(doc, {"documentLoader": _offline_loader})
    undefined = {iri for iri in _iris(expanded) if iri.startswith(ISSUER_DEPENDENT)}
    assert undefined == set()
    # no relative IRI either (an undefined @type would be resolved against a base URL)
    assert all(":" in iri for iri in _iris(expanded))
    nquads = jsonld.normalize(
        doc,
        {
            "algorithm": "URDNA2015",
            "format": "application/n-quads",
            "documentLoader": _offline_loader,
        },
    )
    assert "https://schema.org/inLanguage" in nquads


def test_volunteer_credential_shape() -> None:
    doc = _build(status=_status(7), valid_until=START + timedelta(days=365))
    assert doc["@context"] == [VC_V2_CONTEXT, OB3_CONTEXT, OB3_EXTENSIONS_CONTEXT]
    assert doc["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert doc["validFrom"] == "2024-06-01T09:30:00Z"
    assert doc["validUntil"] == "2025-06-01T09:30:00Z"
    subject = doc["credentialSubject"]
    assert subject["role"] == "Coordinatrice"
    assert subject["activityStartDate"] == "2024-01-08T00:00:00Z"
    assert subject["activityEndDate"] == "2024-05-31T16:00:00Z"
    assert subject["result"] == [
        {"type": ["Result"], "resultDescription": HOURS_ID, "value": "42.5"}
    ]
    achievement = subject["achievement"]
    assert achievement["achievementType"] == "CommunityService"
    assert achievement["inLanguage"] == "fr"
    assert achievement["related"][0]["inLanguage"] == "en"
    assert {a["targetFramework"] for a in achievement["alignment"]} == {"ESCO", "ROME"}
    assert doc["credentialStatus"]["statusListIndex"] == "7"
    assert "credentialSchema" in doc


def test_none_fields_are_dropped() -> None:
    doc = _build()
    text = json.dumps(doc)
    assert "null" not in text
    assert "valid_from" not in text
    assert "validUntil" not in doc


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"valid_from": datetime(2024, 1, 1)}, "timezone-aware"),
        ({"valid_until": datetime(2030, 1, 1)}, "timezone-aware"),
        ({"valid_until": START}, "later than valid_from"),
        ({"credential_id": ""}, "credential_id"),
        ({"name": ""}, "name"),
    ],
)
def test_builder_rejects_bad_input(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        _build(**overrides)


def test_builder_rejects_conflicting_subject_achievement() -> None:
    subject = _volunteer_subject(achievement=_volunteer_achievement("en"))
    with pytest.raises(InvalidInputError, match="differs"):
        _build(subject=subject)


def test_builder_accepts_matching_subject_achievement() -> None:
    achievement = _volunteer_achievement()
    doc = _build(subject=_volunteer_subject(achievement=achievement), achievement=achievement)
    assert validate_ob3(doc) == []


def test_builder_refuses_schema_invalid_result() -> None:
    issuer = Profile(id="did:web:x", type=["Organization"])
    with pytest.raises(InvalidInputError, match="not be a valid Open Badge") as info:
        _build(issuer=issuer)
    assert info.value.extensions["problems"]


@pytest.mark.parametrize("hours", [-1, "nan", Decimal("Infinity")])
def test_hours_must_be_finite_and_positive(hours: int | str | Decimal) -> None:
    with pytest.raises((InvalidInputError, ArithmeticError)):
        hours_result(Decimal(str(hours)), HOURS_ID)


@pytest.mark.parametrize(
    ("hours", "text"), [(0, "0"), (12, "12"), (1.25, "1.25"), (Decimal("3.10"), "3.1")]
)
def test_hours_text(hours: Decimal | int | float, text: str) -> None:
    assert hours_result(hours, HOURS_ID).value == text


@pytest.mark.parametrize("language", ["french", "FR", "fr_FR", "f"])
def test_language_codes_are_bcp47(language: str) -> None:
    with pytest.raises(InvalidInputError, match="inLanguage"):
        alternate_language("https://x.example/a", language)


def test_achievement_rejects_unknown_type_and_accepts_extension() -> None:
    fields = _volunteer_achievement().model_dump(by_alias=False)
    with pytest.raises(ValueError, match="achievementType"):
        Achievement.model_validate({**fields, "achievement_type": "Volunteering"})
    achievement = _volunteer_achievement().model_copy(
        update={"achievement_type": "ext:Volunteering"}
    )
    assert validate_ob3(_build(achievement=achievement)) == []


def test_endorsement_builder() -> None:
    doc = build_endorsement_credential(
        Profile(id="did:web:mairie.example", name="Mairie"),
        EndorsementSubject(
            id="https://musette.example/achievements/food-bank-fr",
            endorsement_comment="Nous reconnaissons ce badge.",
        ),
        credential_id="urn:uuid:e",
        valid_from=START,
        name="Reconnaissance",
    )
    assert doc["type"] == ["VerifiableCredential", "EndorsementCredential"]
    assert validate_ob3(doc) == []
