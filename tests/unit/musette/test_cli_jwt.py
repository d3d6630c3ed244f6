"""`musette sign --format jwt_vc_json|vc+jwt|dc+sd-jwt`, `musette present`, `musette verify`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from musette.cli import main
from musette.signing import parse_claim_path
from shared.encoding import b64url_decode
from shared.errors import InvalidInputError
from tests.conftest import load_json

NONCE, AUD = "n-cli-1", "https://verifier.example"


def _new_key(tmp_path: Path, name: str, kind: str = "ed25519") -> tuple[Path, str]:
    out = tmp_path / f"{name}.json"
    assert main(["keys", "new", "--type", kind, "--out", str(out)]) == 0
    return out, json.loads(out.read_text())["controller"]


def _unsigned(tmp_path: Path, subject: str) -> Path:
    doc: dict[str, Any] = load_json("peers", "ob3-credential.unsigned.json")
    doc["credentialSubject"]["id"] = subject
    doc["credentialSubject"]["result"] = [
        {"type": ["Result"], "resultDescription": "urn:rating:score", "value": "4.9"},
        {"type": ["Result"], "resultDescription": "urn:rating:count", "value": "1287"},
    ]
    path = tmp_path / "unsigned.json"
    path.write_text(json.dumps(doc))
    return path


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    capsys.readouterr()
    assert main(list(argv)) == 0, capsys.readouterr().err
    return capsys.readouterr().out.strip()


def _save(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text + "\n")
    return path


def _verify(capsys: pytest.CaptureFixture[str], path: Path, *extra: str) -> tuple[int, Any]:
    capsys.readouterr()
    code = main(["verify", "--json", *extra, str(path)])
    return code, json.loads(capsys.readouterr().out)


@pytest.fixture
def keys(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    return {
        "issuer": _new_key(tmp_path, "issuer"),
        "issuer_p256": _new_key(tmp_path, "issuer-p256", "p256"),
        "holder": _new_key(tmp_path, "holder"),
    }


# ------------------------------------------------------------------ sign


@pytest.mark.parametrize("fmt", ["vc+jwt", "jwt_vc_json"])
@pytest.mark.parametrize("issuer", ["issuer", "issuer_p256"])
def test_sign_jwt_then_verify(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], keys: Any, fmt: str, issuer: str
) -> None:
    key, did = keys[issuer]
    unsigned = _unsigned(tmp_path, keys["holder"][1])
    token = _run(capsys, "sign", "--key", str(key), "--format", fmt, str(unsigned))
    header = json.loads(b64url_decode(token.split(".")[0]))
    assert header["typ"] == ("vc+jwt" if fmt == "vc+jwt" else "JWT")
    assert header["kid"].startswith(did + "#")
    code, report = _verify(capsys, _save(tmp_path, "vc.jwt", token))
    assert code == 0, report
    assert report["format"] == fmt
    assert report["issuer"] == did


def test_sign_sd_jwt_with_disclose_paths_and_cnf(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], keys: Any
) -> None:
    unsigned = _unsigned(tmp_path, keys["holder"][1])
    token = _run(
        capsys,
        "sign",
        "--key",
        str(keys["issuer_p256"][0]),
        "--format",
        "dc+sd-jwt",
        "--holder-key",
        str(keys["holder"][0]),
        "--disclose",
        "credentialSubject.result[*]",
        "--disclose",
        "credentialSubject.result[1].value",
        str(unsigned),
    )
    assert token.endswith("~")
    disclosures = [json.loads(b64url_decode(d)) for d in token.split("~")[1:-1]]
    assert len(disclosures) == 3  # two results, and the count's value inside the second
    payload = json.loads(b64url_decode(token.split("~")[0].split(".")[1]))
    assert payload["cnf"]["jwk"]["kty"] == "OKP"
    assert payload["iss"] == keys["issuer_p256"][1]
    code, report = _verify(capsys, _save(tmp_path, "vc.sdjwt", token))
    assert code == 0, report
    assert report["format"] == "dc+sd-jwt"


def test_sign_refuses_options_that_do_not_apply(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], keys: Any
) -> None:
    unsigned = _unsigned(tmp_path, keys["holder"][1])
    key = str(keys["issuer"][0])
    assert main(["sign", "--key", key, "--format", "vc+jwt", "--disclose", "name", str(unsigned)])
    assert "dc+sd-jwt" in capsys.readouterr().err
    holder = str(keys["holder"][0])
    assert main(["sign", "--key", key, "--format", "vc+jwt", "--holder-key", holder, str(unsigned)])
    assert main(
        ["sign", "--key", key, "--format", "dc+sd-jwt", "--disclose", "nope", str(unsigned)]
    )


# ------------------------------------------------------------------ present


def _sd_jwt(tmp_path: Path, capsys: pytest.CaptureFixture[str], keys: Any) -> Path:
    unsigned = _unsigned(tmp_path, keys["holder"][1])
    token = _run(
        capsys,
        "sign",
        "--key",
        str(keys["issuer"][0]),
        "--format",
        "dc+sd-jwt",
        "--holder-key",
        str(keys["holder"][0]),
        str(unsigned),
    )
    return _save(tmp_path, "badge.sdjwt", token)


def test_present_sd_jwt_shows_the_score_not_the_count(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], keys: Any
) -> None:
    credential = _sd_jwt(tmp_path, capsys, keys)
    shown = _run(
        capsys,
        "present",
        "--holder-key",
        str(keys["holder"][0]),
        "--nonce",
        NONCE,
        "--aud",
        AUD,
        "--disclose",
        "credentialSubject.result[0].value",
        str(credential),
    )
    assert not shown.endswith("~")  # a KB-JWT closes it
    path = _save(tmp_path, "shown.sdjwt", shown)
    code, report = _verify(capsys, path, "--nonce", NONCE, "--aud", AUD)
    assert code == 0, report
    assert report["format"] == "sd-jwt+kb"
    [sub] = report["credentials"]
    results = sub["credential"]["credentialSubject"]["result"]
    assert [r["value"] for r in results] == ["4.9"]
    code, report = _verify(capsys, path, "--nonce", "another", "--aud", AUD)
    assert code == 1
    assert {c["name"] for c in report["checks"] if c["status"] == "failed"} == {"challenge"}


def test_present_sd_jwt_disclose_everything(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], keys: Any
) -> None:
    credential = _sd_jwt(tmp_path, capsys, keys)
    holder = str(keys["holder"][0])
    shown = _run(
        capsys,
        "present",
        "--holder-key",
        holder,
        "--nonce",
        NONCE,
        "--aud",
        AUD,
        "--format",
        "dc+sd-jwt",
        "--disclose",
        "*",
        str(credential),
    )
    code, report = _verify(capsys, _save(tmp_path, "all.sdjwt", shown), "--nonce", NONCE)
    assert code == 0, report
    values = [
        r["value"] for r in report["credentials"][0]["credential"]["credentialSubject"]["result"]
    ]
    assert values == ["4.9", "1287"]


def test_present_sd_jwt_with_another_key_than_cnf_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], keys: Any
) -> None:
    credential = _sd_jwt(tmp_path, capsys, keys)
    other, _ = _new_key(tmp_path, "other")
    shown = _run(
        capsys,
        "present",
        "--holder-key",
        str(other),
        "--nonce",
        NONCE,
        "--aud",
        AUD,
        str(credential),
    )
    code, report = _verify(capsys, _save(tmp_path, "x.sdjwt", shown), "--nonce", NONCE)
    assert code == 1
    failed = {c["name"] for c in report["checks"] if c["status"] == "failed"}
    assert {"proof", "holder_binding"} <= failed


@pytest.mark.parametrize("fmt", ["vp+jwt", "ldp_vp"])
def test_present_jwt_and_di_credentials(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], keys: Any, fmt: str
) -> None:
    unsigned = _unsigned(tmp_path, keys["holder"][1])
    issuer = str(keys["issuer"][0])
    jwt = _run(capsys, "sign", "--key", issuer, "--format", "vc+jwt", str(unsigned))
    di = _run(capsys, "sign", "--key", issuer, "--format", "ldp_vc", str(unsigned))
    sd = _sd_jwt(tmp_path, capsys, keys)
    files = [_save(tmp_path, "a.jwt", jwt), _save(tmp_path, "b.json", di), sd]
    shown = _run(
        capsys,
        "present",
        "--holder-key",
        str(keys["holder"][0]),
        "--nonce",
        NONCE,
        "--aud",
        AUD,
        "--format",
        fmt,
        *map(str, files),
    )
    path = _save(tmp_path, "vp.out", shown)
    code, report = _verify(capsys, path, "--nonce", NONCE, "--aud", AUD)
    assert code == 0, report
    assert report["format"] == fmt
    assert [s["format"] for s in report["credentials"]] == ["vc+jwt", "ldp_vc", "dc+sd-jwt"]
    assert _verify(capsys, path, "--nonce", "replayed", "--aud", AUD)[0] == 1


def test_present_refuses_sd_jwt_format_for_several_credentials(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], keys: Any
) -> None:
    sd = str(_sd_jwt(tmp_path, capsys, keys))
    holder = str(keys["holder"][0])
    argv = ["present", "--holder-key", holder, "--nonce", NONCE, "--aud", AUD]
    assert main([*argv, "--format", "dc+sd-jwt", sd, sd]) == 2
    assert main([*argv, "--format", "vp+jwt", "--disclose", "name", sd]) == 2


# ------------------------------------------------------------------ claim paths


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ("name", ("name",)),
        ("credentialSubject.result[0].value", ("credentialSubject", "result", 0, "value")),
        ("credentialSubject.result[*]", ("credentialSubject", "result", None)),
        ("evidence[]", ("evidence", None)),
        ("credentialSubject.achievement.name", ("achievement", "name")),
        ("a[1][2].b", ("a", 1, 2, "b")),
    ],
)
def test_parse_claim_path(text: str, path: tuple[Any, ...]) -> None:
    assert parse_claim_path(text) == path


@pytest.mark.parametrize("text", ["", "a..b", ".a", "a.", "[0]", "a[x]", "a]b", "a[0]b"])
def test_parse_claim_path_refuses(text: str) -> None:
    with pytest.raises(InvalidInputError):
        parse_claim_path(text)
