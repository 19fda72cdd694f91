"""make_action: a QAction with its shortcuts, tip and slot, in one call."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence


def make_action(
    parent: QObject,
    text: str,
    slot: Callable[..., Any],
    shortcut: str | list[str] | None = None,
    tip: str = "",
) -> QAction:
    """``shortcut`` may be a list: the first is shown in menus, all of them work."""
    action = QAction(text, parent)
    if isinstance(shortcut, list):
        action.setShortcuts([QKeySequence(key) for key in shortcut])
    elif shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    if tip:
        action.setToolTip(tip)
        action.setStatusTip(tip)
    action.triggered.connect(slot)
    return action
