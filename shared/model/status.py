"""Bitstring Status List data model: the entry in a credential and the list credential.

Implements: W3C Bitstring Status List v1.0 (Recommendation, 15 May 2025), section 2
https://www.w3.org/TR/vc-bitstring-status-list/#data-model

These models describe shapes only. :func:`shared.status.check_status` validates an
entry against a list (index range, purpose, ``statusMessage`` consistency) and reads
the status; use it rather than trusting a model built from untrusted input.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import Field, field_validator

from shared.model.base import DateTimeStamp, OneOrMany, VcModel

__all__ = [
    "BitstringStatusList",
    "BitstringStatusListCredential",
    "BitstringStatusListEntry",
    "StatusMessage",
    "StatusPurpose",
]

StatusPurpose = Literal["revocation", "suspension", "message", "refresh"]
"""Purposes the spec defines: "values MUST be used for their intended purpose"."""

_INDEX = re.compile(r"[0-9]+")
_HEX_STATUS = re.compile(r"0x[0-9a-fA-F]+")


def _v2_context() -> list[str | dict[str, Any]]:
    return ["https://www.w3.org/ns/credentials/v2"]


class StatusMessage(VcModel):
    """One element of ``statusMessage``: ``{"status": "0x1", "message": "..."}``."""

    status: str
    message: str

    @field_validator("status")
    @classmethod
    def _hex(cls, value: str) -> str:
        # "status, a string representing the hexadecimal value of the status prefixed with 0x"
        if not _HEX_STATUS.fullmatch(value):
            raise ValueError(f"status {value!r} must be a hexadecimal string prefixed with 0x")
        return value


class BitstringStatusListEntry(VcModel):
    """A ``credentialStatus`` entry of type ``BitstringStatusListEntry``."""

    id: str | None = None
    type: Literal["BitstringStatusListEntry"] = "BitstringStatusListEntry"
    status_purpose: str
    status_list_index: str
    status_list_credential: str
    status_size: int | None = Field(default=None, ge=1)
    status_message: list[StatusMessage] | None = None
    status_reference: OneOrMany[str] | None = None

    @field_validator("status_list_index")
    @classmethod
    def _index(cls, value: str) -> str:
        # "MUST be an arbitrary size integer greater than or equal to 0, expressed as a
        # string in base 10"
        if not _INDEX.fullmatch(value):
            raise ValueError(f"statusListIndex {value!r} must be a base-10 string of digits")
        return value


class BitstringStatusList(VcModel):
    """The ``credentialSubject`` of a status list credential."""

    id: str | None = None
    type: Literal["BitstringStatusList"] = "BitstringStatusList"
    status_purpose: OneOrMany[str]
    encoded_list: str
    ttl: int | None = Field(default=None, ge=0)


class BitstringStatusListCredential(VcModel):
    """A VCDM 2.0 credential publishing one status list (unsecured form)."""

    context: list[str | dict[str, Any]] = Field(default_factory=_v2_context, alias="@context")
    id: str
    type: list[str] = Field(
        default_factory=lambda: ["VerifiableCredential", "BitstringStatusListCredential"]
    )
    issuer: str | dict[str, Any]
    valid_from: DateTimeStamp | None = None
    valid_until: DateTimeStamp | None = None
    credential_subject: BitstringStatusList
