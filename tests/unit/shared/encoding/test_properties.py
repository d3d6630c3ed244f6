"""Property tests (hypothesis) of the encoders and decoders: base64url, multibase, JCS, bitstring.

Two kinds of property: a value survives encode → decode unchanged, and a
decoder given anything at all either returns or raises its documented error, never another
exception. Runs are derandomized (the same examples every run) and write no example database.
"""

from __future__ import annotations

import json
import string
from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.encoding.base64url import b64url_decode, b64url_encode
from shared.encoding.multibase import (
    multibase_decode,
    multibase_encode,
    varint_decode,
    varint_encode,
)
from shared.errors import InvalidInputError, KeyFormatError, MalformedCredentialError
from shared.proofs.data_integrity import JCS, hash_data
from shared.status.bitstring import (
    MIN_BITSTRING_BITS,
    StatusList,
    expand_bitstring,
    generate_encoded_list,
)

QUICK = settings(derandomize=True, database=None, deadline=None, max_examples=200)
SLOW = settings(derandomize=True, database=None, deadline=None, max_examples=25)
B64URL_ALPHABET = string.ascii_letters + string.digits + "-_"

# ----------------------------------------------------------------------- base64url


@QUICK
@given(st.binary(max_size=512))
def test_base64url_round_trip(data: bytes) -> None:
    text = b64url_encode(data)
    assert set(text) <= set(B64URL_ALPHABET)  # RFC 4648 §5 alphabet, no "=" padding
    assert len(text) % 4 != 1
    assert b64url_decode(text) == data


@QUICK
@given(st.text(max_size=64))
def test_base64url_decode_of_anything_returns_or_refuses(text: str) -> None:
    try:
        decoded = b64url_decode(text)
    except InvalidInputError:
        return
    assert set(text) <= set(B64URL_ALPHABET)
    assert b64url_encode(decoded) == text  # one spelling per value (RFC 4648 §3.5)


@pytest.mark.parametrize(("text", "canonical"), [("AB", "AA"), ("AAB", "AAA"), ("_w", "_w")])
def test_base64url_non_canonical_pad_bits_are_refused(text: str, canonical: str) -> None:
    assert b64url_encode(b64url_decode(canonical)) == canonical
    if text != canonical:
        with pytest.raises(InvalidInputError, match="unused bits"):
            b64url_decode(text)


@QUICK
@given(st.text(alphabet=B64URL_ALPHABET + "+/= \n", min_size=1, max_size=64))
def test_base64url_refuses_padding_whitespace_and_the_standard_alphabet(text: str) -> None:
    if set(text) <= set(B64URL_ALPHABET):
        return
    with pytest.raises(InvalidInputError):
        b64url_decode(text)


# ----------------------------------------------------------------------- multibase


@QUICK
@given(st.binary(max_size=256), st.sampled_from(["z", "u"]))
def test_multibase_round_trip(data: bytes, base: str) -> None:
    text = multibase_encode(data, base)
    assert text[0] == base
    if text[1:]:  # an empty body is refused by the decoder (nothing to decode)
        assert multibase_decode(text) == data


@QUICK
@given(st.text(max_size=64))
def test_multibase_decode_of_anything_returns_or_refuses(text: str) -> None:
    try:
        decoded = multibase_decode(text)
    except InvalidInputError:
        return
    assert isinstance(decoded, bytes)
    assert text[0] in "zu"


@QUICK
@given(st.integers(min_value=0, max_value=2**63 - 1), st.binary(max_size=8))
def test_varint_round_trip(value: int, rest: bytes) -> None:
    encoded = varint_encode(value)
    assert varint_decode(encoded + rest) == (value, len(encoded))


@QUICK
@given(st.binary(max_size=16))
def test_varint_decode_of_anything_returns_or_refuses(data: bytes) -> None:
    try:
        value, used = varint_decode(data)
    except KeyFormatError:
        return
    assert 1 <= used <= 9
    assert varint_encode(value) == data[:used] or data[used - 1] == 0  # only a 0x00 pad differs


# ----------------------------------------------------------------------------- JCS

# I-JSON numbers (RFC 7493 §2.2, which RFC 8785 §3.2.2.3 relies on). Beyond 2**53 a double is
# an integer that ES6 writes without an exponent (1e16 -> "10000000000000000"), which Python
# reads back as an int that rfc8785 then refuses: such documents are refused, not mis-hashed
# (test_jcs_hash_of_anything_returns_or_refuses).
SAFE = 2**53
JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-SAFE + 1, max_value=SAFE - 1)
    | st.floats(min_value=-SAFE + 1, max_value=SAFE - 1, allow_nan=False)
    | st.text(max_size=20)
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=25,
)


@QUICK
@given(JSON_VALUES)
def test_jcs_round_trip_and_idempotence(value: Any) -> None:
    canonical = rfc8785.dumps(value)
    assert json.loads(canonical) == value
    assert rfc8785.dumps(json.loads(canonical)) == canonical  # canonical form is a fixed point


@QUICK
@given(st.dictionaries(st.text(max_size=10), JSON_VALUES, min_size=2, max_size=6), st.randoms())
def test_jcs_ignores_member_order(value: dict[str, Any], rnd: Any) -> None:
    items = list(value.items())
    rnd.shuffle(items)
    assert rfc8785.dumps(dict(items)) == rfc8785.dumps(value)


ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=15,
)


@QUICK
@given(ANY_JSON)
def test_jcs_hash_of_anything_returns_or_refuses(value: Any) -> None:
    """Big integers, NaN or infinities in a document: a clear refusal, never a crash."""
    try:
        digest = hash_data({"value": value}, {"type": "DataIntegrityProof"}, JCS)
    except MalformedCredentialError as err:
        refusal = err.detail
    else:
        assert len(digest) == 64
        return
    assert "RFC 8785" in refusal


# ------------------------------------------------------------------------ bitstring

ENTRIES = MIN_BITSTRING_BITS  # one bit each


@SLOW
@given(st.sets(st.integers(min_value=0, max_value=ENTRIES - 1), max_size=64))
def test_bitstring_round_trip_keeps_every_set_bit(revoked: set[int]) -> None:
    bits = StatusList.create()
    for index in revoked:
        bits.set(index, 1)
    decoded = StatusList.decode(bits.encode())
    assert decoded == bits
    probes = revoked | {0, ENTRIES - 1, *(i + 1 for i in revoked if i + 1 < ENTRIES)}
    assert {i for i in probes if decoded.get(i)} == revoked


@SLOW
@given(
    st.integers(min_value=1, max_value=8),
    st.dictionaries(st.integers(min_value=0, max_value=999), st.integers(min_value=0), max_size=20),
)
def test_multi_bit_entries_round_trip(status_size: int, values: dict[int, int]) -> None:
    bits = StatusList.create(length_bits=MIN_BITSTRING_BITS * status_size, status_size=status_size)
    wanted = {i: v % (1 << status_size) for i, v in values.items()}
    for index, value in wanted.items():
        bits.set(index, value)
    decoded = StatusList.decode(bits.encode(), status_size=status_size)
    assert all(decoded.get(i) == v for i, v in wanted.items())
    assert decoded == bits


BYTES = MIN_BITSTRING_BITS // 8


@SLOW
@given(
    st.integers(min_value=0, max_value=64),
    st.dictionaries(st.integers(min_value=0, max_value=BYTES + 63), st.integers(0, 255)),
)
def test_encoded_list_round_trip(extra: int, patches: dict[int, int]) -> None:
    bitstring = bytearray(BYTES + extra)
    for offset, value in patches.items():
        if offset < len(bitstring):
            bitstring[offset] = value
    encoded = generate_encoded_list(bytes(bitstring))
    assert encoded.startswith("u")
    assert expand_bitstring(encoded) == bitstring


@QUICK
@given(
    st.one_of(st.text(max_size=80), st.binary(max_size=80).map(lambda b: "u" + b64url_encode(b)))
)
def test_expand_bitstring_of_anything_returns_or_refuses(encoded: str) -> None:
    try:
        bitstring = expand_bitstring(encoded)
    except MalformedCredentialError:
        return
    assert len(bitstring) * 8 >= MIN_BITSTRING_BITS
