"""The invariants of docker/: one image built as a non-root user from a pinned base given as
a build argument, with a HEALTHCHECK; a compose topology whose services are healthchecked,
scalable and started only after the migration job. Cheap (no container runs): CI runs it;
``make container-test`` builds and runs the real thing."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

DOCKER = Path(__file__).resolve().parents[2] / "docker"
SERVICES = ("issuer", "wallet", "verifier")


def instructions(text: str) -> list[tuple[str, str]]:
    """(KEYWORD, arguments) of a Containerfile, continuation lines joined, comments dropped."""
    out: list[tuple[str, str]] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line, pending = pending + line, ""
        keyword, _, args = line.partition(" ")
        out.append((keyword.upper(), args.strip()))
    if pending:
        raise ValueError("the file ends inside a continued line")
    return out


def image_problems(text: str) -> list[str]:
    """What the Containerfile gets wrong (empty when every invariant holds)."""
    steps = instructions(text)
    problems: list[str] = []
    froms = [i for i, (kw, _) in enumerate(steps) if kw == "FROM"]
    if len(froms) < 2:
        problems.append("not multi-stage (one FROM)")
    if not froms:
        return problems
    base_args = {
        args.split("=", 1)[0]: args.split("=", 1)[1] if "=" in args else ""
        for kw, args in steps[: froms[0]]
        if kw == "ARG"
    }
    stage_names: set[str] = set()
    for i in froms:
        parts = steps[i][1].split()
        image = parts[0]
        ref = re.fullmatch(r"\$\{?(\w+)\}?", image)
        if ref is None and image not in stage_names:
            problems.append(f"FROM {image} is not a build argument")
        elif ref is not None and ref.group(1) not in base_args:
            problems.append(f"FROM {image}: no ARG {ref.group(1)} before the first FROM")
        if len(parts) == 3 and parts[1].upper() == "AS":
            stage_names.add(parts[2])
    for default in base_args.values():
        if not default or default.endswith(":latest") or ":" not in default.rsplit("/", 1)[-1]:
            problems.append(f"the base default {default!r} is not pinned (a tag or a digest)")
    final = steps[froms[-1] :]
    users = [args for kw, args in final if kw == "USER"]
    if not users:
        problems.append("the final stage has no USER (it would run as root)")
    elif users[-1].split(":")[0] in ("root", "0"):
        problems.append(f"the final stage runs as {users[-1]}")
    checks = [args for kw, args in final if kw == "HEALTHCHECK"]
    if not checks or checks[-1].upper().startswith("NONE"):
        problems.append("the final stage has no HEALTHCHECK")
    return problems


def compose_problems(compose: dict[str, Any]) -> list[str]:
    """What the compose topology gets wrong (empty when every invariant holds)."""
    services: dict[str, Any] = compose.get("services") or {}
    problems: list[str] = []
    migrate = services.get("migrate")
    if migrate is None:
        return ["no migrate job"]
    if "migrate" not in " ".join(map(str, migrate.get("command") or [])):
        problems.append("the migrate job does not run `musette migrate`")
    if str(migrate.get("restart", "no")) != "no":
        problems.append("the migrate job restarts (it must run once and exit)")
    for name in SERVICES:
        svc = services.get(name)
        if svc is None:
            problems.append(f"no {name} service")
            continue
        test = (svc.get("healthcheck") or {}).get("test")
        if not test or (svc.get("healthcheck") or {}).get("disable"):
            problems.append(f"{name} has no healthcheck")
        condition = ((svc.get("depends_on") or {}).get("migrate") or {}).get("condition")
        if condition != "service_completed_successfully":
            problems.append(f"{name} does not wait for the migrate job to complete")
        command = " ".join(map(str, svc.get("command") or []))
        if not command.startswith(f"serve {name}"):
            problems.append(f"{name} does not run `musette serve {name}`")
        # `--scale` needs instances the engine can name and ports it can share
        if "container_name" in svc:
            problems.append(f"{name} has a container_name: it cannot be scaled")
        if svc.get("ports"):
            problems.append(f"{name} publishes host ports: a second instance cannot start")
    for name, svc in services.items():
        if name != "migrate" and not (svc.get("healthcheck") or {}).get("test"):
            problems.append(f"{name} has no healthcheck")
    return problems


def _compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((DOCKER / "compose.yaml").read_text())
    return loaded


def test_the_image_is_multi_stage_non_root_from_a_pinned_base_argument_with_a_healthcheck() -> None:
    assert image_problems((DOCKER / "Containerfile").read_text()) == []


def test_the_compose_services_are_healthchecked_scalable_and_wait_for_the_migrate_job() -> None:
    assert compose_problems(_compose()) == []


def test_the_topology_has_postgres_a_proxy_and_a_development_smtp_catcher() -> None:
    services = _compose()["services"]
    assert "postgres" in services
    proxy = services["proxy"]
    for name in SERVICES:
        assert proxy["depends_on"][name]["condition"] == "service_healthy"
    assert services["smtp"]["profiles"] == ["dev"]  # never started in production by default


def test_every_service_has_its_own_https_host_in_the_caddyfile() -> None:
    caddyfile = (DOCKER / "Caddyfile").read_text()
    for name in SERVICES:
        block = re.search(
            rf"^{name}\.\{{\$MUSETTE_DOMAIN\}} \{{(.*?)^\}}", caddyfile, re.MULTILINE | re.DOTALL
        )
        assert block is not None, name
        assert re.search(rf"dynamic a {name} 8000", block.group(1)), name
        assert "health_uri /readyz" in block.group(1)


GOOD = """\
ARG BASE_IMAGE=docker.io/library/debian:bookworm-20241111-slim
FROM ${BASE_IMAGE} AS build
RUN make
FROM ${BASE_IMAGE}
COPY --from=build /opt /opt
USER app
HEALTHCHECK CMD ["true"]
"""


@pytest.mark.parametrize(
    ("mutation", "problem"),
    [
        (("USER app\n", ""), "no USER"),
        (("USER app\n", "USER root\n"), "runs as root"),
        (("USER app\n", "USER 0:0\n"), "runs as 0:0"),
        (('HEALTHCHECK CMD ["true"]\n', ""), "no HEALTHCHECK"),
        (('HEALTHCHECK CMD ["true"]\n', "HEALTHCHECK NONE\n"), "no HEALTHCHECK"),
        (("FROM ${BASE_IMAGE}\n", "FROM debian:bookworm\n"), "not a build argument"),
        (("bookworm-20241111-slim", "latest"), "not pinned"),
        (("=docker.io/library/debian:bookworm-20241111-slim", ""), "not pinned"),
        (("FROM ${BASE_IMAGE} AS build\nRUN make\n", ""), "not multi-stage"),
        (("ARG BASE_IMAGE=", "ARG OTHER="), "no ARG BASE_IMAGE"),
    ],
)
def test_the_image_checker_sees_each_broken_invariant(
    mutation: tuple[str, str], problem: str
) -> None:
    assert image_problems(GOOD) == []
    broken = GOOD.replace(*mutation, 1)
    assert broken != GOOD
    assert any(problem in p for p in image_problems(broken)), image_problems(broken)


def test_the_image_checker_joins_continued_lines_and_skips_comments() -> None:
    text = GOOD.replace("USER app\n", "# USER app\nUSER \\\n  app\n")
    assert image_problems(text) == []
    with pytest.raises(ValueError, match="continued"):
        instructions("FROM x \\")


@pytest.mark.parametrize(
    ("service", "change", "problem"),
    [
        ("wallet", {"healthcheck": None}, "wallet has no healthcheck"),
        ("issuer", {"depends_on": {}}, "issuer does not wait"),
        (
            "verifier",
            {"depends_on": {"migrate": {"condition": "service_started"}}},
            "verifier does not wait",
        ),
        ("issuer", {"container_name": "issuer"}, "cannot be scaled"),
        ("wallet", {"ports": ["8002:8000"]}, "publishes host ports"),
        ("verifier", {"command": ["serve", "issuer"]}, "does not run `musette serve verifier`"),
        ("migrate", {"restart": "always"}, "restarts"),
        ("postgres", {"healthcheck": None}, "postgres has no healthcheck"),
    ],
)
def test_the_compose_checker_sees_each_broken_invariant(
    service: str, change: dict[str, Any], problem: str
) -> None:
    compose = _compose()
    compose["services"][service].update(change)
    assert any(problem in p for p in compose_problems(compose)), compose_problems(compose)
