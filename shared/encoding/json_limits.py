"""Size and nesting limits for untrusted JSON (RFC 8259 leaves both to the implementation).

Every parser of untrusted JSON goes through :func:`parse_json`; code that receives an
already-parsed value (a request body, a decoded JWT payload) calls :func:`check_json_limits`
before handing it to a recursive algorithm such as JSON-LD expansion.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, Final, NoReturn

import msgspec

from shared.errors import MalformedCredentialError

#: Largest JSON text accepted (4 MiB). OB 3.0 credentials may embed badge images as
#: ``data:`` URLs, so this is generous; JSON-LD processing time is linear in size.
MAX_JSON_BYTES: Final = 4 * 1024 * 1024
#: Deepest nesting of arrays/objects accepted. Real credentials stay below 20 levels;
#: JSON-LD expansion recurses several Python frames per level.
MAX_JSON_DEPTH: Final = 64


def _reject_constant(name: str) -> NoReturn:
    raise MalformedCredentialError(f"JSON value {name} is not allowed (RFC 8259 numbers only)")


def parse_json(
    data: bytes | str, *, max_bytes: int = MAX_JSON_BYTES, max_depth: int = MAX_JSON_DEPTH
) -> Any:
    """Parse untrusted JSON text, enforcing size and nesting limits.

    msgspec parses (about 3x the standard library; integers of any size stay exact, floats
    are the same as ``json.loads`` gives); when it refuses a text, the standard library
    parses it again only to explain why, in the same words as before.

    Raises:
        MalformedCredentialError: the text is too large, too deeply nested, not UTF-8,
            not JSON, or uses ``NaN``/``Infinity`` (or a number beyond the float range).
    """
    size = len(data) if isinstance(data, bytes) else len(data.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise MalformedCredentialError(
            f"JSON document is {size} bytes, larger than the {max_bytes}-byte limit"
        )
    if isinstance(data, bytes) and data.startswith(_UTF8_BOM):
        data = data[3:]  # RFC 8259 §8.1: a parser MAY ignore a byte order mark
    try:
        value = _FAST.decode(data)
    except UnicodeEncodeError as err:
        raise MalformedCredentialError(
            "JSON document holds an unpaired surrogate character, which is not Unicode text"
        ) from err
    except (msgspec.DecodeError, RecursionError, UnicodeDecodeError) as err:
        _explain_refusal(data, max_depth, err)
    _check_depth(data, max_depth)
    return value


def _too_deep(max_depth: int) -> MalformedCredentialError:
    return MalformedCredentialError(f"JSON document is nested more than {max_depth} levels deep")


def _check_depth(data: bytes | str, max_depth: int) -> None:
    # the depth is at most the number of opening brackets: count them in C before scanning
    if isinstance(data, bytes):
        brackets = data.count(b"{") + data.count(b"[")
    else:
        brackets = data.count("{") + data.count("[")
    if brackets > max_depth and text_depth(_text(data)) > max_depth:
        raise _too_deep(max_depth)


def _text(data: bytes | str) -> str:
    return data.decode("utf-8") if isinstance(data, bytes) else data


def _explain_refusal(data: bytes | str, max_depth: int, err: Exception) -> NoReturn:
    """Raise the error a person can act on for a text msgspec refused."""
    try:
        text = _text(data)
    except UnicodeDecodeError as bad:
        raise MalformedCredentialError("JSON document is not valid UTF-8") from bad
    _check_depth(text, max_depth)
    try:
        if text.startswith("\ufeff"):
            raise ValueError("Unexpected UTF-8 BOM")
        _DECODER.decode(text)
    except RecursionError as deep:
        raise _too_deep(max_depth) from deep
    except ValueError as bad:  # MalformedCredentialError (NaN, Infinity) is not a ValueError
        raise MalformedCredentialError(f"not a JSON document: {bad}") from err
    # the standard library reads it: an escaped lone surrogate, a number beyond the float range
    raise MalformedCredentialError(
        "JSON document holds a value with no exact meaning (an unpaired \\uD800-\\uDFFF escape "
        f"or a number beyond the float range): {err}"
    ) from err


_FAST: Final = msgspec.json.Decoder()
_DECODER: Final = json.JSONDecoder(parse_constant=_reject_constant)
_UTF8_BOM: Final = b"\xef\xbb\xbf"
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')  # "unrolled loop": linear, fast
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def text_depth(text: str) -> int:
    """Nesting depth of valid JSON text, from its brackets outside strings (regex, fast)."""
    depth = deepest = 0
    for ch in _NOT_BRACKET.sub("", _JSON_STRING.sub("", text)):
        if ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def check_json_limits(
    value: Any, *, max_bytes: int = MAX_JSON_BYTES, max_depth: int = MAX_JSON_DEPTH
) -> None:
    """Check an already-parsed JSON value against the size and nesting limits.

    Walks the value iteratively (no recursion, so hostile nesting cannot crash it) and stops
    at the first limit exceeded. The size is an estimate of the compact JSON serialization.

    Raises:
        MalformedCredentialError: a limit is exceeded or the value is not JSON data.
    """
    size = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, Mapping | list | tuple):
            if depth > max_depth:
                raise MalformedCredentialError(
                    f"JSON document is nested more than {max_depth} levels deep"
                )
            size += 2
            if isinstance(item, Mapping):
                for key, child in item.items():
                    if not isinstance(key, str):
                        raise MalformedCredentialError("JSON object keys must be strings")
                    size += len(key) + 4
                    stack.append((child, depth + 1))
            else:
                size += len(item)
                stack.extend((child, depth + 1) for child in item)
        elif isinstance(item, str):
            size += len(item) + 2
        elif item is None or isinstance(item, bool | int | float):
            size += 5
        else:
            raise MalformedCredentialError(f"value of type {type(item).__name__} is not JSON data")
        if size > max_bytes:
            raise MalformedCredentialError(
                f"JSON document is larger than the {max_bytes}-byte limit"
            )
