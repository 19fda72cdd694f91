"""The sweep's picture looks where the user looks: each point painted in its line's
colour where the plot puts it, the knee's vertical at its concurrency, the bound's level."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "model"))
from test_sweep import MEASURED

from visualizer.app.sweep_picture import LINE_COLOURS, SweepPicture, render_sweep

BACKGROUND = QColor("#FFFFFF")


def near(image: QImage, at: QPointF, colour: str, reach: int = 2) -> bool:
    """Whether a pixel within ``reach`` of ``at`` is ``colour`` (give or take antialiasing)."""
    want = QColor(colour)
    for dx in range(-reach, reach + 1):
        for dy in range(-reach, reach + 1):
            got = QColor(image.pixel(round(at.x()) + dx, round(at.y()) + dy))
            if (
                abs(got.red() - want.red())
                + abs(got.green() - want.green())
                + abs(got.blue() - want.blue())
                < 60
            ):
                return True
    return False


def filled(image: QImage, at: QPointF, colours: tuple[str, ...]) -> float:
    """The share of the 5x5 pixels around ``at`` painted in one of ``colours``: a point's
    disc fills it, a line through it (2.5 px wide) does not."""
    wanted = [QColor(c) for c in colours]
    hits = 0
    for dx in range(-2, 3):
        for dy in range(-2, 3):
            got = QColor(image.pixel(round(at.x()) + dx, round(at.y()) + dy))
            diff = (
                abs(got.red() - w.red()) + abs(got.green() - w.green()) + abs(got.blue() - w.blue())
                for w in wanted
            )
            hits += min(diff) < 60
    return hits / 25


def test_points_and_knees_are_painted_where_the_plot_puts_them(qapp: QApplication) -> None:
    picture = SweepPicture("sync_sleep", MEASURED)
    image = render_sweep(picture, 1400)
    assert len(picture.points) == 2 * len(MEASURED)  # latency and throughput panels
    colour_of = {10: LINE_COLOURS[0], 40: LINE_COLOURS[1]}
    for place, row in picture.points:
        # Where two lines meet (C=10: both pools carry 48 requests/s) the later is on top.
        covered = any(
            (other.x() - place.x()) ** 2 + (other.y() - place.y()) ** 2 < 100 and them is not row
            for other, them in picture.points
        )
        colours = LINE_COLOURS[:2] if covered else (colour_of[row.pool],)
        assert filled(image, place, colours) > 0.7, f"P={row.pool} C={row.concurrency}"
    # The knee of P=40 (C=40): a dash-dot vertical in its colour through the latency plot.
    knee_points = [p for p, r in picture.points if (r.pool, r.concurrency) == (40, 40)]
    x = knee_points[0].x()
    ys = range(round(image.height() * 0.2), round(image.height() * 0.7), 3)
    painted = sum(near(image, QPointF(x, y), LINE_COLOURS[1], reach=1) for y in ys)
    assert painted > 0.3 * len(ys)
    # Away from every line, the plot is the background or grid, not a line's colour.
    empty = QPointF(image.width() * 0.30, image.height() * 0.22)
    assert not near(image, empty, LINE_COLOURS[0]) and not near(image, empty, LINE_COLOURS[1])


def test_a_click_finds_the_run_of_the_point(qapp: QApplication) -> None:
    picture = SweepPicture("sync_sleep", MEASURED)
    render_sweep(picture, 1400)
    place, row = picture.points[4]
    assert picture.row_at(QPointF(place.x() + 3, place.y() - 2)) == row
    assert picture.row_at(QPointF(2, 2)) is None
