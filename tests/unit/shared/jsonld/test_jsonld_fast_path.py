"""Differential tests: the fast path must give exactly the bytes plain pyld gives.

The oracle is unmodified ``pyld.jsonld.normalize`` (URDNA2015, N-Quads) with the bundled
loader and a fresh context cache for every document. The fast path keeps its context
caches across all the documents of the run, which is what it is there to do.
"""

from __future__ import annotations

import json
import random
import string
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from cachetools import LRUCache
from pyld import jsonld
from pyld.context_resolver import ContextResolver

from shared.errors import VcError
from shared.jsonld import Ob303Variant, canonize, canonize_plain, make_document_loader
from shared.jsonld import canon as canon_module

V1 = "https://www.w3.org/2018/credentials/v1"
V2 = "https://www.w3.org/ns/credentials/v2"
OB = "https://purl.imsglobal.org/spec/ob/v3p0/"
UNDEFINED_TERMS = "https://www.w3.org/ns/credentials/undefined-terms/v2"
EXAMPLES_V2 = "https://www.w3.org/ns/credentials/examples/v2"
DI_V2 = "https://w3id.org/security/data-integrity/v2"
EXTENSIONS = OB + "extensions.json"
N_DOCUMENTS = 240
DATA = Path(__file__).parents[3] / "data" / "jsonld"

CONTEXTS_V2 = [
    [V2, OB + "context-3.0.3.json"],
    [V2, OB + "context-3.0.3.json"],
    [V2, OB + "context-3.0.3.json", UNDEFINED_TERMS],
    [V2, OB + "context-3.0.3.json", EXTENSIONS],
    [V2, OB + "context-3.0.3.json", DI_V2],
    [V2, OB + "context-3.0.2.json"],
    [V2, OB + "context-3.0.2.json", EXAMPLES_V2],
    [V2, OB + "context-3.0.3.json", "https://www.w3.org/ns/credentials/status/v1"],
    [V2, OB + "context-3.0.3.json", "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"],
]
CONTEXTS_V1 = [
    [V1, OB + "context.json"],
    [V1, OB + "context.json", "https://w3id.org/security/suites/ed25519-2020/v1"],
    [V1, OB + "context-3.0.1.json"],
]

TEXT_PIECES = [
    "Badge",
    "Ünïcödé",
    "名前",
    "😀🎓",
    "e\u0301",
    'quote " inside',
    "back\\slash",
    "line\nbreak",
    "tab\there",
    "bell\u0007",
    "",
    "  spaced  ",
    "<tag>",
    "_:b0",
]


def oracle(document: dict[str, Any], variant: Ob303Variant) -> str:
    loader = make_document_loader(variant)
    options = {
        "algorithm": "URDNA2015",
        "format": "application/n-quads",
        "documentLoader": loader,
        "contextResolver": ContextResolver(LRUCache(100), loader),
    }
    return str(jsonld.normalize(document, options))


class Factory:
    """Random but reproducible OB 3.0 credentials."""

    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed)

    def chance(self, p: float) -> bool:
        return self.r.random() < p

    def text(self) -> str:
        r = self.r
        words = [r.choice(TEXT_PIECES) for _ in range(r.randint(1, 3))]
        words.append("".join(r.choices(string.ascii_letters + string.digits, k=r.randint(0, 8))))
        return " ".join(words)

    def uri(self) -> str:
        r = self.r
        kind = r.randrange(4)
        token = "".join(r.choices(string.ascii_lowercase + string.digits, k=10))
        if kind == 0:
            return f"urn:uuid:{r.getrandbits(128):032x}"
        if kind == 1:
            return f"https://example.{token[:3]}/items/{token}"
        if kind == 2:
            return f"did:key:z6Mk{token}"
        return f"did:example:{token}#key-{r.randint(0, 9)}"

    def date(self) -> str:
        r = self.r
        base = f"{r.randint(1999, 2040)}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}"
        return base + r.choice(["T00:00:00Z", "T12:34:56.789Z", "T23:59:59+02:00", ""])

    def number(self) -> Any:
        return self.r.choice(
            [0, 1, -7, 2**40, 10**21, 0.5, -0.0, 1e-7, 3.14159, 1e21, 100.0, 12345.678]
        )

    def scalar(self) -> Any:
        kind = self.r.randrange(5)
        if kind == 0:
            return self.text()
        if kind == 1:
            return self.number()
        if kind == 2:
            return self.chance(0.5)
        if kind == 3:
            return self.uri()
        return None

    def unknown(self, depth: int = 0) -> Any:
        kind = self.r.randrange(4 if depth < 3 else 2)
        if kind <= 1:
            return self.scalar()
        if kind == 2:
            return [self.unknown(depth + 1) for _ in range(self.r.randint(0, 3))]
        return {self.key(): self.unknown(depth + 1) for _ in range(self.r.randint(0, 3))}

    def key(self) -> str:
        return self.r.choice(["extra", "customField", "x", "rank", "meta", "Ünï", "sub"]) + str(
            self.r.randint(0, 9)
        )

    def maybe_id(self, node: dict[str, Any], p: float = 0.6) -> dict[str, Any]:
        if self.chance(p):
            node["id"] = self.uri()
        return node

    def sprinkle(self, node: dict[str, Any], p: float = 0.25) -> dict[str, Any]:
        while self.chance(p):
            node[self.key()] = self.unknown()
        return node

    def profile(self, depth: int = 0) -> dict[str, Any]:
        node: dict[str, Any] = {"id": self.uri(), "type": ["Profile"], "name": self.text()}
        if self.chance(0.5):
            node["url"] = "https://example.org/" + str(self.r.randint(0, 999))
        if self.chance(0.3):
            node["email"] = f"user{self.r.randint(0, 99)}@example.org"
        if self.chance(0.3):
            node["image"] = {"id": self.uri(), "type": "Image", "caption": self.text()}
        if self.chance(0.3):
            node["otherIdentifier"] = [
                {
                    "type": "IdentifierEntry",
                    "identifier": self.text(),
                    "identifierType": self.r.choice(["sourcedId", "systemId", "ext:custom"]),
                }
                for _ in range(self.r.randint(1, 2))
            ]
        if depth == 0 and self.chance(0.2):
            node["parentOrg"] = self.profile(depth + 1)
        if self.chance(0.2):
            node["address"] = {
                "type": ["Address"],
                "addressCountry": self.text(),
                "postalCode": str(self.r.randint(10000, 99999)),
                "geo": {"type": "GeoCoordinates", "latitude": 1.5, "longitude": -20.25},
            }
        return self.sprinkle(node)

    def alignment(self) -> dict[str, Any]:
        node: dict[str, Any] = {
            "type": ["Alignment"],
            "targetName": self.text(),
            "targetUrl": "https://example.org/framework/" + str(self.r.randint(0, 99)),
        }
        if self.chance(0.5):
            node["targetType"] = self.r.choice(["CFItem", "ceasn:Competency", "ext:Other"])
        if self.chance(0.5):
            node["targetCode"] = self.text()
        if self.chance(0.3):
            node["targetFramework"] = self.text()
        return self.sprinkle(node)

    def result_description(self) -> dict[str, Any]:
        node: dict[str, Any] = {
            "id": self.uri(),
            "type": ["ResultDescription"],
            "name": self.text(),
            "resultType": self.r.choice(
                ["GradePointAverage", "LetterGrade", "RubricCriterionLevel"]
            ),
        }
        if self.chance(0.5):
            node["allowedValue"] = [self.text() for _ in range(self.r.randint(1, 4))]
        if self.chance(0.4):
            node["rubricCriterionLevel"] = [
                {
                    "id": self.uri(),
                    "type": ["RubricCriterionLevel"],
                    "name": self.text(),
                    "level": self.text(),
                    "points": str(self.r.randint(0, 10)),
                }
                for _ in range(self.r.randint(1, 3))
            ]
        if self.chance(0.3):
            node["alignment"] = [self.alignment()]
        return node

    def achievement(self) -> dict[str, Any]:
        node: dict[str, Any] = {
            "id": self.uri(),
            "type": ["Achievement"],
            "name": self.text(),
            "description": self.text(),
            "criteria": self.r.choice(
                [
                    {"narrative": self.text()},
                    {"id": self.uri()},
                    {"id": self.uri(), "narrative": ""},
                ]
            ),
        }
        if self.chance(0.7):
            node["achievementType"] = self.r.choice(["Badge", "Certificate", "ext:Custom"])
        if self.chance(0.4):
            node["alignment"] = [self.alignment() for _ in range(self.r.randint(1, 3))]
        if self.chance(0.3):
            node["creditsAvailable"] = self.r.choice([1, 2.5, 0.0, 30])
        if self.chance(0.4):
            node["resultDescription"] = [
                self.result_description() for _ in range(self.r.randint(1, 2))
            ]
        if self.chance(0.3):
            node["tag"] = [self.text() for _ in range(self.r.randint(1, 3))]
        if self.chance(0.3):
            node["image"] = {"id": "data:image/png;base64,iVBORw0KGgo=", "type": "Image"}
        if self.chance(0.3):
            node["creator"] = self.profile()
        for key in ("fieldOfStudy", "humanCode", "specialization", "version", "inLanguage"):
            if self.chance(0.15):
                node[key] = self.text()
        return self.sprinkle(node)

    def subject(self) -> dict[str, Any]:
        achievement = self.achievement()
        node: dict[str, Any] = {"type": ["AchievementSubject"], "achievement": achievement}
        self.maybe_id(node)
        if self.chance(0.4):
            results = []
            for description in achievement.get("resultDescription", [None]):
                result: dict[str, Any] = {"type": ["Result"]}
                if description is not None:
                    result["resultDescription"] = description["id"]
                result[self.r.choice(["value", "achievedLevel", "status"])] = self.r.choice(
                    ["Completed", "A", "3.5", self.uri()]
                )
                results.append(result)
            node["result"] = results
        if self.chance(0.3):
            node["creditsEarned"] = self.r.choice([1, 2.5, 12.0])
        if self.chance(0.3):
            node["activityStartDate"] = self.date()
            node["activityEndDate"] = self.date()
        if self.chance(0.3):
            node["identifier"] = [
                {
                    "type": "IdentityObject",
                    "hashed": self.chance(0.5),
                    "identityHash": self.text(),
                    "identityType": "emailAddress",
                    "salt": self.text(),
                }
            ]
        for key in ("term", "role", "licenseNumber", "narrative"):
            if self.chance(0.15):
                node[key] = self.text()
        return self.sprinkle(node)

    def evidence(self) -> dict[str, Any]:
        node: dict[str, Any] = {"type": ["Evidence"]}
        self.maybe_id(node, 0.5)
        for key in ("narrative", "name", "description", "genre", "audience"):
            if self.chance(0.5):
                node[key] = self.text()
        return self.sprinkle(node)

    def credential(self, depth: int = 0) -> dict[str, Any]:
        v1 = self.chance(0.12)
        contexts = list(self.r.choice(CONTEXTS_V1 if v1 else CONTEXTS_V2))
        document: dict[str, Any] = {"@context": contexts}
        self.maybe_id(document, 0.85)
        document["type"] = self.r.choice(
            [
                ["VerifiableCredential", "OpenBadgeCredential"],
                ["VerifiableCredential", "AchievementCredential"],
            ]
        )
        document["name"] = self.text()
        if self.chance(0.4):
            document["description"] = self.text()
        document["issuer"] = self.profile() if self.chance(0.8) else self.uri()
        if v1:
            document["issuanceDate"] = self.date()
            if self.chance(0.3):
                document["expirationDate"] = self.date()
        else:
            document["validFrom"] = self.date()
            if self.chance(0.3):
                document["validUntil"] = self.date()
        subjects = [self.subject() for _ in range(self.r.choice([1, 1, 1, 2, 3]))]
        document["credentialSubject"] = subjects[0] if len(subjects) == 1 else subjects
        if self.chance(0.35):
            document["evidence"] = [self.evidence() for _ in range(self.r.randint(1, 3))]
        if self.chance(0.3):
            document["credentialSchema"] = [
                {
                    "id": OB + "schema/json/ob_v3p0_achievementcredential_schema.json",
                    "type": "1EdTechJsonSchemaValidator2019",
                }
            ]
        if not v1 and self.chance(0.3):
            document["credentialStatus"] = {
                "id": "https://status.example/1#" + str(self.r.randint(0, 9999)),
                "type": "BitstringStatusListEntry",
                "statusPurpose": self.r.choice(["revocation", "suspension"]),
                "statusListIndex": str(self.r.randint(0, 131071)),
                "statusListCredential": "https://status.example/1",
            }
        if self.chance(0.15):
            document["jti"] = self.uri()
        if self.chance(0.1):
            document["endorsementJwt"] = ["eyJhbGciOiJFZERTQSJ9.e30.c2ln"]
        if depth == 0 and not v1 and self.chance(0.15):
            endorsement = self.credential(depth + 1)
            endorsement["@context"] = [V2, OB + "context-3.0.3.json"]
            endorsement["type"] = ["VerifiableCredential", "EndorsementCredential"]
            endorsement["credentialSubject"] = {
                "id": self.uri(),
                "type": ["EndorsementSubject"],
                "endorsementComment": self.text(),
            }
            document["credentialSubject"] = subjects[0]
            subjects[0]["achievement"]["endorsement"] = [endorsement]
        if self.chance(0.25):
            document["proof"] = {
                "type": "DataIntegrityProof",
                "cryptosuite": "eddsa-rdfc-2022",
                "created": self.date(),
                "verificationMethod": self.uri(),
                "proofPurpose": "assertionMethod",
                "proofValue": "z" + "".join(self.r.choices(string.ascii_letters, k=40)),
            }
        return self.sprinkle(document, 0.3)


def variant_for(seed: int) -> Ob303Variant:
    return list(Ob303Variant)[seed % 2]


def outcome(function: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return function(*args, **kwargs)
    except (VcError, jsonld.JsonLdError) as err:
        return type(err).__name__


def oracle_outcome(document: dict[str, Any], variant: Ob303Variant) -> str:
    try:
        return oracle(document, variant)
    except jsonld.JsonLdError:
        return "MalformedCredentialError"


@pytest.mark.parametrize("seed", range(N_DOCUMENTS))
def test_fast_path_matches_plain_pyld(seed: int) -> None:
    document = Factory(seed).credential()
    variant = variant_for(seed)
    expected = oracle_outcome(document, variant)
    assert outcome(canonize, document, ob303_variant=variant) == expected
    if seed % 4 == 0:  # the fallback path too (slower; a sample is enough)
        assert outcome(canonize_plain, document, ob303_variant=variant) == expected


def test_generated_credentials_cover_the_interesting_shapes() -> None:
    documents = [Factory(seed).credential() for seed in range(N_DOCUMENTS)]
    texts = [str(d) for d in documents]
    valid = [outcome(canonize, d, ob303_variant=variant_for(i)) for i, d in enumerate(documents)]
    assert sum(v != "MalformedCredentialError" for v in valid) >= 220
    assert all(v for v in valid)  # every valid credential has triples
    assert sum(isinstance(d["credentialSubject"], list) for d in documents) >= 20
    assert sum("id" not in d for d in documents) >= 10
    assert sum("proof" in d for d in documents) >= 30
    assert sum("jti" in d for d in documents) >= 20
    assert sum("'endorsement'" in t for t in texts) >= 10
    assert sum(UNDEFINED_TERMS in d["@context"] for d in documents) >= 20
    assert sum(V1 in d["@context"] for d in documents) >= 15
    assert sum("resultDescription" in t for t in texts) >= 40
    assert sum("'extra" in t or "'rank" in t for t in texts) >= 40


def test_fast_path_is_independent_of_document_order() -> None:
    documents = [(Factory(seed).credential(), variant_for(seed)) for seed in range(40)]
    forward = [outcome(canonize, d, ob303_variant=v) for d, v in documents]
    canon_module.clear_caches()
    backward = [outcome(canonize, d, ob303_variant=v) for d, v in reversed(documents)]
    assert forward == backward[::-1]


def test_interleaving_ob303_variants_never_mixes_their_contexts() -> None:
    document = Factory(1).credential()
    document["@context"] = [V2, OB + "context-3.0.3.json"]
    document["jti"] = "urn:uuid:00000000-0000-0000-0000-000000000001"
    validator = oracle(document, Ob303Variant.VALIDATOR_2026)
    spec = oracle(document, Ob303Variant.SPEC_REPO)
    assert validator != spec
    for _ in range(3):
        assert canonize(document, ob303_variant=Ob303Variant.SPEC_REPO) == spec
        assert canonize(document, ob303_variant=Ob303Variant.VALIDATOR_2026) == validator


@pytest.mark.parametrize(
    "document",
    [
        {"@context": [V2, {"@vocab": "urn:vocab#"}], "type": "VerifiableCredential", "a": 1},
        {
            "@context": [V2, OB + "context-3.0.3.json"],
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "credentialSubject": {
                "@context": {"extra": "urn:extra#"},
                "type": ["AchievementSubject"],
                "extra": "value",
            },
        },
        {"@context": {"@vocab": "urn:v#", "n": {"@id": "urn:n", "@type": "@id"}}, "n": "x"},
    ],
    ids=["inline-vocab", "nested-inline", "inline-only"],
)
def test_inline_contexts_fall_back_to_plain_pyld(
    monkeypatch: pytest.MonkeyPatch, document: dict[str, Any]
) -> None:
    expected = oracle(document, Ob303Variant.PINNED)

    class Refuse:
        def canonize(self, *args: Any) -> str:
            raise AssertionError("fast path used for a document with an inline context")

    monkeypatch.setattr(canon_module, "_FAST", Refuse())
    assert canonize(document) == expected


def test_url_only_documents_take_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    document = Factory(3).credential()

    def refuse(*args: Any, **kwargs: Any) -> str:
        raise AssertionError("plain path used for a URL-only document")

    monkeypatch.setattr(canon_module, "canonize_plain", refuse)
    assert canonize(document) == oracle(document, Ob303Variant.PINNED)


@pytest.mark.parametrize(
    "document",
    [
        {"@context": [V2, "https://evil.example/"], "type": "VerifiableCredential"},
        {"@context": [V2], "@id": 5},
        {"@context": [V2], "type": "VerifiableCredential", "issuer": {"id": 5}},
    ],
    ids=["remote", "bad-id", "bad-issuer-id"],
)
def test_fast_and_plain_fail_the_same_way(document: dict[str, Any]) -> None:
    assert outcome(canonize, document) == outcome(canonize_plain, document)
    assert isinstance(outcome(canonize, document), str)


def test_fast_path_memo_is_bounded() -> None:
    assert canon_module._FAST.memo.maxsize == canon_module._PROCESSED_CACHE_SIZE
    assert len(canon_module._FAST.memo) <= canon_module._PROCESSED_CACHE_SIZE


@pytest.mark.parametrize(
    "name",
    [
        "ob3-validator-complete.json",
        "ob3-validator-complete_v1.json",
        "ob3-validator-endorsement-valid.json",
        "ob3-ldp-example-signed.json",
        "peers-ob3-credential.unsigned.json",
    ],
)
@pytest.mark.parametrize("variant", list(Ob303Variant))
def test_fast_path_matches_plain_pyld_on_published_credentials(
    name: str, variant: Ob303Variant
) -> None:
    document = json.loads((DATA / name).read_text(encoding="utf-8"))
    expected = oracle(document, variant)
    assert canonize(document, ob303_variant=variant) == expected
    assert canonize_plain(document, ob303_variant=variant) == expected


@pytest.mark.parametrize("seed", range(0, N_DOCUMENTS, 8))
def test_safe_mode_does_not_change_the_fast_path_outcome_class(seed: int) -> None:
    document = Factory(seed).credential()
    variant = variant_for(seed)
    fast = outcome(canonize, document, ob303_variant=variant, safe_mode=True)
    plain = outcome(canonize_plain, document, ob303_variant=variant, safe_mode=True)
    assert fast == plain


def test_fast_path_is_safe_to_call_from_threads() -> None:
    documents = [(Factory(seed).credential(), variant_for(seed)) for seed in range(24)]
    expected = [outcome(canonize, d, ob303_variant=v) for d, v in documents]
    canon_module.clear_caches()
    with ThreadPoolExecutor(max_workers=4) as pool:
        got = list(pool.map(lambda dv: outcome(canonize, dv[0], ob303_variant=dv[1]), documents))
    assert got == expected
