"""The window on a real server hosting an app no other test has seen, with every kind of
hop: a ``def`` with a response model, an ``async def`` with a sync dependency,
``asyncio.to_thread``, a ``ProcessPoolExecutor`` and a blocking ``async def``. The
worker bars are named, each pool is its lane group with its name and its own full
hatching, and a click on the bar that held the loop shows its line in the code view."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from _plot_area import check_window_plot
from PySide6.QtCore import QPointF, Qt
from pytestqt.qtbot import QtBot

from visualizer.app.main_window import MainWindow
from visualizer.model.request_plan import plan_from_words
from visualizer.model.settings import AppTarget
from visualizer.model.timeline import BarKind, LaneKind

pytestmark = pytest.mark.live

MakeWindow = Callable[..., MainWindow]
SERVER_TIMEOUT_MS = 60_000
RUN_TIMEOUT_MS = 90_000
APP = """\
import asyncio
import concurrent.futures
import time

from fastapi import Depends, FastAPI
from pydantic import BaseModel

app = FastAPI()
crunchers = concurrent.futures.ProcessPoolExecutor(2)


class Item(BaseModel):
    id: int


def token() -> str:
    time.sleep(0.03)
    return "t"


def crunch(n: int) -> int:
    return sum(i * i for i in range(n))


@app.get("/model", response_model=Item)
def model_route():
    time.sleep(0.03)
    return Item(id=1)


@app.get("/dep")
async def dep_route(t: str = Depends(token)):
    return {"t": t}


@app.get("/thread")
async def thread_route():
    await asyncio.to_thread(time.sleep, 0.03)
    return {}


@app.get("/proc")
async def proc_route():
    loop = asyncio.get_running_loop()
    return {"v": await loop.run_in_executor(crunchers, crunch, 300_000)}


@app.get("/block")
async def block():
    time.sleep(0.06)
    return {}
"""
BLOCK_LINE = APP.splitlines().index("    time.sleep(0.06)") + 1
BLOCK_DEF = APP.splitlines().index('@app.get("/block")') + 1


def test_every_hop_and_pool_of_an_app_is_drawn_named_and_the_held_line_found(
    qtbot: QtBot, make_window: MakeWindow, tmp_path: Path
) -> None:
    (tmp_path / "hops.py").write_text(APP)
    app = AppTarget("hops:app", str(tmp_path.resolve()))
    paths = ("/model", "/dep", "/thread", "/proc", "/block")
    plan = plan_from_words([("request", f"GET {path}") for path in paths])
    preset = {"style": "", "app": app, "plan": plan, "concurrency": 5, "requests": 10, "pool": 2}
    window = make_window(preset)
    window.resize(1280, 720)
    qtbot.waitUntil(window.run_action.isEnabled, timeout=SERVER_TIMEOUT_MS)
    with qtbot.waitSignal(window.run_done, timeout=RUN_TIMEOUT_MS) as done:
        window.run_action.trigger()
    result = done.args[0]
    assert result.trace.ended == "complete"
    timeline = window.timeline.timeline
    assert timeline is result.timeline

    names = {timeline.labels[f] for f in timeline.func[timeline.func >= 0].tolist()}
    assert {"model_route", "response validation", "token", "sleep", "crunch"} <= names
    plot = window.timeline.plot
    titles = [group.title for group in plot.pool_groups.groups]
    assert titles[0] == "AnyIO pool, P = 2"
    assert titles[1].startswith("asyncio default executor, ")
    assert titles[2] == "process pool, 2 processes"
    workers = [lane for lane in timeline.lanes if lane.kind is LaneKind.WORKER]
    assert sum(lane.label.startswith("process ") for lane in workers) >= 1
    image = window.grab().toImage()
    check_window_plot(image, plot, window).assert_ok(min_lanes=len(timeline.lanes))

    # The slice that held the loop longest names hops.py's time.sleep, and a click on it
    # shows that line in the code view.
    loop = np.flatnonzero((timeline.lane == 0) & (timeline.kind == BarKind.RUNNING))
    longest = int(loop[np.argmax(timeline.end[loop] - timeline.start[loop])])
    held = window.timeline.held_at(longest)
    assert held is not None and held.line == BLOCK_LINE and held.path.endswith("hops.py")
    middle = (timeline.start[longest] + timeline.end[longest]) / 2e9
    view = window.timeline
    point = view.plot.mapFromScene(view.view.mapViewToScene(QPointF(middle, 0.5)))
    with qtbot.waitSignal(view.held_clicked):
        qtbot.mouseClick(view.plot.viewport(), Qt.MouseButton.LeftButton, pos=point)
    code = window.controls.code_view
    lines = code.code.toPlainText().splitlines()
    assert lines[0] == f"# hops.py:{BLOCK_DEF} · async def block"
    assert lines[code.marked_line] == "    time.sleep(0.06)"
