"""The one master-secret loader: 32 bytes for new secrets, 16-byte legacy ones still open."""

from __future__ import annotations

import base64
import logging
import secrets
from pathlib import Path

import pytest

from servicekit.instances import LEGACY_MASTER_SECRET_BYTES, load_master_secret
from shared.errors import InvalidInputError


def _text(size: int, *, padded: bool = False) -> str:
    text = base64.urlsafe_b64encode(secrets.token_bytes(size)).decode()
    return text if padded else text.rstrip("=")


def test_master_secret_file_is_created_with_32_bytes_and_reread(tmp_path: Path) -> None:
    first = load_master_secret("issuer", "", tmp_path)
    assert len(first) == 32
    assert (tmp_path / "master.key").stat().st_mode & 0o777 == 0o600
    assert load_master_secret("wallet", "", tmp_path) == first


@pytest.mark.parametrize("padded", [True, False])
def test_master_secret_padded_and_unpadded_text_decode_alike(padded: bool) -> None:
    raw = secrets.token_bytes(32)
    text = base64.urlsafe_b64encode(raw).decode()
    assert load_master_secret("issuer", text if padded else text.rstrip("="), "/nowhere") == raw


def test_master_secret_issuer_padded_file_still_opens(tmp_path: Path) -> None:
    """Older issuer ``master.key`` files were written padded (``...=``)."""
    raw = secrets.token_bytes(32)
    (tmp_path / "master.key").write_text(base64.urlsafe_b64encode(raw).decode())
    assert load_master_secret("issuer", "", tmp_path) == raw


def test_master_secret_short_is_refused_with_how_to_make_one() -> None:
    with pytest.raises(InvalidInputError) as caught:
        load_master_secret("issuer", _text(16), "/nowhere")
    assert "16 bytes" in str(caught.value)
    assert "token_urlsafe(32)" in str(caught.value)
    assert "MUSETTE_ISSUER_MASTER_SECRET" in str(caught.value)


def test_master_secret_legacy_16_bytes_open_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    raw = secrets.token_bytes(16)
    text = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    with caplog.at_level(logging.WARNING):
        got = load_master_secret(
            "wallet", text, "/nowhere", legacy_floor=LEGACY_MASTER_SECRET_BYTES
        )
    assert got == raw
    assert "token_urlsafe(32)" in caplog.text


def test_master_secret_below_the_legacy_floor_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="15 bytes"):
        load_master_secret("verifier", _text(15), "/x", legacy_floor=LEGACY_MASTER_SECRET_BYTES)


@pytest.mark.parametrize("hostile", ["not base64!", "é" * 44, "A", "....", "\x00" * 44])
def test_master_secret_hostile_text_is_refused_clearly(hostile: str) -> None:
    with pytest.raises(InvalidInputError, match="master secret"):
        load_master_secret("wallet", hostile, "/nowhere", legacy_floor=16)
