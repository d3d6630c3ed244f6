"""The command line on the running stack, and a platform's rating offer through it."""

from __future__ import annotations

import contextlib
import io
import json
from typing import Any

import pytest

from musette.up import UpConfig

PERIOD = "2026-01-01/2026-06-30"


def cli(config: UpConfig, *argv: str) -> dict[str, Any]:
    """``musette …`` in process on the running stack's data folder, its JSON output."""
    from musette.cli import main

    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as env:
        env.setenv("MUSETTE_DEV", "1")  # the stack is an http demo on loopback
        for name, port in config.ports.items():
            env.setenv(f"MUSETTE_{name.upper()}_PORT", str(port))
            env.delenv(f"MUSETTE_{name.upper()}_BASE_URL", raising=False)
            env.delenv(f"MUSETTE_{name.upper()}_PUBLIC_URL", raising=False)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main([argv[0], argv[1], "--data-dir", str(config.data_dir), *argv[2:]])
    assert code == 0, err.getvalue()
    result: dict[str, Any] = json.loads(out.getvalue())
    return result


def rating_offer(config: UpConfig, fmt: str) -> str:
    """A 4.8/5 rating (230 ratings, first half of 2026) from the demo platform: its offer."""
    offer = cli(
        config,
        "issuer",
        "offer",
        "--org",
        "demo-platform",
        "--achievement",
        "rating",
        "--recipient",
        "Camille Martin",
        "--rating",
        "4.8",
        "--scale",
        "5",
        "--count",
        "230",
        "--period",
        PERIOD,
        "--format",
        fmt,
        "--json",
    )
    uri: str = offer["offer_uri"]
    return uri
