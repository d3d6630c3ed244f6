"""Musette's services over HTTP against minimal Node servers, in the same run.

    .venv/bin/python bench/http/run.py [--seconds 10] [--rounds 2] [--connections 32]
                                       [--workers 1,2] [--postgres URL]

Each service runs as in production: ``musette serve <service> --workers N`` (its uvicorn
settings, its JSON request log at INFO, written to a file in the run's folder as a log
collector would read it; rate limits off, so the load generator's one address is not
throttled); the
Node anchors run as many processes with Node's ``cluster`` (``jose_server.mjs`` around
``jose``, ``di_server.mjs`` around ``@digitalbazaar/vc``). ``wrk`` drives every HTTP target
over loopback; the OpenID4VCI exchange is driven by ``oid4vci_client.mjs`` (offer, token,
nonce, credential, many exchanges at once). Python and Node take turns, round after round,
so both see the same load from the rest of the machine; each figure is the median of the
rounds. The credentials carry no ``credentialStatus`` (the Node stack cannot check one), the
issuer key is a did:key (no fetch): both sides verify the same bytes.

With ``--postgres``, the issuer and the verifier each get a schema of that database
(``bench_issuer``, ``bench_verifier``, dropped first); without it, SQLite files.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(ROOT))

from bench.http.cpu_quota import CpuQuota, cpu_quota_root  # noqa: E402 (after the path)
from bench.http.cpu_time import group_cpu_seconds  # noqa: E402

PYTHON = sys.executable
ORG = "demo-association"
#: the issuer's master secret for the whole run (its keys stay readable from one worker
#: count to the next)
SECRET = base64.urlsafe_b64encode(os.urandom(32)).decode()


@dataclass
class Result:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    #: the server's CPU time per answer (all its processes and threads), when measured
    cpu_us: float | None = None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(url: str, proc: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server for {url} exited with {proc.returncode}")
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 (loopback)
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer in {seconds} s")


@contextmanager
def serving(
    cmd: list[str],
    env: dict[str, str],
    probe: str,
    log: Path | None = None,
    quota: CpuQuota | None = None,
) -> Iterator[int]:
    """``cmd`` running until the block ends (yields its process group, for
    :func:`group_cpu_seconds`); its stderr (the JSON logs) to ``log`` if given, in the cgroup
    ``quota`` if given."""
    with open(log, "wb") if log else contextlib.nullcontext() as stderr:
        proc = subprocess.Popen(  # noqa: S603 (our own commands)
            cmd,
            env={**os.environ, **env},
            cwd=ROOT,
            start_new_session=True,
            stderr=stderr,
            preexec_fn=None if quota is None else quota.enter,
        )
        try:
            wait_ready(probe, proc)
            yield proc.pid  # start_new_session: the process group's id is the leader's pid
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            if quota is not None:
                quota.remove()


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    found = re.fullmatch(r"([\d.]+)(us|ms|s)", text)
    if found is None:
        raise ValueError(text)
    return float(found.group(1)) * _UNITS[found.group(2)]


def wrk(url: str, lua: Path, connections: int, seconds: float, pgid: int | None = None) -> Result:
    """One ``wrk`` run; with ``pgid``, the CPU time that server group spent per answer."""
    before = None if pgid is None else group_cpu_seconds(pgid)
    out = subprocess.run(  # noqa: S603
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds:.0f}s", "--latency", "-s", str(lua), url],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"\s50%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"\s99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(bad.group(1)) if bad else 0) + (sum(map(int, sock.groups())) if sock else 0)
    answered = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    return Result(rps, p50, p99, errors, _cpu_per(pgid, before, answered))


def _cpu_per(pgid: int | None, before: float | None, answers: int) -> float | None:
    """Microseconds of the group's CPU per answer since ``before``."""
    after = None if pgid is None else group_cpu_seconds(pgid)
    if before is None or after is None or answers <= 0:
        return None
    return (after - before) / answers * 1e6


def lua_script(path: Path, method: str, headers: dict[str, str], body: str | None) -> Path:
    lines = [f'wrk.method = "{method}"']
    lines += [f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}" for k, v in headers.items()]
    if body is not None:
        lines.append(f"wrk.body = {json.dumps(body)}")
    path.write_text("\n".join(lines) + "\n")
    return path


def post(url: str, body: bytes, kind: str) -> dict[str, Any]:
    req = urllib.request.Request(url, data=body, headers={"content-type": kind}, method="POST")  # noqa: S310
    with urllib.request.urlopen(req, timeout=30) as resp:  # noqa: S310
        return dict(json.loads(resp.read()))


def db_urls(tmp: Path, postgres: str | None) -> dict[str, str]:
    if postgres is None:
        return {s: f"sqlite:///{tmp / s / f'{s}.db'}" for s in ("issuer", "verifier")}
    from sqlalchemy import create_engine, text

    engine = create_engine(postgres)
    with engine.begin() as conn:
        for service in ("issuer", "verifier"):
            conn.execute(text(f"DROP SCHEMA IF EXISTS bench_{service} CASCADE"))
            conn.execute(text(f"CREATE SCHEMA bench_{service}"))
    engine.dispose()
    joiner = "&" if "?" in postgres else "?"
    return {
        s: f"{postgres}{joiner}options={quote(f'-csearch_path=bench_{s}')}"
        for s in ("issuer", "verifier")
    }


def prepare_verifier(tmp: Path, url: str, port: int) -> dict[str, str]:
    from fastapi.testclient import TestClient

    from verifier.main import create_app
    from verifier.settings import VerifierSettings

    data = tmp / "verifier"
    data.mkdir(exist_ok=True)
    env = {
        "MUSETTE_VERIFIER_DATABASE_URL": url,
        "MUSETTE_VERIFIER_DATA_DIR": str(data),
        "MUSETTE_VERIFIER_BASE_URL": f"http://127.0.0.1:{port}",
        "MUSETTE_VERIFIER_DEV": "true",
        "MUSETTE_VERIFIER_RATE_LIMIT_VERIFICATIONS": "off",
    }
    settings = VerifierSettings(
        database_url=url, data_dir=str(data), base_url=env["MUSETTE_VERIFIER_BASE_URL"], dev=True
    )
    with TestClient(create_app(settings)):
        pass  # migrations and the master key, once, before the workers start
    return {**env, "MUSETTE_VERIFIER_MIGRATE": "false"}


def prepare_issuer(tmp: Path, url: str, port: int) -> tuple[dict[str, str], Any]:
    """Migrate and seed the issuer (its environment for the workers, and its settings)."""
    from issuer.demo import seed_demo
    from issuer.settings import IssuerSettings

    data = tmp / "issuer"
    data.mkdir(exist_ok=True)
    public = f"http://127.0.0.1:{port}"
    secret = SECRET
    env = {
        "MUSETTE_ISSUER_DATABASE_URL": url,
        "MUSETTE_ISSUER_DATA_DIR": str(data),
        "MUSETTE_ISSUER_BASE_URL": public,
        "MUSETTE_ISSUER_MASTER_SECRET": secret,
        "MUSETTE_ISSUER_DEV": "true",
        "MUSETTE_ISSUER_RATE_LIMIT_TOKEN": "off",
        "MUSETTE_ISSUER_RATE_LIMIT_TX_CODE": "off",
    }
    settings = IssuerSettings(
        database_url=url, data_dir=str(data), base_url=public, master_secret=secret, dev=True
    )
    seed_demo(settings)
    return {**env, "MUSETTE_ISSUER_MIGRATE": "false"}, settings


def make_offers(tmp: Path, settings: Any, offers: int) -> Path:
    """``offers`` fresh pre-authorized offers (their URIs, one a line) for the client."""
    from issuer.main import open_resources
    from issuer.schemas import OfferIn
    from issuer.service.oid4vci import create_offer
    from issuer.service.orgs import get_org

    res = open_resources(settings.model_copy(update={"migrate": False}))
    uris = []
    try:
        with res.sessions.begin() as session:
            org = get_org(session, ORG)
            for _ in range(offers):
                offer = create_offer(
                    session,
                    settings,
                    res.master_secret,
                    org,
                    f"{settings.base_url}/orgs/{ORG}",
                    OfferIn.model_validate(
                        {
                            "achievement": "volunteer",
                            "recipient": {"name": "B"},
                            "formats": ["jwt_vc_json"],
                        }
                    ),
                    actor="bench",
                    now=res.clock(),
                )
                uris.append(parse_qs(urlsplit(offer.offer_uri).query)["credential_offer_uri"][0])
    finally:
        res.dispose()
    listing = tmp / "offers.txt"
    listing.write_text("\n".join(uris) + "\n")
    return listing


def musette_serve(service: str, port: int, workers: int) -> list[str]:
    """``musette serve``: the production command (musette/serve.py), nothing bench-only."""
    return [
        PYTHON,
        "-m",
        "musette.cli",
        "serve",
        service,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]


def median(results: list[Result]) -> Result:
    return Result(
        statistics.median(r.rps for r in results),
        statistics.median(r.p50_ms for r in results),
        statistics.median(r.p99_ms for r in results),
        sum(r.errors for r in results),
        _median_or_none([r.cpu_us for r in results]),
    )


def _median_or_none(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return statistics.median(known) if known else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--offers", type=int, default=3000, help="per round and worker count")
    parser.add_argument("--postgres", default=None)
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    parser.add_argument(
        "--only",
        default=None,
        help="a comma-separated subset of: jose, vc+jwt, digitalbazaar, eddsa-rdfc-2022, "
        "status 304, issuance (a short run of the one scenario being changed)",
    )
    parser.add_argument(
        "--cpu-per-worker",
        type=float,
        default=None,
        help="run each server under test (ours and Node's) in a cgroup limited to workers times "
        "this many CPUs, so two workers get twice the CPU of one whatever else runs "
        "(bench/http/cpu_quota.py; needs root)",
    )
    args = parser.parse_args()
    root = None if args.cpu_per_worker is None else cpu_quota_root()
    if args.cpu_per_worker is not None and root is None:
        raise SystemExit("--cpu-per-worker needs a writable cgroup cpu controller (run as root)")

    def quota(name: str, workers: int) -> CpuQuota | None:
        if root is None or args.cpu_per_worker is None:
            return None
        group = f"musette-bench-{os.getpid()}-{name}-{workers}w"
        return CpuQuota.make(root, group, args.cpu_per_worker * workers)

    only = None if args.only is None else set(args.only.split(","))
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed (apt-get install wrk)")
    if not (HERE / "node_modules").exists():
        (HERE / "node_modules").symlink_to(Path("../../tests/interop/node_modules"))

    from shared.proofs.data_integrity import RDFC
    from tests.unit.verifier.builders import ISSUER, badge, ldp_vc, vc_jwt

    credential = badge()
    token = vc_jwt(credential, profile="vc+jwt")
    rdfc = json.dumps(ldp_vc(credential, suite=RDFC))
    figures: dict[str, dict[int, Result]] = {}

    def record(name: str, workers: int, runs: list[Result]) -> None:
        figures.setdefault(name, {})[workers] = median(runs)

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        jwk = tmp / "issuer.jwk"
        jwk.write_text(json.dumps(ISSUER.public_key.to_jwk()))
        urls = db_urls(tmp, args.postgres)
        jwt_lua = lua_script(tmp / "jwt.lua", "POST", {"Content-Type": "application/vc+jwt"}, token)
        di_lua = lua_script(tmp / "di.lua", "POST", {"Content-Type": "application/json"}, rdfc)
        ports = {k: free_port() for k in ("verifier", "issuer", "jose", "di")}
        for workers in [int(w) for w in args.workers.split(",")]:
            verifier_env = prepare_verifier(tmp, urls["verifier"], ports["verifier"])
            issuer_env, issuer_settings = prepare_issuer(tmp, urls["issuer"], ports["issuer"])
            v_url = f"http://127.0.0.1:{ports['verifier']}"
            i_url = f"http://127.0.0.1:{ports['issuer']}"
            node = "node"
            with (
                serving(
                    musette_serve("verifier", ports["verifier"], workers),
                    verifier_env,
                    f"{v_url}/",
                    tmp / f"verifier-{workers}w.log",
                    quota=quota("verifier", workers),
                ) as v_group,
                serving(
                    musette_serve("issuer", ports["issuer"], workers),
                    issuer_env,
                    f"{i_url}/",
                    tmp / f"issuer-{workers}w.log",
                    quota=quota("issuer", workers),
                ) as i_group,
                serving(
                    [
                        node,
                        str(HERE / "jose_server.mjs"),
                        str(ports["jose"]),
                        str(workers),
                        str(jwk),
                    ],
                    {},
                    f"http://127.0.0.1:{ports['jose']}/",
                    quota=quota("jose", workers),
                ) as jose_group,
                serving(
                    [node, str(HERE / "di_server.mjs"), str(ports["di"]), str(workers)],
                    {},
                    f"http://127.0.0.1:{ports['di']}/",
                    quota=quota("di", workers),
                ) as di_group,
            ):
                # the same verdict on both sides before any timing
                assert post(f"{v_url}/verifications", token.encode(), "application/vc+jwt")[
                    "verified"
                ]
                assert post(f"http://127.0.0.1:{ports['jose']}/", token.encode(), "text/plain")[
                    "verified"
                ]
                assert post(f"{v_url}/verifications", rdfc.encode(), "application/json")["verified"]
                assert post(f"http://127.0.0.1:{ports['di']}/", rdfc.encode(), "application/json")[
                    "verified"
                ]
                _issue(make_offers(tmp, issuer_settings, 20), 4)  # allocates the status list
                status_path = _status_path(i_url)
                etag = urllib.request.urlopen(f"{i_url}{status_path}").headers["etag"]  # noqa: S310
                status_lua = lua_script(tmp / "status.lua", "GET", {"If-None-Match": etag}, None)
                runs: dict[str, list[Result]] = {}
                jose_url = f"http://127.0.0.1:{ports['jose']}/"
                di_url = f"http://127.0.0.1:{ports['di']}/"
                pairs: list[tuple[str, str, Path, int]] = [
                    ("jose", jose_url, jwt_lua, jose_group),
                    ("vc+jwt", f"{v_url}/verifications", jwt_lua, v_group),
                    ("digitalbazaar", di_url, di_lua, di_group),
                    ("eddsa-rdfc-2022", f"{v_url}/verifications", di_lua, v_group),
                    ("status 304", f"{i_url}{status_path}", status_lua, i_group),
                ]
                for r in range(args.rounds):
                    # alternate the order: Node first on even rounds, Python first on odd ones
                    order = (
                        pairs if r % 2 == 0 else [pairs[1], pairs[0], pairs[3], pairs[2], pairs[4]]
                    )
                    for name, url, lua, group in order:
                        if only is not None and name not in only:
                            continue
                        runs.setdefault(name, []).append(
                            wrk(url, lua, args.connections, args.seconds, group)
                        )
                        print(f"  {workers}w round {r} {name:16s} {runs[name][-1]}", flush=True)
                    if only is not None and "issuance" not in only:
                        continue
                    listing = make_offers(tmp, issuer_settings, args.offers)
                    runs.setdefault("issuance", []).append(
                        _issue(listing, args.connections, i_group)
                    )
                    print(
                        f"  {workers}w round {r} issuance         {runs['issuance'][-1]}",
                        flush=True,
                    )
                for name, results in runs.items():
                    record(name, workers, results)
    _print(figures, args)
    if args.json is not None:
        args.json.write_text(
            json.dumps(
                {k: {w: vars(r) for w, r in v.items()} for k, v in figures.items()}, indent=1
            )
        )


def _status_path(issuer_url: str) -> str:
    with urllib.request.urlopen(f"{issuer_url}/orgs/{ORG}/status/revocation/1") as resp:  # noqa: S310
        resp.read()
    return f"/orgs/{ORG}/status/revocation/1"


def _issue(listing: Path, concurrency: int, pgid: int | None = None) -> Result:
    """The OpenID4VCI client over every offer of ``listing``; with ``pgid``, the issuer's CPU
    time per credential (PostgreSQL's and the client's not included)."""
    before = None if pgid is None else group_cpu_seconds(pgid)
    out = subprocess.run(  # noqa: S603
        ["node", str(HERE / "oid4vci_client.mjs"), str(listing), str(concurrency)],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
        cwd=HERE,
    ).stdout
    found = json.loads(out)
    cpu = _cpu_per(pgid, before, int(found["n"]))
    return Result(found["rps"], found["p50_ms"], found["p99_ms"], found["errors"], cpu)


def _print(figures: dict[str, dict[int, Result]], args: argparse.Namespace) -> None:
    """The table: throughput, latency, and the server's CPU per answer; "vs Node" compares
    throughputs, "CPU vs Node" the Node server's CPU per answer with ours (above 1: ours
    spends less)."""
    anchors = {"vc+jwt": "jose", "eddsa-rdfc-2022": "digitalbazaar"}
    print(
        f"\n{args.connections} connections, {args.seconds:.0f} s per run, median of {args.rounds} rounds"
    )
    print(
        f"{'target':18} {'workers':>7} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6} "
        f"{'CPU us':>8} {'vs Node':>8} {'CPU vs Node':>11} {'2w/1w':>6}"
    )
    for name, by_workers in figures.items():
        for workers, r in sorted(by_workers.items()):
            node = figures.get(anchors.get(name, ""), {}).get(workers)
            ratio = f"{r.rps / node.rps:.2f}" if node else ""
            cpu_ratio = f"{node.cpu_us / r.cpu_us:.2f}" if node and node.cpu_us and r.cpu_us else ""
            cpu = f"{r.cpu_us:.0f}" if r.cpu_us else ""
            scale = f"{r.rps / by_workers[1].rps:.2f}" if workers == 2 and 1 in by_workers else ""
            print(
                f"{name:18} {workers:>7} {r.rps:>9.0f} {r.p50_ms:>8.1f} {r.p99_ms:>8.1f} "
                f"{r.errors:>6} {cpu:>8} {ratio:>8} {cpu_ratio:>11} {scale:>6}"
            )


if __name__ == "__main__":
    main()
