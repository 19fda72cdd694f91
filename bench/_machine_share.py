"""How much of the machine a benchmark's own processes used, and how much others did.

On a shared 2-core machine a figure measured while someone else's test suite ran is
not the figure of a quiet machine. A run's report says so: the machine's busy CPU
time (``/proc/stat``) against what this session's processes used (this process and
its children, alive or reaped), the rest being other people's work. Linux only;
elsewhere the account is empty.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

_TICK_S = 1 / os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 0.01


@dataclass(frozen=True)
class CpuAccount:
    """CPU seconds so far: the whole machine's busy time, and this session's share of it."""

    machine_s: float
    ours_s: float

    def since(self, earlier: CpuAccount) -> tuple[float, float]:
        """(ours, others') CPU seconds between ``earlier`` and this account."""
        ours = self.ours_s - earlier.ours_s
        return ours, max(self.machine_s - earlier.machine_s - ours, 0.0)


def cpu_account() -> CpuAccount:
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return CpuAccount(0.0, 0.0)
    # user nice system idle iowait irq softirq steal: busy is all but idle and iowait.
    values = [int(v) for v in fields[:8]]
    machine = (sum(values) - values[3] - values[4]) * _TICK_S
    times = os.times()
    reaped = times.children_user + times.children_system
    return CpuAccount(machine, _session_alive_s() + reaped)


def _session_alive_s() -> float:
    """CPU time of the live processes of this session (ours, our children, theirs)."""
    session = os.getsid(0)
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # Fields after the command (which may hold spaces), from field 3 (state) on.
        rest = stat[stat.rindex(")") + 2 :].split()
        if int(rest[3]) == session:  # field 6: session id
            total += int(rest[11]) + int(rest[12])  # fields 14, 15: utime, stime
    return total * _TICK_S
