"""Start the services of a compose file with ``podman run``, as compose would.

bookworm's podman-compose (1.0.3) ignores ``depends_on`` conditions, profiles, network
aliases and ``--scale``, and registries cannot be pulled here, so ``make container-test``
reads docker/compose.yaml (plus an override) itself: interpolation of ``${VAR}``,
``${VAR:-default}`` and ``${VAR:?message}``, services started in dependency order, each
waiting for its conditions (``service_healthy`` by running the healthcheck,
``service_completed_successfully`` by the job's exit code), N instances per service.
Only what docker/compose.yaml uses is understood; anything else is an error, not ignored.
"""

from __future__ import annotations

import json
import re
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

PODMAN = ["podman", "--runtime", "runc", "--cgroup-manager=cgroupfs"]
ULIMITS = ["--ulimit", "nofile=1024:1024", "--ulimit", "nproc=4096:4096"]
KNOWN_KEYS = {
    "image",
    "build",
    "command",
    "entrypoint",
    "environment",
    "volumes",
    "ports",
    "depends_on",
    "healthcheck",
    "restart",
    "init",
    "stop_grace_period",
    "profiles",
    "network_mode",
    "extra_hosts",
}
_VAR = re.compile(r"\$\$|\$\{(\w+)(?:(:?[-?])([^}]*))?\}")


class TopologyError(RuntimeError):
    """The topology did not come up (the message says which service and why)."""


def interpolate(value: Any, env: dict[str, str]) -> Any:
    """Compose variable interpolation on every string of a loaded file."""
    if isinstance(value, dict):
        return {k: interpolate(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, env) for v in value]
    if not isinstance(value, str):
        return value

    def replace(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name, op, arg = match.group(1), match.group(2), match.group(3) or ""
        current = env.get(name)
        empty = not current
        if op in (":-", "-"):
            return arg if (empty if op == ":-" else current is None) else str(current)
        if op in (":?", "?") and (empty if op == ":?" else current is None):
            raise TopologyError(f"{name}: {arg or 'not set'}")
        return current or ""

    return _VAR.sub(replace, value)


def merge(base: Any, override: Any) -> Any:
    """Mappings merge key by key; anything else is replaced by the override."""
    if isinstance(base, dict) and isinstance(override, dict):
        out = dict(base)
        for key, value in override.items():
            out[key] = merge(base[key], value) if key in base else value
        return out
    return override


def podman(
    *args: str, check: bool = True, capture: bool = True
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*PODMAN, *args], check=check, text=True, capture_output=capture, timeout=600
    )


@dataclass
class Topology:
    files: list[Path]
    project: str
    env: dict[str, str]
    profiles: set[str] = field(default_factory=set)
    scale: dict[str, int] = field(default_factory=dict)
    started: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        loaded: dict[str, Any] = {}
        for path in self.files:
            loaded = merge(loaded, yaml.safe_load(path.read_text()))
        self.config: dict[str, Any] = interpolate(loaded, self.env)
        self.base_dir = self.files[0].resolve().parent
        for name, svc in self.services.items():
            unknown = set(svc) - KNOWN_KEYS
            if unknown:
                raise TopologyError(f"{name}: compose keys this runner does not know: {unknown}")

    @property
    def services(self) -> dict[str, dict[str, Any]]:
        return {
            name: svc
            for name, svc in self.config["services"].items()
            if not svc.get("profiles") or set(svc["profiles"]) & self.profiles
        }

    def containers(self, service: str) -> list[str]:
        return [f"{self.project}_{service}_{i}" for i in range(1, self.scale.get(service, 1) + 1)]

    def order(self) -> list[str]:
        done: list[str] = []

        def visit(name: str, path: tuple[str, ...]) -> None:
            if name in done:
                return
            if name in path:
                raise TopologyError(f"dependency cycle: {' -> '.join((*path, name))}")
            for dep in self.services[name].get("depends_on") or {}:
                visit(dep, (*path, name))
            done.append(name)

        for name in self.services:
            visit(name, ())
        return done

    # ------------------------------------------------------------------ podman run arguments

    def _volume(self, spec: str) -> str:
        source, _, rest = spec.partition(":")
        if source.startswith((".", "/")):
            source = str((self.base_dir / source).resolve())
        else:
            source = f"{self.project}_{source}"
        return f"{source}:{rest}"

    def run_args(self, service: str, container: str) -> list[str]:
        svc = self.services[service]
        args = ["run", "-d", "--name", container, "--label", f"musette.project={self.project}"]
        args += ULIMITS
        if svc.get("network_mode") == "host":
            args += ["--network", "host"]
        else:
            args += ["--network", f"{self.project}_default", "--network-alias", service]
        if svc.get("init"):
            args.append("--init")
        for key, value in (svc.get("environment") or {}).items():
            args += ["-e", f"{key}={'' if value is None else value}"]
        for spec in svc.get("volumes") or []:
            args += ["-v", self._volume(spec)]
        for spec in svc.get("ports") or []:
            args += ["-p", str(spec)]
        for spec in svc.get("extra_hosts") or []:
            args += ["--add-host", str(spec)]
        check = svc.get("healthcheck") or {}
        if check.get("disable") or not check.get("test"):
            if check.get("disable"):
                args.append("--no-healthcheck")
        else:
            test = check["test"]
            command = json.dumps(test[1:]) if test[0] == "CMD" else str(test[-1])
            # the checks are run by wait_healthy (no systemd timers in these containers)
            args += ["--health-cmd", command, "--health-interval", "disable"]
        if "entrypoint" in svc:
            entry = svc["entrypoint"]
            args += ["--entrypoint", json.dumps(entry) if isinstance(entry, list) else entry]
        args.append(svc["image"])
        run = svc.get("command") or []  # a list, or a string split on spaces
        args += [str(c) for c in (run if isinstance(run, list) else run.split())]
        return args

    def run_once(
        self, service: str, entrypoint: list[str], command: list[str]
    ) -> subprocess.CompletedProcess[str]:
        """A one-off container of ``service`` (its environment and volumes) in the foreground."""
        saved = self.services[service]
        self.config["services"][service] = {
            **saved,
            "entrypoint": entrypoint,
            "command": command,
            "healthcheck": {"disable": True},
        }
        try:
            args = self.run_args(service, f"{self.project}_{service}_run")
        finally:
            self.config["services"][service] = saved
        args[args.index("-d")] = "--rm"
        return podman(*args, check=False)

    # ------------------------------------------------------------------ lifecycle

    def up(self, timeout: float = 300) -> None:
        podman("network", "create", f"{self.project}_default", check=False)
        for volume in self.config.get("volumes") or {}:
            podman("volume", "create", f"{self.project}_{volume}", check=False)
        for service in self.order():
            for dep, cond in (self.services[service].get("depends_on") or {}).items():
                condition = (cond or {}).get("condition", "service_started")
                for container in self.containers(dep):
                    if condition == "service_healthy":
                        self.wait_healthy(container, timeout)
                    elif condition == "service_completed_successfully":
                        self.wait_completed(container, timeout)
            for container in self.containers(service):
                podman("rm", "-f", container, check=False)
                done = podman(*self.run_args(service, container), check=False)
                if done.returncode != 0:
                    raise TopologyError(f"{container} did not start: {done.stderr.strip()}")
                self.started.append(container)

    def state(self, container: str) -> dict[str, Any]:
        out = podman("inspect", container, "--format", "{{json .State}}").stdout
        state: dict[str, Any] = json.loads(out)
        return state

    def wait_healthy(self, container: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if podman("healthcheck", "run", container, check=False).returncode == 0:
                return
            if self.state(container).get("Status") != "running":
                raise TopologyError(f"{container} stopped:\n{self.logs(container)}")
            time.sleep(1)
        raise TopologyError(f"{container} not healthy after {timeout} s:\n{self.logs(container)}")

    def wait_completed(self, container: str, timeout: float) -> None:
        done = subprocess.run(
            [*PODMAN, "wait", container], text=True, capture_output=True, timeout=timeout
        )
        code = done.stdout.strip()
        if code != "0":
            raise TopologyError(f"{container} exited with {code}:\n{self.logs(container)}")

    def logs(self, container: str, tail: int = 40) -> str:
        done = podman("logs", "--tail", str(tail), container, check=False)
        return done.stdout + done.stderr

    def down(self) -> None:
        """Remove every container of the project (also those of an earlier, crashed run)."""
        listed = podman("ps", "-a", "-q", "--filter", f"label=musette.project={self.project}")
        for container in listed.stdout.split():
            podman("rm", "-f", "-t", "5", container, check=False)
        self.started.clear()
        for volume in self.config.get("volumes") or {}:
            podman("volume", "rm", "-f", f"{self.project}_{volume}", check=False)
        podman("network", "rm", "-f", f"{self.project}_default", check=False)
