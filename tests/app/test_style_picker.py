"""The style pickers group the styles by lesson under headers that cannot be chosen."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox
from pytestqt.qtbot import QtBot

from server.routes import STYLE_GROUPS, STYLE_NAMES
from visualizer.app.compare_dialog import CompareDialog
from visualizer.app.main_window import MainWindow
from visualizer.app.style_picker import fill_style_box, style_rows
from visualizer.model.settings import RunSettings

CHOOSABLE = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


def _entries(box: QComboBox) -> list[tuple[str, bool]]:
    """Each row's text, and whether it can be chosen."""
    model = box.model()
    return [
        (box.itemText(row), bool(model.flags(model.index(row, 0)) & CHOOSABLE))
        for row in range(box.count())
    ]


def test_each_group_is_a_header_that_cannot_be_chosen_then_its_styles(qtbot: QtBot) -> None:
    box = QComboBox()
    qtbot.addWidget(box)
    fill_style_box(box)
    expected = []
    for group in STYLE_GROUPS:
        expected += [(group.title, False), *((name, True) for name in group.styles)]
    assert _entries(box) == expected
    assert [box.itemText(row) for row in style_rows(box)] == list(STYLE_NAMES)
    assert box.currentText() == STYLE_NAMES[0], "a style is chosen, never a header"
    assert box.itemData(0, Qt.ItemDataRole.FontRole).bold()
    assert box.itemData(0, Qt.ItemDataRole.ToolTipRole) == STYLE_GROUPS[0].lesson


def test_the_keys_pass_over_a_header(qtbot: QtBot) -> None:
    box = QComboBox()
    qtbot.addWidget(box)
    fill_style_box(box)
    box.show()
    last_of_first, first_of_second = STYLE_GROUPS[0].styles[-1], STYLE_GROUPS[1].styles[0]
    box.setCurrentText(last_of_first)
    qtbot.keyClick(box, Qt.Key.Key_Down)
    assert box.currentText() == first_of_second
    qtbot.keyClick(box, Qt.Key.Key_Up)
    assert box.currentText() == last_of_first
    box.setCurrentText(STYLE_NAMES[0])
    qtbot.keyClick(box, Qt.Key.Key_Up)
    assert box.currentText() == STYLE_NAMES[0], "the first header is not above it"


def test_every_style_chosen_in_the_window_makes_valid_settings(
    make_window: Callable[..., MainWindow],
) -> None:
    window = make_window()
    controls = window.controls
    compact = window.presentation.style_box
    assert _entries(compact) == _entries(controls.style_box)
    for name in STYLE_NAMES:
        compact.setCurrentText(name)  # the presentation toolbar's picker drives the dock's
        assert controls.style_box.currentText() == name
        assert controls.settings().style == name
    controls.set_settings(RunSettings(style="cpu_process_pool"))
    assert compact.currentText() == "cpu_process_pool"


def test_the_compare_dialog_groups_its_styles_too(qtbot: QtBot) -> None:
    dialog = CompareDialog(RunSettings())
    qtbot.addWidget(dialog)
    for box in dialog.boxes:
        assert [box.itemText(row) for row in style_rows(box)] == list(STYLE_NAMES)
    assert dialog.styles() == ("async_blocking", "async_offload")
