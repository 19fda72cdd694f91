"""The classroom features of the window: presentation mode, themes, replay, comparison."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from visualizer.app import palette
from visualizer.app.main_window import MainWindow
from visualizer.app.screen_fit import presentation_scale
from visualizer.app.settings_store import SettingsStore

DATA = Path(__file__).resolve().parents[1] / "data"


def test_presentation_mode_scales_fonts_goes_full_screen_and_comes_back(
    make_window: Callable[..., MainWindow], qtbot: object
) -> None:
    window = make_window()
    window.presentation_action.trigger()
    screen_height = window.screen().geometry().height()
    assert palette.FONTS.scale == presentation_scale(screen_height, palette.PRESENTATION_SCALE)
    assert palette.FONTS.scale > 1.0
    assert window.isFullScreen()
    assert not window.controls_dock.isVisible()
    assert window.presentation.toolbar.isVisible()
    assert window.timeline.legend.font().pointSizeF() >= 0  # rebuilt, not crashed
    window.presentation_action.trigger()
    assert palette.FONTS.scale == 1.0
    assert not window.isFullScreen()
    assert window.controls_dock.isVisible()
    assert not window.presentation.toolbar.isVisible()


def test_the_dark_theme_is_applied_and_remembered(make_window: Callable[..., MainWindow]) -> None:
    window = make_window(show=False)
    window.dark_action.trigger()
    assert palette.THEME is palette.DARK
    assert SettingsStore().dark_theme()
    window.dark_action.trigger()
    assert palette.THEME is palette.LIGHT
    assert not SettingsStore().dark_theme()


def test_replay_grows_the_timeline_and_ends_on_the_finished_run(
    make_window: Callable[..., MainWindow], qtbot: object
) -> None:
    window = make_window(show=False)
    result = window.files.open(DATA / "mixed_c6_n12_w100.json")
    assert result is not None
    clock = window.replay.clock
    assert clock.span == result.timeline.span
    clock.seek(clock.span // 2)
    shown = window.timeline.timeline
    assert shown is not None and shown.span == clock.span // 2
    assert len(shown) < len(result.timeline)
    assert window.timeline.plot.cursor.isVisible()
    clock.speed = 2.0
    clock.play()
    assert clock.playing
    qtbot.waitUntil(lambda: not clock.playing, timeout=5000)  # type: ignore[attr-defined]
    assert window.timeline.timeline is result.timeline
    assert not window.timeline.plot.cursor.isVisible()


@pytest.mark.live
def test_compare_runs_two_styles_one_after_the_other_and_says_which_won(
    make_window: Callable[..., MainWindow], qtbot: object
) -> None:
    window = make_window(preset={"concurrency": 3, "requests": 3, "work_ms": 60})
    qtbot.waitUntil(window.run_action.isEnabled, timeout=60_000)  # type: ignore[attr-defined]
    window.start_comparison(("async_blocking", "async_offload"))
    assert window.pages.currentWidget() is window.comparison
    qtbot.waitUntil(lambda: window.pair is not None, timeout=60_000)  # type: ignore[attr-defined]
    assert window.pair is not None
    first, second = window.pair
    assert (first.trace.settings.style, second.trace.settings.style) == (
        "async_blocking",
        "async_offload",
    )
    assert second.trace.settings.concurrency == 3
    words = window.comparison.words.text()
    assert words.startswith("async_offload finished in")
    assert "faster than async_blocking" in words
    assert window.comparison.headings[0].text().startswith("async_blocking: finished in")
    picture = window.picture()
    assert picture is not None and len(picture.panels) == 2
