"""Generic W3C Verifiable Credentials, data model 2.0 and 1.1.

Implements: W3C Verifiable Credentials Data Model v2.0 (Recommendation, 15 May 2025),
and reads v1.1 (``issuanceDate``/``expirationDate``, ``credentials/v1`` context).
https://www.w3.org/TR/vc-data-model-2.0/

``parse_*`` functions take untrusted JSON and raise
:class:`~shared.errors.MalformedCredentialError` with a readable message. They only
read wire (camelCase) names. Never re-serialize a parsed credential to check a
proof: verify the original document; a model round trip may normalize dates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar

from pydantic import Field, ValidationError

from shared.errors import MalformedCredentialError
from shared.model.base import DateTimeStamp, OneOrMany, VcModel, as_list, parse_datetime_stamp

__all__ = [
    "VC_V1_CONTEXT",
    "VC_V2_CONTEXT",
    "DataModelVersion",
    "Issuer",
    "ValidityWindow",
    "VerifiableCredential",
    "VerifiablePresentation",
    "data_model_version",
    "parse_credential",
    "parse_presentation",
    "read_validity_window",
]

VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
VC_V1_CONTEXT = "https://www.w3.org/2018/credentials/v1"

_M = TypeVar("_M", bound=VcModel)


class DataModelVersion(StrEnum):
    """Which VC data model a document follows, told by its first ``@context``."""

    V1_1 = "1.1"
    V2_0 = "2.0"


class Issuer(VcModel):
    """An issuer given as an object: ``id`` is required, anything else is kept."""

    id: str


class VerifiableCredential(VcModel):
    """Any verifiable credential (v2.0 or v1.1); subjects and proofs stay plain JSON."""

    context: list[str | dict[str, Any]] = Field(alias="@context")
    id: str | None = None
    type: OneOrMany[str]
    issuer: str | Issuer
    credential_subject: OneOrMany[dict[str, Any]]
    name: Any = None
    description: Any = None
    valid_from: DateTimeStamp | None = None
    valid_until: DateTimeStamp | None = None
    issuance_date: DateTimeStamp | None = None
    expiration_date: DateTimeStamp | None = None
    credential_status: OneOrMany[dict[str, Any]] | None = None
    credential_schema: OneOrMany[dict[str, Any]] | None = None
    evidence: OneOrMany[dict[str, Any]] | None = None
    terms_of_use: OneOrMany[dict[str, Any]] | None = None
    refresh_service: OneOrMany[dict[str, Any]] | None = None
    proof: OneOrMany[dict[str, Any]] | None = None

    @property
    def types(self) -> list[str]:
        """``type`` as a list."""
        return as_list(self.type)

    @property
    def issuer_id(self) -> str:
        """The issuer's identifier, whether ``issuer`` is a string or an object."""
        return self.issuer if isinstance(self.issuer, str) else self.issuer.id

    @property
    def version(self) -> DataModelVersion:
        """The data model version (from the first ``@context``)."""
        return DataModelVersion.V2_0 if self.context[0] == VC_V2_CONTEXT else DataModelVersion.V1_1

    def validity_window(self) -> ValidityWindow:
        """``validFrom``/``validUntil`` (2.0) or ``issuanceDate``/``expirationDate`` (1.1)."""
        if self.version is DataModelVersion.V2_0:
            return ValidityWindow(self.valid_from, self.valid_until)
        return ValidityWindow(self.issuance_date, self.expiration_date)


class VerifiablePresentation(VcModel):
    """Any verifiable presentation; embedded credentials stay plain JSON."""

    context: list[str | dict[str, Any]] = Field(alias="@context")
    id: str | None = None
    type: OneOrMany[str]
    holder: str | dict[str, Any] | None = None
    verifiable_credential: OneOrMany[dict[str, Any]] | None = None
    proof: OneOrMany[dict[str, Any]] | None = None

    @property
    def types(self) -> list[str]:
        """``type`` as a list."""
        return as_list(self.type)


@dataclass(frozen=True)
class ValidityWindow:
    """When a credential is valid; both ends are timezone-aware or ``None``."""

    valid_from: datetime | None
    valid_until: datetime | None

    def contains(self, moment: datetime) -> bool:
        """Return whether ``moment`` (timezone-aware) lies in the window, ends included."""
        if self.valid_from is not None and moment < self.valid_from:
            return False
        return self.valid_until is None or moment <= self.valid_until


def _require_object(doc: object, what: str) -> dict[str, Any]:
    if not isinstance(doc, dict):
        raise MalformedCredentialError(f"{what} must be a JSON object, not {_json_kind(doc)}")
    return doc


def _json_kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return type(value).__name__


def _contexts(doc: dict[str, Any], what: str) -> list[Any]:
    if "@context" not in doc:
        raise MalformedCredentialError(f"{what} has no @context")
    contexts = as_list(doc["@context"])
    if not contexts:
        raise MalformedCredentialError(f"{what} has an empty @context")
    for item in contexts:
        if not isinstance(item, str | dict):
            raise MalformedCredentialError(
                f"{what} @context items must be URLs or objects, found {_json_kind(item)}"
            )
    return contexts


def data_model_version(doc: object) -> DataModelVersion:
    """Tell the VC data model version of a credential or presentation.

    The first ``@context`` decides: ``https://www.w3.org/ns/credentials/v2`` is 2.0,
    ``https://www.w3.org/2018/credentials/v1`` is 1.1.

    Raises:
        MalformedCredentialError: not an object, no ``@context``, or a first context
            that is neither.
    """
    obj = _require_object(doc, "credential")
    first = _contexts(obj, "credential")[0]
    if first == VC_V2_CONTEXT:
        return DataModelVersion.V2_0
    if first == VC_V1_CONTEXT:
        return DataModelVersion.V1_1
    shown = first if isinstance(first, str) else "an inline context object"
    raise MalformedCredentialError(
        f"the first @context must be {VC_V2_CONTEXT} (VCDM 2.0) or {VC_V1_CONTEXT} "
        f"(VCDM 1.1), found {shown}"
    )


def read_validity_window(doc: object) -> ValidityWindow:
    """Read the validity window of a credential document, whatever its version.

    VCDM 2.0 reads ``validFrom``/``validUntil``; VCDM 1.1 reads
    ``issuanceDate``/``expirationDate``. Dates must carry a time zone.

    Raises:
        MalformedCredentialError: a malformed date, or see :func:`data_model_version`.
    """
    obj = _require_object(doc, "credential")
    if data_model_version(obj) is DataModelVersion.V2_0:
        start_key, end_key = "validFrom", "validUntil"
    else:
        start_key, end_key = "issuanceDate", "expirationDate"
    bounds: list[datetime | None] = []
    for key in (start_key, end_key):
        value = obj.get(key)
        if value is None:
            bounds.append(None)
            continue
        try:
            bounds.append(parse_datetime_stamp(value, field=key))
        except ValueError as err:
            raise MalformedCredentialError(str(err)) from err
    window = ValidityWindow(bounds[0], bounds[1])
    if window.valid_from and window.valid_until and window.valid_until < window.valid_from:
        raise MalformedCredentialError(f"{end_key} is earlier than {start_key}")
    return window


def _readable(err: ValidationError, what: str) -> str:
    problems = []
    for item in err.errors(include_url=False):
        where = ".".join(str(part) for part in item["loc"]) or what
        message = item["msg"].removeprefix("Value error, ")
        problems.append(f"{where}: {message}")
    shown = "; ".join(problems[:5])
    more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
    return f"{what} is malformed: {shown}{more}"


def _validate(model: type[_M], doc: dict[str, Any], what: str) -> _M:
    try:
        return model.model_validate(doc, by_alias=True, by_name=False)
    except ValidationError as err:
        raise MalformedCredentialError(_readable(err, what)) from err


def _check_credential_shape(obj: dict[str, Any]) -> DataModelVersion:
    version = data_model_version(obj)
    types = as_list(obj.get("type"))
    if "type" not in obj:
        raise MalformedCredentialError("credential has no type")
    if not all(isinstance(t, str) for t in types) or "VerifiableCredential" not in types:
        raise MalformedCredentialError('credential type must include "VerifiableCredential"')
    if "issuer" not in obj:
        raise MalformedCredentialError("credential has no issuer")
    issuer = obj["issuer"]
    if isinstance(issuer, dict):
        if not isinstance(issuer.get("id"), str):
            raise MalformedCredentialError("credential issuer object must have a string id")
    elif not isinstance(issuer, str) or not issuer:
        raise MalformedCredentialError("credential issuer must be a URL or an object with an id")
    if "credentialSubject" not in obj:
        raise MalformedCredentialError("credential has no credentialSubject")
    subjects = as_list(obj["credentialSubject"])
    if not subjects or not all(isinstance(s, dict) for s in subjects):
        raise MalformedCredentialError("credentialSubject must be an object or array of objects")
    if version is DataModelVersion.V1_1 and "issuanceDate" not in obj:
        raise MalformedCredentialError("a VCDM 1.1 credential must have an issuanceDate")
    read_validity_window(obj)  # readable date errors before pydantic's
    return version


def parse_credential(doc: object) -> VerifiableCredential:
    """Check the VCDM shape of an untrusted credential and return its model.

    Checks: a JSON object; ``@context`` whose first item is the v2 or v1 URL;
    ``type`` including ``VerifiableCredential``; an ``issuer`` (URL or object with
    ``id``); a ``credentialSubject``; well-formed dates with time zones (and
    ``issuanceDate`` for 1.1). Proofs are not checked here.

    Raises:
        MalformedCredentialError: the first problem found, in plain words.
    """
    obj = _require_object(doc, "credential")
    _check_credential_shape(obj)
    return _validate(VerifiableCredential, obj, "credential")


def parse_presentation(doc: object) -> VerifiablePresentation:
    """Check the VCDM shape of an untrusted presentation and return its model.

    Raises:
        MalformedCredentialError: not an object, bad ``@context``, or ``type``
            without ``VerifiablePresentation``.
    """
    obj = _require_object(doc, "presentation")
    data_model_version(obj)
    types = as_list(obj.get("type"))
    if "VerifiablePresentation" not in types:
        raise MalformedCredentialError('presentation type must include "VerifiablePresentation"')
    return _validate(VerifiablePresentation, obj, "presentation")
