"""A prediction set against the measured run: which shape it was closest to, and one sentence.

The class picks a candidate shape (:mod:`visualizer.model.scheduling`) or drags a
makespan. After the run the pick is compared with what was measured, and the
difference is said in one sentence whose reason comes from the measured summary,
never from the model: "You predicted A, all at once: about 0.20 s. It took 1.02 s,
5.1x as long: the requests held the event loop one after another, up to 205 ms each."

A Prediction is never part of a RunResult or a trace: saving a run saves what was
measured, and a picture that shows a prediction says so in words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from visualizer.model.analysis import RunResult
from visualizer.model.narrative import BLOCK_MS, GIL_CPU_SHARE, IDLE_CPU_SHARE
from visualizer.model.phases import Phase
from visualizer.model.scheduling import Candidate, seconds_text
from visualizer.model.summary import RunSummary

LETTERS = "ABCD"
#: A single loop block is a reason when it is this share of the run at least: threads
#: computing starve the loop's thread of the GIL, and its slices measure long.
BLOCK_SHARE = 0.2
#: Requests that each blocked the loop are the reason when handlers held it this share
#: of the run in all (not a couple of slices the GIL kept long while threads computed).
LOOP_HELD_SHARE = 0.5
#: Work that waited for a core this share of its time ran on a busy machine.
CORE_WAIT_SHARE = 0.25
#: A measured makespan within this ratio of the predicted one is "as predicted".
CLOSE_RATIO = 1.25
TIMES = "\N{MULTIPLICATION SIGN}"
#: The most a prediction is shifted to meet the measured run, as a share of its makespan.
LAG_SHARE = 0.1
#: The most a prediction is stretched (or shrunk) to the measured makespan.
STRETCH = 1.4


@dataclass(frozen=True)
class Prediction:
    """What the class predicted: a candidate (by its letter), or only a makespan."""

    makespan_s: float
    candidate: Candidate | None = None
    letter: str = ""
    #: Hands raised for each letter, where the teacher counted them.
    votes: dict[str, int] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """``B, in waves of 2`` or ``a makespan of 0.45 s``."""
        if self.candidate is not None:
            return f"{self.letter}, {self.candidate.name}"
        return f"a makespan of {seconds_text(self.makespan_s)}"


@dataclass(frozen=True)
class MeasuredShape:
    """What a run looked like in the terms the shapes use: each request's time of being
    done, and the middle of its time in the server's hands (running or awaiting), sorted."""

    done: np.ndarray
    middle: np.ndarray
    makespan_s: float

    @classmethod
    def of(cls, result: RunResult) -> MeasuredShape:
        trace = result.trace
        rows = trace.done.rows
        done = np.sort((rows["received"] - trace.t0) / 1e9)
        phases = result.timeline.phases
        worked = (phases.phase == Phase.RUNNING) | (phases.phase == Phase.AWAITING)
        request, start, end = phases.request[worked], phases.start[worked], phases.end[worked]
        middles = []
        for r in np.unique(request):
            mine = request == r
            middles.append(_half_way(start[mine], end[mine]))
        middle = np.sort((np.array(middles, np.float64) - trace.t0) / 1e9)
        return cls(done, middle, result.summary.makespan_ms / 1000)


def _half_way(start: np.ndarray, end: np.ndarray) -> float:
    """The moment by which half of the time covered by these intervals had gone by."""
    order = np.argsort(start)
    start, end = start[order], end[order]
    lengths = (end - start).astype(np.float64)
    total = lengths.sum()
    if total <= 0:
        return float(start[0]) if len(start) else 0.0
    index = int(np.searchsorted(np.cumsum(lengths), total / 2))
    before = float(lengths[:index].sum())
    return float(start[index] + (total / 2 - before))


def distance(candidate: Candidate, measured: MeasuredShape) -> float:
    """How far a prediction's shape is from the measured one, as a share of the makespan.

    Two sorted lists compared pairwise: when requests were done, and the middle of
    their time in the server's hands. "One at a time" and "taking turns" end at the
    same time; their done times differ (staggered, or all at the end), and so do their
    middles (staggered, or all half-way through), which keep them apart when a noisy
    run's done times fall in between (sync_cpu measured 0.23, 0.33, 0.37, 0.38 s).

    It is the shape that is judged, not W: the prediction is first stretched to the
    measured makespan, by no more than STRETCH either way (a CPU-bound handler's work
    is calibrated at the server's start, and a busy machine makes it 30 % off), then
    shifted by the run's typical lag behind it, up to a tenth of its makespan (the few
    milliseconds a request costs the client and the server, which no shape models).
    Beyond that stretch, a makespan off by more is a different shape: all at once in
    0.2 s is not waves that took 0.4 s.
    """
    stretch = measured.makespan_s / max(candidate.makespan_s, 1e-9)
    stretch = min(max(stretch, 1 / STRETCH), STRETCH)
    done = np.sort([r.done for r in candidate.requests]) * stretch
    middle = np.sort([_half_way(*_busy(r.busy)) for r in candidate.requests]) * stretch
    n, m = min(len(done), len(measured.done)), min(len(middle), len(measured.middle))
    behind = np.concatenate([measured.done[:n] - done[:n], measured.middle[:m] - middle[:m]])
    lag = float(np.median(behind)) if len(behind) else 0.0
    lag = min(max(lag, 0.0), LAG_SHARE * candidate.makespan_s * stretch)
    scale = max(measured.makespan_s, 1e-6)
    gaps = _mean_gap(done + lag, measured.done) + _mean_gap(middle + lag, measured.middle)
    return gaps / scale


def _busy(busy: tuple[tuple[float, float], ...]) -> tuple[np.ndarray, np.ndarray]:
    return np.array([a for a, _ in busy]), np.array([b for _, b in busy])


def _mean_gap(predicted: np.ndarray, measured: np.ndarray) -> float:
    n = min(len(predicted), len(measured))
    if n == 0:
        return 0.0
    return float(np.abs(predicted[:n] - measured[:n]).mean())


def closest(offered: Sequence[Candidate], result: RunResult) -> int:
    """The index of the offered candidate nearest to the measured run."""
    measured = MeasuredShape.of(result)
    return min(range(len(offered)), key=lambda i: distance(offered[i], measured))


def verdict(
    prediction: Prediction,
    result: RunResult,
    subject: str = "It",
    nearest: Candidate | None = None,
) -> str:
    """The prediction against the run, in one sentence, with the measured reason; ``subject``
    names the run where two are shown ("async_offload took 0.21 s"). ``nearest`` is the
    shape the run came closest to: a pick that took as long in another shape ("one at a
    time" for threads taking turns) is not "as predicted"."""
    measured = result.summary.makespan_ms / 1000
    guessed = prediction.makespan_s
    if prediction.candidate is not None:
        head = f"You predicted {prediction.label}: about {seconds_text(guessed)}. "
    else:
        head = f"You predicted {seconds_text(guessed)}. "
    took = f"{subject} took {seconds_text(measured)}"
    ratio = measured / guessed if guessed > 0 else float("inf")
    other_shape = (
        nearest is not None
        and prediction.candidate is not None
        and nearest.key != prediction.candidate.key
    )
    if 1 / CLOSE_RATIO <= ratio <= CLOSE_RATIO:
        how = ", about as long, but not in that shape" if other_shape else ", about as predicted"
    elif ratio > 1:
        how = f", {ratio:.1f}{TIMES} as long"
    else:
        how = f", {1 / ratio:.1f}{TIMES} sooner"
    return f"{head}{took}{how}: {because(result)}."


def because(result: RunResult) -> str:
    """Why the run took as long as it did, from its measured figures (the first reasons
    that apply, most telling first)."""
    s = result.summary
    reasons: list[str] = []
    block = s.longest_loop_block
    # Requests that each blocked the loop, one after another, are the reason. A single
    # block is one only where it held others up and is a good share of the run: threads
    # computing starve the loop's thread of the GIL, and its slices measure long (the
    # workers' reason says why).
    held_most = s.loop_busy_ms >= LOOP_HELD_SHARE * s.makespan_ms
    if block is not None and block.duration_ms >= BLOCK_MS:
        if block.blockers > 1 and held_most:
            # blockers counts those about as long as the longest: not every one.
            reasons.append(
                "the requests held the event loop one after another, up to "
                f"{_ms(block.duration_ms)} each"
            )
        elif block.waited_behind and block.duration_ms >= BLOCK_SHARE * s.makespan_ms:
            who = f"request {block.request}" if block.request else "server code"
            reasons.append(
                f"{who} held the event loop for {_ms(block.duration_ms)} and "
                f"{_count(block.waited_behind, 'request')} waited behind it"
            )
    waited, wall = core_wait(s)
    if wall > 0 and waited >= CORE_WAIT_SHARE * wall:
        reasons.append(
            f"the work waited {_ms(waited)} for a core, which other processes held "
            "(the kernel's count): the machine was busy"
        )
    if s.pool_waited:
        workers = (
            "the one worker of the pool of 1 was busy"
            if s.workers_used == 1
            else f"all {s.workers_used:,} workers of the pool of {s.pool_size} were busy"
        )
        reasons.append(f"{workers} and {_count(s.pool_waited, 'request')} waited for one")
    for pool in s.other_pools:
        things = "processes" if pool.kind == "process" else "threads"
        reasons.append(
            f"the work ran on {pool.name}, {pool.lanes} of its {pool.capacity} {things} at "
            f"once, which P = {s.pool_size} does not bound"
        )
    for trips in s.trips[:1]:
        who = "each request" if trips.requests == s.requests else _count(trips.requests, "request")
        made = (
            "a trip to the threadpool besides its endpoint, waiting for a worker"
            if trips.per_request == 1
            else f"{trips.per_request} trips to the threadpool, each waiting for a worker"
        )
        reasons.append(f"{who} made {made}")
    wall, cpu = s.worker_wall_ms, s.worker_cpu_ms
    if wall > 0 and IDLE_CPU_SHARE <= cpu / wall < GIL_CPU_SHARE and s.workers_busy_peak > 1:
        reasons.append(
            f"the workers took turns on the GIL: {_ms(cpu)} of CPU in {_ms(wall)} of their time"
        )
    if not reasons:
        longest = block.duration_ms if block is not None else 0.0
        at_once = _count(s.peak_in_server, "request")
        were = "was" if s.peak_in_server == 1 else "were"
        loop = (
            f"the event loop stayed free (its longest block {_ms(longest)})"
            if longest < BLOCK_MS
            else f"the event loop's longest block was {_ms(longest)}"
        )
        reasons.append(f"up to {at_once} {were} in progress at once and {loop}")
    return "; ".join(reasons[:2])


def core_wait(summary: RunSummary) -> tuple[float, float]:
    """The time the run's workers and processes waited for a core (the kernel's count,
    where it gives one) and their time in all, in ms: a run of a busy machine, which the
    scheduling model does not model, shows here."""
    waited = summary.worker_core_wait_ms or 0.0
    wall = summary.worker_wall_ms if summary.worker_core_wait_ms is not None else 0.0
    for pool in summary.other_pools:
        if pool.core_wait_ms is not None:
            waited += pool.core_wait_ms
            wall += pool.wall_ms
    return waited, wall


def _ms(value: float) -> str:
    return f"{value / 1000:.2f} s" if value >= 1000 else f"{value:.0f} ms"


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")
