"""Check a credential's ``BitstringStatusListEntry`` against a status list credential.

Implements: W3C Bitstring Status List v1.0 (Recommendation, 15 May 2025),
"Validate Algorithm" steps after retrieval
https://www.w3.org/TR/vc-bitstring-status-list/#validate-algorithm

Retrieving the status list credential and verifying its proof are the caller's
job (the verify pipeline); :func:`check_status` is pure.

Errors carry the spec's error type in the ``status_error`` extension
(``https://www.w3.org/ns/credentials/status-list#STATUS_VERIFICATION_ERROR`` ...):
a malformed entry or list raises :class:`~shared.errors.MalformedCredentialError`;
a purpose mismatch, an index outside the list or an expired list raises
:class:`~shared.errors.VerificationError`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from shared.errors import MalformedCredentialError, VerificationError
from shared.model.base import as_list
from shared.model.credential import read_validity_window
from shared.status.bitstring import (
    MAX_BITSTRING_BYTES,
    MAX_STATUS_SIZE,
    MIN_ENTRIES,
    STATUS_ERROR_BASE,
    StatusList,
)

__all__ = ["StatusResult", "check_status", "parse_status_entry", "read_status_messages"]

_DIGITS = re.compile(r"[0-9]+")
_HEX = re.compile(r"0x[0-9a-fA-F]+")
_MAX_INDEX_DIGITS: Final = 12  # more than any list under MAX_BITSTRING_BYTES can hold


@dataclass(frozen=True)
class StatusResult:
    """The outcome of the Validate Algorithm for one entry.

    ``valid`` is ``True`` when the status value is 0 ("If status is 0, set the valid
    key in result to true"). ``message`` is the ``statusMessage`` text for the
    value, or ``"set"``/``"unset"`` for a 1-bit entry without messages.
    """

    purpose: str
    index: int
    status: int
    valid: bool
    message: str | None

    @property
    def revoked(self) -> bool:
        """The entry is a revocation entry and its bit is set."""
        return self.purpose == "revocation" and self.status != 0

    @property
    def suspended(self) -> bool:
        """The entry is a suspension entry and its bit is set."""
        return self.purpose == "suspension" and self.status != 0


@dataclass(frozen=True)
class _Entry:
    purpose: str
    index: int
    list_url: str
    status_size: int
    messages: dict[int, str] | None


def _bad(detail: str, error: str = "MALFORMED_VALUE_ERROR") -> MalformedCredentialError:
    return MalformedCredentialError(detail, status_error=STATUS_ERROR_BASE + error)


def _failed(detail: str, error: str) -> VerificationError:
    return VerificationError(detail, status_error=STATUS_ERROR_BASE + error)


def read_status_messages(value: object, status_size: int) -> dict[int, str]:
    """Read a ``statusMessage`` array into ``{status value: message}``.

    "the length of which MUST equal the number of possible status messages
    indicated by statusSize"; each element has a ``0x``-prefixed hex ``status``
    and a string ``message``.
    """
    if not isinstance(value, list):
        raise _bad("statusMessage must be an array")
    expected = 1 << status_size
    if len(value) != expected:
        raise _bad(
            f"statusMessage has {len(value)} elements; statusSize {status_size} needs {expected}"
        )
    messages: dict[int, str] = {}
    for item in value:
        if not isinstance(item, dict):
            raise _bad("each statusMessage element must be an object")
        status, message = item.get("status"), item.get("message")
        if not isinstance(status, str) or not _HEX.fullmatch(status):
            raise _bad(f"statusMessage status {status!r} must be a 0x-prefixed hexadecimal string")
        if not isinstance(message, str):
            raise _bad(f"statusMessage message for {status} must be a string")
        number = int(status, 16)
        if number >= expected:
            raise _bad(f"statusMessage status {status} does not fit in {status_size} bit(s)")
        if number in messages:
            raise _bad(f"statusMessage lists status {status} twice")
        messages[number] = message
    return messages


def parse_status_entry(entry: object, *, allow_integer_index: bool = False) -> _Entry:
    """Validate the shape of a ``BitstringStatusListEntry`` (untrusted input).

    ``allow_integer_index`` also accepts a JSON integer ``statusListIndex``.
    """
    if not isinstance(entry, dict):
        raise _bad("credentialStatus entry must be a JSON object")
    if "BitstringStatusListEntry" not in as_list(entry.get("type")):
        raise _bad("credentialStatus type must be BitstringStatusListEntry")
    purpose = entry.get("statusPurpose")
    if not isinstance(purpose, str) or not purpose:
        raise _bad("statusPurpose must be a non-empty string")
    list_url = entry.get("statusListCredential")
    if not isinstance(list_url, str) or not list_url:
        raise _bad("statusListCredential must be a URL string")
    raw_index = entry.get("statusListIndex")
    if isinstance(raw_index, int) and not isinstance(raw_index, bool) and allow_integer_index:
        # SPEC-DEVIATION(vc-bitstring-status-list#bitstringstatuslistentry): the
        # 1EdTech validator's own vectors write the index as a JSON number.
        raw_index = str(raw_index)
    # "MUST be an arbitrary size integer greater than or equal to 0, expressed as a
    # string in base 10"
    if not isinstance(raw_index, str) or not _DIGITS.fullmatch(raw_index):
        raise _bad(f"statusListIndex must be a string of base-10 digits, got {raw_index!r}")
    if len(raw_index.lstrip("0")) > _MAX_INDEX_DIGITS:
        raise _failed(f"statusListIndex {raw_index[:20]}... is beyond any list", "RANGE_ERROR")
    size = entry.get("statusSize", 1)
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise _bad(f"statusSize must be an integer greater than zero, got {size!r}")
    if size > MAX_STATUS_SIZE:
        raise _bad(f"statusSize {size} is larger than the supported {MAX_STATUS_SIZE}")
    messages = None
    if "statusMessage" in entry:
        messages = read_status_messages(entry["statusMessage"], size)
    elif size > 1:
        # "If statusSize is provided and is greater than 1, then the property
        # credentialStatus.statusMessage MUST be present"
        raise _bad("statusMessage is required when statusSize is greater than 1")
    return _Entry(purpose, int(raw_index), list_url, size, messages)


def _list_subject(list_credential: object) -> dict[str, Any]:
    if not isinstance(list_credential, dict):
        raise _bad("status list credential must be a JSON object")
    if "BitstringStatusListCredential" not in as_list(list_credential.get("type")):
        raise _bad("status list credential type must include BitstringStatusListCredential")
    subjects = as_list(list_credential.get("credentialSubject"))
    if len(subjects) != 1 or not isinstance(subjects[0], dict):
        raise _bad("status list credential must have one credentialSubject object")
    subject: dict[str, Any] = subjects[0]
    if "BitstringStatusList" not in as_list(subject.get("type")):
        raise _bad("status list credentialSubject type must be BitstringStatusList")
    return subject


def check_status(
    entry: object,
    list_credential: object,
    *,
    now: datetime | None = None,
    minimum_entries: int = MIN_ENTRIES,
    max_bytes: int = MAX_BITSTRING_BYTES,
    allow_integer_index: bool = False,
) -> StatusResult:
    """Read the status of one credential from an already verified status list credential.

    Args:
        entry: the credential's ``credentialStatus`` entry (untrusted JSON).
        list_credential: the dereferenced ``BitstringStatusListCredential``, whose
            proof the caller has verified.
        now: when given, the list credential must be valid at that moment.
        minimum_entries: "131,072 unless a different lower bound is established
            by a specific ecosystem specification".
        max_bytes: cap on the uncompressed bitstring (gzip-bomb guard).
        allow_integer_index: also accept a JSON-number ``statusListIndex``.

    Raises:
        MalformedCredentialError: malformed entry, list credential or encodedList,
            or a list that is too short (``STATUS_LIST_LENGTH_ERROR``).
        VerificationError: purpose not in the list (``STATUS_VERIFICATION_ERROR``),
            index outside the list (``RANGE_ERROR``), list not valid at ``now``.
    """
    parsed = parse_status_entry(entry, allow_integer_index=allow_integer_index)
    subject = _list_subject(list_credential)
    if now is not None and not read_validity_window(list_credential).contains(now):
        raise _failed("the status list credential is not valid now", "STATUS_VERIFICATION_ERROR")
    purposes = as_list(subject.get("statusPurpose"))
    if not purposes or not all(isinstance(p, str) for p in purposes):
        raise _bad("status list statusPurpose must be one or more strings")
    # "Verify that the status purpose is equal to a statusPurpose value in the
    # statusListCredential."
    if parsed.purpose not in purposes:
        raise _failed(
            f"statusPurpose {parsed.purpose!r} does not match the list's {purposes!r}",
            "STATUS_VERIFICATION_ERROR",
        )
    bits = StatusList.decode(subject.get("encodedList"), max_bytes=max_bytes)
    # "If the length of the revocation bitstring divided by statusSize is less than
    # minimumNumberOfEntries, raise a STATUS_LIST_LENGTH_ERROR."
    entries = bits.length_bits // parsed.status_size
    if entries < minimum_entries:
        raise _bad(
            f"status list holds {entries} entries of {parsed.status_size} bit(s); at least "
            f"{minimum_entries} are required",
            "STATUS_LIST_LENGTH_ERROR",
        )
    # "If the credentialIndex multiplied by the size is a value outside of the range of
    # the bitstring, a RANGE_ERROR MUST be raised."
    if parsed.index >= entries:
        raise _failed(
            f"statusListIndex {parsed.index} is outside the list (0..{entries - 1})",
            "RANGE_ERROR",
        )
    status = _read(bits, parsed.index, parsed.status_size)
    if parsed.messages is not None:
        message: str | None = parsed.messages.get(status)
    elif parsed.status_size == 1:
        message = "set" if status else "unset"
    else:  # pragma: no cover - parse_status_entry requires messages here
        message = None
    return StatusResult(parsed.purpose, parsed.index, status, status == 0, message)


def _read(bits: StatusList, index: int, status_size: int) -> int:
    # The list was decoded with 1-bit entries; read status_size consecutive bits.
    value = 0
    for pos in range(index * status_size, (index + 1) * status_size):
        value = (value << 1) | bits.get(pos)
    return value
