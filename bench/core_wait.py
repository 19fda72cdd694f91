"""Where a worker's wall time goes, with and without competing processes: the oracle
for the split of worker time into CPU, waiting for a core and the rest.

sync_cpu on a pool of 1: one worker computes, nothing else competes for the GIL, so
CPU < wall is the kernel's doing (other processes on the cores), not the GIL's. Runs
alternate quiet / two busy processes, side by side in this one run, so drift of the
machine hits both alike. The split must move: more waiting for a core under load,
with "other" (GIL or I/O) staying small. Then the cost of one schedstat read.

    python bench/core_wait.py [--rounds 2] [--requests 6] [--work-ms 100]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from server.tracing.run_queue import RunQueueClock
from visualizer.model.analysis import analyse
from visualizer.model.settings import RunSettings
from visualizer.runner.session import Session


def one_run(session: Session, requests: int, work_ms: float, hogs: int) -> tuple[float, ...]:
    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(hogs)]
    try:
        settings = RunSettings(
            style="sync_cpu", concurrency=1, requests=requests, work_ms=work_ms, pool=1
        )
        run = session.start_run(settings)
        while not run.finished:
            session.pump(0.1)
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()
    s = analyse(run.trace).summary
    return s.worker_wall_ms, s.worker_cpu_ms, s.worker_core_wait_ms or 0.0, s.worker_other_ms


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--requests", type=int, default=6)
    parser.add_argument("--work-ms", type=float, default=100)
    args = parser.parse_args()
    session = Session()
    session.start_server()
    shares: dict[int, list[float]] = {0: [], 2: []}
    try:
        for _ in range(args.rounds):
            for hogs in (0, 2):
                wall, cpu, core, other = one_run(session, args.requests, args.work_ms, hogs)
                shares[hogs].append(core / wall)
                print(
                    f"{hogs} busy processes: wall {wall:7.1f} ms = CPU {cpu:6.1f} "
                    f"+ waiting for a core {core:7.1f} + other {other:6.1f} "
                    f"(core wait {core / wall:.0%})"
                )
    finally:
        session.close()
    quiet, loaded = (sum(v) / len(v) for v in (shares[0], shares[2]))
    print(f"core-wait share: quiet {quiet:.0%}, loaded {loaded:.0%}, ratio {loaded / quiet:.2f}")
    clock = RunQueueClock()
    clock.waited_ns()  # opens this thread's file
    reads = 20_000
    cost = timeit.timeit(clock.waited_ns, number=reads) / reads
    print(f"one schedstat read: {cost * 1e6:.2f} µs (two per worker run)")


if __name__ == "__main__":
    main()
