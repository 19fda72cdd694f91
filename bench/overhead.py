"""What tracing costs: server CPU per request of a trivial async endpoint, traced and not.

Three servers run side by side in this one run: a traced one, an untraced one and
an identical untraced control. The load comes from a bare asyncio HTTP/1.1 client
with keep-alive connections, much cheaper per request than the server, so the
server sets the pace. Each round reads each server's CPU time (all its threads,
/proc/<pid>/task/*/schedstat, in ns) before and after, per request answered. Then
the cost of recording one loop slice is measured in-process, in ns.

    python bench/overhead.py [--seconds 1] [--rounds 20] [--connections 32] [--competing-load]

Each set of rounds is run twice: the servers one at a time (each takes each place
in a round in turn, so drift of the machine hits all alike) and all three at once,
sharing their CPU, so that whatever else the machine does falls on the three in the
same instants. ``--slices-only`` measures only the in-process costs: one loop slice
recorded as before the stack sampler, now, and with the sampler's thread running,
and how much of a 200 ms CPU-bound slice's work its samples take. The figures are
per-round ratios, traced/untraced and
control/untraced, as a median and a spread (quartiles, min-max): control/untraced
is what this machine's noise alone does to a ratio, the floor under any claim about
tracing's cost. ``--competing-load`` repeats the rounds with a process spinning on
the servers' CPU.

On a machine with two or more CPUs the servers run on one CPU and this process on
another: otherwise the scheduler moves the client, the servers' threads and the
trace drain across both, and that alone swings a round by +-5%.

Goals: traced CPU per request <= 1.03x untraced; a slice shorter than the sampler's
threshold costs no more than it did before the sampler (issue 13).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _competing_load import competing_load

from server.protocol import read_frames
from server.tracing import LoopTracer, StackSampler, TraceRecorder, current_request
from visualizer.runner.children import server_command

#: The servers (and their upstreams) get the last CPU, the load client the others.
_CPUS = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
SERVER_CPUS = set(_CPUS[-1:]) if len(_CPUS) > 1 else set()
CLIENT_CPUS = set(_CPUS[:-1]) if len(_CPUS) > 1 else set()


def _pin(cpus: set[int]) -> None:
    if cpus:
        os.sched_setaffinity(0, cpus)


REQUEST = (
    b"GET /async_sleep?work_ms=0 HTTP/1.1\r\nhost: bench\r\n"
    b"x-request-id: %d\r\nx-schedviz-run: 1\r\n\r\n"
)
#: Opens run 1 on the server, so that the requests above are traced as a run's are.
RUN_COMMAND = b'{"cmd": "run", "run": 1, "requests": 1000000000, "pool": 40}\n'


class Server:
    def __init__(self, traced: bool) -> None:
        env = dict(os.environ, SCHEDVIZ_TRACE="1" if traced else "0")
        self.process = subprocess.Popen(
            server_command(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            preexec_fn=lambda: _pin(SERVER_CPUS),
        )
        assert self.process.stdout is not None
        self.port = int(next(read_frames(self.process.stdout))["port"])
        assert self.process.stdin is not None
        self.process.stdin.write(RUN_COMMAND)
        self.process.stdin.flush()
        # Drain the trace stream, or the shipper would block on a full pipe; in a
        # process of its own (wc, in C), so that decoding it neither slows this
        # process's load client nor competes with it for the GIL.
        self.drain = subprocess.Popen(
            ["wc", "-c"], stdin=self.process.stdout, stdout=subprocess.PIPE, text=True
        )

    def trace_bytes(self) -> int:
        """Bytes of trace the server shipped; call after stop()."""
        out, _ = self.drain.communicate(timeout=10)
        return int(out.split()[0])

    def cpu_seconds(self) -> float:
        """CPU time the server process's threads have used so far, in ns steps (Linux).

        /proc/<pid>/task/*/schedstat counts in ns; /proc/<pid>/stat in clock ticks
        (10 ms), which in a 1 s round of ~0.5 s of CPU is a 2% step of its own.
        Threads that ended are lost from schedstat, but the servers start none per
        request (the loop, the shipper and the stdin watcher live for the run).
        """
        total_ns = 0
        try:
            tasks = list(Path(f"/proc/{self.process.pid}/task").iterdir())
        except OSError:
            return 0.0
        for task in tasks:
            with contextlib.suppress(OSError):  # a thread that ended meanwhile
                total_ns += int((task / "schedstat").read_text().split()[0])
        return total_ns / 1e9

    def stop(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(5)


async def hammer(port: int, seconds: float, connections: int) -> int:
    """Requests answered in ``seconds`` over ``connections`` keep-alive connections."""
    deadline = time.perf_counter() + seconds
    counts = await asyncio.gather(*(_one_connection(port, deadline) for _ in range(connections)))
    return sum(counts)


async def _one_connection(port: int, deadline: float) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    done = 0
    while time.perf_counter() < deadline:
        writer.write(REQUEST % (done + 1))
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
        await reader.readexactly(length)
        done += 1
    writer.close()
    await writer.wait_closed()
    return done


def slice_cost_ns(callbacks: int = 200_000) -> dict[str, float]:
    """Time per no-op loop callback, in ns: plain; recorded as before the stack sampler
    (a copy of that tracer, below); recorded now with the sampler's thread idle; and
    with it running at its 10 ms threshold (every callback here is far shorter)."""

    def run(way: str) -> float:
        loop = asyncio.new_event_loop()
        recorder = TraceRecorder(ship=lambda frame: None)
        sampler = StackSampler(recorder)
        tracer = LoopTracer(recorder, sampler)
        restore = None
        if way == "before the sampler":
            restore = _record_as_before(loop, recorder)
        elif way != "plain":
            tracer.install(loop)
        if way == "sampler running":
            sampler.watch_loop_thread()
            sampler.start()
        try:
            finished = loop.create_future()
            remaining = [callbacks]

            def tick() -> None:
                remaining[0] -= 1
                if remaining[0]:
                    loop.call_soon(tick)
                else:
                    finished.set_result(None)

            loop.call_soon(tick)
            start = time.perf_counter_ns()
            loop.run_until_complete(finished)
            return (time.perf_counter_ns() - start) / callbacks
        finally:
            if way == "sampler running":
                sampler.stop()
            tracer.uninstall()
            if restore is not None:
                restore()
            loop.close()

    # Alternated, and the fastest of each: the least disturbed by the rest of the machine.
    times: dict[str, list[float]] = {way: [] for way in SLICE_WAYS}
    for _ in range(9):
        for way in SLICE_WAYS:
            times[way].append(run(way))
    return {way: min(values) for way, values in times.items()}


SLICE_WAYS = ("plain", "before the sampler", "sampler idle", "sampler running")


def long_slice_cost(work_ms: float = 200.0, rounds: int = 7) -> tuple[float, float, int]:
    """A CPU-bound callback of ``work_ms`` on a traced loop, without and with the sampler
    taking its samples (one each 10 ms: it takes the GIL for each): the fastest of each,
    in ms, and the samples taken in the last run."""

    def run(sampling: bool) -> tuple[float, int]:
        loop = asyncio.new_event_loop()
        recorder = TraceRecorder(ship=lambda frame: None)
        sampler = StackSampler(recorder)
        tracer = LoopTracer(recorder, sampler)
        tracer.install(loop)
        sampler.watch_loop_thread()
        if sampling:
            sampler.start()
        counted = [0]

        def timed() -> None:
            start = time.perf_counter_ns()
            loops = 0
            deadline = start + int(work_ms * 1e6)
            while time.perf_counter_ns() < deadline:
                sum(range(200))
                loops += 1
            counted[0] = loops

        try:
            loop.call_soon(timed)
            loop.run_until_complete(asyncio.sleep(0))
        finally:
            if sampling:
                sampler.stop()
            tracer.uninstall()
            loop.close()
        return counted[0], len(recorder.stack) // 6

    # Work done in the same wall time: fewer loops with sampling is what sampling cost.
    done = {False: [], True: []}
    samples = 0
    for _ in range(rounds):
        for sampling in (False, True):
            loops, samples_now = run(sampling)
            done[sampling].append(loops)
            samples = samples_now if sampling else samples
    return max(done[False]), max(done[True]), samples


def _record_as_before(loop: asyncio.AbstractEventLoop, recorder: TraceRecorder) -> Any:
    """The loop tracer's Handle wrapper as it was before the stack sampler (commit
    16f744f), for the side-by-side ratio; returns what puts the original back."""
    original = asyncio.events.Handle._run
    record_slice = recorder.loop.extend
    request_var = current_request

    def traced_run(handle: Any) -> None:
        start = time.perf_counter_ns()
        original(handle)
        if handle._loop is loop:
            record_slice((start, time.perf_counter_ns(), handle._context.get(request_var, 0)))

    asyncio.events.Handle._run = traced_run  # type: ignore[method-assign]

    def restore() -> None:
        asyncio.events.Handle._run = original  # type: ignore[method-assign]

    return restore


def load_rounds(
    servers: dict[str, Server], rounds: int, seconds: float, connections: int
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Requests/s and server CPU us per request of each server, one value per round."""
    rates: dict[str, list[float]] = {name: [] for name in servers}
    cpu_per_request: dict[str, list[float]] = {name: [] for name in servers}
    names = list(servers)
    for round_ in range(rounds):
        # Each server takes each place in the round in turn: no one always goes first.
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            server = servers[name]
            cpu_before = server.cpu_seconds()
            count = asyncio.run(hammer(server.port, seconds, connections))
            rates[name].append(count / seconds)
            cpu_per_request[name].append((server.cpu_seconds() - cpu_before) / count * 1e6)
    return rates, cpu_per_request


def load_together(
    servers: dict[str, Server], rounds: int, seconds: float, connections: int
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """As :func:`load_rounds`, but the three servers are loaded at once in each round.

    They share the one CPU, so whatever else the machine does in a round falls on all
    three in the same instants, not on whichever one's turn it was.
    """
    rates: dict[str, list[float]] = {name: [] for name in servers}
    cpu_per_request: dict[str, list[float]] = {name: [] for name in servers}

    async def all_at_once() -> list[int]:
        load = (hammer(server.port, seconds, connections) for server in servers.values())
        return list(await asyncio.gather(*load))

    for _ in range(rounds):
        cpu_before = {name: server.cpu_seconds() for name, server in servers.items()}
        counts = asyncio.run(all_at_once())
        for (name, server), count in zip(servers.items(), counts, strict=True):
            rates[name].append(count / seconds)
            cpu = server.cpu_seconds() - cpu_before[name]
            cpu_per_request[name].append(cpu / count * 1e6)
    return rates, cpu_per_request


def spread(values: list[float]) -> str:
    """Median, quartiles and range, as printed for every ratio."""
    q1, median, q3 = statistics.quantiles(values, n=4) if len(values) > 1 else values * 3
    return f"{median:.3f} (quartiles {q1:.3f}-{q3:.3f}, range {min(values):.3f}-{max(values):.3f})"


def report(label: str, rates: dict[str, list[float]], cpu: dict[str, list[float]]) -> None:
    print(f"{label}:")
    for name in rates:
        print(
            f"  {name:<9} median {statistics.median(rates[name]):8,.0f} requests/s, "
            f"{statistics.median(cpu[name]):5.0f} us server CPU a request"
        )

    def ratios(values: dict[str, list[float]], name: str) -> list[float]:
        return [x / u for x, u in zip(values[name], values["untraced"], strict=True)]

    if all(all(v) for v in cpu.values()):
        print(f"  CPU per request, traced/untraced  {spread(ratios(cpu, 'traced'))}  goal <= 1.03")
        print(f"  CPU per request, control/untraced {spread(ratios(cpu, 'control'))}  (the noise)")
    print(f"  throughput, traced/untraced       {spread(ratios(rates, 'traced'))}")
    print(f"  throughput, control/untraced      {spread(ratios(rates, 'control'))}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=1.0)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--competing-load", action="store_true")
    parser.add_argument(
        "--slices-only", action="store_true", help="only the cost of recording one loop slice"
    )
    args = parser.parse_args()
    if args.slices_only:
        _print_slice_cost()
        _print_long_slice_cost()
        return

    # Two identical untraced servers: what the control differs from the untraced one by
    # is the noise of this machine, the floor under any claim about tracing's cost.
    servers = {
        "untraced": Server(traced=False),
        "control": Server(traced=False),
        "traced": Server(traced=True),
    }
    _pin(CLIENT_CPUS)
    pinned = f"servers on CPU {SERVER_CPUS}, client on {CLIENT_CPUS}" if SERVER_CPUS else "unpinned"
    print(
        f"trivial async endpoint, {args.connections} connections, {args.rounds} rounds "
        f"of {args.seconds:g} s each, alternating; {pinned}; per-round ratios"
    )
    try:
        for server in servers.values():  # warm them up
            asyncio.run(hammer(server.port, 0.5, args.connections))
        for loaded in (False, True) if args.competing_load else (False,):
            # competing_load spins on the last CPU this process may use: the servers' one.
            _pin(set(_CPUS))
            with competing_load(loaded) as label:
                _pin(CLIENT_CPUS)
                for way, load in (("one at a time", load_rounds), ("together", load_together)):
                    rates, cpu = load(servers, args.rounds, args.seconds, args.connections)
                    report(f"{label}, {way}", rates, cpu)
    finally:
        for server in servers.values():
            server.stop()
    shipped = {name: server.trace_bytes() for name, server in servers.items()}
    print(
        f"trace shipped: {shipped['traced'] / 1e6:,.1f} MB by the traced server, "
        f"{shipped['untraced']:,} bytes by the untraced one"
    )
    _print_slice_cost()
    _print_long_slice_cost()


def _print_long_slice_cost() -> None:
    alone, sampled, samples = long_slice_cost()
    print(
        f"a 200 ms CPU-bound slice: {sampled / alone:.3f} of its work done while sampled "
        f"({samples} samples) against unsampled (best of 7 each, alternated)"
    )


def _print_slice_cost() -> None:
    cost = slice_cost_ns()
    plain = cost["plain"]
    print(
        "one loop callback: "
        + ", ".join(f"{way} {ns:.0f} ns" for way, ns in cost.items())
        + f"; recording a slice costs {cost['before the sampler'] - plain:.0f} ns as before, "
        f"{cost['sampler idle'] - plain:.0f} ns now, "
        f"{cost['sampler running'] - plain:.0f} ns with the sampler running"
    )


if __name__ == "__main__":
    main()
