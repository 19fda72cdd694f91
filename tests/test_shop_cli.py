"""``schedviz run --app`` on the example shop, as a user types it: the summary, the trace
file and the PNG each tell the same story, the blocking search on the loop and the def
search on the workers, lane by lane."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from _plot_area import check_plot_area, scaled
from _shop import SEARCH, SEARCH_DEF, SHOP_DIR
from PySide6.QtGui import QColor, QImage, QPainter
from pytestqt.qtbot import QtBot

from visualizer.app.picture_export import render
from visualizer.app.timeline.picture import TimelinePicture
from visualizer.model.analysis import analyse
from visualizer.model.tracefile import read_trace

pytestmark = pytest.mark.live

#: A loop slice or worker run at least this long (µs) is a search: Q is ~35 ms.
SEARCH_US = 10_000


def _schedviz() -> str:
    command = Path(sys.executable).with_name("schedviz")
    assert command.exists(), "install the project (pip install .) to run this test"
    return str(command)


def test_a_run_of_the_shop_from_the_command_line(tmp_path: Path, qtbot: QtBot) -> None:
    out, png = tmp_path / "shop.json", tmp_path / "shop.png"
    done = subprocess.run(
        [_schedviz(), "run", "--app", "shop.main:app", "--app-dir", str(SHOP_DIR),
         "--request", SEARCH, "--request", SEARCH_DEF, "--concurrency", "4", "--requests", "8",
         "--out", str(out), "--png", str(png), "--width", "1600", "--json"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["ok"] == 8
    assert summary["requests_by_route"] == {
        "GET /products/search": 4,
        "GET /products/search-def": 4,
    }

    # The trace file: every request with its route, each search where its route puts it.
    events = json.loads(out.read_text())["traceEvents"]
    route = {e["args"]["request"]: e["args"]["route"] for e in events if e.get("cat") == "request"}
    searches = {r for r, label in route.items() if label == "GET /products/search"}
    assert len(route) == 8 and len(searches) == 4
    assert summary["longest_loop_block_request"] in searches
    loop_blocks = [e for e in events if e.get("cat") == "loop" and e["dur"] >= SEARCH_US]
    worker_runs = [e for e in events if e.get("cat") == "worker" and e["dur"] >= SEARCH_US]
    # Every search held the loop and every def search ran long on a worker; no search
    # ran on a worker. (A def request's own slice may pass 10 ms on a loaded machine, a
    # collector pause or the GIL held by a worker mid-slice: true, and not the point.)
    assert searches <= {e["args"]["request"] for e in loop_blocks}
    assert {e["args"]["request"] for e in worker_runs} == set(route) - searches

    # The PNG: its plot area, lane by lane, against the trace it was drawn from.
    result = analyse(read_trace(out))
    labels = [lane.label for lane in result.timeline.lanes]
    assert "request 1 · GET /products/search" in labels
    assert "request 2 · GET /products/search-def" in labels
    rendered = render(TimelinePicture.of_run(result), 1600)
    (placement,) = rendered.placements
    image = QImage(str(png))
    assert image.size() == rendered.image.size(), "the file's picture is laid out as ours"
    mapping = scaled(placement.to_point, rendered.scale)
    view = (placement.seconds, placement.lanes)
    check = check_plot_area(image, result.timeline, mapping, view)
    check.assert_ok(min_lanes=len(labels) - 1)

    # The same check on the picture with its plot painted over fails: it looks.
    left, top = mapping(placement.seconds[0], placement.lanes[0])
    right, bottom = mapping(placement.seconds[1], placement.lanes[1])
    painter = QPainter(image)
    painter.fillRect(int(left), int(top), int(right - left), int(bottom - top), QColor("white"))
    painter.end()
    assert check_plot_area(image, result.timeline, mapping, view).blank
