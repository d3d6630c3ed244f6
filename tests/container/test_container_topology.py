"""The image and docker/compose.yaml, run for real with podman (``make container-test``).

Skipped unless ``MUSETTE_CONTAINER_TEST=1`` (``make test`` and CI never build images): the
images must have been built first (docker/local/container-test.sh does both).

1. The topology of docker/compose.yaml as written (bridge network, production mode): two
   instances of each service, PostgreSQL, the migrate job, Caddy with its own CA, the SMTP
   catcher; every service healthy, each https host answering through the proxy, and the
   issuer's e-mail reaching the catcher through SMTP.
2. The journeys of tests/e2e/test_journeys.py (receive a badge, present it, verify it)
   against the same image and compose file, on the host network (see ``journeys``).
"""

from __future__ import annotations

import datetime
import json
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.container.topology import Topology, podman

pytestmark = pytest.mark.skipif(
    os.environ.get("MUSETTE_CONTAINER_TEST") != "1",
    reason="builds and runs containers: make container-test (MUSETTE_CONTAINER_TEST=1)",
)

ROOT = Path(__file__).resolve().parents[2]
DOCKER = ROOT / "docker"
DOMAIN = "musette.localhost"
SERVICES = ("issuer", "wallet", "verifier")
IMAGE = os.environ.get("MUSETTE_IMAGE", "localhost/musette:dev")
UID = 10001  # the image's user


def _secrets(work: Path) -> Path:
    folder = work / "secrets"
    subprocess.run(
        ["sh", str(DOCKER / "make-secrets.sh")],
        env={**os.environ, "MUSETTE_SECRETS_DIR": str(folder)},
        check=True,
        capture_output=True,
    )
    return folder


def _env(work: Path, https_port: int, **extra: str) -> dict[str, str]:
    return {
        "MUSETTE_IMAGE": IMAGE,
        "MUSETTE_DOMAIN": DOMAIN,
        "POSTGRES_PASSWORD": secrets.token_urlsafe(18),
        "TLS_ISSUER": "internal",
        "HTTP_PORT": str(https_port - 363),
        "HTTPS_PORT": str(https_port),
        "MUSETTE_SECRETS_DIR": str(_secrets(work)),
        # one worker per instance: on a small machine uvicorn's supervisor kills a worker that
        # has not answered its ping within 5 s of spawning (12 workers booting on 2 cores)
        **{f"{s.upper()}_WORKERS": "1" for s in SERVICES},
        **extra,
    }


def curl(url: str, ca: Path, port: int, *extra: str) -> subprocess.CompletedProcess[str]:
    host = url.split("/")[2].split(":")[0]
    return subprocess.run(
        [
            *("curl", "-sS", "--max-time", "10", "--resolve", f"{host}:{port}:127.0.0.1"),
            *("--cacert", str(ca), "-o", "/dev/null", "-w", "%{http_code}", *extra, url),
        ],
        capture_output=True,
        text=True,
        check=False,
    )


# --------------------------------------------------------------------------- 1. as written

BRIDGE_PORT = 28443


@pytest.fixture(scope="module")
def bridge(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Topology, Path]]:
    work = tmp_path_factory.mktemp("bridge")
    topology = Topology(
        [DOCKER / "compose.yaml", DOCKER / "local" / "compose.local.yaml"],
        "musette-ct-bridge",
        _env(work, BRIDGE_PORT),
        profiles={"dev"},
        scale=dict.fromkeys(SERVICES, 2),
    )
    topology.down()
    try:
        topology.up()
        proxy = topology.containers("proxy")[0]
        topology.wait_healthy(proxy, 60)
        ca = work / "caddy-root.pem"
        podman("cp", f"{proxy}:/data/caddy/pki/authorities/local/root.crt", str(ca))
        yield topology, ca
    finally:
        topology.down()


def test_the_migrate_job_ran_once_and_every_instance_is_healthy(
    bridge: tuple[Topology, Path],
) -> None:
    topology, _ = bridge
    [migrate] = topology.containers("migrate")
    assert topology.state(migrate)["ExitCode"] == 0
    for service in (*SERVICES, "postgres", "proxy", "smtp"):
        for container in topology.containers(service):
            done = podman("healthcheck", "run", container, check=False)
            assert done.returncode == 0, (container, done.stdout, done.stderr)
    assert len(topology.containers("verifier")) == 2


def test_the_image_runs_as_its_own_user(bridge: tuple[Topology, Path]) -> None:
    topology, _ = bridge
    for service in SERVICES:
        done = podman("exec", topology.containers(service)[0], "id", "-u")
        assert done.stdout.strip() == str(UID)


def test_each_service_answers_on_its_own_https_host_through_the_proxy(
    bridge: tuple[Topology, Path],
) -> None:
    _, ca = bridge
    for service in SERVICES:
        for path in ("/healthz", "/readyz"):
            url = f"https://{service}.{DOMAIN}:{BRIDGE_PORT}{path}"
            done = curl(url, ca, BRIDGE_PORT)
            assert done.stdout == "200", (url, done.stdout, done.stderr)
    # plain http is redirected to https
    plain = subprocess.run(
        [
            *("curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10"),
            *("--resolve", f"issuer.{DOMAIN}:{BRIDGE_PORT - 363}:127.0.0.1"),
            f"http://issuer.{DOMAIN}:{BRIDGE_PORT - 363}/healthz",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert plain.stdout in ("301", "308"), plain


def test_the_issuer_sends_e_mail_through_the_smtp_catcher(bridge: tuple[Topology, Path]) -> None:
    topology, _ = bridge
    code = (
        "from datetime import UTC, datetime\n"
        "from issuer.settings import IssuerSettings\n"
        "from issuer.service.outbox import OutboxEmail, deliver_email\n"
        "mail = OutboxEmail(to='camille@example.org', subject='container-test',"
        " body='hello', sender='Musette <no-reply@issuer.example>')\n"
        "print(deliver_email(IssuerSettings(), mail, datetime.now(UTC)))\n"
    )
    done = podman("exec", topology.containers("issuer")[0], "python3", "-c", code, check=False)
    assert done.stdout.strip() == "sent", done.stderr
    caught = podman("exec", topology.containers("smtp")[0], "ls", "/var/mail/caught/new")
    assert caught.stdout.split(), "the catcher holds no message"


# --------------------------------------------------------------------------- 2. the journeys

# The services fetch each other by their public names (did:web, status lists, offers,
# requests), and their fetcher refuses private addresses: on a bridge network every
# container address is private, so cross-service journeys need the public names to resolve
# to an address the fetcher accepts. In production that is the public address; here it is
# loopback (accepted in development mode), so the journey topology runs every container on
# the host network, with the same image and compose file (an override sets ports, host names
# and the proxy's certificate).
JOURNEY_PORT = 28444
PORTS = {"issuer": 28101, "wallet": 28102, "verifier": 28103}
PG_PORT = 55439
# the journeys that go only through the services' HTTP interfaces (the others open the
# wallet's database or key files from the test process, which a container keeps to itself)
JOURNEYS = (
    "test_journey1_wallet_receives_the_volunteer_badge",
    "test_journey1_wrong_tx_code_is_refused_and_nothing_is_stored",
    "test_journey2_wallet_presents_to_the_verifier",
    "test_journey2_sd_jwt_reveals_only_the_chosen_claims",
    "test_journey2_encrypted_answer_with_direct_post_jwt",
    "test_a_refusal_reaches_the_recruiter_at_once",
    "test_journey3_a_colleague_endorses_an_experience_and_the_verifier_shows_who",
)


def _certificates(work: Path) -> Path:
    """A CA and a certificate for the three host names; the CA's PEM path."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "musette container-test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), True
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    names = [x509.DNSName(f"{s}.{DOMAIN}") for s in SERVICES]
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"issuer.{DOMAIN}")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    certs = work / "certs"
    certs.mkdir()
    (certs / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    (certs / "cert.pem").write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    (certs / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    os.chmod(certs / "key.pem", 0o644)  # read by the proxy container
    return certs / "ca.pem"


def public(service: str) -> str:
    return f"https://{service}.{DOMAIN}:{JOURNEY_PORT}"


def _demo_settings() -> dict[str, dict[str, str]]:
    """What ``musette up`` gives each service beyond its own URLs, as environment variables."""
    from shared.did import did_web_from_url
    from wallet import DEMO_VERIFIER_NAME

    demos = [f"{public('issuer')}/orgs/{org}" for org in ("demo-association", "demo-platform")]
    trusted = [t for demo in demos for t in (demo, did_web_from_url(demo))]
    known = {
        public("verifier"): DEMO_VERIFIER_NAME,
        did_web_from_url(public("verifier")): DEMO_VERIFIER_NAME,
    }
    limits = {
        f"MUSETTE_{service.upper()}_RATE_LIMIT_{limit}": "10000/minute"
        for service, limit in (
            ("ISSUER", "SIGNIN"),
            ("ISSUER", "TOKEN"),
            ("ISSUER", "TX_CODE"),
            ("WALLET", "SIGNIN"),
            ("WALLET", "LINKS"),
            ("VERIFIER", "SIGNIN"),
            ("VERIFIER", "VERIFICATIONS"),
        )
    }
    return {
        "issuer": limits,
        "wallet": {
            **limits,
            "MUSETTE_WALLET_TRUSTED_ISSUERS": json.dumps(trusted),
            "MUSETTE_WALLET_KNOWN_VERIFIERS": json.dumps(known),
        },
        "verifier": {
            **limits,
            "MUSETTE_VERIFIER_DEMO_ISSUER_BASE_URL": public("issuer"),
            "MUSETTE_VERIFIER_STATUS_REVALIDATE_SECONDS": "0",
        },
    }


def _journey_override(work: Path, base: dict[str, Any], ca: Path) -> Path:
    hosts = [f"{s}.{DOMAIN}:127.0.0.1" for s in SERVICES]
    url = "postgresql+psycopg://musette:{pw}@127.0.0.1:" + str(PG_PORT) + "/musette_{svc}"
    demo = _demo_settings()
    caddyfile = work / "Caddyfile"
    sites = "".join(
        f"{s}.{DOMAIN} {{\n\ttls /certs/cert.pem /certs/key.pem\n"
        f"\treverse_proxy 127.0.0.1:{PORTS[s]}\n}}\n"
        for s in SERVICES
    )
    caddyfile.write_text(
        f"{{\n\thttp_port {JOURNEY_PORT - 363}\n\thttps_port {JOURNEY_PORT}\n\tadmin off\n}}\n"
        + sites
    )
    services: dict[str, Any] = {
        "postgres": {"network_mode": "host", "environment": {"PGPORT": str(PG_PORT)}},
        "proxy": {
            "network_mode": "host",
            "ports": [],
            "volumes": [f"{caddyfile}:/etc/caddy/Caddyfile:ro", f"{ca.parent}:/certs:ro"],
        },
    }
    for name in ("migrate", *SERVICES):
        env: dict[str, str] = {
            "MUSETTE_DEV": "1",
            "MUSETTE_ISSUER_SMTP_HOST": "",  # the outbox: no catcher in this topology
        }
        for svc in SERVICES:
            env[f"MUSETTE_{svc.upper()}_DATABASE_URL"] = url.format(
                pw=base["POSTGRES_PASSWORD"], svc=svc
            )
        env.update(
            MUSETTE_ISSUER_BASE_URL=public("issuer"),
            MUSETTE_ISSUER_WALLET_URL=public("wallet"),
            MUSETTE_WALLET_BASE_URL=public("wallet"),
            MUSETTE_VERIFIER_BASE_URL=public("verifier"),
            MUSETTE_VERIFIER_WALLET_URL=public("wallet"),
        )
        entry: dict[str, Any] = {"network_mode": "host", "environment": env}
        if name in SERVICES:
            env.update(demo[name])
            env["MUSETTE_PORT"] = str(PORTS[name])
            entry["command"] = ["serve", name, "--host", "127.0.0.1"]
            entry["command"] += ["--port", str(PORTS[name]), "--workers", "1"]
            entry["extra_hosts"] = hosts
            data = work / "data" / name
            data.mkdir(parents=True)
            os.chown(data, UID, UID)
            entry["volumes"] = [
                f"{data}:/var/lib/musette/{name}",
                f"{base['MUSETTE_SECRETS_DIR']}/{name}.master.key:/var/lib/musette/{name}/master.key:ro",
                # the fetcher's compiled-in CA file: the proxy's CA only
                f"{ca}:/usr/lib/ssl/cert.pem:ro",
            ]
        services[name] = entry
    override = work / "compose.journeys.yaml"
    override.write_text(yaml.safe_dump({"services": services}))
    return override


SEED = (
    "import importlib, os, sys\n"
    "from pathlib import Path\n"
    "name = sys.argv[1]\n"
    "package = importlib.import_module(name)\n"
    "demo = importlib.import_module(name + '.demo')\n"
    "urls = {s: os.environ['PUBLIC_' + s.upper()] for s in ('issuer', 'wallet', 'verifier')}\n"
    "settings = package.settings_for_up(Path('/var/lib/musette') / name, urls, True)\n"
    "print('\\n'.join(demo.seed_demo(settings)))\n"
)


@pytest.fixture(scope="module")
def journeys(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """(the data folder with the demo files, the CA) of the host-network topology."""
    work = tmp_path_factory.mktemp("journeys")
    os.chmod(work, 0o755)  # noqa: S103 (the containers' user reads the certificates in it)
    ca = _certificates(work)
    env = _env(work, JOURNEY_PORT)
    override = _journey_override(work, env, ca)
    topology = Topology(
        [DOCKER / "compose.yaml", DOCKER / "local" / "compose.local.yaml", override],
        "musette-ct-journeys",
        env,
    )
    topology.down()
    try:
        topology.up()
        topology.wait_healthy(topology.containers("proxy")[0], 60)
        for service in SERVICES:
            saved = topology.config["services"][service]["environment"]
            saved.update({f"PUBLIC_{s.upper()}": public(s) for s in SERVICES})
            done = topology.run_once(service, ["python3", "-c", SEED, service], [service])
            assert done.returncode == 0, (service, done.stdout, done.stderr)
        yield work / "data", ca
    finally:
        for service in SERVICES:
            for container in topology.containers(service):
                sys.stdout.write(topology.logs(container, tail=15))
        topology.down()


def test_the_journeys_pass_against_the_containers(journeys: tuple[Path, Path]) -> None:
    data, ca = journeys
    env = {
        **os.environ,
        "MUSETTE_E2E_EXTERNAL_DATA_DIR": str(data),
        "MUSETTE_CONTAINER_CA": str(ca),
        "MUSETTE_CONTAINER_DOMAIN": DOMAIN,
        "MUSETTE_DEV": "1",
        **{f"MUSETTE_{s.upper()}_BASE_URL": public(s) for s in SERVICES},
    }
    done = subprocess.run(
        [
            *(sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"),
            *("-p", "tests.container.hosts", "tests/e2e/test_journeys.py"),
            *("-k", " or ".join(JOURNEYS)),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    sys.stdout.write(done.stdout[-4000:])
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    assert " passed" in done.stdout
    assert "error" not in done.stdout.splitlines()[-1]
