"""Bitstring Status List v1.0: encode, decode and check credential status."""

from shared.status.bitstring import (
    MAX_BITSTRING_BYTES,
    MAX_STATUS_SIZE,
    MIN_BITSTRING_BITS,
    MIN_ENTRIES,
    STATUS_ERROR_BASE,
    StatusList,
    expand_bitstring,
    generate_encoded_list,
)
from shared.status.entry import StatusResult, check_status, parse_status_entry, read_status_messages

__all__ = [
    "MAX_BITSTRING_BYTES",
    "MAX_STATUS_SIZE",
    "MIN_BITSTRING_BITS",
    "MIN_ENTRIES",
    "STATUS_ERROR_BASE",
    "StatusList",
    "StatusResult",
    "check_status",
    "expand_bitstring",
    "generate_encoded_list",
    "parse_status_entry",
    "read_status_messages",
]
