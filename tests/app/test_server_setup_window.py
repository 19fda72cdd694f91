"""How the server runs, in the window: carried through the Run panel's settings without a
spin box of its own, said in a line while it is not one process; a run of another setup
restarts the server instead of being refused; a comparison of 1 process against N (or of
two interpreters) restarts it between its runs. No server is started: the driver's
launches and runs are recorded."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from _plot_area import check_window_plot
from _process_traces import two_process_run
from _screen_checks import assert_fits, assert_plot_readable, grab, settle, show_pair
from PySide6.QtCore import QRect
from pytestqt.qtbot import QtBot

from visualizer.app.compare_dialog import INTERPRETERS, PROCESSES, CompareDialog
from visualizer.app.comparison_runner import ComparisonRunner
from visualizer.app.main_window import MainWindow
from visualizer.app.session_driver import SessionDriver
from visualizer.model.analysis import RunResult, analyse
from visualizer.model.server_setup import ServerSetup
from visualizer.model.settings import RunSettings
from visualizer.model.tracefile import read_trace

DATA = Path(__file__).parent.parent / "data"
TWO = "sync_sleep_workers2_c10_p4_w100.json"


class Recorder:
    """Stands in for a driver's server and runs: what was launched, and run, in order."""

    def __init__(self, driver: SessionDriver) -> None:
        self.calls: list[tuple[str, Any]] = []
        driver.launch_server = lambda: self.calls.append(  # type: ignore[method-assign]
            ("launch", driver.session.setup)
        )
        driver.start_run = lambda s: self.calls.append(("run", s))  # type: ignore[method-assign,assignment,return-value]


def test_the_panel_has_no_spin_box_for_processes_and_carries_them_through_settings(
    make_window: Callable[..., MainWindow], qtbot: QtBot, screen: Callable[[int, int], QRect]
) -> None:
    area = screen(960, 540)
    window = make_window(preset={"workers": 2, "python": "/opt/py313/bin/python"})
    settle(qtbot, window, area)
    controls = window.controls
    assert "workers" not in controls.fields
    settings = controls.settings()
    assert (settings.workers, settings.python) == (2, "/opt/py313/bin/python")
    assert window.driver.session.setup == ServerSetup(2, "/opt/py313/bin/python")
    assert controls.setup_line.isVisible()
    assert controls.setup_line.text().startswith("2 processes · py313 · ")
    assert "2 worker processes on one socket" in controls.setup_line.toolTip()
    assert_fits(window, area)  # the line fits where a spin box did not
    controls.setup_line.linkActivated.emit("reset")
    assert controls.settings().workers == 1 and controls.settings().python == ""
    assert not controls.setup_line.isVisible()


def test_a_run_of_another_setup_restarts_the_server_and_starts_once_it_is_up(
    make_window: Callable[..., MainWindow],
) -> None:
    window = make_window(show=False)
    refused: list[str] = []
    window.run_refused.connect(refused.append)
    recorder = Recorder(window.driver)
    window.controls.set_server_setup(ServerSetup(workers=2))
    window.start_run()
    assert recorder.calls == [("launch", ServerSetup(workers=2))]
    window.driver.server_state_changed.emit("starting")
    assert len(recorder.calls) == 1  # not up yet
    window.driver.server_state_changed.emit("running")
    assert [kind for kind, _ in recorder.calls] == ["launch", "run"]
    assert recorder.calls[1][1].workers == 2
    assert not refused


def test_a_restart_that_fails_refuses_the_run_with_the_reason(
    make_window: Callable[..., MainWindow],
) -> None:
    window = make_window(show=False)
    refused: list[str] = []
    window.run_refused.connect(refused.append)
    Recorder(window.driver)
    window.controls.set_server_setup(ServerSetup(python="/nowhere/python"))
    window.start_run()
    window.driver.server_state_changed.emit("python '/nowhere/python' does not exist")
    assert refused == ["python '/nowhere/python' does not exist"]


def _result(name: str) -> RunResult:
    return analyse(read_trace(DATA / name))


def test_a_comparison_of_1_process_against_2_restarts_the_server_between_its_runs(
    qtbot: QtBot,
) -> None:
    driver = SessionDriver()
    recorder = Recorder(driver)
    runner = ComparisonRunner(driver)
    one = RunSettings(style="sync_sleep", concurrency=10, requests=40, work_ms=100, pool=4)
    pair = (one, replace(one, workers=2))
    runner.start(pair)
    assert recorder.calls == [("run", pair[0])]  # the server runs one process already
    driver.run_finished.emit(_result("sync_sleep_c6_p2_w200.json"))
    qtbot.waitUntil(lambda: len(recorder.calls) == 2)
    assert recorder.calls[1] == ("launch", ServerSetup(workers=2))
    driver.server_state_changed.emit("running")
    assert recorder.calls[2] == ("run", pair[1])
    finished: list[object] = []
    runner.finished.connect(lambda a, b: finished.append((a, b)))
    driver.run_finished.emit(_result(TWO))
    qtbot.waitUntil(lambda: bool(finished))
    driver.close()


def test_a_comparison_whose_second_server_fails_says_why(qtbot: QtBot) -> None:
    driver = SessionDriver()
    Recorder(driver)
    runner = ComparisonRunner(driver)
    failed: list[str] = []
    runner.failed.connect(failed.append)
    one = RunSettings(style="sync_cpu")
    runner.start((one, replace(one, python="/opt/py/bin/python3.13")))
    driver.run_finished.emit(_result("sync_cpu_c4_p4_w100.json"))
    qtbot.waitUntil(lambda: runner.waiting is not None)
    driver.server_state_changed.emit("python '/opt/py/bin/python3.13' lacks httpx, …")
    assert failed == ["python '/opt/py/bin/python3.13' lacks httpx, …"]
    assert not runner.active
    driver.close()


@pytest.mark.parametrize("size", [(960, 540), (1024, 768), (1280, 720), (1920, 1080)])
def test_1_process_against_2_is_shown_whole_and_named_by_its_processes(
    make_window: Callable[..., MainWindow],
    qtbot: QtBot,
    screen: Callable[[int, int], QRect],
    size: tuple[int, int],
) -> None:
    area = screen(*size)
    window = make_window()
    settle(qtbot, window, area)
    show_pair(window, _result("sync_sleep_c6_p2_w200.json"), analyse(two_process_run()))
    settle(qtbot, window, area)
    image = grab(window, f"compare-processes-{size[0]}x{size[1]}")
    assert_fits(window, area)
    if size == (960, 540):
        # 18 lanes in half of 540 px: every other label gives way; each bar is still drawn.
        for plot in window.comparison.plots:
            check_window_plot(image, plot, window).assert_ok(min_lanes=5)
    else:
        for plot in window.comparison.plots:
            assert_plot_readable(image, plot, window)
    headings = [heading.text() for heading in window.comparison.headings]
    assert headings[0].startswith("sync_sleep, 1 server process: finished in")
    assert headings[1].startswith("sync_sleep, 2 server processes: finished in")


def test_the_status_bar_names_one_style_on_two_servers_by_their_difference(
    make_window: Callable[..., MainWindow],
) -> None:
    window = make_window(show=False)
    one = _result("sync_sleep_c6_p2_w200.json")
    window._on_pair_finished(one, analyse(two_process_run()))
    assert window.status.progress_label.text() == (
        "Compared 1 server process and 2 server processes"
    )


def test_the_compare_dialog_pairs_styles_processes_or_interpreters(
    qtbot: QtBot, tmp_path: Path
) -> None:
    base = RunSettings(style="sync_cpu", concurrency=6, requests=12, pool=2)
    dialog = CompareDialog(base)
    qtbot.addWidget(dialog)
    assert [s.style for s in dialog.pair()] == ["async_blocking", "async_offload"]
    dialog.what.setCurrentText(PROCESSES)
    dialog.processes.setValue(4)
    dialog.reuse_port.setChecked(True)
    first, second = dialog.pair()
    assert (first.workers, second.workers, second.reuse_port) == (1, 4, True)
    assert first.style == second.style == "sync_cpu" and second.pool == 2
    dialog.what.setCurrentText(INTERPRETERS)
    dialog.pythons[1].setText(str(tmp_path / "python3.13"))
    dialog._accept()  # an interpreter that is not there is said in the dialog, not run
    assert dialog.error.isVisibleTo(dialog) and "does not exist" in dialog.error.text()
    assert dialog.result() == 0
    first, second = dialog.pair()
    assert (first.python, second.python) == ("", str(tmp_path / "python3.13"))
