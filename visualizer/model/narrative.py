"""What happened in a run, in plain words, from its figures.

Each sentence is backed by a measured figure; a sentence whose figure does not
show the effect is not said. Thresholds are named so that the words can be
checked against the numbers.
"""

from __future__ import annotations

from visualizer.model.summary import PoolUse, RunSummary

#: A loop slice at least this long, and this share of the run, is called a block.
BLOCK_MS = 20.0
BLOCK_SHARE = 0.05
#: Handlers that kept the loop busy this share of the run, in slices too short to be
#: called blocks, made the server CPU-bound (many requests, each costing CPU).
SATURATED_SHARE = 0.5
#: A collector pause this long is worth a sentence.
GC_NOTABLE_MS = 5.0
#: Workers whose CPU time is below this share of their wall time were mostly waiting.
IDLE_CPU_SHARE = 0.15
#: Workers that were computing but got less than this share of their wall time on a
#: CPU were taking turns for the GIL.
GIL_CPU_SHARE = 0.8


def narrate(summary: RunSummary) -> list[str]:
    """Sentences, most important first."""
    lines: list[str] = []
    block = summary.longest_loop_block
    makespan = summary.makespan_ms
    # A passive recording's length is how long somebody listened, not the run's: a
    # block is a block there whatever share of it that is.
    share = 0.0 if summary.passive else BLOCK_SHARE * makespan
    if block and block.duration_ms >= max(BLOCK_MS, share):
        who = f"Request {block.request}" if block.request else "Server code with no request"
        if block.request and block.route:
            who += f" ({block.route})"
        behind = _count(block.waited_behind, "request", "requests")
        briefly = f", and {block.held_up_briefly:,} more briefly" if block.held_up_briefly else ""
        lines.append(
            f"{who} blocked the event loop for {_ms(block.duration_ms)}; "
            f"{behind} waited behind it{briefly}."
        )
        if block.held_at:
            lines.append(f"{block.held_at} held the loop: the line running when it was sampled.")
        if summary.loop_busy_ms >= 0.5 * makespan:
            # With workers busy meanwhile (def endpoints, sync dependencies), not every
            # request waited its turn: only what ran on the loop did.
            serial = (
                "requests ran one at a time."
                if summary.workers_used == 0
                else "on the loop, requests ran one at a time; only the workers ran beside it."
            )
            lines.append(
                f"Handlers held the loop for {_ms(summary.loop_busy_ms)} of the "
                f"{_ms(makespan)} run ({summary.loop_busy_ms / makespan:.0%}): {serial}"
            )
        if block.blockers > 1:
            shortest, longest = block.blockers_ms
            # Blocks that differ by more than a tenth are given as a range, not "about".
            how_long = (
                f"{_ms(shortest)} to {_ms(longest)}"
                if longest > 1.1 * shortest
                else f"about {_ms(block.duration_ms)}"
            )
            lines.append(
                f"{block.blockers:,} requests each blocked the loop for {how_long}, "
                "one after another: nothing else ran meanwhile."
            )
    elif summary.peak_in_server > 1 and makespan > 0:
        busy = summary.loop_busy_ms / makespan
        if busy >= SATURATED_SHARE:
            lines.append(
                f"Up to {summary.peak_in_server} requests were in progress at once, but "
                f"handlers kept the loop busy for {_ms(summary.loop_busy_ms)} of the "
                f"{_ms(makespan)} run ({busy:.0%}) in short slices: the server's CPU, "
                "not waiting, set the pace."
            )
        else:
            lines.append(
                f"Up to {summary.peak_in_server} requests were in progress at once; handlers "
                f"held the loop for only {_ms(summary.loop_busy_ms)} of the {_ms(makespan)} run."
            )
    if summary.spread is not None:
        lines.extend(summary.spread.sentences())
    if summary.spread is not None and summary.spread.pool_waited:
        lines.append(_pools_of_processes(summary))
    elif summary.pool_waited:
        taken = (
            "The only worker of the pool of 1 was busy"
            if summary.workers_used == summary.pool_size == 1
            else f"All {summary.workers_used:,} workers of the pool of {summary.pool_size} "
            "were busy"
        )
        lines.append(
            f"{taken}: {_count(summary.pool_waited, 'request', 'requests')} "
            f"waited for a worker, up to {_ms(summary.pool_wait_max_ms)}."
        )
    lines.extend(_hidden_trips(summary))
    lines.extend(_after_response(summary))
    lines.extend(_other_pools(summary))
    lines.extend(_abandoned(summary))
    lines.extend(_worker_time(summary))
    if summary.failed:
        lines.append(_failures(summary))
    if summary.gc_longest_ms >= GC_NOTABLE_MS:
        lines.append(
            f"The garbage collector paused the server {_count(summary.gc_pauses, 'time', 'times')}"
            f", {_ms(summary.gc_loop_ms)} of it on the event loop (longest "
            f"{_ms(summary.gc_longest_ms)}): drawn as garbage collection, not as a request's time."
        )
    if summary.foreign_requests:
        lines.append(
            f"{_count(summary.foreign_requests, 'request', 'requests')} from elsewhere "
            "reached the server during the run (with an id not of this run): counted, "
            "not drawn."
        )
    if summary.requests < summary.planned and not summary.passive:
        lines.append(f"{summary.requests:,} of {summary.planned:,} planned requests were sent.")
    if summary.passive:
        lines.append(
            "Recorded passively: each request is drawn from when the server's app got it to "
            "its response's end; what its client did before and after is not known."
        )
    if summary.uvloop_installed:
        lines.append(
            "uvloop is installed here, but the app ran on asyncio's own loop: uvloop runs "
            "callbacks in C, where schedviz cannot see them."
        )
    lines.append(
        f"{summary.ok:,} of {summary.requests:,} requests succeeded in {_ms(makespan)}; "
        f"latency p50 {_ms(summary.latency_ms['p50'])}, max {_ms(summary.latency_ms['max'])}."
    )
    return lines


def _hidden_trips(summary: RunSummary) -> list[str]:
    """A request that goes to the threadpool more than once waits for a token each time."""
    lines = []
    for trips in summary.trips:
        if trips.requests == summary.requests:
            who, each = "Each request", ""
        else:
            who = _count(trips.requests, "request", "requests")
            who += f" ({trips.route})" if trips.route else ""
            each = " each" if trips.requests > 1 else ""
        if trips.per_request == 1:
            lines.append(
                f"{who} made a trip to the threadpool{each} ({_in_turn(trips.funcs)}), "
                "besides its endpoint: when every worker is busy, a request waits for a "
                "token first."
            )
            continue
        lines.append(
            f"{who} made {trips.per_request} trips to the threadpool{each} "
            f"({_in_turn(trips.funcs)}): when every worker is busy, a request waits for a "
            "token before each one."
        )
    return lines


def _in_turn(funcs: list[str]) -> str:
    """What ran, in order, a repeat said once with its count: "next chunk of rows x 6"
    (with the multiplication sign, as the failures are counted)."""
    said: list[tuple[str, int]] = []
    for func in funcs:
        if said and said[-1][0] == func:
            said[-1] = (func, said[-1][1] + 1)
        else:
            said.append((func, 1))
    return ", ".join(
        func if times == 1 else f"{func} × {times}"  # noqa: RUF001 (the sign is meant)
        for func, times in said
    )


def _after_response(summary: RunSummary) -> list[str]:
    """Work after the response (a background task): nobody waits for it, but it holds
    a worker, and a full pool makes it wait as it makes requests wait."""
    after = summary.after_response
    if after is None:
        return []
    past = (
        f", and the server was busy {_ms(after.past_last_response_ms)} past the last response"
        if after.past_last_response_ms >= 1
        else ""
    )
    lines = [
        f"After their responses had gone, {_count(after.runs, 'run', 'runs')} "
        f"({', '.join(after.funcs[:3])}) took {_ms(after.wall_ms)} on workers: no client "
        f"waited for them{past}."
    ]
    if after.waited:
        lines.append(
            f"{_count(after.waited, 'of them', 'of them')} waited for a worker first, up to "
            f"{_ms(after.wait_max_ms)}: work after the response holds a worker like any "
            "other trip, and requests' own trips wait for it too."
        )
    return lines


def _other_pools(summary: RunSummary) -> list[str]:
    """Pools that AnyIO's limit (P) does not bound, and what ran on them."""
    lines = []
    for pool in summary.other_pools:
        what = ", ".join(pool.funcs[:3])
        bound = (
            f"its own {pool.capacity} {'processes' if pool.kind == 'process' else 'threads'}"
            if pool.capacity
            else "its own workers"
        )
        lines.append(
            f"{_count(pool.runs, 'call', 'calls')} ({what}) ran on {pool.name}, "
            f"{pool.lanes} of {bound}: not AnyIO's pool, so the threadpool size "
            f"P = {summary.pool_size} does not bound them."
        )
        if pool.kind == "process" and pool.wall_ms > 0:
            lines.append(_processes(pool))
        if pool.waited:
            workers = "processes" if pool.kind == "process" else "threads"
            lines.append(
                f"{_count(pool.waited, 'call', 'calls')} found all its {workers} taken and "
                f"waited for one, up to {_ms(pool.wait_max_ms)}."
            )
    return lines


def _processes(pool: PoolUse) -> str:
    """A process pool's CPU time against its wall time: each process has a GIL of its
    own, so what a run did not compute it spent on I/O or waiting for a core."""
    share = pool.cpu_ms / pool.wall_ms
    head = (
        f"Its processes got {_ms(pool.cpu_ms)} of CPU in {_ms(pool.wall_ms)} of running "
        f"({share:.0%}), up to {pool.busy_peak} at once"
    )
    if pool.busy_peak > 1 and share >= GIL_CPU_SHARE:
        return f"{head}: each has a GIL of its own, so they computed side by side."
    core = pool.core_wait_ms
    if (
        pool.busy_peak > 1
        and core is not None
        and pool.cpu_ms + core >= GIL_CPU_SHARE * pool.wall_ms
    ):
        return (
            f"{head}; they waited {_ms(core)} for a core, which other processes held: each "
            "has a GIL of its own, so none waited for another."
        )
    return f"{head}."


def _failures(summary: RunSummary) -> str:
    """How many failed and why; by route where the run names routes."""
    failed = _count(summary.failed, "request", "requests")
    if not summary.failures_by_route:
        reasons = ", ".join(f"{reason}: {n:,}" for reason, n in summary.failures.items())
        return f"{failed} failed ({reasons})."
    parts = [
        # The multiplication sign is meant ("HTTP 404 times 3"), not the letter x.
        f"{route}: " + ", ".join(f"{reason} ×{n:,}" for reason, n in reasons.items())  # noqa: RUF001
        for route, reasons in summary.failures_by_route.items()
    ]
    return f"{failed} failed ({'; '.join(parts)})."


def _pools_of_processes(summary: RunSummary) -> str:
    """How each server process's own pool of P fared. A pool is one process's: a request
    waits only for the workers of the process that accepted its connection, however
    idle another process's are."""
    assert summary.spread is not None
    size = summary.pool_size
    parts = []
    for share in summary.spread.shares:
        workers = _count(share.workers_used, "worker", "workers") if share.workers_used else "none"
        used = f"{share.name} used {workers}"
        if share.pool_waited:
            if share.workers_used >= size:
                used = (
                    f"all {size:,} workers of {share.name} were busy"
                    if size > 1
                    else f"the one worker of {share.name} was busy"
                )
            parts.append(
                f"{used} and {_count(share.pool_waited, 'request', 'requests')} waited for "
                f"one, up to {_ms(share.pool_wait_max_ms)}"
            )
        else:
            parts.append(f"{used} and no request waited for one")
    return f"Each server process has a pool of {size:,} of its own: {'; '.join(parts)}."


def _abandoned(summary: RunSummary) -> list[str]:
    """The client gave up, the server did not: what the handlers did after it left."""
    if not summary.abandoned:
        return []
    still = (
        f"; {_count(summary.unfinished, 'handler was', 'handlers were')} still running "
        "when the trace ended"
        if summary.unfinished
        else ""
    )
    pool = (
        f"the pool of {summary.pool_size}"
        if summary.spread is None
        else f"the pools of {summary.pool_size} of {len(summary.spread.shares)} processes"
    )
    busy = (
        f", and kept {_count(summary.workers_used, 'worker', 'workers')} of {pool} busy"
        if summary.workers_used
        else ""
    )
    return [
        f"The client gave up on {_count(summary.abandoned, 'request', 'requests')}, but "
        f"the server went on with them for {_ms(summary.abandoned_ms)} in all{busy}: "
        f"drawn as abandoned{still}."
    ]


def _worker_time(summary: RunSummary) -> list[str]:
    """Where the workers' wall time went: on a CPU, waiting for a core, or the rest.

    The GIL is blamed only where the rest dominates and more than one worker was busy
    at once (one alone shares the GIL with nobody but the loop); a core wait measured
    by the kernel that dominates puts the gap on other processes.
    """
    wall, cpu = summary.worker_wall_ms, summary.worker_cpu_ms
    if wall <= 0:
        return []
    share = cpu / wall
    core, other = summary.worker_core_wait_ms, summary.worker_other_ms
    if share < IDLE_CPU_SHARE and (core is None or core < other):
        return [
            f"Workers spent {share:.0%} of their time on the CPU: they were waiting "
            "(sleep or I/O) and the GIL was free."
        ]
    if share >= GIL_CPU_SHARE:
        return []
    split = (
        f" (CPU {_ms(cpu)}, waiting for a core {_ms(core)}, other {_ms(other)})"
        if core is not None
        else ""
    )
    head = f"Workers ran {_ms(wall)} but got only {_ms(cpu)} of CPU ({share:.0%})"
    if core is not None and core >= other:
        return [
            f"{head}: they waited {_ms(core)} for a core, which other processes or threads "
            f"held (the kernel's scheduler statistics), not for the GIL{split}."
        ]
    if summary.workers_busy_peak > 1:
        return [f"{head}: they took turns holding the GIL, so each one's work stretched{split}."]
    return [
        f"{head}, with one worker at a time, so no other worker competed for the GIL: "
        f"the rest was I/O, or the event loop's thread holding the GIL{split}."
    ]


def _ms(value: float) -> str:
    if value >= 1000:
        return f"{value / 1000:.2f} s"
    return f"{value:.0f} ms" if value >= 10 else f"{value:.1f} ms"


def _count(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"
