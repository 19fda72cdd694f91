"""The style pickers' entries: the styles grouped by lesson, each group under a header.

A header is an item of the combo box that is shown but cannot be chosen (no item
flags: the popup greys it, and the arrow keys, the wheel and type-ahead pass over
it), so ``currentText()`` is always a style's name. The groups and their order are
data in :mod:`server.routes`, beside the names.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QComboBox

from server.routes import STYLE_GROUPS, STYLE_NAMES

_CHOOSABLE = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_TOOLTIP = Qt.ItemDataRole.ToolTipRole


def fill_style_box(box: QComboBox) -> None:
    """Put the styles in ``box`` by lesson and choose the first style."""
    model = box.model()
    assert isinstance(model, QStandardItemModel), "a QComboBox's own model"
    for group in STYLE_GROUPS:
        header = QStandardItem(group.title)
        header.setFlags(Qt.ItemFlag.NoItemFlags)
        font = header.font()
        font.setBold(True)
        header.setFont(font)
        header.setToolTip(group.lesson)
        model.appendRow(header)
        for name in group.styles:
            box.addItem(name)
            box.setItemData(box.count() - 1, f"{group.title}: {group.lesson}", _TOOLTIP)
    box.setCurrentIndex(box.findText(STYLE_NAMES[0]))


def style_rows(box: QComboBox) -> list[int]:
    """The rows of ``box`` that hold a style (not a header)."""
    model = box.model()
    return [row for row in range(box.count()) if model.flags(model.index(row, 0)) & _CHOOSABLE]
