"""The command line the W3C VC-JOSE-COSE test suite drives in each implementation's image.

    issue|verify --input FILE --key FILE --feature FEATURE [--sd JSON] --output FILE

``--key`` is a verification method (``JsonWebKey``) with ``publicKeyJwk`` and, for issuing,
``secretKeyJwk``. The output file is ``{"result": "success" | "failure" | "error", "data"}``:
``success`` with the token issued or the credential verified, ``failure`` when Musette refuses
(the reason in ``data``), ``error`` when it cannot take the input at all (an unsupported key
curve or feature). Musette secures credentials and presentations with JOSE (``vc+jwt``,
``vp+jwt``); it offers no COSE and no VC-JOSE-COSE SD-JWT (its SD-JWT is SD-JWT VC,
``dc+sd-jwt``), so those features answer ``error``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from shared.did.document import VerificationMethod
from shared.errors import VcError
from shared.keys.keypair import PrivateKey, PublicKey
from shared.proofs.vc_jwt import sign_vc_jwt, sign_vp_jwt
from shared.verify import verify_jwt_credential, verify_jwt_presentation
from shared.verify.context import VerifyContext

SUPPORTED = {"credential_jose", "presentation_jose"}


def _method(vm: dict[str, Any]) -> VerificationMethod:
    return VerificationMethod(
        vm["id"], vm["type"], vm["controller"], PublicKey.from_jwk(vm["publicKeyJwk"])
    )


def _issue(feature: str, document: dict[str, Any], vm: dict[str, Any]) -> dict[str, Any]:
    key = PrivateKey.from_jwk(vm["secretKeyJwk"])
    if feature == "credential_jose":
        token = sign_vc_jwt(document, key, vm["id"], profile="vc+jwt")
    else:
        token = sign_vp_jwt(document, key, vm["id"], profile="vp+jwt")
    return {"result": "success", "data": token}


def _verify(feature: str, token: str, vm: dict[str, Any]) -> dict[str, Any]:
    keys = [_method(vm)]
    ctx = VerifyContext()
    if feature == "credential_jose":
        report = verify_jwt_credential(token, ctx, keys=keys)
    else:
        report = verify_jwt_presentation(token, ctx, keys=keys)
    failed = [f"{c.name}: {c.reason}" for c in report.checks if c.status.value == "failed"]
    if report.verified:
        return {"result": "success", "data": json.dumps(report.to_json())}
    return {"result": "failure", "data": "; ".join(failed) or "not verified"}


def run(args: argparse.Namespace) -> dict[str, Any]:
    """The result object for one call of the suite."""
    if args.feature not in SUPPORTED:
        return {"result": "error", "data": f"Musette does not offer {args.feature}"}
    vm = json.loads(Path(args.key).read_text())
    text = Path(args.input).read_text()
    try:
        if args.fn == "issue":
            return _issue(args.feature, json.loads(text), vm)
        return _verify(args.feature, text.strip(), vm)
    except VcError as err:
        # a refusal of the input (a rule it breaks, a key type Musette does not sign with)
        return {"result": "failure", "data": f"{type(err).__name__}: {err.detail}"}


def main(argv: list[str] | None = None) -> int:
    """Parse the suite's arguments, write the result file; exit 0 once it is written."""
    parser = argparse.ArgumentParser(prog="musette-vc-jose-cose")
    parser.add_argument("fn", choices=["issue", "verify"])
    parser.add_argument("--input", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--feature", required=True)
    parser.add_argument("--sd", help="disclosure paths (SD-JWT only; not offered)")
    parser.add_argument("--output", required=True)
    args = parser.parse_args(argv)
    try:
        result = run(args)
    except (OSError, ValueError, KeyError, TypeError) as err:
        result = {"result": "error", "data": f"{type(err).__name__}: {err}"}
    Path(args.output).write_text(json.dumps(result) + "\n")
    sys.stdout.write(json.dumps({"result": result["result"]}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
