"""Can the load generator carry concurrency 1,000 without being the bottleneck?

Runs a real scenario (async_sleep, W=50 ms by default) through the same Session as
the app and prints: achieved requests/s; the concurrency the client kept in flight
and the concurrency inside the server's app, both time-weighted over the stretch
when the client still had requests to send, as a share of the one asked for; that
every request is in the trace exactly once with a final state; and the client's
own stamping delay (the time from the server's last byte to the client's receipt
stamp: kernel transfer plus the client's loop being busy).

    python bench/load.py [--concurrency 1000] [--requests 20000] [--work-ms 50]

Goal: client in flight >= 95% of the concurrency asked for, every request counted.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from server.protocol import RESPONSE_END, SERVER_START, Outcome
from visualizer.model.settings import RunSettings
from visualizer.model.trace import RunTrace
from visualizer.runner.headless import run_to_completion


def time_weighted_mean(begins: np.ndarray, ends: np.ndarray, lo: int, hi: int) -> float:
    """Mean number of intervals open over [lo, hi)."""
    begins, ends = np.clip(begins, lo, hi), np.clip(ends, lo, hi)
    return float((ends - begins).sum()) / max(hi - lo, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--concurrency", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--work-ms", type=float, default=50.0)
    args = parser.parse_args()
    settings = RunSettings(
        style="async_sleep",
        concurrency=args.concurrency,
        requests=args.requests,
        work_ms=args.work_ms,
    )
    started = time.monotonic()
    result = run_to_completion(settings)
    wall = time.monotonic() - started
    trace: RunTrace = result.trace
    sent, done = trace.sent.rows, trace.done.rows
    by_id = np.sort(done, order="request")

    # The steady stretch: from the first send to the last send (the client still had
    # work to hand out, so anything below C in flight is the client's doing).
    lo, hi = int(sent["sent"].min()), int(sent["sent"].max())
    in_flight = time_weighted_mean(by_id["sent"], by_id["received"], lo, hi)
    stamps = trace.stamp.rows
    begin = np.sort(stamps[stamps["kind"] == SERVER_START], order="request")
    end = np.sort(stamps[stamps["kind"] == RESPONSE_END], order="request")
    common = np.intersect1d(begin["request"], end["request"])
    b = begin[np.isin(begin["request"], common)]
    e = end[np.isin(end["request"], common)]
    in_app = time_weighted_mean(b["t"], e["t"], lo, hi)
    receipt_ns = by_id[np.isin(by_id["request"], e["request"])]["received"] - e["t"]

    ids_sent = np.sort(sent["request"])
    accounted = np.array_equal(ids_sent, np.arange(1, args.requests + 1)) and np.array_equal(
        by_id["request"], ids_sent
    )
    ok = int(np.count_nonzero(done["outcome"] == Outcome.OK))
    print(
        f"async_sleep, concurrency {args.concurrency:,}, {args.requests:,} requests, "
        f"work {args.work_ms:g} ms  ({wall:.1f} s wall, incl. start-up)"
    )
    print(f"  makespan            {result.summary.makespan_ms / 1000:.2f} s")
    rate = args.requests / (result.summary.makespan_ms / 1000)
    print(f"  achieved            {rate:,.0f} requests/s")
    print(
        f"  client in flight    {in_flight:,.0f} of {args.concurrency:,} "
        f"({in_flight / args.concurrency:.1%})   goal >= 95%"
    )
    print(
        f"  inside the app      {in_app:,.0f} ({in_app / args.concurrency:.1%}); the rest "
        "waited in sockets for the loop"
    )
    print(
        f"  every request once  {'yes' if accounted else 'NO'}: {len(sent):,} sent, "
        f"{len(done):,} done, {ok:,} ok"
    )
    p50, p99 = np.percentile(receipt_ns, [50, 99]) / 1e6
    print(
        f"  client stamping delay (server's last byte -> receipt stamp): "
        f"p50 {p50:.2f} ms, p99 {p99:.2f} ms, max {receipt_ns.max() / 1e6:.2f} ms"
    )


if __name__ == "__main__":
    main()
