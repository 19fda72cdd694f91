"""The code behind the requests, highlighted: an endpoint style exactly as written in
server/styles.py, or a route of the user's app (its endpoint and dependencies, as
written in their files, each headed by ``file:line`` and its kind).

A long bar the user clicked (a loop slice or worker run whose stack was sampled)
shows the function that held it instead, its line marked and scrolled to, with the
whole stack below: the built-in styles' code and the user's own alike.

The highlighter is deliberately small: keywords, builtins, decorators, strings,
numbers and comments are what a reader scans for in a ten-line handler. The lines
that decide the story (``await``, ``time.sleep``, ``run_in_threadpool``) get the
keyword colour, so the difference between styles stands out.
"""

from __future__ import annotations

import html
import keyword
from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import QRegularExpression, QTimer
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QSyntaxHighlighter,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFormat,
)
from PySide6.QtWidgets import QLabel, QTextEdit, QVBoxLayout, QWidget

from visualizer.app import palette
from visualizer.model.held_source import HeldSource, short_frame
from visualizer.model.route_code import routes_code

#: How strongly the held line's background takes the annotation colour, out of 255.
HELD_LINE_ALPHA = 70

#: A wrapped line goes on this many characters deeper than the line it continues.
HANGING_INDENT_CHARS = 4

#: Rule colours per theme: (keyword, story call, builtin, decorator, number, name,
#: string, comment). The dark ones are lighter versions that keep their hue.
_LIGHT_INK = [
    "#8E3A8E",
    "#B3470B",
    "#0B6E99",
    "#7A5C00",
    "#0B6E99",
    "#1F5FA8",
    "#2E7D32",
    "#6B6B6B",
]
_DARK_INK = [
    "#D7A0E0",
    "#FF9E5E",
    "#7CC7EE",
    "#E0C05A",
    "#7CC7EE",
    "#8AB8FF",
    "#8FD694",
    "#A8ACB4",
]


def _format(colour: str, bold: bool = False, italic: bool = False) -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setForeground(QColor(colour))
    if bold:
        fmt.setFontWeight(QFont.Weight.Bold)
    fmt.setFontItalic(italic)
    return fmt


def _rules(ink: list[str]) -> list[tuple[str, int, QTextCharFormat]]:
    """(pattern, group to colour, format) in the order they are applied: later rules
    win, so strings and comments come last and keywords inside them stay plain."""
    kw, story, builtin, decorator, number, name, string, comment = ink
    return [
        (r"\b(" + "|".join(keyword.kwlist) + r")\b", 0, _format(kw, bold=True)),
        (r"\b(time\.sleep|run_in_threadpool|asyncio\.sleep)\b", 0, _format(story, bold=True)),
        (r"\b(int|float|str|dict|list|tuple|Any|print|len|range)\b", 0, _format(builtin)),
        (r"^\s*@[\w.]+", 0, _format(decorator)),
        (r"\b\d+(\.\d+)?\b", 0, _format(number)),
        (r"\bdef\s+(\w+)", 1, _format(name, bold=True)),  # the handler's name
        (r"\"[^\"\n]*\"|'[^'\n]*'", 0, _format(string)),
        (r"#[^\n]*", 0, _format(comment, italic=True)),
        # The headings of a route's functions (``# main.py:12 · async def read_item``).
        (r"^# (.+:\d+ · |── ).*", 0, _format(name, bold=True)),
    ]


class PythonHighlighter(QSyntaxHighlighter):
    """Colours the few things that matter in a short Python handler, line by line."""

    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self.use_theme()

    def use_theme(self) -> None:
        """Colours for the palette's theme as it is now; call ``rehighlight`` after."""
        ink = _DARK_INK if palette.THEME is palette.DARK else _LIGHT_INK
        self._rules = [
            (QRegularExpression(pattern), group, fmt) for pattern, group, fmt in _rules(ink)
        ]

    def highlightBlock(self, text: str) -> None:
        for expression, group, fmt in self._rules:
            matches = expression.globalMatch(text)
            while matches.hasNext():
                match = matches.next()
                self.setFormat(match.capturedStart(group), match.capturedLength(group), fmt)


class StyleCodeView(QWidget):
    """One sentence of what to expect, above the handler's code (or the route's)."""

    def __init__(self) -> None:
        super().__init__()
        self.expect = QLabel()
        self.expect.setWordWrap(True)
        self.expect.setFont(palette.FONTS.base())
        self.code = QTextEdit()
        self.code.setReadOnly(True)
        self.code.setAcceptRichText(False)
        # The comment at the end of a line is often the point, and a narrow dock cut
        # it off: lines wrap, and what wraps is indented deeper than the line it
        # continues, so it cannot be read as a statement of its own.
        self.code.setLineWrapMode(QTextEdit.LineWrapMode.WidgetWidth)
        self.highlighter = PythonHighlighter(self.code.document())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.expect)
        layout.addWidget(self.code, 1)
        #: The line (block number) marked as the one that held a bar; -1 for none.
        self.marked_line = -1
        self.restyle()

    def restyle(self) -> None:
        """Colours and font of the palette's theme and scale as they are now."""
        self.code.setFont(palette.FONTS.code())
        self.code.setStyleSheet(
            f"QTextEdit {{ background: {palette.BACKGROUND}; color: {palette.TEXT}; }}"
        )
        self.highlighter.use_theme()
        self.highlighter.rehighlight()
        self._indent_wrapped_lines()
        self._mark_line(self.marked_line)

    def show_style(self, name: str) -> None:
        # server.styles pulls in FastAPI: imported on first use, after the window is up.
        from server.styles import CATALOGUE

        style = CATALOGUE[name]
        self._show("Expect:", style.expect, style.source.rstrip("\n"))

    def show_routes(self, routes: Sequence[Mapping[str, Any]], app_dir: str = "") -> None:
        """The code of the user's routes: each endpoint and the dependencies it runs."""
        code = routes_code(routes, app_dir)
        self._show("Where it runs:", code.expect, code.source)

    def show_note(self, note: str) -> None:
        """No code to show yet (the app is starting), and why."""
        self._show("", note, "")

    def show_held(self, held: HeldSource) -> None:
        """The function that held a clicked bar, its line marked and in view, its stack below."""
        place = held.held
        samples = f"{place.samples} sample{'s' if place.samples != 1 else ''}"
        sentence = f"{place.short()}, the line running when it was sampled ({samples})."
        if held.note:
            sentence += f" Note: {held.note}; the line shown is the one the server read."
        stack = "\n".join(f"# {short_frame(frame)}" for frame in place.stack)
        text = f"{held.text}\n\n# ── stack, innermost first ──\n{stack}" if stack else held.text
        self._show("Held here:", sentence, text)
        self._mark_line(held.marked_line)

    def _show(self, heading: str, sentence: str, source: str) -> None:
        # The sentence is plain text inside rich text: "CPU time << wall time" must
        # not lose its "<<" to the HTML parser.
        bold = f"<b>{html.escape(heading)}</b> " if heading else ""
        self.expect.setText(bold + html.escape(sentence))
        self.code.setPlainText(source)
        self._indent_wrapped_lines()
        self._mark_line(-1)

    def _mark_line(self, line: int) -> None:
        """Mark block ``line`` (-1: none) across the view's width, and scroll it into the middle."""
        self.marked_line = line
        block = self.code.document().findBlockByNumber(line) if line >= 0 else None
        if block is None or not block.isValid():
            self.code.setExtraSelections([])
            return
        mark = QTextEdit.ExtraSelection()
        colour = QColor(palette.ANNOTATION)
        colour.setAlpha(HELD_LINE_ALPHA)
        mark.format.setBackground(colour)
        mark.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
        cursor = QTextCursor(block)
        mark.cursor = cursor
        self.code.setExtraSelections([mark])
        self.code.setTextCursor(cursor)
        self._scroll_to_cursor()
        # Again after the layout: a view not yet shown has no height to centre in.
        QTimer.singleShot(0, self, self._scroll_to_cursor)

    def _scroll_to_cursor(self) -> None:
        """The cursor's line in the middle of the view, the lines before it above."""
        bar = self.code.verticalScrollBar()
        middle = self.code.cursorRect().center().y()
        bar.setValue(bar.value() + middle - self.code.viewport().height() // 2)

    def show_app(self, target: str, requests: str) -> None:
        """The user's app instead of a style: what is served and what its runs send."""
        self.expect.setText(
            f"<b>Your app:</b> {html.escape(target)}<br><b>Requests:</b> {html.escape(requests)}"
        )
        self.code.setPlainText("")

    def _indent_wrapped_lines(self) -> None:
        """A hanging indent per line: its own leading spaces plus a few characters."""
        char_px = QFontMetricsF(self.code.font()).horizontalAdvance(" ")
        cursor = QTextCursor(self.code.document())
        block = self.code.document().firstBlock()
        while block.isValid():
            text = block.text()
            indent = (len(text) - len(text.lstrip(" ")) + HANGING_INDENT_CHARS) * char_px
            fmt = QTextBlockFormat(block.blockFormat())
            fmt.setLeftMargin(indent)
            fmt.setTextIndent(-indent)
            cursor.setPosition(block.position())
            cursor.setBlockFormat(fmt)
            block = block.next()
