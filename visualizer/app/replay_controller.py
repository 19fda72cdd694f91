"""ReplayController: replays the runs on screen, growing their timelines as they grew live.

The ReplayClock says where in the run we are; at each position every shown run's
finished Timeline is cut there (visualizer.model.replay_frames) and drawn as it
stood then: the bars begun by that moment, cut at it. Nothing is interpolated.
"""

from __future__ import annotations

from collections.abc import Callable

from visualizer.app.comparison_view import ComparisonView
from visualizer.app.replay_bar import ReplayBar, ReplayClock
from visualizer.app.timeline.view import TimelineView
from visualizer.model.analysis import RunResult
from visualizer.model.annotations import annotate
from visualizer.model.replay_frames import ReplayFrames

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
        #: Frames of the runs replayed, by id of their RunResult.
        self._frames: dict[int, ReplayFrames] = {}
        self.clock.position_changed.connect(self._show)
        self.clock.playing_changed.connect(self._on_playing)

    @property
    def available(self) -> bool:
        return bool(self._shown_runs()[1])

    def load(self) -> None:
        """Make the runs now on screen the ones a replay plays."""
        runs = self._shown_runs()[1]
        self._frames.clear()
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
                timeline, marks = run.timeline, annotate(run.trace)
            else:
                timeline, marks = self._frames_of(run).frame(at)
            # The finished run's lanes, from the first frame on: fitted to the cut at
            # 0 s, the view would hold the event loop alone for the whole replay.
            lanes = len(run.timeline.lanes)
            if comparing:
                self._comparison.set_timeline(slot, timeline, marks, lanes)
            else:
                self._timeline.set_timeline(timeline, marks, self.clock.span, lanes)
        self._timeline.plot.set_cursor(cursor)
        self._comparison.set_cursor(cursor)

    def _frames_of(self, run: RunResult) -> ReplayFrames:
        """The frames of ``run``, made at its first frame (a sort of its bars by end)."""
        frames = self._frames.get(id(run))
        if frames is None or frames.timeline is not run.timeline:
            frames = self._frames[id(run)] = ReplayFrames(run.timeline, annotate(run.trace))
        return frames
