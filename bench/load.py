"""Can the load generator carry concurrency 1,000 without being the bottleneck?

Runs a real scenario (async_sleep, W=50 ms by default) through the same Session as
the app, twice or more in alternation: once with schedviz's load generator (httpx
on its own asyncio transport) and once with a minimal raw-asyncio client
(bench/_raw_loadgen.py) that costs almost nothing per request, against the same
traced server. For each it prints: achieved requests/s; the concurrency the client
kept in flight and the concurrency inside the server's app, both time-weighted over
the stretch when the client still had requests to send; the client's CPU time a
request (its whole process, start-up included); that every request is in the trace
exactly once with a final state; and the client's stamping delay (the server's last
byte to the client's receipt stamp). Then schedviz's figures as ratios of the raw
client's.

    python bench/load.py [--concurrency 1000] [--requests 20000] [--work-ms 50] [--rounds 1]

Goal: schedviz's client >= 0.9x the raw client's throughput and in-server concurrency.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import visualizer.runner.session as session_module
from server.protocol import RESPONSE_END, SERVER_START, Outcome
from visualizer.model.settings import RunSettings
from visualizer.model.trace import RunTrace
from visualizer.runner.children import load_generator_command
from visualizer.runner.session import Session

RAW_CLIENT = [sys.executable, "-I", "-u", str(Path(__file__).resolve().parent / "_raw_loadgen.py")]
CLIENTS = {"schedviz (httpx)": load_generator_command(), "raw asyncio": RAW_CLIENT}


def load_generator_at(root: str) -> list[str]:
    """The load generator of another copy of schedviz (``git archive`` of an earlier commit)."""
    command = load_generator_command()
    return [*command[:-1], str(Path(root).resolve())]


def time_weighted_mean(begins: np.ndarray, ends: np.ndarray, lo: int, hi: int) -> float:
    """Mean number of intervals open over [lo, hi)."""
    begins, ends = np.clip(begins, lo, hi), np.clip(ends, lo, hi)
    return float((ends - begins).sum()) / max(hi - lo, 1)


def children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_once(settings: RunSettings, client: list[str]) -> tuple[RunTrace, float, float]:
    """One run with ``client`` as the load generator: its trace, wall time and the client's CPU."""
    # The one thing that differs between the two: which program the client child runs.
    vars(session_module)["load_generator_command"] = lambda: client
    session = Session()
    try:
        session.start_server()
        cpu_before = children_cpu_s()
        started = time.monotonic()
        run = session.start_run(settings)
        while not run.finished:
            session.pump(0.1)
        wall = time.monotonic() - started
        assert run.client is not None and run.client.pid is not None
        # The client exits after its last frame; once reaped, its CPU is in RUSAGE_CHILDREN.
        deadline = time.monotonic() + 10
        while Path(f"/proc/{run.client.pid}").exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        client_cpu = children_cpu_s() - cpu_before
    finally:
        session.close()
    return run.trace, wall, client_cpu


def figures(trace: RunTrace, requests: int, client_cpu_s: float) -> dict[str, float]:
    sent, done = trace.sent.rows, trace.done.rows
    by_id = np.sort(done, order="request")
    # The steady stretch: from the first send to the last send (the client still had
    # work to hand out, so anything below C in flight is the client's doing).
    lo, hi = int(sent["sent"].min()), int(sent["sent"].max())
    stamps = trace.stamp.rows
    begin = np.sort(stamps[stamps["kind"] == SERVER_START], order="request")
    end = np.sort(stamps[stamps["kind"] == RESPONSE_END], order="request")
    common = np.intersect1d(begin["request"], end["request"])
    b = begin[np.isin(begin["request"], common)]
    e = end[np.isin(end["request"], common)]
    receipt_ns = by_id[np.isin(by_id["request"], e["request"])]["received"] - e["t"]
    ids_sent = np.sort(sent["request"])
    accounted = np.array_equal(ids_sent, np.arange(1, requests + 1)) and np.array_equal(
        by_id["request"], ids_sent
    )
    makespan_s = (int(done["received"].max()) - int(sent["sent"].min())) / 1e9
    return {
        "rate": requests / makespan_s,
        "in_flight": time_weighted_mean(by_id["sent"], by_id["received"], lo, hi),
        "in_app": time_weighted_mean(b["t"], e["t"], lo, hi),
        "cpu_us": client_cpu_s / requests * 1e6,
        "accounted": float(accounted),
        "sent": len(sent),
        "done": len(done),
        "ok": int(np.count_nonzero(done["outcome"] == Outcome.OK)),
        "receipt_p50_ms": float(np.percentile(receipt_ns, 50)) / 1e6,
        "receipt_p99_ms": float(np.percentile(receipt_ns, 99)) / 1e6,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--concurrency", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--work-ms", type=float, default=50.0)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument(
        "--baseline-root",
        help="also run the load generator of the schedviz copy in this folder, as 'baseline'",
    )
    args = parser.parse_args()
    if args.baseline_root:
        CLIENTS["baseline"] = load_generator_at(args.baseline_root)
    settings = RunSettings(
        style="async_sleep",
        concurrency=args.concurrency,
        requests=args.requests,
        work_ms=args.work_ms,
    )
    print(
        f"async_sleep on the traced server, concurrency {args.concurrency:,}, "
        f"{args.requests:,} requests, work {args.work_ms:g} ms, {args.rounds} round(s), "
        "clients alternating"
    )
    results: dict[str, list[dict[str, float]]] = {name: [] for name in CLIENTS}
    names = list(CLIENTS)
    for round_ in range(args.rounds):
        for name in names if round_ % 2 == 0 else names[::-1]:
            trace, wall, cpu = run_once(settings, CLIENTS[name])
            f = figures(trace, args.requests, cpu)
            results[name].append(f)
            c = args.concurrency
            print(
                f"  {name:<17} {f['rate']:6,.0f} requests/s  in flight {f['in_flight']:5,.0f} "
                f"({f['in_flight'] / c:.0%})  inside the app {f['in_app']:5,.0f} "
                f"({f['in_app'] / c:.0%})  client CPU {f['cpu_us']:4.0f} us/request  "
                f"every request once: {'yes' if f['accounted'] else 'NO'} "
                f"({f['sent']:,.0f} sent, {f['done']:,.0f} done, {f['ok']:,.0f} ok)  "
                f"receipt delay p50 {f['receipt_p50_ms']:.1f} ms, p99 {f['receipt_p99_ms']:.1f} ms"
                f"  ({wall:.1f} s)"
            )
    raw = results["raw asyncio"]
    for name in [n for n in names if n != "raw asyncio"]:
        for key, label in (("rate", "throughput"), ("in_app", "in-server concurrency")):
            ratios = [o[key] / r[key] for o, r in zip(results[name], raw, strict=True)]
            spread = (
                f" (rounds: {', '.join(f'{x:.2f}' for x in ratios)})" if len(ratios) > 1 else ""
            )
            goal = "   goal >= 0.9x" if name == names[0] else ""
            print(f"{name}/raw {label}: {statistics.median(ratios):.2f}x{goal}{spread}")


if __name__ == "__main__":
    main()
