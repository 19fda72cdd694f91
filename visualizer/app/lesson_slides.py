"""Slides of a lesson, painted without a window: a question slide and an answer slide a step.

The question slide holds the question, the run's settings, the endpoint's code
(a style's handler as written, without the sentence that would give the answer
away) and the candidate shapes, each marked as a prediction. The answer slide is
the measured run's picture (:class:`TimelinePicture`) headed by the step, with the
takeaway and what the measurement said. No prediction is drawn on an answer slide:
nobody picked one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter, QTextDocument

from visualizer.app import palette
from visualizer.app.code_view import PythonHighlighter, indent_wrapped_lines, without_comments
from visualizer.app.picture_export import MAX_WIDTH, MIN_WIDTH, RenderedPicture, render
from visualizer.app.predict_mode import revealed_words
from visualizer.app.timeline.candidate_cards import CardFonts, CardsLayout, paint_cards
from visualizer.app.timeline.picture import PICTURE_FONT_SCALE, TimelinePicture
from visualizer.model.analysis import RunResult
from visualizer.model.comparison import compare_runs
from visualizer.model.lesson import Lesson, LessonStep
from visualizer.model.scheduling import Candidate, PredictionUnavailable
from visualizer.model.settings import RunSettings

#: A question slide is laid out at this size and scaled to the width asked: 16:9.
SLIDE_W, SLIDE_H = 1600, 900
MARGIN = 44
#: The code's column, as a share of the slide's inner width, when there is code.
CODE_SHARE = 0.42
#: Code is shrunk to fit its column, down to this size (points).
MIN_CODE_PT = 11.0
FOOTNOTE = "The shapes are predictions of a small scheduling model, not measurements."

#: Makes (or reads) the measured runs of a step.
RunsOfStep = Callable[[LessonStep], list[RunResult]]


@dataclass(frozen=True)
class QuestionSlide:
    """A question slide painted: its image, and where the cards landed (image pixels are
    ``scale`` times the layout's)."""

    image: QImage
    cards: CardsLayout
    candidates: list[Candidate]
    scale: float


def settings_line(run: RunSettings) -> str:
    """``async_sleep · 10 at once, 10 in all · work 200 ms · pool 40``."""
    if run.app is not None:
        return f"{run.app.target} · {run.concurrency} at once, {run.requests} in all"
    return (
        f"{run.style} · {run.concurrency} at once, {run.requests} in all · "
        f"work {run.work_ms:g} ms · pool {run.pool}"
    )


def code_of(step: LessonStep) -> str:
    """The handlers of the step's styles as written, without their comments: a style's
    comment says what the run will show ("blocks the event loop: nobody else runs"),
    which is the answer the question asks for. A user's app: no code."""
    # server.styles pulls in FastAPI: only when slides are made.
    from server.styles import CATALOGUE

    parts = []
    for run in step.runs:
        if run.app is None and run.style in CATALOGUE:
            parts.append(without_comments(CATALOGUE[run.style].source).rstrip("\n"))
    return "\n\n".join(dict.fromkeys(parts))


def paint_question(lesson: Lesson, number: int, width: int) -> QuestionSlide:
    """Step ``number`` (from 0)'s question slide, ``width`` pixels wide."""
    if not MIN_WIDTH <= width <= MAX_WIDTH:
        raise ValueError(f"width {width} is out of range: allowed {MIN_WIDTH} to {MAX_WIDTH}")
    step = lesson.steps[number]
    try:
        offered = step.candidates()
    except PredictionUnavailable:
        offered = []
    scale = width / SLIDE_W
    image = QImage(width, round(SLIDE_H * scale), QImage.Format.Format_ARGB32_Premultiplied)
    image.setDevicePixelRatio(scale)
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        painter.fillRect(QRectF(0, 0, SLIDE_W, SLIDE_H), QColor(palette.BACKGROUND))
        with palette.font_scale(PICTURE_FONT_SCALE):
            cards = _paint_question(painter, lesson, number, offered)
    finally:
        painter.end()
    return QuestionSlide(image, cards, offered, scale)


def _paint_question(
    painter: QPainter, lesson: Lesson, number: int, offered: list[Candidate]
) -> CardsLayout:
    step = lesson.steps[number]
    inner = SLIDE_W - 2 * MARGIN
    where = f"{lesson.title} · step {number + 1} of {len(lesson.steps)}: {step.title}"
    y = _text(painter, where, palette.FONTS.base(), MARGIN, inner, palette.MUTED_TEXT)
    question = palette.FONTS.font(palette.FONTS.heading_pt * 1.3, bold=True)
    y = _text(painter, step.question, question, y + 8, inner, palette.TEXT)
    for run in step.runs:
        y = _text(
            painter, settings_line(run), palette.FONTS.base(), y + 4, inner, palette.MUTED_TEXT
        )
    foot_font = palette.FONTS.font(palette.FONTS.base_pt * 0.85)
    foot_h = QFontMetricsF(foot_font).height()
    bottom = SLIDE_H - MARGIN - foot_h - 8
    area = QRectF(MARGIN, y + 16, inner, bottom - y - 16)
    code = code_of(step)
    if code:
        code_w = inner * CODE_SHARE
        _paint_code(painter, code, QRectF(area.left(), area.top(), code_w - 16, area.height()))
        area.setLeft(area.left() + code_w)
    cards = paint_cards(painter, area, offered, CardFonts.now())
    _text(painter, FOOTNOTE, foot_font, SLIDE_H - MARGIN - foot_h, inner, palette.MUTED_TEXT)
    return cards


def _text(painter: QPainter, text: str, font: QFont, y: float, width: float, colour: str) -> float:
    flags = Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap
    rect = QFontMetricsF(font).boundingRect(QRectF(MARGIN, y, width, 10_000), flags, text)
    painter.setFont(font)
    painter.setPen(QColor(colour))
    painter.drawText(rect, flags, text)
    return rect.bottom()


def _paint_code(painter: QPainter, code: str, rect: QRectF) -> None:
    """The handler's code, highlighted as the window shows it, shrunk until it fits."""
    document = QTextDocument()
    document.setPlainText(code)
    highlighter = PythonHighlighter(document)
    highlighter.rehighlight()
    font = palette.FONTS.code()
    room = rect.width() - 16
    # Smaller until no line wraps and it fits the height, but no smaller than the back
    # row reads; what wraps then hangs deeper than its line, as in the window's code view.
    while font.pointSizeF() > MIN_CODE_PT:
        document.setDefaultFont(font)
        document.setTextWidth(-1)
        if document.idealWidth() <= room and document.size().height() <= rect.height() - 16:
            break
        font.setPointSizeF(font.pointSizeF() - 0.5)
    document.setDefaultFont(font)
    indent_wrapped_lines(document, font)
    document.setTextWidth(room)
    painter.save()
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(palette.RESOURCE_BAND))
    box_h = min(rect.height(), document.size().height() + 16)
    painter.drawRoundedRect(QRectF(rect.left(), rect.top(), rect.width(), box_h), 6, 6)
    painter.translate(rect.left() + 8, rect.top() + 8)
    document.drawContents(painter, QRectF(0, 0, rect.width() - 16, box_h - 16))
    painter.restore()


def answer_picture(lesson: Lesson, number: int, results: Sequence[RunResult]) -> TimelinePicture:
    """Step ``number`` (from 0)'s measured run(s), headed by the step, with the takeaway."""
    step = lesson.steps[number]
    try:
        offered = step.candidates()
    except PredictionUnavailable:
        offered = []
    subject = step.predicted.subject if step.is_comparison else "It"
    measured = revealed_words(None, results[step.predicts], offered, subject)
    title = f"{lesson.title} · step {number + 1}: {step.title}"
    if len(results) == 2:
        picture = TimelinePicture.of_comparison(results[0], results[1])
        lines = [step.takeaway, compare_runs(results[0].summary, results[1].summary), measured]
    else:
        picture = TimelinePicture.of_run(results[0])
        lines = [step.takeaway, measured]
    return replace(picture, title=title, lines=lines)


@dataclass(frozen=True)
class SlideFile:
    """A slide written: its file, and for an answer slide what was painted (for checks)."""

    path: Path
    rendered: RenderedPicture | None = None
    question: QuestionSlide | None = None
    results: tuple[RunResult, ...] = ()


def export_slides(
    lesson: Lesson,
    folder: str | Path,
    width: int,
    runs_of: RunsOfStep,
    said: Callable[[str], None] = lambda _line: None,
) -> list[SlideFile]:
    """Write ``NN-question.png`` and ``NN-answer.png`` for every step into ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for number, step in enumerate(lesson.steps):
        question = paint_question(lesson, number, width)
        path = folder / f"{number + 1:02d}-question.png"
        _save(question.image, path)
        written.append(SlideFile(path, question=question))
        said(f"{path}")
        results = runs_of(step)
        rendered = render(answer_picture(lesson, number, results), width)
        path = folder / f"{number + 1:02d}-answer.png"
        _save(rendered.image, path)
        written.append(SlideFile(path, rendered=rendered, results=tuple(results)))
        said(f"{path}")
    return written


def _save(image: QImage, path: Path) -> None:
    # PySide6 takes the format as str; its stubs say bytes.
    if not image.save(str(path), "PNG"):  # type: ignore[call-overload]
        raise OSError(f"cannot write {path}")
