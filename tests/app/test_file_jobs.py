"""Opening and saving a run happen off the GUI thread: the window paints on, and shows how far.

Each slow read here is held at a gate that only the GUI thread's own timer opens:
if the read ran on the GUI thread, that timer could never fire while it waits.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from _plot_area import check_window_plot
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QPushButton

from visualizer.app import file_actions
from visualizer.app.main_window import MainWindow
from visualizer.model.trace import RunTrace
from visualizer.model.tracefile import read_trace

DATA = Path(__file__).resolve().parents[1] / "data"
RUN = DATA / "mixed_c6_n12_w100.json"


class Gate:
    """Holds the file job until the GUI thread's timer has ticked ``ticks`` times."""

    def __init__(self, ticks: int = 3) -> None:
        self.opened = threading.Event()
        self.ticks = 0
        self.needed = ticks
        self.threads: list[threading.Thread] = []
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._tick)
        self.timer.start()

    def _tick(self) -> None:
        self.ticks += 1
        if self.ticks >= self.needed:
            self.opened.set()

    def wait(self) -> None:
        self.threads.append(threading.current_thread())
        self.opened.wait(timeout=3.0)  # a GUI thread that cannot tick is not waited for


@pytest.fixture
def gate() -> Iterator[Gate]:
    gate = Gate()
    yield gate
    gate.timer.stop()


def test_opening_reads_on_another_thread_while_the_window_paints(
    make_window: Callable[..., MainWindow], gate: Gate, monkeypatch: pytest.MonkeyPatch
) -> None:
    def gated_read(path: Path, progress: Any = None) -> RunTrace:
        gate.wait()
        return read_trace(path, progress)

    monkeypatch.setattr(file_actions, "read_trace", gated_read)
    window = make_window()
    window.resize(1280, 720)
    result = window.files.open(RUN)
    assert result is not None and window.result is result
    assert gate.threads and threading.main_thread() not in gate.threads
    assert gate.opened.is_set(), "the GUI thread's timer did not run while the file was read"
    check_window_plot(window.grab().toImage(), window.timeline.plot, window).assert_ok(min_lanes=10)


def test_a_long_open_shows_its_progress_and_cancel_keeps_the_run_shown(
    make_window: Callable[..., MainWindow], monkeypatch: pytest.MonkeyPatch
) -> None:
    window = make_window()
    window.resize(1280, 720)
    shown = window.files.open(DATA / "async_sleep_c10_w200.json")
    assert shown is not None
    release = threading.Event()

    def held_read(path: Path, progress: Any = None) -> RunTrace:
        release.wait(timeout=10.0)
        return read_trace(path, progress)

    monkeypatch.setattr(file_actions, "read_trace", held_read)
    labels: list[str] = []

    def press_cancel_once_shown() -> None:
        # Runs on the GUI thread while the open waits: the user sees the dialog, cancels.
        progress = window.files.progress
        if progress is not None and progress.isVisible():
            labels.append(progress.labelText())
            button = progress.findChild(QPushButton)
            assert button is not None and button.text() == "Cancel"
            button.click()
            release.set()
            watcher.stop()

    watcher = QTimer()
    watcher.setInterval(20)
    watcher.timeout.connect(press_cancel_once_shown)
    watcher.start()
    try:
        assert window.files.open(RUN) is None
    finally:
        watcher.stop()
    assert labels and RUN.name in labels[0]
    assert window.result is shown and window.timeline.timeline is shown.timeline
    check_window_plot(window.grab().toImage(), window.timeline.plot, window).assert_ok(min_lanes=10)


def test_saving_writes_on_another_thread_and_the_file_reads_back_equal(
    make_window: Callable[..., MainWindow],
    gate: Gate,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    out = tmp_path / "runs"
    out.mkdir()
    window = make_window()
    original = window.files.open(RUN)
    assert original is not None
    real_write = file_actions.write_trace

    def gated_write(trace: RunTrace, path: Path) -> None:
        gate.wait()
        real_write(trace, path)

    monkeypatch.setattr(file_actions, "write_trace", gated_write)
    window.files.path = out / "saved.json"
    assert window.files.save(window.result) == out / "saved.json"
    assert gate.threads and threading.main_thread() not in gate.threads
    assert gate.opened.is_set(), "the GUI thread's timer did not run while the file was written"
    assert [p.name for p in out.iterdir()] == ["saved.json"]  # no partial file left
    again = read_trace(out / "saved.json")
    for table in ("sent", "done", "loop", "stamp"):
        assert np.array_equal(
            np.sort(getattr(again, table).rows), np.sort(getattr(original.trace, table).rows)
        ), table


def test_a_failed_save_says_why_and_leaves_the_old_file_whole(
    make_window: Callable[..., MainWindow], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(
        file_actions.QMessageBox, "warning", lambda _p, _t, text: shown.append(text)
    )
    out = tmp_path / "runs"
    out.mkdir()
    window = make_window(show=False)
    assert window.files.open(RUN) is not None
    target = out / "kept.json"
    target.write_text("the old run")

    def failing_write(trace: RunTrace, path: Path) -> None:
        Path(path).write_text("half a tr")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(file_actions, "write_trace", failing_write)
    window.files.path = target
    assert window.files.save(window.result) is None
    assert len(shown) == 1 and "No space left on device" in shown[0]
    assert target.read_text() == "the old run"
    assert [p.name for p in out.iterdir()] == ["kept.json"]


def test_an_opened_runs_marks_are_found_on_the_job_thread_not_the_gui_thread(
    make_window: Callable[..., MainWindow], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Finding the longest loop block and the pool-full periods of a big run took 25 ms
    of the GUI thread after the read; the job finds them, the window only shows them."""
    from visualizer.app import main_window
    from visualizer.model import analysis
    from visualizer.model.annotations import annotate

    threads: list[threading.Thread] = []

    def recorded(trace: RunTrace) -> Any:
        threads.append(threading.current_thread())
        return annotate(trace)

    monkeypatch.setattr(analysis, "annotate", recorded)
    monkeypatch.setattr(main_window, "annotate", recorded)
    window = make_window()
    window.resize(1280, 720)
    result = window.files.open(RUN)
    assert result is not None and threads
    assert threading.main_thread() not in threads
    assert window.timeline.plot._annotations == result.marks
    check_window_plot(window.grab().toImage(), window.timeline.plot, window).assert_ok(min_lanes=10)
