"""Pure-Python CPU work of a chosen length, for the CPU-bound endpoint styles.

The work is a fixed number of loop iterations, calibrated once at start-up, not a
busy-wait until a deadline: a fixed amount of work is what makes threads that share
the GIL take longer, which is the point the sync_cpu style shows.
"""

from __future__ import annotations

from time import thread_time_ns

_loops_per_ms = 0.0


def calibrate(sample_ms: float = 20.0, samples: int = 5) -> float:
    """Measure how many iterations of :func:`burn_cpu` this machine runs per CPU ms.

    Takes the fastest of several samples: a sibling hardware thread busy with
    another process (the upstream starting, the app drawing) only ever slows a
    sample down, and a slow calibration makes every CPU-bound handler too short.
    """
    global _loops_per_ms
    loops = 20_000
    while (took_ms := _cpu_ms(loops)) < sample_ms:
        loops = int(loops * max(2.0, sample_ms / max(took_ms, 0.01) * 1.1))
    _loops_per_ms = max(loops / _cpu_ms(loops) for _ in range(samples))
    return _loops_per_ms


def loops_per_ms() -> float:
    """The calibration, measured first if it has not been."""
    return _loops_per_ms or calibrate()


def use_calibration(loops: float) -> None:
    """Take the server's calibration, in a pool's worker process: one that calibrated on
    its own would do it in its first request, which would then take ~0.1 s more than W."""
    global _loops_per_ms
    _loops_per_ms = loops


def _cpu_ms(loops: int) -> float:
    start = thread_time_ns()
    _spin(loops)
    return max(thread_time_ns() - start, 1) / 1e6


def burn_cpu(work_ms: float) -> int:
    """Run pure-Python arithmetic for about ``work_ms`` of one core, holding the GIL."""
    return _spin(int(work_ms * loops_per_ms()))


def _spin(loops: int) -> int:
    total = 0
    for i in range(loops):
        total += i * i % 7
    return total
