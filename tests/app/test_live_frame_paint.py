"""A live frame that the view follows is painted once.

pyqtgraph applies a new view range while it paints; the items it moves then ask for a
paint of their own, so every followed live frame was painted twice (~2 ms more CPU a
frame, on a GUI thread that shares two cores with the server and the client).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from visualizer.app.timeline.gantt_item import GanttItem
from visualizer.app.timeline.view import TimelineView
from visualizer.model.live_timeline import LiveTimeline
from visualizer.model.trace import RunTrace
from visualizer.model.tracefile import read_trace

DATA = Path(__file__).parent.parent / "data"
ARRIVAL = {"sent": "sent", "done": "received", "loop": "end", "worker": "end", "stamp": "t"}


def test_each_followed_live_frame_is_painted_once(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    paints: list[int] = []
    paint = GanttItem.paint

    def counted(item: GanttItem, *args: Any) -> None:
        paints.append(1)
        paint(item, *args)

    # Before the view exists: PySide binds a Python override of paint() when the item is made.
    monkeypatch.setattr(GanttItem, "paint", counted)
    view = TimelineView()
    qtbot.addWidget(view)
    view.resize(1000, 600)
    view.show()
    qtbot.waitExposed(view)
    full = read_trace(DATA / "async_sleep_c10_w200.json")
    live = RunTrace(full.settings, t0=full.t0)
    builder = LiveTimeline(live)
    step = 30_000_000
    end = int(full.done.rows["received"].max()) + step
    painted = []
    for now in range(full.t0 + step, end, step):
        for name, column in ARRIVAL.items():
            rows = getattr(full, name).rows
            getattr(live, name).extend(rows[(rows[column] > now - step) & (rows[column] <= now)])
        paints.clear()
        view.set_timeline(builder.update(now))
        qtbot.waitUntil(lambda: len(paints) > 0, timeout=2000)
        qtbot.wait(50)  # and whatever that paint asks for
        painted.append(len(paints))
    assert view.following
    assert len(painted) > 5
    assert painted[1:] == [1] * (len(painted) - 1), painted
