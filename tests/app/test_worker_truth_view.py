"""Hovering the bars of worker truth: an abandoned run and its worker time split."""

from __future__ import annotations

import numpy as np
from _traces import recorded
from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QLabel, QScrollArea
from pytestqt.qtbot import QtBot

from tests._worker_traces import MS, timed_out_def_requests
from visualizer.app.summary_panel import SummaryPanel
from visualizer.app.timeline.view import TimelineView
from visualizer.model.analysis import analyse
from visualizer.model.timeline import BarKind, build_timeline


def test_hovering_an_abandoned_worker_run_tells_where_its_wall_time_went(qtbot: QtBot) -> None:
    trace = timed_out_def_requests()
    # Of request 1's 1995 ms on the worker: 1 ms of CPU, 600 ms waiting for a core.
    trace.worker.rows["core_wait"][0] = 600 * MS
    view = TimelineView()
    qtbot.addWidget(view)
    view.resize(1200, 600)
    view.show()
    view.set_timeline(build_timeline(trace))
    timeline = view.timeline
    assert timeline is not None
    bar = int(
        np.flatnonzero(
            (timeline.lane == 1) & (timeline.kind == BarKind.ABANDONED) & (timeline.request == 1)
        )[0]
    )
    point = view.plot.mapFromScene(
        view.view.mapViewToScene(QPointF(1.0, float(timeline.lane[bar]) + 0.5))
    )
    qtbot.mouseMove(view.plot.viewport(), point)
    qtbot.waitUntil(lambda: bool(view.hover_text))
    text = view.hover_text
    assert text.startswith("worker 1: running request 1, abandoned by its client")
    assert "the client gave up (timeout, stop), but its handler still ran until here" in text
    assert "worker CPU time 1.000 ms (0% of its wall time)" in text
    assert "waiting for a core 600.000 ms (30%), other (GIL or I/O) 1,394.000 ms (70%)" in text
    view.close()


def test_the_summary_names_worker_time_and_abandoned_work_only_where_a_run_has_them(
    qtbot: QtBot,
) -> None:
    panel = SummaryPanel()
    qtbot.addWidget(panel)
    panel.show_result(analyse(recorded("async_sleep_c10_w200.json")))
    text = _panel_text(panel)
    assert "no worker ran" in text and "CPU 0.0 ms" not in text
    assert "abandoned</td><td style='padding-right: 6px'>none" in text
    panel.show_result(analyse(timed_out_def_requests(handlers_end=True)))
    text = _panel_text(panel)
    assert "no worker ran" not in text and "after the client left" in text


def _panel_text(panel: QScrollArea) -> str:
    return "\n".join(label.text() for label in panel.findChildren(QLabel))
