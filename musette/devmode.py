"""Development mode for the command line: off unless asked for, and said so when on.

Development mode lets the services and the fetcher use plain http and loopback addresses
(a local demo). It is on only with ``--dev`` (before or after the subcommand) or
``MUSETTE_DEV=1``; every command that turns it on says so on stderr.
"""

from __future__ import annotations

import argparse
import os
import sys

#: values of MUSETTE_DEV that turn development mode on
TRUTHY = frozenset({"1", "true", "yes", "on"})
ANNOUNCEMENT = (
    "musette: development mode is ON: http URLs and loopback addresses are allowed "
    "(never use it in production)"
)


def add_dev_flag(parser: argparse.ArgumentParser) -> None:
    """``--dev`` on ``parser``; a subcommand's flag never hides the top-level one."""
    parser.add_argument(
        "--dev",
        action="store_true",
        default=argparse.SUPPRESS,
        help="development mode: http and loopback allowed (also MUSETTE_DEV=1)",
    )


def dev_mode(args: argparse.Namespace) -> bool:
    """Development mode: ``--dev`` or ``MUSETTE_DEV=1``; off otherwise."""
    env = os.environ.get("MUSETTE_DEV", "").strip().lower()
    return bool(getattr(args, "dev", False)) or env in TRUTHY


def announce_dev(enabled: bool) -> None:
    """Say on stderr that development mode is on (nothing when it is off)."""
    if enabled:
        print(ANNOUNCEMENT, file=sys.stderr)


def dev_mode_announced(args: argparse.Namespace) -> bool:
    """``dev_mode(args)``, announced on stderr when on."""
    enabled = dev_mode(args)
    announce_dev(enabled)
    return enabled
