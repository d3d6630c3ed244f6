"""Sign and verify a small JWT with pyjwt, jwcrypto and Musette's own compact JWS
(``shared.proofs.jose`` over ``cryptography``), EdDSA and ES256, in the same run.

Each round signs a distinct claims set (its ``jti`` differs) and verifies the token just made,
with the algorithm pinned, taking turns between the three so that the machine's load hits
all alike. Rates are tokens per second (sign + verify); ratios are to pyjwt's rate.
Decision: docs/decisions/jose-libraries.md.

Run: ``.venv/bin/python bench/jose_libraries.py [--n 2000] [--rounds 5]``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

# run as a script, bench/ comes first on sys.path and bench/jwt.py would hide pyjwt
sys.path = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
import jwt  # noqa: E402
from jwcrypto import jwk as jwc_jwk  # noqa: E402
from jwcrypto import jwt as jwc_jwt  # noqa: E402

from shared.keys import PrivateKey  # noqa: E402
from shared.proofs.jose import parse_jws, sign_jws, verify_jws  # noqa: E402

Step = Callable[[dict[str, Any]], dict[str, Any]]


def claims(i: int) -> dict[str, Any]:
    return {"iss": "did:example:issuer", "sub": "did:example:holder", "jti": f"urn:uuid:{i}"}


def musette(key: PrivateKey) -> Step:
    public, alg = key.public_key, key.jws_alg

    def step(payload: dict[str, Any]) -> dict[str, Any]:
        token = sign_jws(payload, key, {"typ": "JWT"})
        jws = parse_jws(token)
        verify_jws(jws, public, algorithms=[alg])
        return jws.payload

    return step


def pyjwt(key: PrivateKey) -> Step:
    private, public, alg = key.key, key.key.public_key(), key.jws_alg

    def step(payload: dict[str, Any]) -> dict[str, Any]:
        token = jwt.encode(payload, private, algorithm=alg)
        return jwt.decode(token, public, algorithms=[alg])  # type: ignore[no-any-return]

    return step


def jwcrypto(key: PrivateKey) -> Step:
    private = jwc_jwk.JWK.from_pyca(key.key)
    public = jwc_jwk.JWK.from_pyca(key.key.public_key())
    alg = key.jws_alg

    def step(payload: dict[str, Any]) -> dict[str, Any]:
        token = jwc_jwt.JWT(header={"alg": alg, "typ": "JWT"}, claims=payload)
        token.make_signed_token(private)
        compact = token.serialize()
        # check_claims=False: the other two check no registered claim either
        checked = jwc_jwt.JWT(jwt=compact, key=public, algs=[alg], check_claims=False)
        return json.loads(checked.claims)  # type: ignore[no-any-return]

    return step


def run(n: int, rounds: int) -> dict[str, dict[str, float]]:
    results: dict[str, dict[str, float]] = {}
    for kind in ("Ed25519", "P-256"):
        key = PrivateKey.generate(kind)
        steps = {"pyjwt": pyjwt(key), "jwcrypto": jwcrypto(key), "musette": musette(key)}
        for name, step in steps.items():  # same answer from each before timing anything
            assert step(claims(-1)) == claims(-1), name
        best = dict.fromkeys(steps, 0.0)
        for r in range(rounds):
            for name, step in steps.items():
                payloads = [claims(r * n + i) for i in range(n)]
                start = time.perf_counter()
                for payload in payloads:
                    step(payload)
                best[name] = max(best[name], n / (time.perf_counter() - start))
        results[key.jws_alg] = best
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=2000, help="tokens per library per round")
    parser.add_argument("--rounds", type=int, default=5, help="best of this many rounds")
    args = parser.parse_args()
    for alg, rates in run(args.n, args.rounds).items():
        base = rates["pyjwt"]
        print(f"{alg}: sign+verify per second (best of {args.rounds} x {args.n})")
        for name, rate in rates.items():
            print(f"  {name:9} {rate:9,.0f}/s  {rate / base:5.2f} x pyjwt")


if __name__ == "__main__":
    main()
