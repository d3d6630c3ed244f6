"""``musette migrate`` and ``musette serve``: the services as a production runs them.

``musette serve`` starts one service with uvicorn (``--workers N`` processes), configured from
the environment only (``MUSETTE_<SVC>_*``, secrets also from ``MUSETTE_<SVC>_<NAME>_FILE``),
logs as JSON lines on stderr, and never migrates: it refuses an outdated schema and names
``musette migrate <svc>``. Each worker builds its app through :func:`issuer_app`,
:func:`wallet_app` or :func:`verifier_app` (import strings, ``factory=True``).
"""

from __future__ import annotations

import argparse
import importlib
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.exc import DBAPIError, OperationalError

from servicekit.config import settings_from_env
from servicekit.logs import lighten_log_records, logging_config
from servicekit.migrations import SchemaOutdatedError, require_current_schema, upgrade_to_head

SERVICES = ("issuer", "wallet", "verifier")
DEFAULT_PORTS = {"issuer": 8001, "wallet": 8002, "verifier": 8003}
EXIT_SCHEMA = 3  # `musette serve` on an outdated (or unreachable) database


@dataclass(frozen=True)
class ServiceParts:
    """Where one service keeps its settings class, app factory, engine and migrations."""

    name: str
    settings: str
    migrations: str
    engine: str

    def _attr(self, dotted: str) -> Any:
        module, _, attr = dotted.rpartition(".")
        return getattr(importlib.import_module(module), attr)

    def settings_class(self) -> Any:
        return self._attr(self.settings)

    def migrations_path(self) -> Path:
        return Path(self._attr(self.migrations))

    def make_engine(self, url: str) -> Any:
        return self._attr(self.engine)(url)

    def create_app(self) -> Callable[..., Any]:
        return self._attr(f"{self.name}.main.create_app")  # type: ignore[no-any-return]


PARTS = {
    "issuer": ServiceParts(
        "issuer",
        "issuer.settings.IssuerSettings",
        "issuer.db.migrate.MIGRATIONS",
        "issuer.db.base.make_engine",
    ),
    "wallet": ServiceParts(
        "wallet",
        "wallet.settings.WalletSettings",
        "wallet.db.base.MIGRATIONS",
        "wallet.db.base.make_engine",
    ),
    "verifier": ServiceParts(
        "verifier",
        "verifier.settings.VerifierSettings",
        "verifier.db.base.MIGRATIONS",
        "verifier.db.base.make_engine",
    ),
}


def _issuer_master(settings: Any) -> None:
    from issuer.service.keys import load_master_secret

    load_master_secret(settings.master_secret, settings.data_dir)


def _wallet_master(settings: Any) -> None:
    from wallet.service.vault import load_master_secret

    load_master_secret(settings.master_secret, settings.data_dir)


def _verifier_master(settings: Any) -> None:
    from verifier.service.keys import master_secret

    master_secret(settings)


#: without a configured master secret, each service keeps one in ``<data_dir>/master.key``
MASTER_KEY_FILE: dict[str, Callable[[Any], None]] = {
    "issuer": _issuer_master,
    "wallet": _wallet_master,
    "verifier": _verifier_master,
}


def service_settings(name: str, **overrides: Any) -> Any:
    """The settings of one service from the environment (secrets from ``*_FILE`` too)."""
    return settings_from_env(PARTS[name].settings_class(), **overrides)


def migrate(name: str, wait_seconds: float = 0) -> None:
    """Upgrade one service's database to head under the cross-process lock.

    Only the database settings matter here: the others are read but not held to production
    rules (an https public URL…), which the service checks when it starts. A database that
    cannot be reached yet is retried for ``wait_seconds`` (a compose job started with it).
    """
    parts = PARTS[name]
    settings = service_settings(name, dev=True)
    engine = parts.make_engine(settings.database_url)
    deadline = time.monotonic() + wait_seconds
    try:
        while True:
            try:
                upgrade_to_head(engine, parts.migrations_path(), name)
                return
            except OperationalError:
                if time.monotonic() >= deadline:
                    raise
                time.sleep(1)
    finally:
        engine.dispose()


def database_problem(name: str, err: DBAPIError) -> str:
    """One line on a database error: its class and first line, never the URL."""
    first = str(err.orig).strip().splitlines()[0] if err.orig is not None else ""
    return f"musette: the {name} database: {type(err.orig or err).__name__}: {first}"


def check_schema(name: str, settings: Any) -> None:
    """Raise :class:`SchemaOutdatedError` unless the service's database is at head."""
    parts = PARTS[name]
    engine = parts.make_engine(settings.database_url)
    try:
        require_current_schema(engine, parts.migrations_path(), name)
    finally:
        engine.dispose()


def build_app(name: str) -> Any:
    """One worker's app: settings from the environment, no migration, schema checked."""
    lighten_log_records()
    settings = service_settings(name, migrate=False)
    check_schema(name, settings)
    return PARTS[name].create_app()(settings)


def issuer_app() -> Any:
    """App factory of ``musette serve issuer`` (``uvicorn --factory musette.serve:issuer_app``)."""
    return build_app("issuer")


def wallet_app() -> Any:
    """App factory of ``musette serve wallet``."""
    return build_app("wallet")


def verifier_app() -> Any:
    """App factory of ``musette serve verifier``."""
    return build_app("verifier")


def cmd_migrate(args: argparse.Namespace, dev: bool) -> int:
    unknown = [name for name in args.services if name not in SERVICES]
    if unknown:
        print(
            f"musette: no service {unknown[0]!r}: choose issuer, wallet or verifier",
            file=sys.stderr,
        )
        return 2
    if dev:
        for name in SERVICES:
            os.environ.setdefault(f"MUSETTE_{name.upper()}_DEV", "1")
    for name in args.services or SERVICES:
        try:
            migrate(name, args.wait)
        except DBAPIError as err:
            print(database_problem(name, err), file=sys.stderr)
            return 1
        print(f"musette: {name} database at head", file=sys.stderr)
    return 0


def prepare_metrics_dir(workers: int) -> Path | None:
    """Worker processes share their counters through PROMETHEUS_MULTIPROC_DIR, wiped at start.

    Returns the folder when this process made it (removed again when the server stops).
    """
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    made = None
    if not folder:
        if workers <= 1:
            return None
        folder = tempfile.mkdtemp(prefix="musette-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder
        made = Path(folder)
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    for stale in path.glob("*.db"):  # counters of a previous run (prometheus-client's rule)
        stale.unlink()
    return made


def cmd_serve(args: argparse.Namespace, dev: bool) -> int:
    name = args.service
    if dev:  # the workers read the environment, not this process's arguments
        os.environ[f"MUSETTE_{name.upper()}_DEV"] = "1"
    settings = service_settings(name, migrate=False)
    try:
        check_schema(name, settings)
    except SchemaOutdatedError as err:
        print(f"musette: {err}", file=sys.stderr)
        return EXIT_SCHEMA
    except Exception as err:  # (any driver error: say it, without a traceback)
        print(
            f"musette: cannot read the {name} database schema ({type(err).__name__}): "
            "is the database reachable, and MUSETTE_"
            f"{name.upper()}_DATABASE_URL right?",
            file=sys.stderr,
        )
        return EXIT_SCHEMA
    if not settings.master_secret:  # made once here, not raced for by N workers
        MASTER_KEY_FILE[name](settings)
    made = prepare_metrics_dir(args.workers)
    try:
        run_uvicorn(name, args)
    finally:
        if made is not None:
            shutil.rmtree(made, ignore_errors=True)
    return 0


def run_uvicorn(name: str, args: argparse.Namespace) -> None:
    """uvicorn with ``--workers`` processes, each building the app from the factory."""
    import uvicorn

    uvicorn.run(
        f"musette.serve:{name}_app",
        factory=True,
        host=args.host,
        port=args.port or DEFAULT_PORTS[name],
        workers=args.workers,
        log_config=logging_config(os.environ.get("MUSETTE_LOG_LEVEL", "INFO")),
        access_log=False,  # the request log is servicekit's (no query strings, no bodies)
        proxy_headers=True,
        forwarded_allow_ips=os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
        server_header=False,
        # httptools (a dependency), a response's writes sent as one (musette/http_protocol.py)
        http="musette.http_protocol:CoalescingHttpToolsProtocol",
        # a worker that loads the app on a busy host may take more than uvicorn's 5 s to answer
        # its first ping; uvicorn then kills and restarts it in a loop
        timeout_worker_healthcheck=args.worker_start_seconds,
    )


def register(sub: Any, dev_of: Callable[[argparse.Namespace], bool]) -> None:
    """Add ``migrate`` and ``serve`` to the ``musette`` command."""
    mig = sub.add_parser(
        "migrate",
        help="upgrade the databases to the newest schema (all three services when none is named)",
    )
    mig.add_argument("services", nargs="*", metavar="SERVICE", help="issuer, wallet, verifier")
    mig.add_argument(
        "--wait",
        type=float,
        default=0,
        metavar="SECONDS",
        help="retry a database that cannot be reached yet for this long (default 0)",
    )
    mig.set_defaults(func=lambda args: cmd_migrate(args, dev_of(args)))

    serve = sub.add_parser(
        "serve", help="run one service in production (environment settings, no migration)"
    )
    serve.add_argument("service", choices=SERVICES)
    serve.add_argument("--host", default=os.environ.get("MUSETTE_HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, help="default: 8001, 8002, 8003")
    serve.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("MUSETTE_WORKERS", "1")),
        help="worker processes (default 1, or MUSETTE_WORKERS)",
    )
    serve.add_argument(
        "--worker-start-seconds",
        type=int,
        default=int(os.environ.get("MUSETTE_WORKER_START_SECONDS", "30")),
        help="how long a starting worker may take to answer (default 30, or "
        "MUSETTE_WORKER_START_SECONDS)",
    )
    serve.set_defaults(func=lambda args: cmd_serve(args, dev_of(args)))
