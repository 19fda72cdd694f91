"""Replay frames cut the finished Timeline: at t, every bar begun before t, its end cut at t."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from server.protocol import Outcome
from visualizer.model.annotations import annotate
from visualizer.model.live_timeline import GrowingTimeline
from visualizer.model.replay import cut_trace
from visualizer.model.replay_frames import ReplayFrames
from visualizer.model.timeline import BarKind, Timeline, build_timeline
from visualizer.model.trace import RunTrace
from visualizer.model.tracefile import read_trace

DATA = Path(__file__).resolve().parents[1] / "data"
TRACES = sorted(DATA.glob("*.json"))
BAR = np.dtype(
    [
        ("lane", "i4"),
        ("start", "i8"),
        ("end", "i8"),
        ("kind", "i1"),
        ("request", "i8"),
        ("cpu", "i8"),
    ]
)


def with_a_failure(trace: RunTrace) -> RunTrace:
    failed = RunTrace(settings=trace.settings, t0=trace.t0, versions=trace.versions)
    for table in ("sent", "loop", "worker", "stamp"):
        getattr(failed, table).extend(getattr(trace, table).rows)
    done = trace.done.rows.copy()
    done["outcome"][-1] = int(Outcome.TIMEOUT)
    failed.done.extend(done)
    return failed


def bars(timeline: Timeline) -> npt.NDArray[np.void]:
    rows = np.empty(len(timeline), BAR)
    for name in BAR.names or ():
        rows[name] = getattr(timeline, name)
    return np.sort(rows)


def expected_at(final: Timeline, at: int) -> npt.NDArray[np.void]:
    """The spec, bar by bar: begun before ``at``, ends cut there; a failure once it is over."""
    rows = bars(final)
    failed = rows["kind"] == BarKind.FAILED
    keep = np.where(failed, rows["end"] < at, rows["start"] < at)
    rows = rows[keep].copy()
    rows["end"] = np.minimum(rows["end"], at)
    return np.sort(rows)


@pytest.mark.parametrize("path", TRACES, ids=lambda p: p.stem)
def test_a_frame_at_t_shows_exactly_the_bars_begun_before_t_cut_at_t(path: Path) -> None:
    trace = with_a_failure(read_trace(path))
    final = build_timeline(trace)
    frames = ReplayFrames(final, annotate(trace))
    # Forwards, back, forwards again: a seek back must not leave a cut bar behind.
    moments = [0, 1, *np.linspace(0, final.span, 23).astype(int)[1:], final.span // 3, final.span]
    moments += [final.span // 2 + 1, int(final.end[final.kind == BarKind.FAILED][0])]
    for at in moments:
        frame, _ = frames.frame(at)
        assert np.array_equal(bars(frame), expected_at(final, at)), at
        assert frame.span == at and frame.lanes == final.lanes


def test_frames_played_forwards_keep_their_frozen_bars_for_the_view() -> None:
    """A view indexes only what ended since the last frame: the frozen bars stay as they were."""
    final = build_timeline(read_trace(DATA / "sync_sleep_c6_p2_w200.json"))
    frames = ReplayFrames(final, annotate(read_trace(DATA / "sync_sleep_c6_p2_w200.json")))
    before: GrowingTimeline | None = None
    kept: dict[str, np.ndarray] = {}
    for at in np.linspace(0, final.span, 40).astype(int).tolist():
        frame, _ = frames.frame(at)
        if before is not None:
            assert frame.history is before.history and frame.frozen >= before.frozen
            for name, column in kept.items():
                assert np.array_equal(getattr(frame, name)[: len(column)], column), name
        kept = {name: getattr(frame, name)[: frame.frozen].copy() for name in ("start", "end")}
        before = frame
    assert before is not None
    back, _ = frames.frame(final.span // 2)
    assert back.history is not before.history


@pytest.mark.parametrize("path", TRACES, ids=lambda p: p.stem)
def test_the_marks_of_a_frame_are_those_of_the_trace_cut_there(path: Path) -> None:
    trace = read_trace(path)
    final = build_timeline(trace)
    frames = ReplayFrames(final, annotate(trace))
    for at in np.linspace(0, final.span, 17).astype(int).tolist():
        _, marks = frames.frame(at)
        assert marks == annotate(cut_trace(trace, at)), at
