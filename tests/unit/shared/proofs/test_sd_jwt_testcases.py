"""The sd-jwt-python reference test cases (tests/data/sd-jwt/testcases), run through our code.

Each ``specification.yml`` gives ``user_claims`` with ``!sd`` tags, ``holder_disclosed_claims``
and ``expect_verified_user_claims``. Salts are random here, so claims are compared, not bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from shared.errors import MalformedCredentialError
from shared.keys import PrivateKey
from shared.proofs.sd_jwt import (
    ClaimPath,
    KeyBindingExpectations,
    issue_sd_jwt,
    present_sd_jwt,
    verify_sd_jwt,
)
from tests.conftest import data_path

CASES_DIR = data_path("sd-jwt", "testcases")
CASES = sorted(p.parent.name for p in CASES_DIR.glob("*/specification.yml"))
OUT_OF_SCOPE = {
    "json_serialization_flattened": "JWS JSON serialization (RFC 9901 §8) is not implemented",
    "json_serialization_general": "JWS JSON serialization (RFC 9901 §8) is not implemented",
}
#: Cases we refuse on purpose, with the rule that makes us stricter than the reference.
STRICTER = {
    # RFC 7515 §4.1.4: the kid value "MUST be a case-sensitive string"; the case uses 42.
    # shared.proofs.jose (the one JWS parser for every format) refuses a non-string kid.
    "header_mod": "the 'kid' header must be a string",
}


@dataclass(frozen=True)
class SD:
    """A value or key tagged ``!sd`` in the YAML."""

    value: Any

    def __hash__(self) -> int:
        return hash(("SD", repr(self.value)))


class _SdLoader(yaml.SafeLoader):
    pass


def _construct_sd(loader: yaml.SafeLoader, node: yaml.Node) -> SD:
    if isinstance(node, yaml.ScalarNode):
        if node.style in ('"', "'"):
            return SD(loader.construct_yaml_str(node))
        # The !sd tag hides the implicit type: resolve it as the plain scalar would be.
        tag = loader.resolve(yaml.ScalarNode, node.value, (True, False))  # type: ignore[no-untyped-call]
        return SD(loader.construct_object(yaml.ScalarNode(tag, node.value)))
    if isinstance(node, yaml.MappingNode):
        return SD(loader.construct_mapping(node, deep=True))
    if isinstance(node, yaml.SequenceNode):
        return SD(loader.construct_sequence(node, deep=True))
    raise TypeError(node)


_SdLoader.add_constructor("!sd", _construct_sd)


def parse_yaml(text: str) -> Any:
    return yaml.load(text, Loader=_SdLoader)  # noqa: S506 (a SafeLoader subclass)


def load_spec(path: Path) -> Any:
    return parse_yaml(path.read_text())


def split_sd(value: Any, path: ClaimPath = ()) -> tuple[Any, list[ClaimPath]]:
    """Turn an ``!sd``-tagged tree into plain claims plus the paths to make disclosable."""
    paths: list[ClaimPath] = []
    if isinstance(value, SD):
        plain, inner = split_sd(value.value, path)
        return plain, [path, *inner]
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, child in value.items():
            name = key.value if isinstance(key, SD) else key
            plain, inner = split_sd(child, (*path, name))
            out[name] = plain
            paths.extend(inner)
            if isinstance(key, SD):
                paths.append((*path, name))
        return out, paths
    if isinstance(value, list):
        items = []
        for index, child in enumerate(value):
            plain, inner = split_sd(child, (*path, index))
            items.append(plain)
            paths.extend(inner)
        return items, paths
    return value, paths


def disclosed_paths(selection: Any, path: ClaimPath = ()) -> list[ClaimPath]:
    """``holder_disclosed_claims`` (truthy = disclose) as claim paths, as the reference reads it."""
    paths: list[ClaimPath] = []
    if isinstance(selection, dict):
        items: list[tuple[str | int, Any]] = list(selection.items())
    elif isinstance(selection, list):
        items = list(enumerate(selection))
    else:
        return paths
    for key, child in items:
        if child in (False, None):
            continue
        paths.append((*path, key))
        paths.extend(disclosed_paths(child, (*path, key)))
    return paths


@pytest.fixture(scope="module")
def settings() -> Any:
    return load_spec(CASES_DIR / "settings.yml")


@pytest.mark.parametrize("case", CASES)
def test_sd_jwt_python_testcase(case: str, settings: Any) -> None:
    if case in OUT_OF_SCOPE:
        pytest.skip(OUT_OF_SCOPE[case])
    spec = load_spec(CASES_DIR / case / "specification.yml")
    issuer_key = PrivateKey.from_jwk(settings["key_settings"]["issuer_keys"][0])
    holder_key = PrivateKey.from_jwk(settings["key_settings"]["holder_key"])
    key_binding = bool(spec.get("key_binding"))
    now = datetime.fromtimestamp(settings["iat"] + 60, UTC)
    user_claims, sd_paths = split_sd(spec["user_claims"])
    registered = {
        "iss": settings["identifiers"]["issuer"],
        "iat": settings["iat"],
        "exp": settings["exp"],
    }
    issued = issue_sd_jwt(
        {**registered, **user_claims},
        issuer_key=issuer_key,
        disclosable=sd_paths,
        holder_jwk=holder_key.public_key.to_jwk() if key_binding else None,
        header=spec.get("extra_header_parameters"),
        decoys=2,
    )
    presented = present_sd_jwt(
        issued,
        disclose=disclosed_paths(spec["holder_disclosed_claims"]),
        holder_key=holder_key if key_binding else None,
        audience=settings["identifiers"]["verifier"],
        nonce=settings["key_binding_nonce"],
        issued_at=now,
    )
    expect = (
        KeyBindingExpectations(
            audience=settings["identifiers"]["verifier"], nonce=settings["key_binding_nonce"]
        )
        if key_binding
        else None
    )
    if case in STRICTER:
        with pytest.raises(MalformedCredentialError, match=STRICTER[case]):
            verify_sd_jwt(presented, issuer_key=issuer_key.public_key, key_binding=expect, now=now)
        return
    result = verify_sd_jwt(
        presented,
        issuer_key=issuer_key.public_key,
        key_binding=expect,
        now=now,
    )
    claims = dict(result.claims)
    if key_binding:
        assert claims.pop("cnf") == {"jwk": holder_key.public_key.to_jwk()}
        assert result.kb_claims is not None
    assert claims == {**registered, **spec["expect_verified_user_claims"]}
    for extra, value in (spec.get("extra_header_parameters") or {}).items():
        assert result.header[extra] == value


def test_yaml_sd_tag_resolves_scalar_types() -> None:
    loaded = parse_yaml("a: [!sd null, !sd 42, !sd 3.14, !sd 'x', !sd True, !sd \"42\"]")
    assert [v.value for v in loaded["a"]] == [None, 42, 3.14, "x", True, "42"]
