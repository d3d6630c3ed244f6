"""Size and depth limits for untrusted JSON (shared/encoding/json_limits.py)."""

from __future__ import annotations

import json

import pytest

from shared.encoding.json_limits import (
    MAX_JSON_BYTES,
    MAX_JSON_DEPTH,
    check_json_limits,
    parse_json,
)
from shared.errors import MalformedCredentialError


def test_parses_ordinary_json_from_bytes_and_str() -> None:
    assert parse_json(b'{"a": [1, 2.5, true, null, "\xc3\xa9"]}') == {
        "a": [1, 2.5, True, None, "é"]
    }
    assert parse_json('["x"]') == ["x"]


def test_rejects_10000_deep_nesting_with_a_readable_error() -> None:
    text = "[" * 10_000 + "]" * 10_000
    with pytest.raises(MalformedCredentialError, match="nested more than"):
        parse_json(text)


def test_rejects_nesting_just_over_the_limit() -> None:
    ok = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    parse_json(ok)
    too_deep = "[" + ok + "]"
    with pytest.raises(MalformedCredentialError, match=f"more than {MAX_JSON_DEPTH}"):
        parse_json(too_deep)


def test_rejects_a_20_mb_document_before_parsing() -> None:
    data = b'{"x": "' + b"a" * (20 * 1024 * 1024) + b'"}'
    with pytest.raises(MalformedCredentialError, match="larger than"):
        parse_json(data)


def test_max_bytes_is_adjustable() -> None:
    with pytest.raises(MalformedCredentialError, match="10-byte limit"):
        parse_json(b'{"abcdefgh": 1}', max_bytes=10)


@pytest.mark.parametrize("text", ["NaN", "[Infinity]", '{"a": -Infinity}'])
def test_rejects_non_finite_numbers(text: str) -> None:
    with pytest.raises(MalformedCredentialError, match="not allowed"):
        parse_json(text)


@pytest.mark.parametrize("data", [b"", b"{", b"{'a': 1}", b"\xff\xfe", b"[1,]"])
def test_rejects_what_is_not_json(data: bytes) -> None:
    with pytest.raises(MalformedCredentialError):
        parse_json(data)


def test_check_json_limits_walks_without_recursion() -> None:
    value: object = []
    for _ in range(10_000):
        value = [value]
    with pytest.raises(MalformedCredentialError, match="nested more than"):
        check_json_limits(value)


def test_check_json_limits_estimates_size() -> None:
    check_json_limits({"x": "a" * 1000})
    with pytest.raises(MalformedCredentialError, match="larger than"):
        check_json_limits({"x": ["a" * 1024 * 1024] * 21})
    value = {"k": ["é" * 100, 1, 2.5, None, True]}
    check_json_limits(value, max_bytes=len(json.dumps(value)) + 50)


@pytest.mark.parametrize("value", [{"a": {1, 2}}, {1: "x"}, [b"bytes"], {"f": object()}])
def test_check_json_limits_rejects_non_json_values(value: object) -> None:
    with pytest.raises(MalformedCredentialError):
        check_json_limits(value)


def test_limits_are_sane() -> None:
    assert MAX_JSON_BYTES >= 1024 * 1024
    assert 32 <= MAX_JSON_DEPTH <= 200


def test_text_depth_agrees_with_the_parsed_depth() -> None:
    """parse_json measures depth on the text (fast); it must equal the parsed value's depth,
    whatever brackets and escaped quotes hide inside strings."""
    import json as _json
    import random as _random

    from shared.encoding.json_limits import text_depth

    def depth(value: object) -> int:
        if isinstance(value, dict):
            return 1 + max((depth(v) for v in value.values()), default=0)
        if isinstance(value, list):
            return 1 + max((depth(v) for v in value), default=0)
        return 0

    rng = _random.Random(7)
    tricky = ['"', "\\", "[", "]", "{", "}", '\\"', "\\\\", "é", "\u2028"]

    def make(level: int) -> object:
        if level == 0 or rng.random() < 0.3:
            return "".join(rng.choice(tricky) for _ in range(rng.randint(0, 6)))
        if rng.random() < 0.5:
            return [make(level - 1) for _ in range(rng.randint(0, 3))]
        return {
            "".join(rng.choice(tricky) for _ in range(3)): make(level - 1)
            for _ in range(rng.randint(0, 3))
        }

    for _ in range(500):
        value = make(rng.randint(0, 8))
        assert text_depth(_json.dumps(value)) == depth(value)
        assert text_depth(_json.dumps(value, ensure_ascii=False, indent=1)) == depth(value)


def test_big_integers_stay_exact() -> None:
    # orjson would give 1.2345678901234568e+29; a signed value must come back as written
    assert parse_json('{"n": 123456789012345678901234567890}') == {
        "n": 123456789012345678901234567890
    }
    assert parse_json(b"[-98765432109876543210987654321]") == [-98765432109876543210987654321]


def test_numbers_read_as_the_standard_library_reads_them() -> None:
    import random
    import struct

    rng = random.Random(20261122)
    texts = []
    for _ in range(3000):
        bits = struct.unpack("d", struct.pack("Q", rng.getrandbits(64)))[0]
        if bits == bits and abs(bits) != float("inf"):
            texts.append(repr(bits))
        texts.append(f"{rng.randint(0, 10**18)}.{rng.randint(0, 10**18)}e{rng.randint(-320, 300)}")
        texts.append(str(rng.randint(-(10**40), 10**40)))
    for text in texts:
        expected = json.loads(text)
        if abs(expected) == float("inf"):  # json says inf; RFC 8259 numbers are finite
            with pytest.raises(MalformedCredentialError, match="float range"):
                parse_json(text)
            continue
        got = parse_json(text)
        assert (got, type(got)) == (expected, type(expected)), text


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ('{"x": "\\ud800"}', "unpaired"),
        ('{"x": "\ud800"}', "unpaired surrogate"),
        ("[1e400]", "float range"),
        ("\ufeff{}", "BOM"),
        ("{}".encode("utf-16"), "not valid UTF-8"),
        (b'{"a": "\xff"}', "not valid UTF-8"),
        ('{"a": 1} x', "Extra data"),
        (b"[" * 5000, "nested more than"),
    ],
)
def test_refusals_say_why(data: str | bytes, reason: str) -> None:
    with pytest.raises(MalformedCredentialError, match=reason):
        parse_json(data)


def test_a_utf8_byte_order_mark_is_ignored_in_bytes() -> None:
    assert parse_json(b'\xef\xbb\xbf{"a": 1}') == {"a": 1}
