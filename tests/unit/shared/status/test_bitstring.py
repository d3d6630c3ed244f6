"""Bitstring Status List v1.0: encoding, decoding, hostile inputs."""

from __future__ import annotations

import base64
import gzip
import json
import struct
import zlib
from functools import cache
from pathlib import Path
from typing import Any

import pytest

import shared.status
from shared.errors import InvalidInputError, MalformedCredentialError
from shared.status import (
    MAX_BITSTRING_BYTES,
    MIN_BITSTRING_BITS,
    STATUS_ERROR_BASE,
    StatusList,
    expand_bitstring,
    generate_encoded_list,
)

DATA = Path(__file__).parents[3] / "data" / "status"


def _encode_raw(payload: bytes) -> str:
    return "u" + base64.urlsafe_b64encode(payload).decode().rstrip("=")


@cache
def _gzip_bomb() -> bytes:
    """A valid gzip stream of 1 GiB of zeros (about 1 MB), built in well under a second.

    A deflate block ending in a full flush does not refer back across the flush,
    so the block for 1 MiB of zeros can be repeated 1024 times.
    """
    mib = bytes(1 << 20)
    raw = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = raw.compress(mib) + raw.flush(zlib.Z_FULL_FLUSH)
    final = zlib.compressobj(9, zlib.DEFLATED, -15).flush()
    crc = 0
    for _ in range(1024):
        crc = zlib.crc32(mib, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    return header + block * 1024 + final + struct.pack("<II", crc, (1 << 30) & 0xFFFFFFFF)


def _isort_key(name: str) -> tuple[int, str]:
    # ruff RUF022 order: CONSTANTS, then Classes, then functions.
    kind = 0 if name.isupper() else 1 if name[:1].isupper() else 2
    return kind, name


def test_all_is_sorted() -> None:
    assert list(shared.status.__all__) == sorted(shared.status.__all__, key=_isort_key)
    assert len(set(shared.status.__all__)) == len(shared.status.__all__)


def test_validator_testlist_has_bit_23_set() -> None:
    # 1EdTech digital-credentials-public-validator, ob30/bit-string-list/testlist
    doc = json.loads((DATA / "testlist").read_text())
    status_list = StatusList.decode(doc["credentialSubject"]["encodedList"])
    assert status_list.length_bits == 131_072
    assert status_list.get(23) == 1
    assert [i for i in range(status_list.entries) if status_list.get(i)] == [23]


def test_peer_status_list_index_7_set_3_not() -> None:
    doc = json.loads((DATA / "status-list-1.json").read_text())
    status_list = StatusList.decode(doc["credentialSubject"]["encodedList"])
    assert status_list.get(7) == 1
    assert status_list.get(3) == 0


def test_bit_zero_is_most_significant_bit_of_first_byte() -> None:
    status_list = StatusList.create()
    status_list.set(0, True)
    status_list.set(9, 1)
    raw = status_list.to_bytes()
    assert raw[0] == 0b1000_0000
    assert raw[1] == 0b0100_0000


def test_roundtrip_one_bit() -> None:
    status_list = StatusList.create(MIN_BITSTRING_BITS * 2)
    for index in (0, 1, 7, 8, 1000, MIN_BITSTRING_BITS * 2 - 1):
        status_list.set(index, 1)
    encoded = status_list.encode()
    assert encoded.startswith("u")
    assert "=" not in encoded
    decoded = StatusList.decode(encoded)
    assert decoded == status_list
    status_list.set(7, 0)
    assert StatusList.decode(status_list.encode()).get(7) == 0


def test_encoding_is_deterministic() -> None:
    assert StatusList.create().encode() == StatusList.create().encode()


@pytest.mark.parametrize("status_size", [2, 3, 8])
def test_roundtrip_multi_bit(status_size: int) -> None:
    status_list = StatusList.create(MIN_BITSTRING_BITS * status_size, status_size)
    top = (1 << status_size) - 1
    status_list.set(0, top)
    status_list.set(5, 1)
    status_list.set(status_list.entries - 1, top - 1)
    decoded = StatusList.decode(status_list.encode(), status_size=status_size)
    assert decoded.get(0) == top
    assert decoded.get(5) == 1
    assert decoded.get(4) == 0
    assert decoded.get(status_list.entries - 1) == top - 1


def test_multi_bit_value_is_read_left_most_bit_most_significant() -> None:
    status_list = StatusList.create(MIN_BITSTRING_BITS * 2, 2)
    status_list.set(1, 0b10)
    assert status_list.to_bytes()[0] == 0b0010_0000
    status_list.set(1, 0b01)
    assert status_list.to_bytes()[0] == 0b0001_0000


def test_set_rejects_value_too_wide() -> None:
    status_list = StatusList.create()
    with pytest.raises(InvalidInputError, match="does not fit"):
        status_list.set(0, 2)


@pytest.mark.parametrize("index", [-1, MIN_BITSTRING_BITS, 10**30])
def test_get_rejects_index_outside_list(index: int) -> None:
    with pytest.raises(InvalidInputError, match="outside") as info:
        StatusList.create().get(index)
    assert info.value.extensions["status_error"] == STATUS_ERROR_BASE + "RANGE_ERROR"


@pytest.mark.parametrize("index", ["3", 1.0, True, None])
def test_get_rejects_non_integer_index(index: Any) -> None:  # hostile: not an int
    with pytest.raises(InvalidInputError, match="integer"):
        StatusList.create().get(index)


@pytest.mark.parametrize(
    ("length_bits", "status_size"),
    [(MIN_BITSTRING_BITS - 8, 1), (MIN_BITSTRING_BITS + 1, 1), (MIN_BITSTRING_BITS, 2)],
)
def test_create_rejects_bad_sizes(length_bits: int, status_size: int) -> None:
    with pytest.raises(InvalidInputError):
        StatusList.create(length_bits, status_size)


@pytest.mark.parametrize("status_size", [0, -1, 17, True, "2"])
def test_rejects_bad_status_size(status_size: Any) -> None:  # hostile: not always an int
    with pytest.raises(MalformedCredentialError, match="statusSize"):
        StatusList.create(MIN_BITSTRING_BITS, status_size)


@pytest.mark.parametrize(
    ("encoded", "message"),
    [
        (None, "must be a string"),
        (42, "must be a string"),
        ("", "prefix 'u'"),
        ("zH4sIAAAAAAAA", "prefix 'u'"),
        ("mH4sIAAAAAAAA", "prefix 'u'"),
        ("uH4sI+AAA/AAA", "not unpadded base64url"),
        ("uH4sIAA==", "not unpadded base64url"),
        ("uH4sIA AA", "not unpadded base64url"),
        ("uA", "not unpadded base64url"),
        ("u" + "A" * 40, "not valid GZIP"),
    ],
)
def test_decode_rejects_malformed_encoding(encoded: object, message: str) -> None:
    with pytest.raises(MalformedCredentialError, match=message):
        StatusList.decode(encoded)


def test_decode_rejects_zlib_without_gzip_header() -> None:
    encoded = _encode_raw(zlib.compress(bytes(MIN_BITSTRING_BITS // 8)))
    with pytest.raises(MalformedCredentialError, match="not valid GZIP"):
        expand_bitstring(encoded)


def test_decode_rejects_truncated_gzip() -> None:
    full = gzip.compress(bytes(MIN_BITSTRING_BITS // 8))
    with pytest.raises(MalformedCredentialError, match="truncated"):
        expand_bitstring(_encode_raw(full[: len(full) // 2]))


def test_decode_rejects_trailing_data() -> None:
    payload = gzip.compress(bytes(MIN_BITSTRING_BITS // 8)) + b"junk"
    with pytest.raises(MalformedCredentialError, match="trailing"):
        expand_bitstring(_encode_raw(payload))


def test_decode_rejects_short_list() -> None:
    encoded = _encode_raw(gzip.compress(bytes(1024)))
    with pytest.raises(MalformedCredentialError, match="at least 131072") as info:
        StatusList.decode(encoded)
    assert info.value.extensions["status_error"].endswith("STATUS_LIST_LENGTH_ERROR")


def test_decode_rejects_too_few_entries_for_status_size() -> None:
    encoded = StatusList.create().encode()  # 131072 bits = 65536 two-bit entries
    with pytest.raises(MalformedCredentialError, match="entries"):
        StatusList.decode(encoded, status_size=2)


def test_generate_rejects_short_bitstring() -> None:
    with pytest.raises(InvalidInputError, match="16KB"):
        generate_encoded_list(bytes(100))


def test_decode_refuses_gzip_bomb() -> None:
    bomb = _gzip_bomb()
    assert len(bomb) < 2 * 1024 * 1024
    with pytest.raises(MalformedCredentialError, match="gzip bomb"):
        StatusList.decode(_encode_raw(bomb))


def test_decode_refuses_just_over_the_cap() -> None:
    encoded = _encode_raw(gzip.compress(bytes(MAX_BITSTRING_BYTES + 1)))
    with pytest.raises(MalformedCredentialError, match="more than"):
        expand_bitstring(encoded)


def test_decode_accepts_list_at_the_cap_with_lower_limit() -> None:
    encoded = _encode_raw(gzip.compress(bytes(MIN_BITSTRING_BITS // 8)))
    assert len(expand_bitstring(encoded, max_bytes=MIN_BITSTRING_BITS // 8)) == 16_384
    with pytest.raises(MalformedCredentialError, match="gzip bomb"):
        expand_bitstring(encoded, max_bytes=MIN_BITSTRING_BITS // 8 - 1)


def test_decode_refuses_huge_encoded_string() -> None:
    with pytest.raises(MalformedCredentialError, match="longer than"):
        expand_bitstring("u" + "A" * (MAX_BITSTRING_BYTES * 2))


def test_status_list_is_unhashable_and_has_repr() -> None:
    status_list = StatusList.create()
    assert "length_bits=131072" in repr(status_list)
    assert status_list != "not a list"
    with pytest.raises(TypeError):
        hash(status_list)
