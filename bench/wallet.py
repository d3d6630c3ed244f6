"""Wallet storage at scale: 10,000 credentials in one account.

Reports list and search latency (p50, p95), the time to match a DCQL request against the
whole wallet and to build a presentation, and the memory used. Credentials are distinct
signed OB 3.0 credentials (eddsa-jcs-2022 and SD-JWT VC), stored through the wallet's own
encrypted storage on SQLite; one of each is fully verified first, the rest are summarised from
their decoded form (the bench measures storage, not verification).

Run: ``.venv/bin/python bench/wallet.py [--n 10000] [--runs 30]``.
"""

from __future__ import annotations

import sys
from pathlib import Path

# this file is bench/wallet.py: keep its folder from shadowing the ``wallet`` package
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).parent.resolve():
    sys.path.pop(0)

import argparse
import copy
import json
import resource
import statistics
import tempfile
import time
from collections.abc import Callable
from typing import Any

from shared.did import did_jwk_from_public, did_key_from_public, verification_method_id
from shared.keys import PrivateKey
from shared.proofs.data_integrity import JCS, add_proof
from shared.proofs.sd_jwt_vc import issue_ob3_sd_jwt_vc
from shared.verify.credential import verify_credential
from shared.verify.report import VerificationReport
from wallet.main import open_resources
from wallet.service import accounts, dcql_matching, identities, presentation_formats, storage
from wallet.settings import WalletSettings

TEMPLATE = json.loads(
    (Path(__file__).parents[1] / "tests/data/peers/ob3-credential.unsigned.json").read_text()
)
WORDS = [
    "bénévole",
    "trésorier",
    "animateur",
    "développeuse",
    "chef",
    "orchestre",
    "jardin",
    "cuisine",
]


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def timed(fn: Callable[[], Any], runs: int) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return percentiles(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    issuer = PrivateKey.generate("Ed25519")
    issuer_did = did_key_from_public(issuer.public_key)
    kid = verification_method_id(issuer_did)
    with tempfile.TemporaryDirectory() as folder:
        settings = WalletSettings(
            database_url=f"sqlite:///{folder}/wallet.db",
            data_dir=folder,
            dev=True,
            argon2_time_cost=1,
            argon2_memory_kib=64,
        )
        with open_resources(settings) as res:
            with res.sessions.begin() as session:
                who = accounts.create_account(
                    session, res.hasher, "bench@example.org", "benchmark!"
                ).who
                holder_row = identities.create_identity(session, who)
                holder = identities.holder_key(who, holder_row)
            subject = did_jwk_from_public(holder.key.public_key)

            start = time.perf_counter()
            with res.sessions.begin() as session:
                for i in range(args.n):
                    doc = copy.deepcopy(TEMPLATE)
                    doc["id"] = f"urn:uuid:00000000-0000-4000-8000-{i:012d}"
                    doc["issuer"]["id"] = issuer_did
                    doc["credentialSubject"]["id"] = subject
                    doc["credentialSubject"]["achievement"]["name"] = f"{WORDS[i % len(WORDS)]} {i}"
                    if i % 10 == 0:
                        raw = issue_ob3_sd_jwt_vc(
                            doc,
                            issuer_key=issuer,
                            kid=kid,
                            holder_jwk=holder.key.public_key.to_jwk(),
                        )
                        fmt = "dc+sd-jwt"
                    else:
                        raw = json.dumps(add_proof(doc, issuer.sign, kid, cryptosuite=JCS))
                        fmt = "ldp_vc"
                    if i < 2 or i == 10:
                        report = verify_credential(raw)
                        assert report.verified, report.to_json()
                        claims = report.credential
                    else:
                        report = VerificationReport(
                            format=fmt, credential=doc, issuer=issuer_did, subject=subject
                        )
                        claims = doc if fmt == "ldp_vc" else report.credential
                    summary = storage.summarize(
                        report,
                        sphere=["work", "association", "personal"][i % 3],
                        tags=[WORDS[(i + 3) % len(WORDS)]],
                        source="bench",
                        holder_identity=holder_row.id,
                    )
                    storage.store_credential(
                        session, who, raw=raw, fmt=fmt, summary=summary, claims=claims
                    )
            store_s = time.perf_counter() - start

            def page() -> None:
                with res.sessions() as s:
                    assert len(storage.list_credentials(s, who, limit=50)) == 50

            def full() -> None:
                with res.sessions() as s:
                    assert len(storage.list_credentials(s, who)) == args.n

            def search() -> None:
                with res.sessions() as s:
                    storage.list_credentials(s, who, query="trésorier 4", limit=50)

            def sphere() -> None:
                with res.sessions() as s:
                    storage.list_credentials(s, who, sphere="association", limit=50)

            query = {
                "credentials": [
                    {
                        "id": "b",
                        "format": "dc+sd-jwt",
                        "meta": {
                            "vct_values": [
                                "https://purl.imsglobal.org/spec/ob/v3p0#OpenBadgeCredential"
                            ]
                        },
                        "claims": [{"path": ["achievement", "name"]}],
                    }
                ]
            }

            def match() -> None:
                with res.sessions() as s:
                    found = dcql_matching.match_request(s, who, {"dcql_query": query})
                    assert found["satisfied"]

            with res.sessions() as s:
                sd_view = storage.list_credentials(
                    s, who, fmt="dc+sd-jwt", limit=1, with_content=True
                )[0]
                di_view = storage.list_credentials(
                    s, who, fmt="ldp_vc", limit=1, with_content=True
                )[0]

            def build(view: storage.CredentialView) -> Callable[[], None]:
                def run() -> None:
                    with res.sessions() as s:
                        presentation_formats.build_presentation(
                            s,
                            who,
                            view,
                            client_id="redirect_uri:https://v.example/cb",
                            nonce="n",
                            disclose=[("achievement", "name")],
                        )

                return run

            runs = args.runs
            results = {
                "credentials": args.n,
                "store_total_s": round(store_s, 1),
                "list_page50_ms_p50_p95": timed(page, runs),
                "list_all_ms_p50_p95": timed(full, max(5, runs // 3)),
                "search_ms_p50_p95": timed(search, runs),
                "sphere_filter_ms_p50_p95": timed(sphere, runs),
                "dcql_match_whole_wallet_ms_p50_p95": timed(match, max(5, runs // 3)),
                "build_sd_jwt_kb_ms_p50_p95": timed(build(sd_view), runs),
                "build_di_vp_rdfc_ms_p50_p95": timed(build(di_view), max(5, runs // 3)),
            }
            results["max_rss_mb"] = round(
                resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
            )
            results["db_size_mb"] = round(Path(folder, "wallet.db").stat().st_size / 1e6, 1)
    for key, value in results.items():
        if isinstance(value, tuple):
            print(f"{key:38s} p50 {value[0]:8.1f}   p95 {value[1]:8.1f}")
        else:
            print(f"{key:38s} {value}")


if __name__ == "__main__":
    main()
