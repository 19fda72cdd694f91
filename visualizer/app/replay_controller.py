"""ReplayController: replays the runs on screen, growing their timelines as they grew live.

The ReplayClock says where in the run we are; at each position every shown run's
trace is cut there (visualizer.model.replay.cut_trace) and drawn as it stood then.
Nothing is interpolated: a cut holds only events measured before that moment.
"""

from __future__ import annotations

from collections.abc import Callable

from visualizer.app.comparison_view import ComparisonView
from visualizer.app.replay_bar import ReplayBar, ReplayClock
from visualizer.app.timeline.view import TimelineView
from visualizer.model.analysis import RunResult
from visualizer.model.annotations import annotate
from visualizer.model.replay import cut_trace
from visualizer.model.timeline import build_timeline

#: What is on screen: (whether it is the comparison, the runs shown).
ShownRuns = Callable[[], tuple[bool, list[RunResult]]]


class ReplayController:
    def __init__(
        self, timeline: TimelineView, comparison: ComparisonView, shown_runs: ShownRuns
    ) -> None:
        self.clock = ReplayClock()
        self.bar = ReplayBar(self.clock)
        self._timeline = timeline
        self._comparison = comparison
        self._shown_runs = shown_runs
        self.clock.position_changed.connect(self._show)
        self.clock.playing_changed.connect(self._on_playing)

    @property
    def available(self) -> bool:
        return bool(self._shown_runs()[1])

    def load(self) -> None:
        """Make the runs now on screen the ones a replay plays."""
        runs = self._shown_runs()[1]
        self.bar.setEnabled(bool(runs))
        self.clock.load(max((run.timeline.span for run in runs), default=0))

    def disable(self) -> None:
        """No replay while a run is live, and no time of the last run's left on the bar."""
        self.clock.pause()
        self.bar.setEnabled(False)
        self.bar.show_nothing()

    def _on_playing(self, playing: bool) -> None:
        comparing, _ = self._shown_runs()
        if playing and not comparing:
            self._timeline.show_whole_run(self.clock.span)

    def _show(self, at: int) -> None:
        """Every shown run as it was ``at`` ns after its start."""
        cursor = at / 1e9 if at < self.clock.span else None
        comparing, runs = self._shown_runs()
        for slot, run in enumerate(runs):
            if cursor is None:
                cut, timeline = run.trace, run.timeline
            else:
                cut = cut_trace(run.trace, at)
                timeline = build_timeline(cut, now=run.trace.t0 + at)
            # The finished run's lanes, from the first frame on: fitted to the cut at
            # 0 s, the view would hold the event loop alone for the whole replay.
            lanes = len(run.timeline.lanes)
            if comparing:
                self._comparison.set_timeline(slot, timeline, annotate(cut), lanes)
            else:
                self._timeline.set_timeline(timeline, annotate(cut), self.clock.span, lanes)
        self._timeline.plot.set_cursor(cursor)
        self._comparison.set_cursor(cursor)
