"""ComparisonView: two runs stacked on one time axis, each under its name and figures.

The difference is stated in words above them (:func:`visualizer.model.comparison.compare_runs`),
so the picture and the sentence say the same thing.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from visualizer.app import palette
from visualizer.app.timeline.legend import Legend, renewed
from visualizer.app.timeline.plot import TimelinePlot
from visualizer.model.analysis import RunResult
from visualizer.model.annotations import Annotations
from visualizer.model.comparison import compare_runs, headline, run_names
from visualizer.model.timeline import Timeline

#: The time axis under the lower plot and the label room above each, in lanes of
#: height, about, for sharing the height between the two.
AXIS_LANES = 2.0
TOP_ROOM_LANES = 1.5


class ComparisonView(QWidget):
    """Two TimelinePlots with linked time axes, their headings, and the comparison in words."""

    def __init__(self) -> None:
        super().__init__()
        self.words = QLabel("Run > Compare… runs two styles, or two servers, one after the other.")
        self.words.setWordWrap(True)
        self.legend = Legend()
        self.headings = [QLabel(), QLabel()]
        for heading in self.headings:
            # A run named by its interpreter is long: it wraps rather than widen the window.
            heading.setWordWrap(True)
        self.plots = [TimelinePlot(), TimelinePlot()]
        self.plots[1].setXLink(self.plots[0])
        self.results: list[RunResult | None] = [None, None]
        self.names = ("", "")
        self.span = 0
        layout = self._layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.words)
        layout.addWidget(self.legend)
        for heading, plot in zip(self.headings, self.plots, strict=True):
            layout.addWidget(heading)
            layout.addWidget(plot, 1)
        self.restyle()

    def restyle(self) -> None:
        self.legend = renewed(self._layout, self.legend)
        # Bold body text, not a heading: on a 720 px projector each line is a lane less.
        words_font = palette.FONTS.base()
        words_font.setBold(True)
        self.words.setFont(words_font)
        for heading in self.headings:
            heading.setFont(palette.FONTS.base())
        for plot in self.plots:
            plot.style_for_theme()
        # One time axis for both, under the lower plot: the upper one's would take the
        # height of three lanes on a projector, and the axes are linked anyway.
        self.plots[0].getPlotItem().hideAxis("bottom")
        self._align_axes()

    def start(self, names: tuple[str, str]) -> None:
        """Two new runs are coming, named by what tells them apart: forget the last pair."""
        self.results = [None, None]
        self.names = names
        self.span = 0
        self.words.setText(f"Running {names[0]}, then {names[1]}…")
        for heading, name in zip(self.headings, names, strict=True):
            heading.setText(f"{name}: waiting for its turn")
        for plot in self.plots:
            plot.set_prediction(None)  # a pick belongs to the pair it was made for

    def set_timeline(
        self,
        slot: int,
        timeline: Timeline,
        annotations: Annotations | None = None,
        limit_lanes: int | None = None,
    ) -> None:
        """Show ``timeline`` as run ``slot`` (0 on top); both share the longer one's axis.

        ``limit_lanes``: the lanes of the finished run a replay's cut grows into.
        """
        self.span = max(self.span, timeline.span)
        plot = self.plots[slot]
        plot.set_timeline(timeline, limit_span=self.span, limit_lanes=limit_lanes)
        # Height shared by lanes, so a lane is as tall in one plot as in the other (a
        # shorter one drops the "request n" on its bars); both have the label room on
        # top, the lower plot the time axis too. In half lanes: stretch is an integer.
        lanes = max(len(timeline.lanes), limit_lanes or 0)  # a replay's cut grows into them
        room = lanes + TOP_ROOM_LANES + (AXIS_LANES if slot == 1 else 0)
        self._layout.setStretchFactor(plot, round(2 * room))
        plot.set_annotations(annotations)
        self.legend.show_kinds_of(each.timeline for each in self.plots)
        self._align_axes()
        for each in self.plots:
            each.show_whole(self.span)

    def set_result(self, slot: int, result: RunResult) -> None:
        self.results[slot] = result
        self.headings[slot].setText(headline(result.summary, self.names[slot]))
        first, second = self.results
        if first is not None and second is not None:
            self.names = run_names(first.summary, second.summary)
            for heading, each, name in zip(self.headings, (first, second), self.names, strict=True):
                heading.setText(headline(each.summary, name))
            self.words.setText(compare_runs(first.summary, second.summary))
            names = run_names(first.summary, second.summary)
            for heading, shown, name in zip(self.headings, (first, second), names, strict=True):
                heading.setText(headline(shown.summary, name))

    def set_cursor(self, at_s: float | None) -> None:
        for plot in self.plots:
            plot.set_cursor(at_s)

    def _align_axes(self) -> None:
        # Equal lane-axis widths, so that one instant is one x on both plots.
        width = max(plot.axis.wanted_width for plot in self.plots)
        for plot in self.plots:
            plot.axis.setWidth(width)
