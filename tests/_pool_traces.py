"""A run with every kind of pool, made by hand: each row one the server would ship, so
every lane group, full period, wait and sampled line can be read off the rows.

P = 2. Times in ms from t0 = 0:

- AnyIO's pool (P = 2): requests 1 and 2 run ``get_db (enter)`` 10-60 on threads 1
  and 2; requests 3 and 4, handed over at 12 and 14, wait for a worker until 60 and
  run ``items`` 60-110. Full: 10-110.
- The loop's default executor (2 threads): request 5 runs ``sleep`` 20-80 on thread 3.
  Never full.
- A process pool (2 processes): request 6 runs ``crunch`` 30-130 in pid 4001, request
  7 runs it 50-150 in pid 4002. Full: 50-130.
- The loop: each request's first slice (1 ms), and request 8 holding it 150-250 at
  ``time.sleep(0.1)`` in ``block`` (HELD_FILE:HELD_LINE). Request 1's run was sampled
  at ``time.sleep(0.05)`` in ``get_db`` (HELD_FILE:DB_LINE).
"""

from __future__ import annotations

from pathlib import Path

from server.protocol import HANDLER_END, RESPONSE_END, RESPONSE_START, SERVER_START, Outcome
from visualizer.model.settings import RunSettings
from visualizer.model.trace import ANYIO, Pool, RunTrace

MS = 1_000_000
DEFAULT = Pool(1, "asyncio-default", "the loop's default executor", 2)
PROCESSES = Pool(2, "process", "a process pool", 2)
#: (request, dispatched, start, end, thread, what it ran, pool)
RUNS = [
    (1, 9, 10, 60, 1, "get_db (enter)", ANYIO.id),
    (2, 8, 10, 60, 2, "get_db (enter)", ANYIO.id),
    (3, 12, 60, 110, 1, "items", ANYIO.id),
    (4, 14, 60, 110, 2, "items", ANYIO.id),
    (5, 19, 20, 80, 3, "sleep", DEFAULT.id),
    (6, 29, 30, 130, 4001, "crunch", PROCESSES.id),
    (7, 49, 50, 150, 4002, "crunch", PROCESSES.id),
]
#: Request 8's slice on the loop, held at ``block``'s ``time.sleep``.
BLOCK = (150, 250)
REQUESTS = 8
#: The file the sampled stacks name, and its lines.
SOURCE = """\
import time


def get_db():
    time.sleep(0.05)
    yield "db"


async def block():
    # the loop stops here
    time.sleep(0.1)
    return {"ok": 1}
"""
DB_LINE, HELD_LINE = 5, 11


def write_source(folder: Path) -> Path:
    path = folder / "api.py"
    path.write_text(SOURCE)
    return path


def pools_trace(source: Path | str = "/nowhere/api.py") -> RunTrace:
    """The run of the module doc; its stacks name ``source`` (a file that may not exist)."""
    trace = RunTrace(
        settings=RunSettings(style="mixed", concurrency=REQUESTS, requests=REQUESTS, pool=2),
        t0=0,
        handler_ends=True,
        pools={ANYIO.id: ANYIO, DEFAULT.id: DEFAULT, PROCESSES.id: PROCESSES},
    )
    labels = trace.labels

    def label(text: str) -> int:
        if text not in labels:
            labels.append(text)
        return labels.index(text)

    trace.sent.extend([(request, 1 * MS) for request in range(1, REQUESTS + 1)])
    ends = {request: 5 for request in range(1, REQUESTS + 1)}
    loop = []
    for request, dispatched, start, end, thread, func, pool in RUNS:
        loop.append((dispatched - 1, dispatched, request))
        trace.worker.extend(
            [
                (
                    request,
                    dispatched * MS,
                    start * MS,
                    end * MS,
                    MS // 10,
                    thread,
                    -1,
                    label(func),
                    pool,
                )
            ]
        )
        ends[request] = end + 1
    loop.append((BLOCK[0], BLOCK[1], 8))
    ends[8] = BLOCK[1]
    loop.sort()
    trace.loop.extend([(start * MS, end * MS, request, 0) for start, end, request in loop])
    stamps = []
    for start, _, request in loop:
        stamps.append((request, SERVER_START, start * MS))
    for request, end in ends.items():
        stamps += [
            (request, RESPONSE_START, end * MS),
            (request, RESPONSE_END, end * MS),
            (request, HANDLER_END, end * MS),
        ]
    trace.stamp.extend(stamps)
    trace.done.extend(
        [
            (request, 1 * MS, (end + 1) * MS, 200, int(Outcome.OK))
            for request, end in sorted(ends.items())
        ]
    )
    path = str(source)
    block_stack = f"{path}:{HELD_LINE} in block\n/site-packages/fastapi/routing.py:381 in run"
    db_stack = f"{path}:{DB_LINE} in get_db\n/usr/lib/python3/threading.py:1045 in run"
    stacks = [
        (BLOCK[0], 0, block_stack, f"{path}:{HELD_LINE} in block", "time.sleep(0.1)", 3),
        (10, 1, db_stack, f"{path}:{DB_LINE} in get_db", "time.sleep(0.05)", 2),
    ]
    trace.stack.extend(
        [
            (start * MS, lane, label(stack), label(where), label(code), 1, -1)
            for start, lane, stack, where, code, samples in stacks
            for _ in range(samples)
        ]
    )
    return trace
