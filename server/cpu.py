"""Pure-Python CPU work of a chosen length, for the CPU-bound endpoint styles.

The work is a fixed number of loop iterations, calibrated once at start-up, not a
busy-wait until a deadline: a fixed amount of work is what makes threads that share
the GIL take longer, which is the point the sync_cpu style shows.
"""

from __future__ import annotations

from time import thread_time_ns

_loops_per_ms = 0.0


def calibrate(sample_ms: float = 60.0) -> float:
    """Measure how many iterations of :func:`burn_cpu` this machine runs per CPU ms."""
    global _loops_per_ms
    loops = 20_000
    while True:
        start = thread_time_ns()
        _spin(loops)
        took_ms = (thread_time_ns() - start) / 1e6
        if took_ms >= sample_ms:
            _loops_per_ms = loops / took_ms
            return _loops_per_ms
        loops *= 2 if took_ms <= 0 else max(2, int(sample_ms / took_ms) + 1)


def burn_cpu(work_ms: float) -> int:
    """Run pure-Python arithmetic for about ``work_ms`` of one core, holding the GIL."""
    if not _loops_per_ms:
        calibrate()
    return _spin(int(work_ms * _loops_per_ms))


def _spin(loops: int) -> int:
    total = 0
    for i in range(loops):
        total += i * i % 7
    return total
