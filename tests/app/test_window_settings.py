"""What the window remembers between launches, and the limits of its fields."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pytestqt.qtbot import QtBot

from visualizer.app.main_window import MainWindow
from visualizer.app.settings_store import SettingsStore
from visualizer.model.server_setup import SETUP_FIELDS
from visualizer.model.settings import RANGES, RunSettings

MakeWindow = Callable[..., MainWindow]


def test_settings_and_size_persist_across_two_windows(
    make_window: MakeWindow, settings_dir: Path
) -> None:
    first = make_window(show=False)
    first.controls.style_box.setCurrentText("sync_cpu")
    first.controls.fields["concurrency"].setValue(7)
    first.controls.fields["work_ms"].setValue(123.5)
    first.controls.fields["pool"].setValue(3)
    # Smaller than the offscreen screen (800 x 600), or restoring would shrink it.
    first.resize(790, 590)
    first.summary_dock.hide()
    first.close()
    assert list(settings_dir.rglob("*.ini")), "the settings went to the temporary folder"

    second = make_window(show=False)
    assert second.controls.settings() == RunSettings(
        style="sync_cpu", concurrency=7, requests=5, work_ms=123.5, pool=3
    )
    assert (second.width(), second.height()) == (790, 590)
    assert second.summary_dock.isHidden()
    assert not second.controls_dock.isHidden()


def test_command_line_preset_wins_over_what_was_remembered(make_window: MakeWindow) -> None:
    first = make_window(show=False)
    first.controls.fields["requests"].setValue(42)
    first.close()
    second = make_window({"requests": 9, "style": "mixed"}, show=False)
    assert second.controls.settings().requests == 9
    assert second.controls.settings().style == "mixed"


def test_a_bad_remembered_value_falls_back_to_the_default(settings_dir: Path) -> None:
    store = SettingsStore()
    store.qsettings.setValue("run/concurrency", "5000")
    store.qsettings.setValue("run/style", "no_such_style")
    store.qsettings.setValue("run/pool", "3")
    assert store.run_settings() == RunSettings(pool=3)


def test_fields_cannot_leave_their_range_and_say_which_it_is(
    qtbot: QtBot, make_window: MakeWindow
) -> None:
    window = make_window(show=False)
    # How the server runs is no field of the panel (ServerSetupLine says it).
    assert set(window.controls.fields) == set(RANGES) - set(SETUP_FIELDS)
    for name, box in window.controls.fields.items():
        allowed = RANGES[name]
        assert (box.minimum(), box.maximum()) == (allowed.low, allowed.high)
        assert allowed.describe() in box.toolTip()
    box = window.controls.fields["concurrency"]
    box.setValue(5000)
    assert box.value() == 1000
