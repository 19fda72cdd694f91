"""A bug of ours in the window: said in one line, its traceback kept in a file.

An exception that escapes a Qt slot is printed by PySide6 to the terminal and the
window goes on. A user should read neither our traceback nor nothing: the hook below
writes the traceback to ``bugs.log`` in the app's data folder and says, once a
session for each kind of bug, what went wrong and where the details are.
"""

from __future__ import annotations

import datetime
import sys
import traceback
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

LOG_NAME = "bugs.log"


def log_path() -> Path:
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppLocalDataLocation)
    return Path(folder or Path.home() / ".schedviz") / LOG_NAME


class BugReport:
    """``sys.excepthook`` for the window's session; ``install`` it, ``uninstall`` after."""

    def __init__(self, parent: QWidget | None = None, unattended: bool = False) -> None:
        self.parent = parent
        #: A scripted run (--screenshot, --quit) has nobody to close a dialog: one line
        #: on stderr instead, as the command line's other errors are said.
        self.unattended = unattended
        self.shown: set[tuple[str, str]] = set()  # (kind, place): each said once
        self._previous = sys.excepthook

    def install(self) -> None:
        sys.excepthook = self

    def uninstall(self) -> None:
        if sys.excepthook is self:
            sys.excepthook = self._previous

    def __call__(
        self,
        kind: type[BaseException],
        error: BaseException,
        trace: TracebackType | None,
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            self._previous(kind, error, trace)
            return
        path = self._write(kind, error, trace)
        frames = traceback.extract_tb(trace)
        place = f"{Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else "?"
        if (kind.__name__, place) in self.shown:
            return
        self.shown.add((kind.__name__, place))
        where = f"The details are in {path}." if path else "The details could not be saved."
        if self.unattended or QApplication.instance() is None:
            print(f"schedviz: a bug of ours: {kind.__name__}: {error}. {where}", file=sys.stderr)
            return
        QMessageBox.warning(
            self.parent,
            "schedviz hit a bug",
            f"Something in schedviz went wrong ({kind.__name__}: {error}).\n\n"
            f"{where} The window goes on; what you measured is kept.",
        )

    @staticmethod
    def _write(
        kind: type[BaseException], error: BaseException, trace: TracebackType | None
    ) -> Path | None:
        path = log_path()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as log:
                log.write(f"--- {datetime.datetime.now().isoformat(timespec='seconds')}\n")
                log.writelines(traceback.format_exception(kind, error, trace))
        except OSError:
            return None
        return path
