"""RunFiles: File menu work, save and open runs, open the shipped examples, export pictures.

Every failure ends in a message box that says what went wrong (a TraceFileError's
text, an OSError's reason); none escapes as an exception into Qt's event loop.
Opening and saving run on a BackgroundJob: reading, analysing and indexing a large
run, or encoding it, takes seconds, and the window keeps painting meanwhile, with a
progress dialog (Cancel stops an open) for the ones that last.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox, QProgressDialog, QWidget

from visualizer.app.background_job import BackgroundJob, JobCancelled, Report
from visualizer.app.picture_export import DEFAULT_WIDTH, copy_to_clipboard, save_png, save_svg
from visualizer.app.timeline.gantt_item import prepare_index
from visualizer.app.timeline.picture import TimelinePicture
from visualizer.model.analysis import RunResult, analyse
from visualizer.model.csv_export import write_requests_csv
from visualizer.model.tracefile import TraceFileError, read_trace, write_trace

#: Recorded runs that ship inside the package, so a class can start without running anything.
EXAMPLES_DIR = Path(__file__).resolve().parents[1] / "examples"
TRACE_FILTER = "schedviz traces (*.json);;All files (*)"
T = TypeVar("T")

#: A job that ends sooner than this shows no progress dialog at all.
PROGRESS_AFTER_MS = 400
#: Share of an open that reading the file is; analysing and indexing the run is the rest.
READ_SHARE = 0.8
#: Widths offered for a PNG, with what they suit.
PNG_WIDTHS = {
    "1920 px (Full HD slide)": 1920,
    "2560 px": 2560,
    "3840 px (4K)": 3840,
    "1280 px (document)": 1280,
}


def example_files() -> list[Path]:
    return sorted(EXAMPLES_DIR.glob("*.json")) if EXAMPLES_DIR.is_dir() else []


def example_title(path: Path) -> str:
    """``async_blocking_c5_w200.json`` -> ``async_blocking  (c5 w200)``."""
    words = path.stem.split("_")
    settings = [w for w in words if w[:1] in "cnpw" and w[1:].isdigit()]
    style = "_".join(w for w in words if w not in settings)
    return f"{style}  ({' '.join(settings)})" if settings else style


class RunFiles:
    """Reads and writes runs and pictures for one window; remembers the file of the run shown."""

    def __init__(self, parent: QWidget, show_result: Callable[[RunResult, Path], None]) -> None:
        self.parent = parent
        self.show_result = show_result
        self.path: Path | None = None
        self.job = BackgroundJob(parent)
        self.progress: FileProgress | None = None

    # -- runs -------------------------------------------------------------------------------

    def open(self, path: str | Path | None = None) -> RunResult | None:
        """Open a trace file (asking which when ``path`` is None); None if it could not be."""
        if path is None:
            chosen, _ = QFileDialog.getOpenFileName(self.parent, "Open run", "", TRACE_FILTER)
            if not chosen:
                return None
            path = chosen
        if self.job.busy:
            return None
        chosen_path = Path(path)

        def read(report: Report) -> RunResult:
            trace = read_trace(chosen_path, lambda share: report(share * READ_SHARE))
            result = analyse(trace)
            report(0.95)
            prepare_index(result.timeline)  # the timeline's drawing index, built here too
            result.marks  # noqa: B018 (found here, off the GUI thread, and kept)
            report(1.0)
            return result

        try:
            result = self._in_background(f"Opening {chosen_path.name}…", read, cancellable=True)
        except TraceFileError as error:
            self.error("Cannot open this file", str(error))
            return None
        except JobCancelled:
            return None
        self.path = Path(path) if Path(path).parent != EXAMPLES_DIR else None
        self.show_result(result, Path(path))
        return result

    def save(self, result: RunResult | None, ask: bool = False) -> Path | None:
        """Write ``result``'s trace to its file, or to one the user names."""
        if result is None:
            self.error("Nothing to save", "Run a style or open a run first.")
            return None
        path = self.path
        if ask or path is None:
            # An app's module:attr is no file name on Windows: "shop.main-app.json".
            default = f"{result.trace.settings.subject.replace(':', '-')}.json"
            chosen, _ = QFileDialog.getSaveFileName(self.parent, "Save run", default, TRACE_FILTER)
            if not chosen:
                return None
            path = Path(chosen)
        if self.job.busy:
            return None
        target = path

        def write(report: Report) -> None:
            # A file written whole, then renamed: a failed save never leaves half a trace.
            partial = target.with_name(target.name + ".partial")
            try:
                write_trace(result.trace, partial)
                os.replace(partial, target)
            finally:
                partial.unlink(missing_ok=True)
            report(1.0)

        saving = f"Saving {target.name}…"
        if self._write(lambda: self._in_background(saving, write, cancellable=False), target):
            self.path = target
            return target
        return None

    def _in_background(self, what: str, work: Callable[[Report], T], cancellable: bool) -> T:
        """``work`` on the job's thread, a progress dialog up if it takes a while."""
        self.progress = FileProgress(what, self.parent, cancellable)
        self.job.progressed.connect(self.progress.show_share)
        self.progress.canceled.connect(self.job.cancel)
        try:
            return self.job.run(work)
        finally:
            self.job.progressed.disconnect(self.progress.show_share)
            self.progress.close()
            self.progress.deleteLater()
            self.progress = None

    # -- pictures and tables --------------------------------------------------------------

    def export_png(self, picture: TimelinePicture | None) -> Path | None:
        if picture is None:
            self._nothing_to_export()
            return None
        path = self._ask_path("Export PNG", "timeline.png", "PNG pictures (*.png)")
        if path is None:
            return None
        choice, ok = QInputDialog.getItem(
            self.parent, "Export PNG", "Width of the picture:", list(PNG_WIDTHS), 0, False
        )
        if not ok:
            return None
        width = PNG_WIDTHS[choice]
        return path if self._write(lambda: save_png(picture, path, width), path) else None

    def export_svg(self, picture: TimelinePicture | None) -> Path | None:
        if picture is None:
            self._nothing_to_export()
            return None
        path = self._ask_path("Export SVG", "timeline.svg", "SVG pictures (*.svg)")
        if path is None:
            return None
        return path if self._write(lambda: save_svg(picture, path), path) else None

    def copy_picture(self, picture: TimelinePicture | None) -> None:
        if picture is None:
            self._nothing_to_export()
        else:
            copy_to_clipboard(picture, DEFAULT_WIDTH)

    def export_csv(self, result: RunResult | None) -> Path | None:
        if result is None:
            self._nothing_to_export()
            return None
        path = self._ask_path("Export requests as CSV", "requests.csv", "CSV tables (*.csv)")
        if path is None:
            return None

        def write() -> None:
            write_requests_csv(result.trace, result.timeline, path)

        return path if self._write(write, path) else None

    # -- helpers ----------------------------------------------------------------------------

    def error(self, title: str, text: str) -> None:
        QMessageBox.warning(self.parent, title, text)

    def _ask_path(self, title: str, default: str, filters: str) -> Path | None:
        chosen, _ = QFileDialog.getSaveFileName(self.parent, title, default, filters)
        return Path(chosen) if chosen else None

    def _write(self, write: Callable[[], object], path: Path) -> bool:
        try:
            write()
        except OSError as error:
            self.error("Cannot write the file", f"{path}: {error.strerror or error}")
            return False
        return True

    def _nothing_to_export(self) -> None:
        self.error("Nothing to export", "Run a style or open a run first.")


class FileProgress(QProgressDialog):
    """How far an open or a save is; shown only if it lasts, Cancel only where it can."""

    def __init__(self, what: str, parent: QWidget, cancellable: bool) -> None:
        super().__init__(what, "Cancel", 0, 100, parent)
        self.setWindowTitle("schedviz")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumDuration(PROGRESS_AFTER_MS)
        self.setAutoClose(False)
        self.setAutoReset(False)
        if not cancellable:
            self.setCancelButton(None)  # a save stopped half-way helps nobody
            self.setRange(0, 0)  # encoding has no steps to count: a busy bar
        self.setValue(0)

    def show_share(self, share: float) -> None:
        if self.maximum() > 0:
            self.setValue(round(share * self.maximum()))
