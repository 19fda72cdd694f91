"""Look where the user looks: the plot area of a picture, lane by lane, against the trace.

A picture test that looks for the bar colours anywhere in an image passes on a
blank chart, because the legend holds every colour. This checker samples the row
through the middle of each lane on screen and asks, for each pixel column, what
the timeline says should be there:

- where a bar of that lane covers the whole column (with a pixel to spare on
  either side), the pixel must be painted: not the background;
- where a lane's bars are all narrower than a few pixels, some column near them must
  be painted, unless they fill less than :data:`FAINT_SHARE` of the columns they fall
  in: zoomed out, a column is as dark as its share of busy time (a 16 us run in a
  200 us column is drawn at 8 %, truthfully all but invisible);
- where no bar of that lane comes within a few pixels, it must not be (some
  marks, such as the pool-full hatching, may cross a lane, so a small share is
  allowed there; a pool's name tab, put where its lane has no bar, is left out).

Each lane gets its verdict; a lane too thin to hold a readable bar is counted as
unreadable rather than passed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QPoint, QPointF
from PySide6.QtGui import QColor, QImage

from visualizer.app import palette
from visualizer.app.picture_export import RenderedPicture
from visualizer.app.timeline.plot import TimelinePlot
from visualizer.app.timeline.pool_group_items import GroupTab
from visualizer.model.timeline import Timeline

#: Maps (seconds, lane y) in the view to (x, y) pixels of the image.
ToPixel = Callable[[float, float], tuple[float, float]]

#: A pixel this far (sum of RGB differences) from every background colour is paint.
PAINT_DISTANCE = 60
#: Where bars are, at least this share of the samples must be paint.
MIN_PAINTED_WHERE_BARS = 0.8
#: Where bars are not, at most this share may be (hatching crosses some lanes).
MAX_PAINTED_WHERE_NONE = 0.25
#: Lanes thinner than this (pixels) cannot show a bar anyone could read.
MIN_LANE_PX = 4.0
#: Where in a lane the rows are sampled: inside the bar (0.14 to 0.86 of the lane),
#: above and below the text it may carry.
SAMPLE_ROWS = (0.22, 0.78)
#: Samples kept this far (pixels) from every bar edge, so antialiasing cannot decide.
EDGE_MARGIN_PX = 2.0
#: Sub-pixel bars busy for less than this share of their columns may be drawn too faint
#: to tell from the background.
FAINT_SHARE = 0.3


@dataclass
class PlotCheck:
    """What the checker saw: the lanes it checked and what was wrong."""

    lanes_checked: int = 0
    lanes_with_bars: int = 0
    thin_lanes: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def blank(self) -> bool:
        return any(problem.endswith("no bar painted") for problem in self.problems)

    def assert_ok(self, min_lanes: int = 1) -> None:
        assert not self.problems, "\n".join(self.problems[:20])
        assert self.lanes_with_bars >= min_lanes, (
            f"only {self.lanes_with_bars} lanes with bars were checked, expected {min_lanes}"
        )


def check_plot_area(
    image: QImage,
    timeline: Timeline,
    to_pixel: ToPixel,
    view_range: Sequence[Sequence[float]],
    backgrounds: Sequence[str] | None = None,
    tabs: Sequence[GroupTab] = (),
) -> PlotCheck:
    """Compare the lanes in view with the bars of ``timeline``; see the module's doc."""
    (x0, x1), (y0, y1) = sorted(view_range[0]), sorted(view_range[1])
    rgb = _rgb_array(image)
    height, width = rgb.shape[:2]
    backdrop = np.array(
        [_rgb(c) for c in backgrounds or (palette.BACKGROUND, palette.RESOURCE_BAND)], float
    )
    left, _ = to_pixel(x0, 0.0)
    right, _ = to_pixel(x1, 0.0)
    columns = np.arange(int(np.ceil(max(left, 0))), int(min(right, width - 1)))
    if len(columns) == 0:
        return PlotCheck(problems=["the plot area is not in the picture"])
    seconds = x0 + (columns - left) / (right - left) * (x1 - x0)
    margin_s = EDGE_MARGIN_PX * (x1 - x0) / (right - left)
    check = PlotCheck()
    first, last = max(int(np.floor(y0)), 0), min(int(np.ceil(y1)), len(timeline.lanes))
    for lane in range(first, last):
        _, top = to_pixel(x0, lane + 0.2)
        _, bottom = to_pixel(x0, lane + 0.8)
        _, middle = to_pixel(x0, lane + 0.5)
        if not 0 <= middle < height or not y0 <= lane + 0.5 <= y1:
            continue
        if abs(bottom - top) < MIN_LANE_PX:
            check.thin_lanes += 1
            continue
        check.lanes_checked += 1
        mine = timeline.lane == lane
        starts, ends = timeline.start[mine] / 1e9, timeline.end[mine] / 1e9
        inside = _covered(seconds, starts + margin_s, ends - margin_s)
        near = _covered(seconds, starts - 2 * margin_s, ends + 2 * margin_s)
        mine_tabs = [tab for tab in tabs if tab.lane == lane]
        named = _covered(
            seconds,
            np.array([tab.start for tab in mine_tabs]) - margin_s,
            np.array([tab.end for tab in mine_tabs]) + margin_s,
        )
        # Two rows, near the top and the bottom of the bar: a bar's "request n" text,
        # white on blue, sits in the middle and would read as unpainted there.
        painted = np.zeros(len(columns), bool)
        for fraction in SAMPLE_ROWS:
            _, y = to_pixel(x0, lane + fraction)
            row = rgb[int(y), columns].astype(float)
            distance = np.abs(row[:, None, :] - backdrop[None, :, :]).sum(axis=2).min(axis=1)
            painted |= distance > PAINT_DISTANCE
        label = timeline.lanes[lane].label
        if 0 < inside.sum() < 3 or (inside.sum() == 0 and near.any()):
            # Only bars a few pixels wide: each must show, if only as a pixel column,
            # where they keep their columns busy enough to be drawn darker than faint.
            check.lanes_with_bars += 1
            column_s = (x1 - x0) / max(len(columns), 1)
            busy = float(np.clip(np.minimum(ends, x1) - np.maximum(starts, x0), 0, None).sum())
            share = busy / max(near.sum() * column_s, column_s)
            if not painted[near].any() and share >= FAINT_SHARE:
                check.problems.append(f"lane {lane} ({label}): no bar painted")
        elif inside.sum() >= 3:
            check.lanes_with_bars += 1
            share = painted[inside].mean()
            if share == 0:
                check.problems.append(f"lane {lane} ({label}): no bar painted")
            elif share < MIN_PAINTED_WHERE_BARS:
                check.problems.append(
                    f"lane {lane} ({label}): only {share:.0%} of its bars' pixels are painted"
                )
        empty = ~near & ~named
        if empty.sum() >= 3 and painted[empty].mean() > MAX_PAINTED_WHERE_NONE:
            check.problems.append(
                f"lane {lane} ({label}): {painted[empty].mean():.0%} painted where the trace "
                "has no bar"
            )
    return check


def window_mapping(plot: TimelinePlot, window: object) -> ToPixel:
    """Image pixels of a grab of ``window`` (a QWidget holding ``plot``)."""
    offset = plot.viewport().mapTo(window, QPoint(0, 0))

    def to_pixel(seconds: float, lane: float) -> tuple[float, float]:
        point = plot.viewportTransform().map(plot.view.mapViewToScene(QPointF(seconds, lane)))
        return point.x() + offset.x(), point.y() + offset.y()

    return to_pixel


def scaled(to_pixel: ToPixel, factor: float) -> ToPixel:
    """The same mapping in an image ``factor`` times larger (HiDPI grabs, wide exports)."""
    return lambda seconds, lane: tuple(v * factor for v in to_pixel(seconds, lane))  # type: ignore[return-value]


def check_window_plot(image: QImage, plot: TimelinePlot, window: object) -> PlotCheck:
    """Check the plot of a grabbed window, at whatever range it shows."""
    assert plot.timeline is not None, "the plot has no timeline"
    mapping = scaled(window_mapping(plot, window), image.devicePixelRatio())
    return check_plot_area(
        image, plot.timeline, mapping, plot.view.viewRange(), tabs=plot.pool_groups.tabs
    )


def _covered(points: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Which points lie in at least one of the intervals [start, end]."""
    keep = ends > starts
    starts, ends = starts[keep], ends[keep]
    if len(starts) == 0:
        return np.zeros(len(points), bool)
    order = np.argsort(starts)
    starts, ends = starts[order], np.maximum.accumulate(ends[order])
    before = np.searchsorted(starts, points, side="right") - 1
    valid = before >= 0
    result = np.zeros(len(points), bool)
    result[valid] = points[valid] <= ends[before[valid]]
    return result


def _rgb_array(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    stride = image.bytesPerLine()
    data = np.frombuffer(image.constBits(), np.uint8, stride * image.height())
    # A copy: the converted image, and the memory under the view, die with this call.
    rows = data.reshape(image.height(), stride)[:, : image.width() * 3]
    return rows.reshape(image.height(), image.width(), 3).copy()


def _rgb(colour: str) -> tuple[int, int, int]:
    c = QColor(colour)
    return c.red(), c.green(), c.blue()


def check_rendered_picture(
    rendered: RenderedPicture, timelines: Sequence[Timeline]
) -> list[PlotCheck]:
    """Check every panel of an exported picture against its timeline."""
    checks = []
    tabs = rendered.tabs or [[] for _ in rendered.placements]
    for placement, timeline, panel_tabs in zip(rendered.placements, timelines, tabs, strict=True):
        mapping = scaled(placement.to_point, rendered.scale)
        view = (placement.seconds, placement.lanes)
        checks.append(check_plot_area(rendered.image, timeline, mapping, view, tabs=panel_tabs))
    return checks
