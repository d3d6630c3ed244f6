"""A CPU quota per server under test, so that "two workers against one" means something on
a small shared machine.

On a 2-core machine that also runs the load generator (and, here, other people's work),
two worker processes have no second core to scale onto: both figures measure the machine,
not the service. With ``--cpu-per-worker Q`` each server under test (ours and the Node
anchors alike) runs in a cgroup of its own limited to ``workers * Q`` CPUs (CFS bandwidth
control), so one worker gets ``Q`` of a core and two get ``2Q``, whatever else runs; the
load generator and PostgreSQL stay outside the quota. The ratio of the two then shows what
the service does with twice the CPU: whether anything in it (a lock, a shared file, the
database) serialises its workers.

Needs a writable cgroup ``cpu`` controller (cgroup v1 ``/sys/fs/cgroup/cpu`` or v2 with
``cpu`` in ``cgroup.subtree_control``), which in practice means root.
"""

from __future__ import annotations

import contextlib
import os
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CpuQuota", "cpu_quota_root"]

_V1 = Path("/sys/fs/cgroup/cpu")
_V2 = Path("/sys/fs/cgroup")
#: a short CFS period: a throttled server waits at most this long (a 100 ms period, the
#: kernel's default, would put up to 100 ms of throttling into every p99)
PERIOD_US = 10_000


def cpu_quota_root() -> Path | None:
    """The cgroup folder new groups can be made in, or None where this process cannot."""
    if (_V1 / "cpu.cfs_quota_us").exists() and os.access(_V1, os.W_OK):
        return _V1
    controllers = _V2 / "cgroup.subtree_control"
    if (
        controllers.exists()
        and "cpu" in controllers.read_text().split()
        and os.access(_V2, os.W_OK)
    ):
        return _V2
    return None


@dataclass(frozen=True)
class CpuQuota:
    """One cgroup limited to ``cpus`` CPUs; :meth:`enter` moves the calling process into it
    (use it as a ``preexec_fn``: the server and every process it forks inherit it)."""

    folder: Path
    cpus: float

    @classmethod
    def make(cls, root: Path, name: str, cpus: float) -> CpuQuota:
        folder = root / name
        folder.mkdir(exist_ok=True)
        quota = max(1000, round(cpus * PERIOD_US))
        if (folder / "cpu.cfs_quota_us").exists():  # cgroup v1
            (folder / "cpu.cfs_period_us").write_text(str(PERIOD_US))
            (folder / "cpu.cfs_quota_us").write_text(str(quota))
        else:  # cgroup v2
            (folder / "cpu.max").write_text(f"{quota} {PERIOD_US}")
        return cls(folder, cpus)

    def enter(self) -> None:
        (self.folder / "cgroup.procs").write_text(str(os.getpid()))

    def throttled_seconds(self) -> float:
        """How long the group was held back by its quota (0 if the kernel does not say)."""
        stat = self.folder / "cpu.stat"
        for line in stat.read_text().splitlines() if stat.exists() else []:
            key, _, value = line.partition(" ")
            if key == "throttled_time":  # v1: nanoseconds
                return int(value) / 1e9
            if key == "throttled_usec":  # v2
                return int(value) / 1e6
        return 0.0

    def remove(self, wait_seconds: float = 10) -> None:
        """Remove the group once its processes are gone: a server's children can outlive it
        by a moment (a leftover group is harmless, only untidy)."""
        deadline = time.monotonic() + wait_seconds
        while (self.folder / "cgroup.procs").read_text().strip() and time.monotonic() < deadline:
            time.sleep(0.1)
        with contextlib.suppress(OSError):
            self.folder.rmdir()
