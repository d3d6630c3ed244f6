"""Journey 5 (docs/decisions/cec-rules.md): volunteer hours become rights, from the command line,
over real HTTP between the running services. An association is created with its CEC facts; the demo
association offers volunteer badges with a CEC role, hours and a civil year in each format; a new
wallet account receives them (CLI); ``musette wallet rights --json`` adds them up; a revoked one
stops counting at once."""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

from musette.up import UpConfig
from tests.demo_clients import demo_issuer_client
from tests.e2e.test_journeys import FORMATS

ACCOUNT = "cec-journey@example.org"


def _cli(config: UpConfig, *argv: str, stdin: str = "a long password for cec\n") -> dict[str, Any]:
    """``musette …`` in process on the running stack's data folder, its JSON output."""
    from musette.cli import main

    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as env:
        for name, port in config.ports.items():
            env.setenv(f"MUSETTE_{name.upper()}_PORT", str(port))
            env.delenv(f"MUSETTE_{name.upper()}_BASE_URL", raising=False)
            env.delenv(f"MUSETTE_{name.upper()}_PUBLIC_URL", raising=False)
        env.setenv("MUSETTE_DEV", "1")
        env.setattr("sys.stdin", io.StringIO(stdin))
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            # --data-dir belongs to ``musette wallet`` and to each ``musette issuer`` command
            at = 1 if argv[0] == "wallet" else (3 if argv[1] == "org" else 2)
            code = main([*argv[:at], "--data-dir", str(config.data_dir), *argv[at:]])
    assert code == 0, err.getvalue()
    result: dict[str, Any] = json.loads(out.getvalue())
    return result


@pytest.fixture(scope="module")
def issuer_api(stack_config: UpConfig) -> Iterator[httpx2.Client]:
    with demo_issuer_client(stack_config, "cec journey") as client:
        yield client


def test_an_association_is_created_with_its_cec_facts(stack_config: UpConfig) -> None:
    org = _cli(
        stack_config,
        "issuer",
        "org",
        "create",
        "--slug",
        "amis-du-quartier",
        "--name",
        "Les Amis du Quartier",
        "--kind",
        "association",
        "--rna",
        "W123456789",
        "--declared-on",
        "2015-03-01",
        "--field",
        "social",
        "--json",
    )
    assert org["association"]["rna"] == "W123456789"
    assert org["association"]["declared_on"] == "2015-03-01"
    assert org["association"]["field"] == "social"


def test_volunteer_hours_become_rights(stack_config: UpConfig, issuer_api: httpx2.Client) -> None:
    account = _cli(
        stack_config,
        "wallet",
        "account",
        "create",
        ACCOUNT,
        "--json",
        stdin="a long password for cec\n",
    )
    hours = {"ldp_vc": "120", "jwt_vc_json": "50", "dc+sd-jwt": "40"}
    roles = {"ldp_vc": "board", "jwt_vc_json": "supervision", "dc+sd-jwt": "other"}
    ids = {}
    for fmt in FORMATS:
        offer = _cli(
            stack_config,
            "issuer",
            "offer",
            "--org",
            "demo-association",
            "--achievement",
            "volunteer",
            "--recipient",
            "Camille Martin",
            "--role",
            roles[fmt],
            "--hours",
            hours[fmt],
            "--year",
            "2025",
            "--format",
            fmt,
            "--json",
        )
        received = _cli(
            stack_config, "wallet", "receive", offer["offer_uri"], "--account", ACCOUNT, "--json"
        )
        (cred,) = received["credentials"]
        ids[fmt] = cred["id"]
    rights = _cli(
        stack_config, "wallet", "rights", "--account", ACCOUNT, "--year", "2025", "--json"
    )
    (year,) = rights["years"]
    # 120 (board) + 50 (supervision) count; 40 in another role does not: 170 < 200
    assert (year["year"], year["hours_total"], year["eligible"], year["amount_eur"]) == (
        2025,
        170,
        False,
        0,
    )
    assert year["reasons"] == ["hours-below-minimum"]
    counted = {c["id"]: c["counted"] for c in year["credentials"]}
    assert counted == {ids["ldp_vc"]: True, ids["jwt_vc_json"]: True, ids["dc+sd-jwt"]: False}
    assert (year["declare_from"], year["declare_until"]) == ("2026-01-01", "2026-06-30")
    assert year["associations"] == [{"name": "Association Démo", "hours": 170, "eligible": True}]

    # thirty more hours of supervision: 200, of which 120 in one association
    offer = _cli(
        stack_config,
        "issuer",
        "offer",
        "--org",
        "demo-association",
        "--achievement",
        "volunteer",
        "--recipient",
        "Camille Martin",
        "--role",
        "supervision",
        "--hours",
        "30",
        "--period",
        "2025-09-01/2025-09-30",
        "--format",
        "ldp_vc",
        "--json",
    )
    (extra,) = _cli(
        stack_config, "wallet", "receive", offer["offer_uri"], "--account", ACCOUNT, "--json"
    )["credentials"]
    year = _cli(stack_config, "wallet", "rights", "--account", ACCOUNT, "--json")["years"][0]
    assert (year["hours_total"], year["eligible"], year["amount_eur"]) == (200, True, 240)

    # the association revokes the board badge: it stops counting at once
    issued = issuer_api.get("/admin/orgs/demo-association/credentials").json()
    ours = [c for c in issued if c["subject_id"] == account["did"] and c["format"] == "ldp_vc"]
    board = ours[-1]  # newest first: the first ldp_vc badge, the 120 hours on the board
    revoked = issuer_api.post(
        f"/admin/orgs/demo-association/credentials/{board['id']}/status",
        json={"action": "revoke", "reason": "test"},
    )
    assert revoked.status_code == 200, revoked.text
    after = _cli(stack_config, "wallet", "rights", "--account", ACCOUNT, "--json")
    year = after["years"][0]
    assert (year["hours_total"], year["eligible"]) == (80, False)
    notes = {c["id"]: c["notes"] for c in year["credentials"]}
    assert "revoked" in notes[ids["ldp_vc"]]
    assert extra["id"] in notes


def test_hours_beyond_the_period_are_refused_by_the_cli(stack_config: UpConfig) -> None:
    from musette.cli import main

    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(
            [
                "issuer",
                "offer",
                "--dev",
                "--data-dir",
                str(stack_config.data_dir),
                "--org",
                "demo-association",
                "--achievement",
                "volunteer",
                "--recipient",
                "X",
                "--role",
                "board",
                "--hours",
                "49",
                "--period",
                "2025-03-01/2025-03-02",
                "--json",
            ]
        )
    assert code != 0
    assert "at most 48" in err.getvalue()
