"""CPU time spent by a server under test, all its processes and threads together.

Throughput on a small shared machine says as much about the machine as about the server,
and a Node server with one ``cluster`` process still runs a thread pool and a garbage
collector on the other core. The CPU time a server's processes spent per answered request
(user + system, from ``/proc/PID/stat``, summed over the server's process group: every
worker and thread it started) is the fairer figure: it does not depend on how many cores
the server managed to use, and varies less with the rest of the machine's load.

Linux only (``/proc``); elsewhere :func:`group_cpu_seconds` returns None and the bench
prints no CPU column.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["group_cpu_seconds"]

_PROC = Path("/proc")


def group_cpu_seconds(pgid: int) -> float | None:
    """User + system CPU seconds of the live processes of process group ``pgid``."""
    if not _PROC.is_dir():
        return None
    ticks = 0
    for entry in _PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # gone between the listing and the read
            continue
        # proc(5): the fields after "(comm)": state ppid pgrp session … utime(14) stime(15)
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[2]) == pgid:
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")
