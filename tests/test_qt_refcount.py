"""PySide6 6.12.0 on CPython 3.11 drops a reference to None on every void Qt call.

After about 10^4 calls the interpreter dies with "Fatal Python error: none_dealloc".
pyproject.toml pins PySide6 below 6.12 on Python < 3.12 (None is immortal from 3.12
on); this test makes sure whatever is installed does not have the bug.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPen

CALLS = 50_000


def test_void_qt_calls_do_not_consume_references_to_none() -> None:
    image = QImage(8, 8, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    brush, pen = QBrush(QColor(Qt.GlobalColor.red)), QPen(QColor(Qt.GlobalColor.blue))
    before = sys.getrefcount(None)
    try:
        for _ in range(CALLS // 2):
            painter.setBrush(brush)
            painter.setPen(pen)
    finally:
        painter.end()
    after = sys.getrefcount(None)
    # Other code may take a few references meanwhile; a leak would lose ~50,000.
    assert after >= before - 100, f"None lost {before - after} references in {CALLS} calls"
