"""Each JOSE library does one job (docs/decisions/jose-libraries.md): jwcrypto encrypts and
decrypts JWEs in the two modules that decide what is acceptable first; JWS is
``shared.proofs.jose`` over ``cryptography``; pyjwt is the tests' independent JWS check and
no shipped module imports it."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PACKAGES = ("shared", "servicekit", "issuer", "wallet", "verifier", "musette")
#: the only shipped modules that may import jwcrypto, and only its JWE side
JWE_MODULES = {"shared/encoding/passphrase_jwe.py", "shared/protocols/response_encryption.py"}
JWE_NAMES = {"jwcrypto", "jwcrypto.common", "jwcrypto.jwe", "jwcrypto.jwk", "jwcrypto.jwa"}


def imported_modules(source: str) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def shipped_imports() -> dict[str, set[str]]:
    return {
        path.relative_to(ROOT).as_posix(): imported_modules(path.read_text(encoding="utf-8"))
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
    }


def test_no_shipped_module_imports_pyjwt() -> None:
    users = sorted(
        name
        for name, mods in shipped_imports().items()
        if {"jwt"} & {m.split(".")[0] for m in mods}
    )
    assert users == []


def test_pyjwt_is_a_test_dependency_only() -> None:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]

    def names(requirements: list[str]) -> set[str]:
        return {req.split("[")[0].split("=")[0].strip().lower() for req in requirements}

    assert "pyjwt" not in names(project["dependencies"])
    assert "pyjwt" in names(project["optional-dependencies"]["dev"])


def test_jwcrypto_is_used_for_jwe_only_and_only_where_it_is_guarded() -> None:
    for name, mods in shipped_imports().items():
        jose = {".".join(m.split(".")[:2]) for m in mods if m.split(".")[0] == "jwcrypto"}
        if name in JWE_MODULES:
            assert jose, f"{name} no longer uses jwcrypto: update the decision record"
            assert jose <= JWE_NAMES, f"{name} imports {sorted(jose - JWE_NAMES)}"
        else:
            assert jose == set(), f"{name} imports {sorted(jose)}"


def test_the_import_walk_sees_both_spellings() -> None:
    mods = imported_modules("import jwt\nfrom jwcrypto.jws import JWS\nfrom . import x\n")
    assert {"jwt", "jwcrypto.jws", "jwcrypto.jws.JWS"} <= mods
    assert "jwcrypto.jws" not in JWE_NAMES
