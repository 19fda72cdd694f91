"""Look where the class looks: each candidate card's chart, row by row, against its prediction.

As tests/_plot_area.py does for measured timelines: a row is sampled a third of the
way down (clear of the dotted line that marks waiting, in its middle), and for
each pixel column the prediction says whether the request is worked on there.
Where it is, the hatching and the outline must show (hatching is lines, so a share
of the pixels, not all); where nothing is predicted, nothing may be painted.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from _plot_area import MIN_LANE_PX, PAINT_DISTANCE, _rgb, _rgb_array
from PySide6.QtGui import QImage

from visualizer.app import palette
from visualizer.app.timeline.candidate_cards import CardsLayout
from visualizer.model.scheduling import Candidate

#: Inside a predicted bar, at least this share of a row's pixels is hatching or outline.
MIN_PAINTED_INSIDE = 0.12
#: Outside, at most this share (the makespan's tick crosses every row).
MAX_PAINTED_OUTSIDE = 0.03
#: Where a request waits, at least this share of its row's middle is dots.
MIN_DOTTED = 0.2
#: Pixels kept from every bar's ends, so antialiasing cannot decide.
EDGE_PX = 3.0


def check_cards(
    image: QImage, layout: CardsLayout, candidates: Sequence[Candidate], scale: float = 1.0
) -> list[str]:
    """What is wrong with the charts of ``candidates`` as painted into ``image``."""
    rgb = _rgb_array(image).astype(float)
    background = np.array(_rgb(palette.BACKGROUND), float)
    problems = []
    assert len(layout.charts) == len(candidates), "a card is missing"
    for chart, candidate in zip(layout.charts, candidates, strict=True):
        rows = len(candidate.requests)
        row_h = chart.height() / rows
        if row_h * scale < MIN_LANE_PX:
            continue  # a row of a pixel or two: its neighbours' edges decide it
        left, right = int(np.ceil(chart.left() * scale)), int(chart.right() * scale)
        columns = np.arange(left, right)
        seconds = (columns / scale - layout.left) / (layout.right - layout.left) * layout.span_s
        margin = EDGE_PX / scale * layout.span_s / (layout.right - layout.left)
        for row, request in enumerate(candidate.requests):
            top = chart.top() + row * row_h
            inside = np.zeros(len(columns), bool)
            near = np.zeros(len(columns), bool)
            waits = np.zeros(len(columns), bool)
            last = request.sent
            for start, end in request.busy:
                inside |= (seconds > start + margin) & (seconds < end - margin)
                near |= (seconds > start - 2 * margin) & (seconds < end + 2 * margin)
                waits |= (seconds > last + margin) & (seconds < start - margin)
                last = end
            what = f"{candidate.key}, request {request.request}"
            painted = _painted(rgb, background, int((top + 0.33 * row_h) * scale), columns)
            if inside.sum() >= 3 and painted[inside].mean() < MIN_PAINTED_INSIDE:
                problems.append(f"{what}: {painted[inside].mean():.0%} painted where predicted")
            # The dotted line of waiting runs through the middle of a row; a thin row's
            # sample may catch it, so it is neither required there nor refused.
            outside = ~near & ~waits
            if outside.sum() >= 3 and painted[outside].mean() > MAX_PAINTED_OUTSIDE:
                problems.append(f"{what}: {painted[outside].mean():.0%} painted where nothing is")
            dots = _painted(rgb, background, int((top + 0.5 * row_h) * scale), columns)
            if waits.sum() >= 12 and dots[waits].mean() < MIN_DOTTED:
                problems.append(f"{what}: no dotted line where it waits")
    return problems


def _painted(rgb: np.ndarray, background: np.ndarray, y: int, columns: np.ndarray) -> np.ndarray:
    return np.asarray(np.abs(rgb[y, columns] - background).sum(axis=1) > PAINT_DISTANCE)
