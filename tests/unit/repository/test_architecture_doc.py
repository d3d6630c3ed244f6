"""docs/architecture.md names only modules, files and functions that exist."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
DOC = ROOT / "docs" / "architecture.md"
PACKAGES = ("shared", "servicekit", "issuer", "wallet", "verifier", "musette")


def quoted() -> list[str]:
    return re.findall(r"`([^`\s]+)`", DOC.read_text(encoding="utf-8"))


def resolves(dotted: str) -> bool:
    """A module, or an attribute of the longest importable prefix."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            target: object = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for name in parts[cut:]:
            if not hasattr(target, name):
                return False
            target = getattr(target, name)
        return True
    return False


def test_every_path_exists() -> None:
    paths = [q for q in quoted() if "/" in q and "://" not in q and not q.startswith(("<", "/"))]
    assert len(paths) > 20
    missing = [p for p in paths if "{" not in p and not (ROOT / p).exists()]
    assert missing == []


def test_every_dotted_name_resolves() -> None:
    names = [q for q in quoted() if q.split(".")[0] in PACKAGES and "/" not in q]
    assert len(names) > 10
    assert [n for n in names if not resolves(n)] == []


def test_every_function_named_beside_its_module_is_defined_there() -> None:
    pairs = re.findall(r"`([\w/]+\.py)` `(\w+)\(\)`", DOC.read_text(encoding="utf-8"))
    assert len(pairs) >= 5
    for path, name in pairs:
        source = (ROOT / path).read_text(encoding="utf-8")
        assert re.search(rf"^(async )?def {name}\(", source, re.MULTILINE), f"{path}: {name}"


def test_every_function_named_alone_is_defined_somewhere() -> None:
    # lower_case_names are functions, except protocol error codes and format names
    codes = {"invalid_credential_request", "jwt_vc_json", "ldp_vc"}
    names = {q.removesuffix("()") for q in quoted() if re.fullmatch(r"_?[a-z]+_[a-z_]+(\(\))?", q)}
    names -= codes
    names |= {
        q.split(".")[-1]
        for q in quoted()
        if re.fullmatch(r"[a-z]+\.[a-z]+_[a-z_]+", q) and q.split(".")[0] not in PACKAGES
    }
    assert len(names) > 15
    sources = "\n".join(
        path.read_text(encoding="utf-8") for pkg in PACKAGES for path in (ROOT / pkg).rglob("*.py")
    )
    assert (
        sorted(n for n in names if not re.search(rf"^\s*(async )?def {n}\(", sources, re.M)) == []
    )


def test_the_resolver_can_say_no() -> None:
    assert resolves("shared.proofs.jose.sign_jws")
    assert not resolves("shared.proofs.jose.no_such_function")
