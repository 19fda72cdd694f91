"""The Run panel, the status bar and the summary describe the run on screen, by name.

An opened file, an example or a comparison once left the panel and the status bar
on the style chosen before, and a comparison's summary showed its second run
alone, unnamed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from visualizer.app.file_actions import EXAMPLES_DIR
from visualizer.app.main_window import MainWindow
from visualizer.model.analysis import RunResult, analyse
from visualizer.model.settings import RunSettings
from visualizer.model.trace import RunTrace
from visualizer.model.tracefile import read_trace
from visualizer.runner.session import LiveRun, RunState

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.mark.parametrize(
    "path", [DATA / "sync_sleep_c6_p2_w200.json", EXAMPLES_DIR / "async_offload_c5_w200.json"]
)
def test_an_opened_run_sets_the_run_panel_and_the_status_bar(
    make_window: Callable[..., MainWindow], path: Path
) -> None:
    window = make_window({"style": "async_blocking", "concurrency": 1, "work_ms": 10})
    result = window.files.open(path)
    assert result is not None
    style = result.trace.settings.style
    assert style != "async_blocking"
    assert window.controls.settings() == result.trace.settings
    assert window.controls.style_box.currentText() == style
    assert style in window.status.progress_label.text()
    assert path.name in window.status.progress_label.text()
    assert style in window.summary.story.text()


def _finish(window: MainWindow, result: RunResult) -> None:
    """The driver's end of the live run: its RunResult."""
    run = window.driver.run
    assert run is not None and run.trace.settings.style == result.trace.settings.style
    run.state = RunState.FINISHED
    window.driver.result = result
    window.driver.run_finished.emit(result)


def test_a_comparison_names_both_runs_in_the_summary_panel_and_status_bar(
    make_window: Callable[..., MainWindow], qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = make_window({"style": "sync_cpu"})
    first = analyse(read_trace(DATA / "async_blocking_c5_w200.json"))
    second = analyse(read_trace(DATA / "async_sleep_c10_w200.json"))

    def start_run(settings: RunSettings) -> LiveRun:
        """The driver's start without a server: the run is what the runner asked for."""
        run = LiveRun(trace=RunTrace(settings=settings), state=RunState.RUNNING)
        window.driver.run, window.driver.result = run, None
        window.driver.run_started.emit(run)
        return run

    monkeypatch.setattr(window.driver, "start_run", start_run)
    window.start_comparison(("async_blocking", "async_sleep"))
    assert window.controls.style_box.currentText() == "async_blocking"
    _finish(window, first)
    qtbot.waitUntil(lambda: window.driver.run is not None and window.driver.live)
    assert window.controls.style_box.currentText() == "async_sleep"
    _finish(window, second)
    qtbot.waitUntil(lambda: window.pair is not None)

    story, figures = window.summary.story.text(), window.summary.figures.text()
    for result in (first, second):
        assert f"<b>{result.trace.settings.style}</b>" in story
        assert result.story[0] in story
        assert f"{result.summary.makespan_ms:,.1f} ms" in figures
        # Named over its column (free to wrap after each "_").
        assert result.trace.settings.style.replace("_", "_\u200b") in figures
    status = window.status.progress_label.text()
    assert status == "Compared async_blocking and async_sleep"
    assert window.controls.style_box.currentText() in ("async_blocking", "async_sleep")


def test_both_runs_figures_fit_the_summary_panel_on_a_1024_wide_screen(
    make_window: Callable[..., MainWindow], qtbot: QtBot
) -> None:
    window = make_window()
    window.resize(1024, 768)
    first = analyse(read_trace(DATA / "async_blocking_c5_w200.json"))
    second = analyse(read_trace(DATA / "sync_sleep_c6_p2_w200.json"))
    window.summary.show_results([first, second])
    qtbot.wait(50)
    panel = window.summary
    # Wider than the panel, the figures and the story are cut off at its right edge.
    assert panel.figures.minimumSizeHint().width() <= panel.viewport().width()
    assert panel.widget().width() <= panel.viewport().width()
