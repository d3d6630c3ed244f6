"""The delivery body forms and the link parsing of endorsements across wallets (pure)."""

from __future__ import annotations

import json

import pytest

from shared.errors import InvalidInputError
from wallet.service.endorsement_delivery import read_delivery, request_url

CRED = {"type": ["VerifiableCredential", "EndorsementCredential"], "name": "é"}
TOKEN = "A" * 43


@pytest.mark.parametrize(
    ("body", "media", "expected"),
    [
        (json.dumps({"credential": CRED}), "application/json", CRED),
        (json.dumps({"credential": CRED}), "application/json; charset=utf-8", CRED),
        (json.dumps(CRED), "application/vc+ld+json", CRED),
        (json.dumps(CRED), "application/vc", CRED),
        (json.dumps({"credential": " a.b.c "}), "application/json", "a.b.c"),
        (" a.b.c\n", "application/vc+jwt", "a.b.c"),
        ("a.b.c", "APPLICATION/JWT", "a.b.c"),
    ],
)
def test_each_documented_form_gives_the_credential(body: str, media: str, expected: object) -> None:
    got = read_delivery(body.encode(), media)
    assert (json.loads(got) if isinstance(expected, dict) else got) == expected


@pytest.mark.parametrize(
    ("body", "media"),
    [
        (b"\xff\xfe", "application/json"),
        (b"not json", "application/json"),
        (json.dumps(CRED).encode(), "application/json"),  # no wrapper
        (json.dumps({"credential": CRED, "extra": 1}).encode(), "application/json"),
        (json.dumps({"credential": 3}).encode(), "application/json"),
        (json.dumps({"credential": [CRED]}).encode(), "application/json"),
        (json.dumps(CRED).encode(), "text/plain"),
        (json.dumps(CRED).encode(), ""),
        (b"[1]", "application/vc+ld+json"),
        (b"1e999999", "application/json"),
        (b"[" * 10000 + b"]" * 10000, "application/json"),
    ],
)
def test_hostile_bodies_are_invalid_input(body: bytes, media: str) -> None:
    with pytest.raises(InvalidInputError):
        read_delivery(body, media)


@pytest.mark.parametrize(
    ("link", "url", "origin"),
    [
        (
            f"https://w.example/endorse/{TOKEN}",
            f"https://w.example/api/endorse/{TOKEN}/request",
            "https://w.example",
        ),
        (
            f" https://w.example:8443/musette/endorse/{TOKEN}/ ",
            f"https://w.example:8443/musette/api/endorse/{TOKEN}/request",
            "https://w.example:8443",
        ),
    ],
)
def test_a_link_names_its_request(link: str, url: str, origin: str) -> None:
    assert request_url(link) == (url, origin)


@pytest.mark.parametrize(
    "link",
    [
        "",
        "endorse/" + TOKEN,
        f"ftp://w.example/endorse/{TOKEN}",
        f"file:///endorse/{TOKEN}",
        "https://w.example/endorse/short",
        f"https://w.example/endorse/{TOKEN}?x=1",
        f"https://w.example/endorse/{TOKEN}#frag",
        f"https://w.example/s/{TOKEN}",
        f"https://w.example/endorse/{TOKEN}/../../admin",
        f"https://w.example/endorse/{'A' * 200}",
    ],
)
def test_other_strings_are_not_links(link: str) -> None:
    with pytest.raises(InvalidInputError):
        request_url(link)
