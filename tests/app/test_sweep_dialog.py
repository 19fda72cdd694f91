"""Run > Sweep…'s dialog on the screens a teacher meets: it opens within the screen, a
960x540 one (a 1080p screen at scale 2) included, with room for both plots."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect
from pytestqt.qtbot import QtBot

from visualizer.app import screen_fit
from visualizer.app.sweep_dialog import FRAME_PX, SweepDialog
from visualizer.model.settings import RunSettings


@pytest.mark.parametrize("size", [(960, 540), (1024, 768), (1280, 720), (1920, 1080)])
def test_the_sweep_dialog_opens_within_the_screen(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]
) -> None:
    area = QRect(0, 0, *size)
    monkeypatch.setattr(screen_fit, "available_area", lambda _widget: area)
    dialog = SweepDialog(RunSettings(style="sync_sleep"))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    framed = dialog.size() + FRAME_PX
    assert framed.width() <= area.width() and framed.height() <= area.height()
    hint = dialog.minimumSizeHint() + FRAME_PX
    assert hint.width() <= area.width() and hint.height() <= area.height()
    assert dialog.view.height() >= 240 and dialog.view.width() >= 480
