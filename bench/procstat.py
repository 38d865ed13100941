"""CPU time of processes as the benchmarks read it (Linux /proc and getrusage): one home for the
field positions of /proc/PID/stat."""

from __future__ import annotations

import os
import resource
from pathlib import Path


def ticks(pid: int) -> int:
    """utime + stime of /proc/PID/stat, in clock ticks: the process's own CPU time (0 when it has gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])


def cpu_seconds(pid: int) -> float:
    """The CPU seconds (user + system) a running process has used."""
    return ticks(pid) / os.sysconf("SC_CLK_TCK")


def children_cpu() -> float:
    """CPU seconds of this process's ended (waited for) children."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime
