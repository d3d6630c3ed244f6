"""``musette wallet local``: one person's wallet, on their own machine.

The hosted wallet's app (same pages, same OpenID4VCI / OpenID4VP, same export and import)
with ``local`` settings: it listens on a loopback address only, keeps its SQLite database
and its ``master.key`` in one folder the person chooses (owner-only: 0700, files 0600), and
takes one account (docs/decisions/wallet-local.md).
"""

from __future__ import annotations

import argparse
import os
import stat
import sys
from pathlib import Path
from typing import Any

from musette.devmode import add_dev_flag, dev_mode_announced

DEFAULT_PORT = 8002
EXIT_REFUSED = 2
#: what the wallet writes in its folder (SQLite adds its -journal / -wal files next to it)
OWN_FILES = ("wallet.db", "master.key")


def default_data_folder() -> Path:
    """``$XDG_DATA_HOME/musette``, else ``~/.local/share/musette`` (XDG Base Directory)."""
    base = os.environ.get("XDG_DATA_HOME", "").strip()
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".local" / "share"
    return root / "musette"


def bind_address(host: str) -> str | None:
    """The loopback address to listen on for ``host``, or None when it is not loopback."""
    from wallet.settings import is_loopback_host

    if not is_loopback_host(host):
        return None
    return "127.0.0.1" if host.strip().lower() == "localhost" else host.strip().strip("[]")


def prepare_folder(folder: Path) -> str | None:
    """Make ``folder`` owner-only (0700); an error message when it cannot be trusted.

    A new folder is made 0700; an existing empty one is narrowed to 0700; an existing one
    with contents that others may read is refused (the person chooses what to do with it).
    """
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    mode = stat.S_IMODE(folder.stat().st_mode)
    if mode & 0o077:
        if any(folder.iterdir()):
            return (
                f"the data folder {folder} can be read by other users of this computer "
                f"(mode {mode:o}): run `chmod 700 {folder}` or choose another folder"
            )
        folder.chmod(0o700)
    for name in OWN_FILES:  # files of an older run made under a wider umask
        path = folder / name
        if path.exists() and stat.S_IMODE(path.stat().st_mode) & 0o077:
            path.chmod(0o600)
    return None


def local_settings(folder: Path, host: str, port: int, dev: bool) -> Any:
    """The wallet's settings: everything in ``folder``, its base URL on ``host:port``."""
    from wallet.settings import WalletSettings

    shown = f"[{host}]" if ":" in host else host
    # the environment (MUSETTE_WALLET_*) may still set what is not given here (trusted
    # issuers, known verifiers, limits), never where the data lives or the master secret
    return WalletSettings(
        database_url=f"sqlite:///{folder / 'wallet.db'}",
        data_dir=str(folder),
        base_url=f"http://{shown}:{port}",
        master_secret="",
        dev=dev,
        local=True,
        migrate=True,
    )


def cmd_local(args: argparse.Namespace) -> int:
    import uvicorn

    from servicekit.logs import lighten_log_records, logging_config
    from wallet.main import create_app

    dev = dev_mode_announced(args)
    host = bind_address(args.host)
    if host is None:
        print(
            f"musette: the local wallet listens on this computer only (127.0.0.1 or ::1), "
            f"not on {args.host!r}; to serve others, run the hosted wallet (musette serve "
            "wallet)\nmusette\u00a0: le portefeuille local n'écoute que sur cet ordinateur "
            "(127.0.0.1 ou ::1)",
            file=sys.stderr,
        )
        return EXIT_REFUSED
    os.umask(0o077)  # whatever this process creates (database, journal, key) is owner-only
    folder = Path(args.data).expanduser().resolve() if args.data else default_data_folder()
    problem = prepare_folder(folder)
    if problem:
        print(f"musette: {problem}", file=sys.stderr)
        return EXIT_REFUSED
    settings = local_settings(folder, host, args.port, dev)
    url = f"{settings.base_url}/"
    print(f"Musette\u00a0: ouvrez {url} dans votre navigateur (données dans {folder})")
    print(f"Musette: open {url} in your browser (data in {folder})", flush=True)
    lighten_log_records()
    uvicorn.run(
        create_app(settings),
        host=host,
        port=args.port,
        log_config=logging_config(os.environ.get("MUSETTE_LOG_LEVEL", "WARNING")),
        access_log=False,  # the request log is servicekit's (no query strings, no bodies)
        server_header=False,
    )
    return 0


def register_local(wsub: Any) -> None:
    """Add ``musette wallet local`` to the wallet's subcommands."""
    local = wsub.add_parser(
        "local",
        help="run a wallet for one person on this computer (127.0.0.1, data in one folder)",
    )
    local.add_argument(
        "--data",
        metavar="DIR",
        help="the wallet's folder (default $XDG_DATA_HOME/musette or ~/.local/share/musette)",
    )
    local.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"default {DEFAULT_PORT}")
    local.add_argument(
        "--host", default="127.0.0.1", help="a loopback address: 127.0.0.1 (default) or ::1"
    )
    add_dev_flag(local)
    local.set_defaults(func=cmd_local)
