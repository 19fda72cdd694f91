"""Client-side time is drawn apart from the server's, in the plot area where users look.

The time from the client's ``sent`` stamp until the server's app got the request,
and from the server's last byte until the client read it, was drawn orange: the
legend's "waiting: the loop is busy" blamed the server for the client's sockets.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from _plot_area import _rgb, _rgb_array, check_window_plot, scaled, window_mapping
from pytestqt.qtbot import QtBot

from visualizer.app import palette
from visualizer.app.main_window import MainWindow
from visualizer.app.timeline.legend import Legend
from visualizer.app.timeline.tooltip import describe_bar
from visualizer.model.timeline import BarKind

DATA = Path(__file__).resolve().parents[1] / "data"
CLIENT_SIDE = (BarKind.SENDING, BarKind.RECEIVING)


def test_sending_and_receiving_are_drawn_in_the_client_colour_not_waiting(
    make_window: Callable[..., MainWindow], qtbot: QtBot
) -> None:
    window = make_window()
    window.resize(1280, 720)
    assert window.files.open(DATA / "async_sleep_c10_w200.json") is not None
    qtbot.wait(50)
    image = window.grab().toImage()
    plot = window.timeline.plot
    check_window_plot(image, plot, window).assert_ok(min_lanes=8)
    timeline = plot.timeline
    assert timeline is not None
    rgb = _rgb_array(image)
    to_pixel = scaled(window_mapping(plot, window), image.devicePixelRatio())
    client, waiting = np.array(_rgb(palette.BAR_COLOURS[BarKind.SENDING])), _rgb("#E69F00")
    seen = dict.fromkeys(CLIENT_SIDE, 0)
    for bar in np.flatnonzero(np.isin(timeline.kind, CLIENT_SIDE)):
        left, y = to_pixel(timeline.start[bar] / 1e9, timeline.lane[bar] + 0.5)
        right, _ = to_pixel(timeline.end[bar] / 1e9, timeline.lane[bar] + 0.5)
        if right - left < 8:
            continue  # too narrow for its middle pixel to be its own colour
        pixel = rgb[int(y), int((left + right) / 2)].astype(int)
        assert np.abs(pixel - client).sum() < 40, f"bar {bar} is {pixel}, not the client's colour"
        assert np.abs(pixel - waiting).sum() > 100
        seen[BarKind(int(timeline.kind[bar]))] += 1
    assert seen[BarKind.SENDING] >= 5 and seen[BarKind.RECEIVING] >= 3, seen


def test_the_tooltip_and_the_legend_call_it_client_side_time(
    make_window: Callable[..., MainWindow], qtbot: QtBot
) -> None:
    window = make_window()
    assert window.files.open(DATA / "async_sleep_c10_w200.json") is not None
    timeline = window.timeline.plot.timeline
    assert timeline is not None
    for kind in CLIENT_SIDE:
        bar = int(np.flatnonzero(timeline.kind == kind)[0])
        text = describe_bar(timeline, bar)
        assert palette.BAR_NAMES[kind] in text and "client-side time" in text
    legend = Legend()
    qtbot.addWidget(legend)
    tips = [entry.toolTip() for entry in legend.entries]
    client = next(tip for tip in tips if tip.startswith("sending"))
    assert "receiving: client-side time" in client
    waiting = next(tip for tip in tips if tip.startswith("waiting"))
    assert "the server has it" in waiting
