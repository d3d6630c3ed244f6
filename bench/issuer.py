"""Issuer throughput, in process: credentials/s through the OpenID4VCI credential endpoint
per format (each request after its own token and nonce, which are not timed), and status
list requests/s (the signed list is cached per version, as in production).

Run: ``.venv/bin/python bench/issuer.py [--n 200]`` (SQLite in a temporary folder).
"""

from __future__ import annotations

import argparse
import base64
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

ORG = "demo-association"
FORMATS = {
    "ldp_vc": "volunteer_ldp_vc",
    "jwt_vc_json": "volunteer_jwt_vc_json",
    "dc+sd-jwt": "volunteer_sd_jwt",
}


def main() -> None:
    # this file is bench/issuer.py: keep its folder from shadowing the issuer package
    here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != here]
    from fastapi.testclient import TestClient

    from issuer.demo import seed_demo
    from issuer.main import create_app
    from issuer.schemas import OfferIn
    from issuer.service.oid4vci import create_offer
    from issuer.service.orgs import get_org
    from issuer.settings import IssuerSettings
    from shared.keys import PrivateKey
    from shared.protocols.oid4vci import PRE_AUTHORIZED_GRANT, build_proof_jwt

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=200, help="credentials per format")
    parser.add_argument("--status-requests", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = "http://bench.test"
        settings = IssuerSettings(
            database_url=f"sqlite:///{Path(tmp) / 'issuer.db'}",
            data_dir=tmp,
            master_secret=base64.urlsafe_b64encode(b"b" * 32).decode(),
            base_url=base,
            dev=True,
        )
        seed_demo(settings)
        app = create_app(settings)
        res = app.state.resources
        org_base = f"{base}/orgs/{ORG}"
        key = PrivateKey.generate()
        with TestClient(app) as client:
            status_url = None
            for fmt, config_id in FORMATS.items():
                prepared = []
                for _ in range(args.n):
                    with res.sessions.begin() as session:
                        offer = create_offer(
                            session,
                            settings,
                            res.master_secret,
                            get_org(session, ORG),
                            org_base,
                            OfferIn.model_validate(
                                {
                                    "achievement": "volunteer",
                                    "recipient": {"name": "B"},
                                    "formats": [fmt],
                                }
                            ),
                            actor="bench",
                            now=res.clock(),
                        )
                    uri = parse_qs(urlsplit(offer.offer_uri).query)["credential_offer_uri"][0]
                    doc = client.get(urlsplit(uri).path).json()
                    code = doc["grants"][PRE_AUTHORIZED_GRANT]["pre-authorized_code"]
                    token = client.post(
                        f"/orgs/{ORG}/token",
                        data={"grant_type": PRE_AUTHORIZED_GRANT, "pre-authorized_code": code},
                    ).json()["access_token"]
                    nonce = client.post(f"/orgs/{ORG}/nonce").json()["c_nonce"]
                    proof = build_proof_jwt(
                        key, audience=org_base, nonce=nonce, issued_at=res.clock()
                    )
                    prepared.append((token, proof))
                start = time.perf_counter()
                for token, proof in prepared:
                    response = client.post(
                        f"/orgs/{ORG}/credential",
                        json={"credential_configuration_id": config_id, "proofs": {"jwt": [proof]}},
                        headers={"Authorization": f"Bearer {token}"},
                    )
                    if response.status_code != 200:
                        raise SystemExit(response.text)
                elapsed = time.perf_counter() - start
                print(f"credential endpoint {fmt:12s} {args.n / elapsed:8.1f} credentials/s")
                if status_url is None and fmt == "ldp_vc":
                    credential = response.json()["credentials"][0]["credential"]
                    status_url = urlsplit(
                        credential["credentialStatus"]["statusListCredential"]
                    ).path
            assert status_url is not None
            client.get(status_url)  # sign once for this version
            start = time.perf_counter()
            for _ in range(args.status_requests):
                client.get(status_url)
            elapsed = time.perf_counter() - start
            print(f"status list GET              {args.status_requests / elapsed:8.1f} requests/s")


if __name__ == "__main__":
    main()
