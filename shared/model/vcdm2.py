"""The normative statements of the VC Data Model that a JSON document can be checked against.

Implements: W3C Verifiable Credentials Data Model v2.0 (Recommendation, 15 May 2025),
§4.3-§4.13 and §5.3-§5.6, https://www.w3.org/TR/vc-data-model-2.0/ . Each rule has a
stable id and names its section, so the issuer can refuse with it (400) and the verifier
can report it (a failed ``format`` check). ``docs/decisions/vcdm2-rules.md`` says which.

A VC DM 1.1 document (first ``@context`` ``https://www.w3.org/2018/credentials/v1``) is
read too, as the rest of Musette does: it gets the rules both versions share, and 1.1's
``issuanceDate``/``expirationDate`` in place of §4.9.

Pure and total: any JSON value in, a list of :class:`Violation` out, never an exception.
JSON-LD processing (undefined terms, protected terms) is left to the canonicalizer.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, TypeGuard

from shared.errors import MalformedCredentialError
from shared.model.base import parse_datetime_stamp

__all__ = [
    "VC_V1",
    "VC_V2",
    "Violation",
    "credential_violations",
    "describe_violations",
    "is_url",
    "presentation_violations",
    "require_conforming_credential",
    "vcdm2_violations",
]

VC_V2: Final = "https://www.w3.org/ns/credentials/v2"
VC_V1: Final = "https://www.w3.org/2018/credentials/v1"
_ENVELOPED_VC: Final = "EnvelopedVerifiableCredential"
_ENVELOPED_VP: Final = "EnvelopedVerifiablePresentation"

# A URL (VC DM 2.0 §4.4 defers to the URL Standard): a scheme, a colon, and no whitespace
# or control character anywhere; http(s) URLs need a host.
_URL_CHAR: Final = r"[^\x00-\x20\x7f<>\"{}|\\^`]"
_URL: Final = re.compile(
    rf"(?i:https?)://[^\x00-\x20\x7f<>\"{{}}|\\^`/?#]{_URL_CHAR}*"
    rf"|(?!(?i:https?):)[A-Za-z][A-Za-z0-9+.\-]*:{_URL_CHAR}+"
)
_FORBIDDEN: Final = re.compile(r"[\x00-\x20\x7f<>\"{}|\\^`]")
# BCP 47 well-formed enough: letters, then dash-separated alphanumeric subtags of 1-8.
_LANGUAGE_TAG: Final = re.compile(r"[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*")
_LANGUAGE_VALUE_KEYS: Final = frozenset({"@value", "@language", "@direction"})


@dataclass(frozen=True, slots=True)
class Violation:
    """One normative statement a document breaks: which rule, where, and why."""

    rule: str
    section: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.message} (VC DM 2.0 {self.section}, rule {self.rule})"

    def to_json(self) -> dict[str, str]:
        """JSON form, for problem details and report details."""
        return {
            "rule": self.rule,
            "section": self.section,
            "path": self.path,
            "message": self.message,
        }


def is_url(value: object) -> TypeGuard[str]:
    """Tell whether ``value`` is a single absolute URL (VC DM 2.0 §4.4 "Identifiers")."""
    return isinstance(value, str) and _URL.fullmatch(value) is not None


def vcdm2_violations(document: object) -> list[Violation]:
    """Check a credential, or a presentation when its ``type`` says so."""
    if isinstance(document, dict) and "VerifiablePresentation" in _as_list(document.get("type")):
        return presentation_violations(document)
    return credential_violations(document)


def credential_violations(document: object) -> list[Violation]:
    """Every VC DM rule a credential document breaks (empty when it conforms).

    Spec: VC DM 2.0 §4 "Basic Concepts" and §5.3-§5.6.
    """
    if not isinstance(document, dict):
        return [Violation("json-object", "§4", "", "a credential must be a JSON object")]
    found: list[Violation] = []
    version = _check_contexts(found, document)
    _check_id(found, document, "id", "id")
    _check_types(found, document, "VerifiableCredential")
    _check_names(found, document, "")
    _check_issuer(found, document)
    _check_subjects(found, document)
    _check_validity(found, document, version)
    _check_typed_objects(found, document, "credentialStatus", "§4.10", "credential-status")
    _check_typed_objects(found, document, "credentialSchema", "§4.11", "credential-schema")
    _check_typed_objects(found, document, "refreshService", "§5.4", "refresh-service")
    _check_typed_objects(found, document, "termsOfUse", "§5.5", "terms-of-use")
    _check_typed_objects(found, document, "evidence", "§5.6", "evidence")
    _check_related_resources(found, document)
    return found


def presentation_violations(document: object) -> list[Violation]:
    """Every VC DM rule a presentation document breaks (empty when it conforms).

    Spec: VC DM 2.0 §4.13 "Verifiable Presentations". Embedded credentials are checked
    here only for being objects of the right type; each is verified on its own after.
    """
    if not isinstance(document, dict):
        return [Violation("json-object", "§4.13", "", "a presentation must be a JSON object")]
    found: list[Violation] = []
    _check_contexts(found, document)
    _check_id(found, document, "id", "id")
    _check_types(found, document, "VerifiablePresentation")
    if "VerifiableCredential" in _as_list(document.get("type")):
        # §4.13 and §4.4 name two distinct types; a document typed as both would be read as a
        # credential by a person and verified as a presentation (its holder's key only).
        found.append(
            Violation(
                "presentation-type",
                "§4.13",
                "type",
                "a presentation must not also be typed VerifiableCredential",
            )
        )
    if "holder" in document:
        holder = document["holder"]
        # "If present, the value MUST be either a URL or an object containing an id
        # property" whose value is a URL.
        ident = holder.get("id") if isinstance(holder, dict) else holder
        if not is_url(ident):
            found.append(
                Violation(
                    "holder",
                    "§4.13",
                    "holder",
                    "holder must be a URL, or an object whose id is a URL",
                )
            )
    if "verifiableCredential" in document:
        items = _as_list(document["verifiableCredential"])
        if not items:
            found.append(
                Violation(
                    "presentation-credentials",
                    "§4.13",
                    "verifiableCredential",
                    "verifiableCredential, when present, must hold one or more credentials",
                )
            )
        for index, item in enumerate(items):
            found.extend(_presented_credential(item, f"verifiableCredential[{index}]"))
    return found


def describe_violations(violations: list[Violation], *, limit: int = 5) -> str:
    """The violations in one readable sentence (the first ``limit``, and how many more)."""
    shown = "; ".join(str(v) for v in violations[:limit])
    more = len(violations) - limit
    return f"{shown} (and {more} more)" if more > 0 else shown


def require_conforming_credential(document: object) -> None:
    """Refuse a credential that breaks a VC Data Model rule (before signing it).

    Raises:
        MalformedCredentialError: naming the first rule broken and its section, with
            every violation in the ``violations`` extension.
    """
    violations = credential_violations(document)
    if violations:
        first = violations[0]
        raise MalformedCredentialError(
            "the credential does not conform to the VC Data Model: "
            + describe_violations(violations),
            rule=first.rule,
            section=first.section,
            violations=[v.to_json() for v in violations],
        )


# --------------------------------------------------------------------------- the rules


def _check_contexts(found: list[Violation], doc: dict[str, Any]) -> str:
    """§4.3: "The value of the @context property MUST be an ordered set where the first item
    is a URL with the value https://www.w3.org/ns/credentials/v2. Subsequent items ... MUST
    be composed of any combination of URLs and/or objects". Returns the version read."""
    if "@context" not in doc:
        found.append(Violation("context", "§4.3", "@context", "@context is missing"))
        return "2.0"
    contexts = _as_list(doc["@context"])
    first = contexts[0] if contexts else None
    version = "1.1" if isinstance(first, str) and first == VC_V1 else "2.0"
    if not (isinstance(first, str) and first in {VC_V2, VC_V1}):
        found.append(
            Violation(
                "context",
                "§4.3",
                "@context[0]",
                f"the first @context must be the URL {VC_V2}",
            )
        )
    for index, item in enumerate(contexts[1:], start=1):
        if not (isinstance(item, dict) or is_url(item)):
            found.append(
                Violation(
                    "context",
                    "§4.3",
                    f"@context[{index}]",
                    "each further @context must be a URL or an object",
                )
            )
    return version


def _check_id(found: list[Violation], obj: dict[str, Any], key: str, path: str) -> None:
    """§4.4: "If present, the value of the id property MUST be a single URL"."""
    if key in obj and not is_url(obj[key]):
        found.append(Violation("id", "§4.4", path, f"{path} must be a single URL"))


def _check_types(found: list[Violation], doc: dict[str, Any], required: str) -> None:
    """§4.5: "The value of the type property MUST be one or more terms and/or absolute URL
    strings" and a credential's (presentation's) type MUST include VerifiableCredential
    (VerifiablePresentation)."""
    if "type" not in doc:
        found.append(
            Violation("type", "§4.5", "type", f"type is missing (must include {required})")
        )
        return
    types = _as_list(doc["type"])
    if not types or not all(_is_type_value(t) for t in types):
        found.append(
            Violation("type", "§4.5", "type", "type must be one or more terms or URLs (strings)")
        )
    if required not in types:
        found.append(Violation("type", "§4.5", "type", f"type must include {required}"))
    mapped = _inline_term_definitions(doc.get("@context"))
    for value in types:
        target = mapped.get(value) if isinstance(value, str) else None
        if target is not None and not is_url(target):
            found.append(
                Violation(
                    "type",
                    "§4.5",
                    "type",
                    f"type {value!r} is mapped by an inline @context to {target!r}, not a URL",
                )
            )


def _check_names(found: list[Violation], obj: dict[str, Any], prefix: str) -> None:
    """§4.6: name and description "MUST be a string or a language value object" (§11.1),
    or several language value objects."""
    for key in ("name", "description"):
        if key not in obj:
            continue
        value = obj[key]
        ok = isinstance(value, str) or (
            bool(_as_list(value)) and all(_is_language_value(v) for v in _as_list(value))
        )
        if not ok:
            found.append(
                Violation(
                    "name-description",
                    "§4.6",
                    f"{prefix}{key}",
                    f"{prefix}{key} must be a string or language value objects "
                    "({@value, @language?, @direction?})",
                )
            )


def _check_issuer(found: list[Violation], doc: dict[str, Any]) -> None:
    """§4.7: "A verifiable credential MUST have an issuer property. The value of the issuer
    property MUST be either a URL, or an object containing an id property whose value is a
    URL"."""
    if "issuer" not in doc:
        found.append(Violation("issuer", "§4.7", "issuer", "issuer is missing"))
        return
    issuer = doc["issuer"]
    if isinstance(issuer, dict):
        if not is_url(issuer.get("id")):
            found.append(Violation("issuer", "§4.7", "issuer.id", "issuer.id must be a URL"))
        _check_names(found, issuer, "issuer.")
    elif not is_url(issuer):
        found.append(
            Violation(
                "issuer", "§4.7", "issuer", "issuer must be a URL, or an object whose id is a URL"
            )
        )


def _check_subjects(found: list[Violation], doc: dict[str, Any]) -> None:
    """§4.8: "A verifiable credential MUST contain a credentialSubject property", a set of
    objects "where each object MUST be the subject of one or more claims"."""
    if "credentialSubject" not in doc:
        found.append(
            Violation(
                "credential-subject", "§4.8", "credentialSubject", "credentialSubject is missing"
            )
        )
        return
    subjects = _as_list(doc["credentialSubject"])
    if not subjects:
        found.append(
            Violation(
                "credential-subject", "§4.8", "credentialSubject", "credentialSubject is empty"
            )
        )
        return
    for index, subject in _indexed(doc["credentialSubject"], "credentialSubject"):
        if not isinstance(subject, dict) or not subject:
            found.append(
                Violation(
                    "credential-subject",
                    "§4.8",
                    index,
                    f"{index} must be an object making at least one claim",
                )
            )
            continue
        _check_id(found, subject, "id", f"{index}.id")


def _check_validity(found: list[Violation], doc: dict[str, Any], version: str) -> None:
    """§4.9: validFrom / validUntil, "If present, the value MUST be an [XMLSCHEMA11-2]
    dateTimeStamp string value"; "If a validUntil value also exists, the validFrom value MUST
    express a datetime that is temporally the same or earlier". VC DM 1.1 §4.6-§4.7 instead:
    issuanceDate (required) and expirationDate, RFC 3339 date-times."""
    start_key, end_key = ("validFrom", "validUntil")
    section = "§4.9"
    if version == "1.1":
        start_key, end_key, section = "issuanceDate", "expirationDate", "§4.9 (1.1 §4.6)"
        if start_key not in doc:
            found.append(
                Violation(
                    "validity", section, start_key, "a VC DM 1.1 credential needs an issuanceDate"
                )
            )
    bounds: list[datetime | None] = []
    for key in (start_key, end_key):
        if key not in doc:
            bounds.append(None)
            continue
        try:
            bounds.append(parse_datetime_stamp(doc[key], field=key))
        except ValueError:
            bounds.append(None)
            found.append(
                Violation(
                    "validity",
                    section,
                    key,
                    f"{key} must be a date-time with a time zone (e.g. 2024-05-01T09:30:00Z)",
                )
            )
    start, end = bounds
    if start is not None and end is not None and end < start:
        found.append(
            Violation("validity", section, end_key, f"{end_key} is earlier than {start_key}")
        )


def _check_typed_objects(
    found: list[Violation], doc: dict[str, Any], key: str, section: str, rule: str
) -> None:
    """§4.10 credentialStatus, §4.11 credentialSchema, §5.4 refreshService, §5.5 termsOfUse,
    §5.6 evidence: one or more objects, each of which "MUST specify its type"; an id, when
    present (required for credentialSchema), is a single URL."""
    if key not in doc:
        return
    if not _as_list(doc[key]):
        found.append(Violation(rule, section, key, f"{key}, when present, must not be empty"))
    for where, item in _indexed(doc[key], key):
        if not isinstance(item, dict):
            found.append(Violation(rule, section, where, f"{where} must be an object"))
            continue
        types = _as_list(item.get("type"))
        if not types or not all(_is_type_value(t) for t in types):
            found.append(
                Violation(
                    rule, section, f"{where}.type", f"{where} must have a type (a term or URL)"
                )
            )
        if rule == "credential-schema" and "id" not in item:
            found.append(
                Violation(rule, section, f"{where}.id", f"{where} must have an id (a URL)")
            )
        if "id" in item and not is_url(item["id"]):
            found.append(
                Violation(rule, section, f"{where}.id", f"{where}.id must be a single URL")
            )


def _check_related_resources(found: list[Violation], doc: dict[str, Any]) -> None:
    """§5.3: "The value of the relatedResource property MUST be one or more objects", each
    with an id (a URL, unique among them) and "MUST contain at least a digestSRI or a
    digestMultibase value"."""
    if "relatedResource" not in doc:
        return
    section, rule = "§5.3", "related-resource"
    if not _as_list(doc["relatedResource"]):
        found.append(Violation(rule, section, "relatedResource", "relatedResource is empty"))
    seen: set[str] = set()
    for where, item in _indexed(doc["relatedResource"], "relatedResource"):
        if not isinstance(item, dict):
            found.append(Violation(rule, section, where, f"{where} must be an object"))
            continue
        ident = item.get("id")
        if not is_url(ident):
            found.append(
                Violation(rule, section, f"{where}.id", f"{where} must have an id (a URL)")
            )
        elif ident in seen:
            found.append(
                Violation(rule, section, f"{where}.id", f"{where}.id {ident} is listed twice")
            )
        else:
            seen.add(ident)
        digests = [item.get(k) for k in ("digestSRI", "digestMultibase") if k in item]
        if not digests or not all(isinstance(d, str) and d for d in digests):
            found.append(
                Violation(
                    rule,
                    section,
                    where,
                    f"{where} must carry a digestSRI or digestMultibase string",
                )
            )


def _presented_credential(item: object, where: str) -> Iterator[Violation]:
    """§4.13: verifiableCredential entries are verifiable credential objects (§4.13.1: an
    EnvelopedVerifiableCredential has a data: URL id); never strings."""
    if not isinstance(item, dict):
        yield Violation(
            "presentation-credentials",
            "§4.13",
            where,
            f"{where} must be a credential object (a secured token goes in an "
            "EnvelopedVerifiableCredential), not a string or other value",
        )
        return
    types = _as_list(item.get("type"))
    if _ENVELOPED_VC in types:
        ident = item.get("id")
        if not (isinstance(ident, str) and ident.startswith("data:") and "," in ident):
            yield Violation(
                "enveloped-credential",
                "§4.13.1",
                f"{where}.id",
                f"{where} is enveloped: its id must be a data: URL",
            )
        return
    if "VerifiableCredential" not in types:
        yield Violation(
            "presentation-credentials",
            "§4.13",
            f"{where}.type",
            f"{where} must be a VerifiableCredential or an {_ENVELOPED_VC}",
        )


# --------------------------------------------------------------------------- helpers


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _indexed(value: Any, key: str) -> Iterator[tuple[str, Any]]:
    if isinstance(value, list):
        for index, item in enumerate(value):
            yield f"{key}[{index}]", item
    elif value is not None:
        yield key, value


def _is_type_value(value: object) -> bool:
    return isinstance(value, str) and bool(value) and _FORBIDDEN.search(value) is None


def _is_language_value(value: object) -> bool:
    """§11.1 "Language and Base Direction": {@value, @language?, @direction?} and nothing else."""
    if not isinstance(value, dict) or not isinstance(value.get("@value"), str):
        return False
    if not set(value) <= _LANGUAGE_VALUE_KEYS:
        return False
    language = value.get("@language")
    if "@language" in value and not (
        isinstance(language, str) and _LANGUAGE_TAG.fullmatch(language)
    ):
        return False
    return "@direction" not in value or value["@direction"] in {"ltr", "rtl"}


def _inline_term_definitions(contexts: Any) -> dict[str, str]:
    """Terms an inline ``@context`` object maps to an IRI (string or ``{"@id": ...}``)."""
    mapped: dict[str, str] = {}
    for item in _as_list(contexts):
        if not isinstance(item, dict):
            continue
        for term, definition in item.items():
            if not isinstance(term, str) or term.startswith("@"):
                continue
            target = definition.get("@id") if isinstance(definition, dict) else definition
            if isinstance(target, str):
                mapped[term] = target
    return mapped
