"""PoolGroupLayer: where one pool's lanes end and the next one's begin, and each pool's name.

The worker lanes come grouped by pool (visualizer.model.pool_groups). A line across
the plot above each group shows where one ends; a tab at the group's first lane names
the pool and its size ("AnyIO pool, P = 40", "asyncio default executor, 6 threads"),
so a reader sees which lanes P bounds and which it does not. The tab sits at the left
edge of the view, where the lane labels are, on the group's first lane that has room
for it there; failing that, in the first stretch of the group's lanes with no bar
under it; failing that, shortened ("asyncio, 6 threads", then "6 threads"), in the same
order; failing that, not at all: a name never hides a measured run (the line above the
group and the lane labels still say where the pool is). It stays in sight while the
user pans.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QStyleOptionGraphicsItem, QWidget

from visualizer.app import palette
from visualizer.model.pool_groups import PoolGroup, pool_groups
from visualizer.model.timeline import Timeline

#: Above the bars and the pool-full hatching (10), below the replay cursor (20).
GROUP_Z = 12
#: Pixels between a tab and the edge of the view it is pinned to, and around its text.
TAB_INSET_PX, TAB_PAD_PX = 4.0, 5.0
#: A tab takes at most this share of the plot's width; a longer name is elided.
TAB_MAX_SHARE = 0.45
#: A tab is smaller than the lane labels: it names a group, it is not a lane.
TAB_FONT_SHARE = 0.85
#: A lane with more bars than this in view is not searched for room: it has none.
MAX_BARS_SEARCHED = 2_000
F64 = npt.NDArray[np.float64]
#: The starts and ends (s) of a lane's bars between two times (s), in any order.
LaneBars = Callable[[int, float, float], tuple[F64, F64]]


@dataclass(frozen=True)
class GroupTab:
    """A pool's name tab as painted: on ``lane``, from ``start`` to ``end`` seconds."""

    text: str
    lane: int
    start: float
    end: float


class PoolGroupLayer(pg.GraphicsObject):  # type: ignore[misc]
    """A line above each pool's lanes and a tab with the pool's name, over a Timeline."""

    def __init__(self, lane_bars: LaneBars | None = None) -> None:
        super().__init__()
        self.setZValue(GROUP_Z)
        self.groups: list[PoolGroup] = []
        self._lane_bars = lane_bars
        self._resources = 0
        #: Each tab as last painted: its text, lane, and first and last second it covers.
        self.tabs: list[GroupTab] = []

    def set_timeline(self, timeline: Timeline | None) -> None:
        groups = pool_groups(timeline) if timeline is not None else []
        resources = 1 + timeline.worker_count if timeline is not None else 0
        if groups != self.groups or resources != self._resources:
            self.prepareGeometryChange()
            self.groups, self._resources = groups, resources
        self.update()

    # -- QGraphicsItem ----------------------------------------------------------------

    def boundingRect(self) -> QRectF:
        # As wide as the view, wherever it is: the tabs are pinned to its edges.
        view = self.viewRect()
        if not self.groups or view is None:
            return QRectF()
        return QRectF(view.left(), 0.0, view.width(), float(self._resources))

    def viewRangeChanged(self) -> None:
        self.prepareGeometryChange()
        self.update()

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionGraphicsItem | None = None,
        widget: QWidget | None = None,
    ) -> None:
        view = self.viewRect()
        self.tabs = []
        if not self.groups or view is None or view.width() <= 0:
            return
        to_device = painter.transform()
        painter.save()
        # Lines and text in pixels: a pen or a font stretched into seconds by lanes is a blur.
        painter.resetTransform()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        left = to_device.map(QPointF(view.left(), 0.0)).x()
        right = to_device.map(QPointF(view.right(), 0.0)).x()
        line = QPen(QColor(palette.MUTED_TEXT), 1.0)
        painter.setPen(line)
        for group in self.groups:
            y = round(to_device.map(QPointF(view.left(), group.first)).y())
            painter.drawLine(QPointF(left, y), QPointF(right, y))
        lane_px = abs(to_device.m22())
        font = palette.fitted(palette.FONTS.axis(), lane_px - 2)
        font.setPointSizeF(max(palette.SMALLEST_FITTED_PT, font.pointSizeF() * TAB_FONT_SHARE))
        metrics = QFontMetricsF(font)
        if metrics.height() > lane_px:
            painter.restore()
            return  # lanes too thin for a word: the lines alone show the groups
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setFont(font)
        per_second = abs(to_device.m11())
        background = QColor(palette.BACKGROUND)
        background.setAlpha(235)
        height = min(metrics.height() + 2, lane_px - 1)
        for group in self.groups:
            placed = self._place(group, view.left(), view.right(), metrics, per_second)
            if placed is None:
                continue
            text, lane, at = placed
            x, top = to_device.map(QPointF(at, lane)).toTuple()
            width = metrics.horizontalAdvance(text) + 2 * TAB_PAD_PX
            tab = QRectF(x, top + (lane_px - height) / 2, width, height)
            painter.setBrush(background)
            painter.setPen(line)
            painter.drawRoundedRect(tab, 3.0, 3.0)
            painter.setPen(QColor(palette.TEXT))
            painter.drawText(tab, Qt.AlignmentFlag.AlignCenter, text)
            self.tabs.append(GroupTab(text, lane, at, at + width / per_second))
        painter.restore()

    def _place(
        self, group: PoolGroup, x0: float, x1: float, metrics: QFontMetricsF, per_second: float
    ) -> tuple[str, int, float] | None:
        """The tab's text, lane and left edge (s): the longest title that has room
        somewhere, or None where even the shortest would hide a bar."""
        widest = max((x1 - x0) * per_second * TAB_MAX_SHARE - 2 * TAB_PAD_PX, 0.0)
        inset = TAB_INSET_PX / per_second if per_second > 0 else 0.0
        texts = [
            metrics.elidedText(title, Qt.TextElideMode.ElideRight, widest) for title in group.titles
        ]
        if self._lane_bars is None or per_second <= 0:
            return texts[0], group.first, x0 + inset
        stretches = {lane: self._free(lane, x0, x1) for lane in range(group.first, group.stop)}
        for text in texts:
            need = (metrics.horizontalAdvance(text) + 2 * TAB_PAD_PX) / per_second + 2 * inset
            room = _room(stretches, x0, need)
            if room is not None:
                return text, room[0], room[1] + inset
        return None

    def _free(self, lane: int, x0: float, x1: float) -> list[tuple[float, float]]:
        """The stretches of ``lane`` in view with no bar; none for a lane crowded with bars."""
        assert self._lane_bars is not None
        starts, ends = self._lane_bars(lane, x0, x1)
        return [] if len(starts) > MAX_BARS_SEARCHED else free_stretches(starts, ends, x0, x1)


def _room(
    stretches: dict[int, list[tuple[float, float]]], x0: float, need: float
) -> tuple[int, float] | None:
    """Where ``need`` seconds hide no bar: the left edge of the view on the first lane
    that has room there, else the first stretch long enough, top lane first."""
    for lane, free in stretches.items():
        if free and free[0][0] == x0 and free[0][1] - x0 >= need:
            return lane, x0
    for lane, free in stretches.items():
        for start, end in free:
            if end - start >= need:
                return lane, start
    return None


def free_stretches(starts: F64, ends: F64, x0: float, x1: float) -> list[tuple[float, float]]:
    """The stretches of ``x0`` .. ``x1`` that no bar (``starts``, ``ends``) covers, in order."""
    order = np.argsort(starts, kind="stable")
    free, cursor = [], x0
    for start, end in zip(starts[order].tolist(), ends[order].tolist(), strict=True):
        if start > cursor:
            free.append((cursor, min(start, x1)))
        cursor = max(cursor, end)
        if cursor >= x1:
            return free
    if cursor < x1:
        free.append((cursor, x1))
    return free
