"""The code of an endpoint style, exactly as written in server/styles.py, highlighted.

The highlighter is deliberately small: keywords, builtins, decorators, strings,
numbers and comments are what a reader scans for in a ten-line handler. The lines
that decide the story (``await``, ``time.sleep``, ``run_in_threadpool``) get the
keyword colour, so the difference between styles stands out.
"""

from __future__ import annotations

import keyword

from PySide6.QtCore import QRegularExpression
from PySide6.QtGui import QColor, QFont, QSyntaxHighlighter, QTextCharFormat, QTextDocument
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from visualizer.app import palette


def _format(colour: str, bold: bool = False, italic: bool = False) -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setForeground(QColor(colour))
    if bold:
        fmt.setFontWeight(QFont.Weight.Bold)
    fmt.setFontItalic(italic)
    return fmt


#: (pattern, group to colour, format) in the order they are applied: later rules
#: win, so strings and comments come last and keywords inside them stay plain.
_RULES: list[tuple[str, int, QTextCharFormat]] = [
    (r"\b(" + "|".join(keyword.kwlist) + r")\b", 0, _format("#8E3A8E", bold=True)),
    (r"\b(time\.sleep|run_in_threadpool|asyncio\.sleep)\b", 0, _format("#B3470B", bold=True)),
    (r"\b(int|float|str|dict|list|tuple|Any|print|len|range)\b", 0, _format("#0B6E99")),
    (r"^\s*@[\w.]+", 0, _format("#7A5C00")),
    (r"\b\d+(\.\d+)?\b", 0, _format("#0B6E99")),
    (r"\bdef\s+(\w+)", 1, _format("#1F5FA8", bold=True)),  # the handler's name
    (r"\"[^\"\n]*\"|'[^'\n]*'", 0, _format("#2E7D32")),
    (r"#[^\n]*", 0, _format("#6B6B6B", italic=True)),
]


class PythonHighlighter(QSyntaxHighlighter):
    """Colours the few things that matter in a short Python handler, line by line."""

    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self._rules = [(QRegularExpression(pattern), group, fmt) for pattern, group, fmt in _RULES]

    def highlightBlock(self, text: str) -> None:
        for expression, group, fmt in self._rules:
            matches = expression.globalMatch(text)
            while matches.hasNext():
                match = matches.next()
                self.setFormat(match.capturedStart(group), match.capturedLength(group), fmt)


class StyleCodeView(QWidget):
    """One sentence of what to expect, above the handler's code."""

    def __init__(self) -> None:
        super().__init__()
        self.expect = QLabel()
        self.expect.setWordWrap(True)
        self.expect.setFont(palette.FONTS.base())
        self.code = QPlainTextEdit()
        self.code.setReadOnly(True)
        # Wrapped rather than cut: the comment at the end of a line is often the point.
        # Code wrapped at the widget's edge reads as different code: scroll instead.
        self.code.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.code.setFont(palette.FONTS.code())
        self.code.setStyleSheet("QPlainTextEdit { background: #FAFAFA; color: #1A1A1A; }")
        self.highlighter = PythonHighlighter(self.code.document())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.expect)
        layout.addWidget(self.code, 1)

    def show_style(self, name: str) -> None:
        # server.styles pulls in FastAPI: imported on first use, after the window is up.
        from server.styles import CATALOGUE

        style = CATALOGUE[name]
        self.expect.setText(f"<b>Expect:</b> {style.expect}")
        self.code.setPlainText(style.source.rstrip("\n"))
