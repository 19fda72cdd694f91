"""TimelinePicture: a run's (or two runs') timeline as a picture for a slide or a document.

Title, what happened in words, a legend, the timeline itself with its axis labels
and annotations, and a caption with the run's settings. It is painted with a
QPainter at its final size onto whatever device it is given (a QImage, an SVG),
in logical pixels of a fixed layout width, so text and lines are drawn crisp at
any resolution rather than scaled up from a grab of the screen.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter

from visualizer.app import palette
from visualizer.app.timeline.annotation_items import paint_hatch
from visualizer.app.timeline.legend import occasional_kinds_drawn
from visualizer.app.timeline.plot import TimelinePlot
from visualizer.model.analysis import RunResult
from visualizer.model.annotations import Annotations, annotate
from visualizer.model.comparison import compare_runs, headline, run_names
from visualizer.model.picture_caption import picture_caption
from visualizer.model.prediction import Prediction, verdict
from visualizer.model.timeline import Timeline

#: The layout is made for this width; other widths scale it, text and all.
LAYOUT_WIDTH = 1600
#: Fonts of a picture, times the app's point sizes: a slide is read from further away.
PICTURE_FONT_SCALE = 1.5
MARGIN = 36
#: Height of one lane in the picture, within these bounds for the whole plot.
LANE_PX = 38
PLOT_MIN_PX, PLOT_MAX_PX = 260, 900


@dataclass(frozen=True)
class PicturePanel:
    """One run's timeline in the picture, under a heading."""

    heading: str
    timeline: Timeline
    annotations: Annotations | None
    #: The class's prediction, outlined over the run and named as one in the picture.
    prediction: Prediction | None = None


@dataclass(frozen=True)
class PanelPlacement:
    """Where a panel's lanes and time axis landed in the picture, in layout pixels."""

    data: QRectF
    seconds: tuple[float, float]
    lanes: tuple[float, float]

    def to_point(self, seconds: float, lane: float) -> tuple[float, float]:
        """The layout pixel of a time (s) on a lane (lane 0 on top, as in the view)."""
        (x0, x1), (y0, y1) = self.seconds, self.lanes
        x = self.data.left() + (seconds - x0) / (x1 - x0) * self.data.width()
        y = self.data.top() + (lane - y0) / (y1 - y0) * self.data.height()
        return x, y


@dataclass(frozen=True)
class TimelinePicture:
    """What a picture shows; all panels share one time axis of ``span`` ns."""

    title: str
    lines: list[str]
    panels: list[PicturePanel]
    caption: str

    @property
    def span(self) -> int:
        return max(panel.timeline.span for panel in self.panels)

    @classmethod
    def of_run(cls, result: RunResult, prediction: Prediction | None = None) -> TimelinePicture:
        """A run's picture; with ``prediction``, outlined over it and said to be one."""
        settings = result.trace.settings
        panel = PicturePanel("", result.timeline, annotate(result.trace), prediction)
        return cls(
            title=f"{settings.subject}: what FastAPI did with {_requests(_count(result))}",
            lines=_prediction_lines(prediction, result) or result.story[:2],
            panels=[panel],
            caption=picture_caption(result),
        )

    @classmethod
    def of_comparison(
        cls,
        first: RunResult,
        second: RunResult,
        prediction: Prediction | None = None,
        predicted: int = 1,
    ) -> TimelinePicture:
        """Two runs on one axis; ``prediction`` is of run ``predicted`` (0 or 1)."""
        results = (first, second)
        names = run_names(first.summary, second.summary)
        panels = [
            PicturePanel(
                headline(result.summary, names[slot]),
                result.timeline,
                annotate(result.trace),
                prediction if slot == predicted else None,
            )
            for slot, result in enumerate(results)
        ]
        return cls(
            title=f"{names[0]} against {names[1]}",
            lines=[
                compare_runs(first.summary, second.summary),
                *_prediction_lines(prediction, results[predicted]),
            ],
            panels=panels,
            caption=picture_caption(first, second),
        )

    @property
    def shows_prediction(self) -> bool:
        return any(panel.prediction is not None for panel in self.panels)


#: What a picture with a prediction says of it, so that nobody takes it for measured.
PREDICTION_NOTE = "Dashed outlines: the class's prediction ({label}), not measured."


def _prediction_lines(prediction: Prediction | None, result: RunResult) -> list[str]:
    if prediction is None:
        return []
    return [PREDICTION_NOTE.format(label=prediction.label), verdict(prediction, result)]


def _count(result: RunResult) -> int:
    """The requests of a run: as planned, or as they arrived in a recording."""
    settings = result.trace.settings
    return result.summary.requests if settings.passive else settings.requests


def _requests(count: int) -> str:
    return "1 request" if count == 1 else f"{count:,} requests"


class PicturePainter:
    """Lays out and paints one TimelinePicture; ``height`` is known before painting."""

    def __init__(self, picture: TimelinePicture, width: int = LAYOUT_WIDTH) -> None:
        self.picture = picture
        self.width = width
        with palette.font_scale(PICTURE_FONT_SCALE):
            self.title_font = palette.FONTS.font(palette.FONTS.heading_pt * 1.5, bold=True)
            self.text_font = palette.FONTS.base()
            self.heading_font = palette.FONTS.heading()
            self.caption_font = palette.FONTS.font(palette.FONTS.base_pt * 0.85)
            self.plot_heights = [_plot_height(len(p.timeline.lanes)) for p in picture.panels]
            inner = width - 2 * MARGIN
            self.plots = [
                _make_plot(panel, picture.span, inner, height)
                for panel, height in zip(picture.panels, self.plot_heights, strict=True)
            ]
        # One width for every lane axis, so that the panels' time axes line up; again once
        # laid out, where a panel's long labels (a process's "server 2: event loop") were
        # capped to its share of the width after the other took the uncapped one.
        axis_width = max(plot.axis.wanted_width for plot in self.plots)
        for plot in self.plots:
            plot.axis.setWidth(axis_width)
            _lay_out(plot, picture.span)
        laid_out = max(plot.axis.width() for plot in self.plots)
        if any(plot.axis.width() != laid_out for plot in self.plots):
            for plot in self.plots:
                plot.axis.setWidth(laid_out)
                _lay_out(plot, picture.span)
        self._plot_targets: list[QRectF] = []
        #: Each legend entry's word and where its swatch and word land in the picture.
        self.legend_entries: list[tuple[str, QRectF]] = []
        self.height = round(self._layout(None))
        #: Where each panel's lanes and time axis land in the picture.
        self.placements = [
            _placement(plot, target)
            for plot, target in zip(self.plots, self._plot_targets, strict=True)
        ]

    def paint(self, painter: QPainter) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        painter.fillRect(QRectF(0, 0, self.width, self.height), QColor(palette.BACKGROUND))
        with palette.font_scale(PICTURE_FONT_SCALE):
            self._layout(painter)

    def close(self) -> None:
        """Free the offscreen plots."""
        for plot in self.plots:
            plot.close()
            plot.deleteLater()

    def _layout(self, painter: QPainter | None) -> float:
        """Walk down the picture; paint when given a painter. Returns the height used."""
        inner = self.width - 2 * MARGIN
        y = float(MARGIN)
        y = self._text(painter, self.picture.title, self.title_font, y, inner, palette.TEXT)
        for line in self.picture.lines:
            y = self._text(painter, line, self.text_font, y + 4, inner, palette.TEXT)
        y = self._legend(painter, y + 14)
        panels = zip(self.picture.panels, self.plots, self.plot_heights, strict=True)
        for panel, plot, height in panels:
            if panel.heading:
                y = self._text(
                    painter, panel.heading, self.heading_font, y + 10, inner, palette.TEXT
                )
            target = QRectF(MARGIN, y + 4, inner, height)
            if painter is None:
                self._plot_targets.append(target)
            else:
                _render_plot(painter, plot, target)
            y += 4 + height
        y = self._text(
            painter, self.picture.caption, self.caption_font, y + 10, inner, palette.MUTED_TEXT
        )
        return y + MARGIN

    def _text(
        self, painter: QPainter | None, text: str, font: QFont, y: float, width: float, colour: str
    ) -> float:
        flags = Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap
        rect = QFontMetricsF(font).boundingRect(QRectF(MARGIN, y, width, 10_000), flags, text)
        if painter is not None:
            painter.setFont(font)
            painter.setPen(QColor(colour))
            painter.drawText(rect, flags, text)
        return rect.bottom()

    def _legend(self, painter: QPainter | None, y: float) -> float:
        metrics = QFontMetricsF(self.text_font)
        swatch_w, swatch_h = metrics.height() * 1.6, metrics.height() * 0.8
        drawn = occasional_kinds_drawn(panel.timeline for panel in self.picture.panels)
        entries = [
            (QBrush(palette.colour(k)), palette.legend_entry(k)[0])
            for k in palette.LEGEND_ORDER
            if k not in palette.LEGEND_WHEN_DRAWN or k in drawn
        ]
        entries.append((QBrush(Qt.BrushStyle.NoBrush), palette.POOL_FULL_NAME))
        x, right = float(MARGIN), float(self.width - MARGIN)
        if painter is not None:
            painter.save()
            painter.setFont(self.text_font)
        for brush, name in entries:
            width = swatch_w + 6 + metrics.horizontalAdvance(name)
            if x > MARGIN and x + width > right:
                x, y = float(MARGIN), y + metrics.height() * 1.3  # on to a new row
            if painter is None:
                self.legend_entries.append((name, QRectF(x, y, width, metrics.height())))
            else:
                swatch = QRectF(x, y + (metrics.height() - swatch_h) / 2, swatch_w, swatch_h)
                is_hatch = brush.style() == Qt.BrushStyle.NoBrush
                if is_hatch:
                    paint_hatch(painter, [swatch])
                painter.setPen(QColor(palette.ANNOTATION) if is_hatch else Qt.PenStyle.NoPen)
                painter.setBrush(brush)
                painter.drawRect(swatch)
                painter.setPen(QColor(palette.TEXT))
                painter.drawText(QPointF(x + swatch_w + 6, y + metrics.ascent()), name)
            x += width + 26
        if painter is not None:
            painter.restore()
        return y + metrics.height()


def _plot_height(lanes: int) -> int:
    return max(PLOT_MIN_PX, min(PLOT_MAX_PX, round((lanes + 1.5) * LANE_PX)))


def _make_plot(panel: PicturePanel, span: int, width: int, height: int) -> TimelinePlot:
    plot = TimelinePlot()
    plot.set_timeline(panel.timeline, limit_span=span)
    plot.set_annotations(panel.annotations)
    plot.set_prediction(panel.prediction)
    plot.resize(width, height)
    return plot


def _lay_out(plot: TimelinePlot, span: int) -> None:
    """What showing the widget would do: size the scene, place the axes, set the range."""
    plot.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
    plot.show()
    plot.getPlotItem().layout.activate()
    plot.show_whole(span)


def _placement(plot: TimelinePlot, target: QRectF) -> PanelPlacement:
    (x0, x1), (y0, y1) = plot.view.viewRange()
    data = plot.view.sceneBoundingRect().translated(target.topLeft())
    return PanelPlacement(data, (x0, x1), (min(y0, y1), max(y0, y1)))


def _render_plot(painter: QPainter, plot: TimelinePlot, target: QRectF) -> None:
    source = QRectF(0, 0, target.width(), target.height())
    plot.scene().render(painter, target, source)
