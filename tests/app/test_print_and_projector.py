"""What survives greyscale print and a washed-out projector, measured in the pixels drawn.

Waiting and awaiting must differ in lightness, not hue alone (DESIGN.md, Visual
language), so they are told apart on a greyscale printout; the request the user
clicked must stand out on bars of any colour.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from _plot_area import _rgb, _rgb_array, window_mapping
from pytestqt.qtbot import QtBot
from test_gantt_shading import half_busy_run

from visualizer.app import palette
from visualizer.app.picture_export import render
from visualizer.app.timeline.picture import TimelinePicture
from visualizer.app.timeline.plot import TimelinePlot
from visualizer.model.analysis import analyse
from visualizer.model.timeline import BarKind
from visualizer.model.tracefile import read_trace

DATA = Path(__file__).resolve().parents[1] / "data"


def luminance(rgb: np.ndarray) -> float:
    """WCAG relative luminance of an sRGB colour (0..255)."""
    c = np.asarray(rgb, float) / 255
    linear = np.where(c <= 0.03928, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return float(linear @ [0.2126, 0.7152, 0.0722])


def contrast(a: np.ndarray, b: np.ndarray) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_waiting_and_awaiting_differ_in_grey_in_an_exported_picture(qtbot: QtBot) -> None:
    seen: dict[int, list[np.ndarray]] = {BarKind.WAITING: [], BarKind.AWAITING: []}
    # async_sleep's requests await; async_blocking's wait for the loop (since the time
    # before the server reads a request is the client's, async_sleep has no long waits).
    for name in ("async_sleep_c10_w200.json", "async_blocking_c5_w200.json"):
        result = analyse(read_trace(DATA / name))
        rendered = render(TimelinePicture.of_run(result), 1920)
        rgb = _rgb_array(rendered.image)
        timeline = result.timeline
        for bar in np.flatnonzero(np.isin(timeline.kind, list(seen))):
            middle = (timeline.start[bar] + timeline.end[bar]) / 2e9
            x, y = rendered.placements[0].to_point(middle, timeline.lane[bar] + 0.5)
            left, _ = rendered.placements[0].to_point(timeline.start[bar] / 1e9, 0)
            if x - left >= 6:  # wide enough that the middle pixel is the bar's own colour
                pixel = rgb[int(y * rendered.scale), int(x * rendered.scale)]
                seen[int(timeline.kind[bar])].append(pixel)
    waiting, awaiting = seen[BarKind.WAITING], seen[BarKind.AWAITING]
    assert len(waiting) >= 5 and len(awaiting) >= 5
    worst = min(contrast(w, a) for w in waiting for a in awaiting)
    assert worst >= 1.5, f"waiting and awaiting are {worst:.2f}:1 apart in grey"


def test_the_clicked_request_has_a_thick_outline_on_a_halo(qtbot: QtBot) -> None:
    plot = TimelinePlot()
    qtbot.addWidget(plot)
    plot.resize(1000, 320)
    plot.show()
    plot.set_timeline(half_busy_run())
    plot.show_whole()
    qtbot.waitExposed(plot)
    plot.item.set_highlight(2)  # the worker's bar, the whole second long
    qtbot.wait(50)
    image = plot.grab().toImage()
    to_pixel = window_mapping(plot, plot)
    scale = image.devicePixelRatio()
    x, top = to_pixel(0.3, 1.0)
    _, middle = to_pixel(0.3, 1.5)
    column = _rgb_array(image)[int(top * scale) : int(middle * scale), int(x * scale)]
    ink = np.abs(column - _rgb(palette.HIGHLIGHT)).sum(axis=1) < 60
    halo = np.abs(column - _rgb(palette.BACKGROUND)).sum(axis=1) < 60
    bar = np.abs(column - _rgb(palette.BAR_COLOURS[BarKind.RUNNING])).sum(axis=1) < 60
    assert ink.sum() >= 3 * scale, f"the outline is {ink.sum()} px thick"
    # Between the outline and the dark bar, a band of background keeps it readable.
    outline_end = np.flatnonzero(ink).max()
    bar_start = np.flatnonzero(bar).min()
    assert bar_start > outline_end and halo[outline_end + 1 : bar_start].sum() >= 1
