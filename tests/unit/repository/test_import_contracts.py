"""The import-linter contracts in pyproject.toml hold, and they bite when broken."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
LINT = Path(sys.executable).with_name("lint-imports")
PACKAGES = ("shared", "servicekit", "issuer", "wallet", "verifier", "musette")

pytestmark = pytest.mark.skipif(
    not LINT.exists(), reason="import-linter is not installed: pip install -e '.[dev]'"
)


def lint(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(LINT), "--config", str(root / "pyproject.toml"), "--no-cache"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def copy_tree(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package,
            root / package,
            ignore=shutil.ignore_patterns("__pycache__", "*.mo", "*.po", "static", "templates"),
        )
    return root


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        ("shared/verify/probe.py", "import fastapi\n", "shared is a pure library"),
        ("shared/proofs/probe.py", "import sqlalchemy\n", "shared is a pure library"),
        ("wallet/service/probe.py", "import verifier.settings\n", "services are independent"),
        # the hidden cycle this contract ends: proofs verifying through shared.verify
        ("shared/proofs/probe.py", "import shared.verify.report\n", "shared is layered"),
        ("shared/keys/probe.py", "import shared.did\n", "shared is layered"),
        ("shared/status/probe.py", "import shared.protocols.dcql\n", "shared is layered"),
    ],
)
def test_a_forbidden_import_breaks_a_contract(
    tmp_path: Path, module: str, line: str, contract: str
) -> None:
    root = copy_tree(tmp_path)
    (root / module).write_text(line)
    result = lint(root)
    assert result.returncode != 0, result.stdout
    assert f"{contract} BROKEN" in result.stdout


@pytest.mark.parametrize(
    ("module", "line"),
    [
        # a format verifier importing its caller instead of taking ``verify`` as an argument
        ("shared/verify/vc_jwt.py", "import shared.verify.credential\n"),
        ("shared/verify/ldp.py", "import shared.verify.tokens\n"),
        # two formats are siblings: neither imports the other
        ("shared/verify/sd_jwt_vc.py", "import shared.verify.vc_jwt\n"),
    ],
)
def test_an_upward_import_inside_verify_breaks_its_layers(
    tmp_path: Path, module: str, line: str
) -> None:
    root = copy_tree(tmp_path)
    with (root / module).open("a", encoding="utf-8") as source:
        source.write(line)
    result = lint(root)
    assert result.returncode != 0, result.stdout
    assert "shared.verify is layered BROKEN" in result.stdout


def test_the_tree_as_it_is_keeps_every_contract(tmp_path: Path) -> None:
    result = lint(copy_tree(tmp_path))
    assert result.returncode == 0, result.stdout
