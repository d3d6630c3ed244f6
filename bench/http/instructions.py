"""Instructions per plain ``POST /verifications``, counted by valgrind (callgrind).

On a small machine shared with others, CPU time per answer moves by 20 % or more from one
minute to the next, so a change worth 5 % cannot be seen with wrk. The number of
instructions the verifier's process runs for one answer does not depend on the machine's
load: this drives the verifier's ASGI app in process (``musette serve``'s app, its JSON
request log written to a file; no sockets, so no uvicorn and no kernel), with callgrind's
counting switched on only around ``--requests`` answers, and prints thousands of
instructions (kIr) per answer. Compare two trees with it (``ROOT``); the signature's share
is libsodium's (``crypto_sign_open``), as ``callgrind_annotate`` on the kept file shows.

    PYTHONPATH=. python bench/http/instructions.py [--kind jwt|rdfc] [--requests 200]

Needs ``valgrind`` (Debian package); about half a minute.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging.config
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def _body(kind: str) -> tuple[bytes, bytes]:
    from shared.proofs.data_integrity import RDFC
    from tests.unit.verifier.builders import badge, ldp_vc, vc_jwt

    if kind == "rdfc":
        return json.dumps(ldp_vc(badge(), suite=RDFC)).encode(), b"application/json"
    return vc_jwt(badge(), profile="vc+jwt").encode(), b"application/vc+jwt"


def child(kind: str, requests: int) -> None:
    """Build the app as ``musette serve`` does, warm it, then answer ``requests`` requests
    between two lines on stdout (READY, DONE) that the parent answers on stdin."""
    sys.path.insert(0, str(HERE))
    import run  # bench/http/run.py

    from musette.serve import build_app
    from servicekit.logs import logging_config

    tmp = Path(tempfile.mkdtemp(prefix="musette-instructions-"))
    os.environ.update(run.prepare_verifier(tmp, f"sqlite:///{tmp}/v.db", 9999))
    config = logging_config("INFO")
    log = str(tmp / "log.jsonl")
    config["handlers"]["stderr"] = {"class": "logging.FileHandler", "formatter": "json"}
    config["handlers"]["stderr"]["filename"] = log
    logging.config.dictConfig(config)
    app = build_app("verifier")
    body, kind_header = _body(kind)
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "server": ("127.0.0.1", 9999),
        "client": ("127.0.0.1", 50000),
        "scheme": "http",
        "method": "POST",
        "root_path": "",
        "path": "/verifications",
        "raw_path": b"/verifications",
        "query_string": b"",
        "headers": [
            (b"host", b"127.0.0.1:9999"),
            (b"content-type", kind_header),
            (b"content-length", str(len(body)).encode()),
        ],
    }
    statuses: list[int] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    async def answer(count: int) -> None:
        for _ in range(count):
            await app({**scope, "state": {}}, receive, send)

    async def main() -> None:
        startup: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        sent: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        await startup.put({"type": "lifespan.startup"})
        life = asyncio.create_task(
            app(
                {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, startup.get, sent.put
            )
        )
        await sent.get()
        await answer(300)  # the purge turn, memos, caches
        print("READY", flush=True)
        sys.stdin.readline()
        await answer(requests)
        print("DONE", flush=True)
        sys.stdin.readline()
        await startup.put({"type": "lifespan.shutdown"})
        await life

    asyncio.run(main())
    if set(statuses) != {200}:
        raise SystemExit(f"unexpected statuses {sorted(set(statuses))}")


def measure(kind: str, requests: int) -> float:
    """kIr per answer (callgrind's totals over the ``requests`` answers)."""
    handle, name = tempfile.mkstemp(prefix=f"callgrind.{kind}.")
    os.close(handle)
    out = Path(name)
    command = ["valgrind", "--tool=callgrind", "--instr-atstart=no"]
    command += [f"--callgrind-out-file={out}", sys.executable, __file__, "--child"]
    command += ["--kind", kind, "--requests", str(requests)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(  # noqa: S603 (our own command)
        command,
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdin is not None
    assert proc.stdout is not None
    for word, switch in (("READY", "on"), ("DONE", "off")):
        for line in proc.stdout:
            if line.strip() == word:
                break
        else:
            raise SystemExit(f"the verifier stopped before {word}")
        control = ["callgrind_control", "-i", switch, str(proc.pid)]
        subprocess.run(control, check=True, capture_output=True)  # noqa: S603
        proc.stdin.write("\n")
        proc.stdin.flush()
    if proc.wait() != 0:
        raise SystemExit("the verifier failed")
    totals = [line for line in out.read_text().splitlines() if line.startswith("totals:")]
    print(f"callgrind output kept in {out}", file=sys.stderr)
    return int(totals[-1].split()[1]) / requests / 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kind", choices=("jwt", "rdfc"), default="jwt")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.kind, args.requests)
        return
    kir = measure(args.kind, args.requests)
    print(f"{args.kind}: {kir:.1f} kIr per POST /verifications (in process, no sockets)")


if __name__ == "__main__":
    main()
