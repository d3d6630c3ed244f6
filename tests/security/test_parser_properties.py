"""Property tests for parsers and encoders of outside input (hypothesis).

Each parser either gives back what its encoder wrote (round trip) or refuses with one of
the library's own errors: never another exception, never a different value.
"""

from __future__ import annotations

import json
import math
from typing import Any
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from issuer.service.spreadsheet import neutralise_formula, read_table, write_csv
from shared.did.methods import did_web_from_url, did_web_url
from shared.encoding.json_limits import parse_json
from shared.errors import DidResolutionError, InvalidInputError
from shared.proofs.sd_jwt import RESERVED_NAMES, create_disclosure, parse_disclosure
from shared.protocols.dcql import parse_dcql_query

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))

finite = st.floats(allow_nan=False, allow_infinity=False)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | finite | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


def same_json(a: Any, b: Any) -> bool:
    """Equal as JSON values (-0.0 == 0.0 is fine; the types must match)."""
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


# --------------------------------------------------------------------------- JSON


@SETTINGS
@given(json_values)
def test_parse_json_gives_back_what_was_written(value: Any) -> None:
    assert same_json(parse_json(json.dumps(value)), value)


@SETTINGS
@given(st.binary(max_size=200))
def test_parse_json_refuses_bytes_with_its_own_error(data: bytes) -> None:
    try:
        value = parse_json(data)
    except InvalidInputError:
        return
    # what it accepted is JSON the standard library reads the same way
    expected = json.loads(data)
    assert same_json(value, expected)
    assert not any(isinstance(v, float) and not math.isfinite(v) for v in _leaves(value))


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [leaf for v in value.values() for leaf in _leaves(v)]
    if isinstance(value, list):
        return [leaf for v in value for leaf in _leaves(v)]
    return [value]


# --------------------------------------------------------------------------- SD-JWT disclosures

claim_names = st.text(min_size=1, max_size=12).filter(lambda n: n not in RESERVED_NAMES)


@SETTINGS
@given(st.binary(min_size=16, max_size=32), st.one_of(st.none(), claim_names), json_values)
def test_disclosure_round_trip(salt: bytes, name: str | None, value: Any) -> None:
    created = create_disclosure(salt, name, value)
    parsed = parse_disclosure(created.encoded)
    assert parsed.name == name
    assert parsed.salt == created.salt
    assert same_json(parsed.value, value)


@SETTINGS
@given(st.text(max_size=120))
def test_disclosure_parser_refuses_with_its_own_error(text: str) -> None:
    try:
        parsed = parse_disclosure(text)
    except InvalidInputError:
        return
    assert isinstance(parsed.salt, str)
    assert parsed.name is None or parsed.name not in RESERVED_NAMES


@SETTINGS
@given(st.lists(json_values, min_size=0, max_size=4))
def test_disclosure_of_any_json_array_is_checked(items: list[Any]) -> None:
    from shared.encoding.base64url import b64url_encode

    encoded = b64url_encode(json.dumps(items).encode())
    try:
        parse_disclosure(encoded)
    except InvalidInputError:
        assert (
            len(items) not in (2, 3)
            or not isinstance(items[0], str)
            or (len(items) == 3 and (not isinstance(items[1], str) or items[1] in RESERVED_NAMES))
        )
        return
    assert len(items) in (2, 3)
    assert isinstance(items[0], str)


# --------------------------------------------------------------------------- DCQL


@SETTINGS
@given(json_values)
def test_dcql_parser_accepts_or_refuses_with_its_own_error(query: Any) -> None:
    try:
        parsed = parse_dcql_query(query)
    except InvalidInputError:
        return
    assert isinstance(parsed, dict)
    assert parsed["credentials"]


credential_query = st.fixed_dictionaries(
    {
        "id": st.from_regex(r"[A-Za-z0-9_-]{1,10}", fullmatch=True),
        "format": st.sampled_from(["ldp_vc", "jwt_vc_json", "dc+sd-jwt"]),
    }
)


@SETTINGS
@given(st.lists(credential_query, min_size=1, max_size=4, unique_by=lambda q: q["id"]))
def test_dcql_well_formed_queries_parse(queries: list[dict[str, Any]]) -> None:
    for query in queries:
        if query["format"] == "dc+sd-jwt":
            query["meta"] = {"vct_values": ["https://example.org/vct"]}
        else:
            query["meta"] = {"type_values": [["https://example.org/Type"]]}
    parsed = parse_dcql_query({"credentials": queries})
    assert [q["id"] for q in parsed["credentials"]] == [q["id"] for q in queries]


# --------------------------------------------------------------------------- did:web

hosts = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?(\.[a-z]{2,6}){1,2}", fullmatch=True)
segments = st.lists(st.from_regex(r"[A-Za-z0-9._~-]{1,10}", fullmatch=True), max_size=3)


@SETTINGS
@given(hosts, st.one_of(st.none(), st.integers(1, 65535)), segments)
def test_did_web_round_trip(host: str, port: int | None, path: list[str]) -> None:
    authority = f"{host}:{port}" if port else host
    base = "https://" + authority + "".join("/" + s for s in path)
    did = did_web_from_url(base)
    url = did_web_url(did)
    parts = urlsplit(url)
    assert parts.scheme == "https"
    assert parts.hostname == host
    assert parts.port == port
    expected = "/" + "/".join(path) + "/did.json" if path else "/.well-known/did.json"
    assert parts.path == expected


@SETTINGS
@given(st.text(max_size=60))
def test_did_web_url_never_leaves_the_named_host(rest: str) -> None:
    did = "did:web:" + rest
    try:
        url = did_web_url(did)
    except DidResolutionError:
        return
    parts = urlsplit(url)
    assert parts.scheme == "https"
    assert not parts.username
    assert not parts.query
    assert not parts.fragment


# --------------------------------------------------------------------------- CSV rows

cells = st.text(
    alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\x00"),
    max_size=20,
)


@SETTINGS
@given(st.lists(st.lists(cells, min_size=3, max_size=3), min_size=1, max_size=6))
def test_csv_rows_round_trip(rows: list[list[str]]) -> None:
    header = ["nom", "email", "heures"]
    data = write_csv(header, rows, delimiter=";")
    table = read_table(data, known=lambda text: text in header, max_rows=100, max_bytes=10**6)
    assert table.header == header
    # what a spreadsheet would show: formula-looking cells neutralised, blank rows skipped
    written = [[neutralise_formula(c).replace("\r\n", "\n") for c in row] for row in rows]
    kept = [row for row in written if any(c.strip() for c in row)]
    assert [row for _, row in table.rows] == kept


@SETTINGS
@given(st.binary(max_size=300))
def test_csv_parser_refuses_with_its_own_error(data: bytes) -> None:
    try:
        read_table(data, known=lambda text: True, max_rows=50, max_bytes=10_000)
    except InvalidInputError:
        return


@pytest.mark.parametrize("bad", [b"", b"\xff\xfe\x00", b"\x00" * 10])
def test_csv_parser_examples(bad: bytes) -> None:
    with pytest.raises(InvalidInputError):
        read_table(bad, known=lambda text: True, max_rows=50, max_bytes=10_000)


@pytest.mark.parametrize(
    "did",
    ["did:web:%5B", "did:web:exa mple.org", "did:web:example.org%3Aport", "did:web:a_b.example"],
)
def test_did_web_host_that_is_not_a_domain_name_is_refused(did: str) -> None:
    # found by the property above: "did:web:[" gave "https://[/.well-known/did.json"
    with pytest.raises(DidResolutionError):
        did_web_url(did)
