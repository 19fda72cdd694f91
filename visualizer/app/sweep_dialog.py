"""SweepDialog: Run > Sweep…, the window's ``schedviz sweep``.

The grid is typed as lists (``10,40,80``); the run controls' style or plan, work and
timeout are the base of every run. The runs go on a thread of their own (a
SweepRunner: one server per point, no Qt), which reports through a signal of this
dialog, so the picture grows on the GUI thread as each run ends. Stop ends the run in
progress and keeps the others; a click on a point opens that run's timeline.
"""

from __future__ import annotations

import math
import tempfile
import threading
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from visualizer.app import screen_fit
from visualizer.app.sweep_picture import SweepPicture, save_sweep_png
from visualizer.model.settings import RunSettings, SettingError
from visualizer.model.sweep import SweepGrid, SweepRow, parse_values, sweep_title, to_csv
from visualizer.runner.interpreters import InterpreterError
from visualizer.runner.session import LimitError, ServerError
from visualizer.runner.sweep import SweepProgress, SweepRunner

#: Room a window manager's frame and title bar take around a dialog.
FRAME_PX = QSize(16, 40)


def fitted(wanted: QSize, area: QRect) -> QSize:
    """``wanted``, shrunk to the screen's free ``area`` with the dialog's frame around it."""
    return wanted.boundedTo(area.size() - FRAME_PX)


class SweepView(QWidget):
    """The sweep's picture; a click on a point asks for that run."""

    run_clicked = Signal(object)  # SweepRow

    def __init__(self, picture: SweepPicture) -> None:
        super().__init__()
        self.picture = picture
        # Room for both plots on a 960x540 screen beside the grid's fields and buttons.
        self.setMinimumSize(480, 240)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip("Click a point to open that run's timeline")

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            scale = min(max(self.width() / 1400, 0.7), 1.2)
            self.picture.paint(painter, QRectF(self.rect()), scale)
        finally:
            painter.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        row = self.picture.row_at(QPointF(event.position()))
        if row is not None and row.trace:
            self.run_clicked.emit(row)


class SweepDialog(QDialog):
    """The grid, the progress, the picture; Export CSV and PNG of what is done."""

    #: A finished run's trace to open in the window.
    open_run = Signal(str)
    #: From the runner's thread: progress, then (with None) the end.
    _progress = Signal(object)

    def __init__(self, base: RunSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Sweep: concurrency x pool size")
        self.base = base
        self.runner: SweepRunner | None = None
        self.worker: threading.Thread | None = None
        self.concurrency = QLineEdit("10,40,80")
        self.pool = QLineEdit("10,40")
        self.workers = QLineEdit(str(base.workers))
        self.requests = QLineEdit("")
        self.requests.setPlaceholderText("4 x C, at least 20")
        form = QFormLayout()
        form.addRow("&Concurrency C", self.concurrency)
        form.addRow("&Pool size P", self.pool)
        form.addRow("&Workers", self.workers)
        form.addRow("Requests a run", self.requests)
        self.about = QLabel(
            f"Every run: {base.subject}"
            + (f", work {base.work_ms:g} ms" if base.app is None else "")
            + ", on a server of its own."
        )
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.progress = QProgressBar()
        self.run_button = QPushButton("&Run sweep")
        self.stop_button = QPushButton("&Stop")
        self.csv_button = QPushButton("Export CS&V…")
        self.png_button = QPushButton("Export P&NG…")
        self.stop_button.setEnabled(False)
        self.picture = SweepPicture(self._title())
        self.view = SweepView(self.picture)
        buttons = QHBoxLayout()
        for button in (self.run_button, self.stop_button, self.csv_button, self.png_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.about)
        layout.addLayout(buttons)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.view, 1)
        self.run_button.clicked.connect(self.start)
        self.stop_button.clicked.connect(self.stop)
        self.csv_button.clicked.connect(self.export_csv)
        self.png_button.clicked.connect(self.export_png)
        self.view.run_clicked.connect(lambda row: self.open_run.emit(row.trace))
        self._progress.connect(self._on_progress)
        self.resize(fitted(QSize(1000, 720), screen_fit.available_area(self)))
        self._update_buttons()

    def _title(self) -> str:
        return sweep_title(SweepGrid(self.base, [1], [1]))

    # -- start / progress / stop -----------------------------------------------------------

    def grid(self) -> SweepGrid:
        """The grid as typed; SettingError names what is wrong."""
        requests = self.requests.text().strip()
        return SweepGrid(
            base=replace(self.base, workers=1),
            concurrency=parse_values("concurrency", self.concurrency.text()),
            pool=parse_values("pool", self.pool.text()),
            workers=parse_values("workers", self.workers.text()),
            requests=int(requests) if requests.isdigit() else 0,
        )

    def start(self) -> None:
        if self.worker is not None:
            return
        try:
            grid = self.grid()
        except SettingError as error:
            self.status.setText(f"Cannot sweep: {error}")
            return
        traces = Path(tempfile.mkdtemp(prefix="schedviz-sweep-"))
        self.runner = SweepRunner(grid, traces)
        self.picture.rows = []
        self.picture.title = sweep_title(grid)
        self.progress.setRange(0, grid.size)
        self.progress.setValue(0)
        self.status.setText(f"Starting {grid.size} runs; traces in {traces}")
        self.worker = threading.Thread(target=self._work, name="schedviz-sweep", daemon=True)
        self.worker.start()
        self._update_buttons()
        self.view.update()

    def _work(self) -> None:
        """The runner's thread: only the signal crosses to the GUI thread."""
        runner = self.runner
        assert runner is not None
        error = ""
        try:
            runner.run(self._progress.emit)
        except (ServerError, LimitError, InterpreterError) as failure:
            error = str(failure).splitlines()[0]
        self._progress.emit(error)

    def stop(self) -> None:
        if self.runner is not None:
            self.runner.stop()
            self.status.setText("Stopping: the run in progress ends; the runs done are kept…")

    def _on_progress(self, progress: SweepProgress | str) -> None:
        if isinstance(progress, str):  # the end
            if self.worker is not None:
                self.worker.join()
            self.worker = None
            done = len(self.picture.rows)
            ended = "stopped" if self.runner is not None and self.runner.stopped else "done"
            self.status.setText(
                progress or f"Sweep {ended}: {done} runs. Click a point to open it."
            )
            self._update_buttons()
            return
        if progress.row is not None:
            self.picture.rows = [*self.picture.rows, progress.row]
            self.view.update()
        self.progress.setValue(progress.done)
        eta = "" if math.isnan(progress.eta_s) else f" (about {progress.eta_s:.0f} s left)"
        self.status.setText(
            f"{progress.done} of {progress.total} runs done{eta}; now {progress.current}"
        )

    def _update_buttons(self) -> None:
        running = self.worker is not None
        self.run_button.setEnabled(not running)
        self.stop_button.setEnabled(running)
        has_rows = bool(self.picture.rows)
        self.csv_button.setEnabled(has_rows)
        self.png_button.setEnabled(has_rows)

    @property
    def rows(self) -> list[SweepRow]:
        return self.picture.rows

    # -- export ---------------------------------------------------------------------------------

    def export_csv(self, path: str | None = None) -> None:
        path = (
            path or QFileDialog.getSaveFileName(self, "Export CSV", "sweep.csv", "CSV (*.csv)")[0]
        )
        if path:
            Path(path).write_text(to_csv(self.rows), encoding="utf-8")

    def export_png(self, path: str | None = None) -> None:
        path = (
            path or QFileDialog.getSaveFileName(self, "Export PNG", "sweep.png", "PNG (*.png)")[0]
        )
        if path:
            save_sweep_png(self.picture, path)

    def done(self, result: int) -> None:
        """Closing stops the sweep: its thread must not outlive the dialog."""
        if self.runner is not None:
            self.runner.stop()
        if self.worker is not None:
            self.worker.join()
            self.worker = None
        super().done(result)
