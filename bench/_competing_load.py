"""A competing CPU load for benchmarks: one process spinning on the machine's second core.

A teacher's laptop is rarely idle (a browser, a video call, the projector's driver);
on two cores, a second busy process is what that looks like. Figures measured with
and without it, side by side, say how much of a goal's margin such a neighbour eats.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from contextlib import contextmanager


def _spin() -> None:
    while True:
        pass


@contextmanager
def competing_load(on: bool = True) -> Iterator[str]:
    """While inside, a process spins on the last CPU this process may use; yields a label."""
    if not on:
        yield "quiet"
        return
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else [0]
    spinner = multiprocessing.get_context("spawn").Process(target=_spin, daemon=True)
    spinner.start()
    assert spinner.pid is not None
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(spinner.pid, {cpus[-1]})
    try:
        yield f"loaded (a process spinning on CPU {cpus[-1]})"
    finally:
        spinner.terminate()
        spinner.join()
