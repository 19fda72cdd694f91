"""SummaryPanel: the figures of the last run (RunSummary) and what they mean (narrate)."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QScrollArea, QVBoxLayout, QWidget

from visualizer.app import palette
from visualizer.model.analysis import RunResult
from visualizer.model.comparison import run_names, short_names
from visualizer.model.pool_groups import pool_name
from visualizer.model.summary import PoolUse, RunSummary
from visualizer.model.trace import Pool

_IDLE_TEXT = "The figures and the story of a run appear here when it ends."


class SummaryPanel(QScrollArea):
    """What happened, in words first, then the figures behind the words."""

    #: Narrower than this the figures wrap word by word and stop being readable.
    MIN_WIDTH = 300

    def __init__(self) -> None:
        super().__init__()
        self.setMinimumWidth(self.MIN_WIDTH)
        self.story = QLabel(_IDLE_TEXT)
        self.figures = QLabel()
        self._shown: list[RunResult] = []  # what the figures show, to redraw in a new theme
        for label in (self.story, self.figures):
            label.setWordWrap(True)
            label.setTextFormat(Qt.TextFormat.RichText)
            label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setFont(palette.FONTS.base())
        heading = QLabel("What happened")
        heading.setFont(palette.FONTS.heading())
        figures_heading = QLabel("Figures")
        figures_heading.setFont(palette.FONTS.heading())
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addWidget(heading)
        layout.addWidget(self.story)
        layout.addSpacing(8)
        layout.addWidget(figures_heading)
        layout.addWidget(self.figures)
        layout.addStretch(1)
        self.setWidget(body)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def show_result(self, result: RunResult) -> None:
        """One run, under its style's (or app's) name: a summary of no name could be any run's."""
        self.show_results([result])

    def show_results(self, results: list[RunResult]) -> None:
        """Each run's story under its name, and their figures side by side (a comparison)."""
        self._shown = list(results)
        names = [_name(result) for result in results]
        if len(results) == 2:  # named by what tells them apart: style, processes, Python
            names = list(run_names(results[0].summary, results[1].summary))
        if len(set(names)) < len(names):
            names = [f"{name} (run {n})" for n, name in enumerate(names, start=1)]
        self.story.setText(
            "".join(
                f"<b>{html.escape(name)}</b>{_story(result)}"
                for name, result in zip(names, results, strict=True)
            )
        )
        if len(results) == 2:  # columns of a narrow panel: what tells the runs apart
            names = list(short_names(results[0].summary, results[1].summary))
        self.figures.setText(_figures_table([r.summary for r in results], names))

    def restyle(self) -> None:
        """The figures' names in the theme's muted colour: a fixed grey was dark on dark."""
        if self._shown:
            self.show_results(self._shown)

    def show_running(self, subject: str) -> None:
        """``subject``: the style, or the user's app (module:attr)."""
        self._shown = []
        self.story.setText(f"A run of <b>{html.escape(subject)}</b> is in progress…")
        self.figures.setText("")


def _name(result: RunResult) -> str:
    return result.trace.settings.subject


def _story(result: RunResult) -> str:
    items = "".join(f"<li>{html.escape(line)}</li>" for line in result.story)
    return f"<ul style='margin-left: -20px'>{items}</ul>"


def _figures_table(summaries: list[RunSummary], names: list[str]) -> str:
    """One column of figures a run, headed by its name."""
    columns = [_figures(s) for s in summaries]
    # A zero-width space after each "_" (and an app's "." and ":") lets a long name
    # wrap: two columns of figures must fit the panel's 300 px on a 1024-wide projector.
    wrappable = [
        html.escape(name).replace("_", "_\u200b").replace(".", ".\u200b").replace(":", ":\u200b")
        for name in names
    ]
    header = "".join(f"<th align='left'>{name}</th>" for name in wrappable)
    # Every run's rows: two runs of an app may have used different pools.
    keys = list(dict.fromkeys(key for column in columns for key in column))
    cells = "".join(
        f"<tr><td style='padding-right: 10px; color: {palette.MUTED_TEXT}'>"
        f"{html.escape(key)}</td>"
        + "".join(
            f"<td style='padding-right: 6px'>{html.escape(c.get(key, '-'))}</td>" for c in columns
        )
        + "</tr>"
        for key in keys
    )
    return f"<table cellspacing='2'><tr><th></th>{header}</tr>{cells}</table>"


def _pool(use: PoolUse) -> Pool:
    return Pool(-1, use.kind, use.name, use.capacity)


def _pool_use(use: PoolUse) -> str:
    """``4 calls on 1 of its 6 threads``: how much of a pool other than AnyIO's the run used."""
    calls = f"{use.runs:,} call{'s' if use.runs != 1 else ''}"
    worker = "process" if use.kind == "process" else "thread"
    plural = "es" if worker == "process" else "s"
    if use.capacity <= 0:
        return f"{calls} on {use.lanes} {worker}{plural if use.lanes != 1 else ''}"
    size = f"{use.capacity} {worker}{plural if use.capacity != 1 else ''}"
    return f"{calls} on {use.lanes} of its {size}"


def _figures(s: RunSummary) -> dict[str, str]:
    lat = s.latency_ms
    block = s.longest_loop_block
    rows = [
        ("requests", f"{s.requests:,} sent, {s.ok:,} ok, {s.failed:,} failed"),
        ("makespan", f"{s.makespan_ms:,.1f} ms"),
        ("latency p50", f"{lat['p50']:,.1f} ms"),
        ("latency p95", f"{lat['p95']:,.1f} ms"),
        ("latency max", f"{lat['max']:,.1f} ms"),
        (
            "longest loop block",
            block.longest_words() if block else "-",
        ),
        ("loop busy", f"{s.loop_busy_ms:,.1f} ms running handlers"),
        ("most in server", f"{s.peak_in_server:,} at once"),
        ("workers used", s.workers_of_pool()),
        # The pools P does not bound, each under its own name, after AnyIO's.
        *[(pool_name(_pool(use)), _pool_use(use)) for use in s.other_pools],
        ("waited for a worker", f"{s.pool_waited:,} (max {s.pool_wait_max_ms:,.1f} ms)"),
        ("worker CPU", f"{s.worker_cpu_ms:,.1f} ms of {s.worker_wall_ms:,.1f} ms wall"),
        ("worker time", s.worker_time_split() if s.worker_wall_ms else "no worker ran"),
        (
            "abandoned",
            f"{s.abandoned:,} requests, {s.abandoned_ms:,.1f} ms after the client left"
            if s.abandoned
            else "none",
        ),
        ("ended", s.ended),
    ]
    return dict(rows)
